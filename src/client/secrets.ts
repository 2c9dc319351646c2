import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";

/** One `--secret` flag: where the value comes from. */
export type SecretSource =
  | { id: string; kind: "file"; path: string }
  | { id: string; kind: "env"; name: string };

/** A `--secret` value the user must fix (exit code 2). */
export class SecretFlagError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "SecretFlagError";
  }
}

const HINT = "write --secret id=NAME,src=FILE or --secret id=NAME,env=VARIABLE";

/**
 * Parses `--secret` as docker build does: comma-separated `key=value` fields, `id` required,
 * `src`/`source` for a file, `env` for an environment variable, `type=file|env` optional.
 */
export function parseSecretFlag(flag: string): SecretSource {
  const fields = new Map<string, string>();
  for (const field of flag.split(",")) {
    const eq = field.indexOf("=");
    if (eq <= 0)
      throw new SecretFlagError(
        `--secret ${JSON.stringify(flag)}: ${JSON.stringify(field)} is not key=value`,
        HINT,
      );
    let key = field.slice(0, eq).trim().toLowerCase();
    if (key === "source") key = "src";
    if (!["id", "src", "env", "type"].includes(key)) {
      throw new SecretFlagError(
        `--secret ${JSON.stringify(flag)}: unknown field ${JSON.stringify(key)}`,
        HINT,
      );
    }
    if (fields.has(key))
      throw new SecretFlagError(`--secret ${JSON.stringify(flag)}: ${key} is given twice`, HINT);
    fields.set(key, field.slice(eq + 1));
  }
  const id = fields.get("id");
  if (!id) throw new SecretFlagError(`--secret ${JSON.stringify(flag)} has no id`, HINT);
  const type = fields.get("type");
  if (type !== undefined && type !== "file" && type !== "env") {
    throw new SecretFlagError(
      `--secret ${JSON.stringify(flag)}: type must be file or env, not ${JSON.stringify(type)}`,
      HINT,
    );
  }
  const src = fields.get("src");
  const env = fields.get("env");
  if (src !== undefined && env !== undefined) {
    throw new SecretFlagError(`--secret ${JSON.stringify(flag)} names both a file and a variable`, HINT);
  }
  if (type === "env" && src !== undefined) return { id, kind: "env", name: src };
  if (type === "file" && env !== undefined) return { id, kind: "file", path: env };
  if (src) return { id, kind: "file", path: src };
  if (env) return { id, kind: "env", name: env };
  throw new SecretFlagError(`--secret ${JSON.stringify(flag)} names no file (src=) or variable (env=)`, HINT);
}

/** The largest secret pyfront sends; BuildKit itself refuses more than 500 KiB. */
const MAX_SECRET_BYTES = 500 * 1024;

/**
 * Reads every secret once, before the build starts, so a missing file or variable fails at once
 * with its flag named. Two flags with one id are refused: which one wins would be a guess.
 */
export function loadSecrets(
  sources: readonly SecretSource[],
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Map<string, Uint8Array> {
  const secrets = new Map<string, Uint8Array>();
  for (const source of sources) {
    if (secrets.has(source.id))
      throw new SecretFlagError(`two --secret flags have the id ${JSON.stringify(source.id)}`);
    if (source.kind === "env") {
      const value = env[source.name];
      if (value === undefined) {
        throw new SecretFlagError(
          `--secret id=${source.id}: the environment variable ${source.name} is not set`,
        );
      }
      secrets.set(source.id, new TextEncoder().encode(value));
      continue;
    }
    const path = resolve(cwd, source.path);
    let size: number;
    try {
      const st = statSync(path);
      if (!st.isFile()) throw new SecretFlagError(`--secret id=${source.id}: ${source.path} is not a file`);
      size = st.size;
    } catch (error) {
      if (error instanceof SecretFlagError) throw error;
      throw new SecretFlagError(
        `--secret id=${source.id}: cannot read ${source.path}: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
      );
    }
    if (size > MAX_SECRET_BYTES) {
      throw new SecretFlagError(
        `--secret id=${source.id}: ${source.path} is larger than BuildKit's 500 KiB limit for a secret`,
      );
    }
    secrets.set(source.id, new Uint8Array(readFileSync(path)));
  }
  return secrets;
}
