// Helpers for e2e tests: talk to the engine `scripts/engine` brought up, with the client and host
// it names. Every command runs as an argv through execFile, never through a shell.
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export type EngineName = "A" | "B";

export interface EngineEnv {
  engine: EngineName;
  /** Path of the docker client to use with this engine. */
  client: string;
  /** DOCKER_HOST, DOCKER_CONFIG, DOCKER_BUILDKIT and the PYFRONT_* variables, for child processes. */
  vars: Record<string, string>;
  indexUrl: string;
  authIndexUrl: string;
  indexUser: string;
  indexPasswordFile: string;
  indexLog: string;
  registry: string;
  /** The local registry's log, access lines included (`scripts/engine` starts it so). */
  registryLog: string;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Which engine the run targets: PYFRONT_ENGINE, A by default. */
export function selectedEngine(): EngineName {
  const value = process.env.PYFRONT_ENGINE ?? "A";
  if (value !== "A" && value !== "B") throw new Error(`PYFRONT_ENGINE must be A or B, not ${value}`);
  return value;
}

/** Parse the `export KEY=VALUE` lines that `scripts/engine env` prints. */
export function parseExports(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^export ([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) vars[match[1]] = match[2];
  }
  return vars;
}

function required(vars: Record<string, string>, key: string): string {
  const value = vars[key];
  if (value === undefined || value === "") throw new Error(`scripts/engine env did not set ${key}`);
  return value;
}

let cached: EngineEnv | undefined;

/** The environment of the selected engine, as `scripts/engine env` describes it. */
export function engineEnv(): EngineEnv {
  if (cached) return cached;
  const engine = selectedEngine();
  const text = execFileSync(join(repoRoot, "scripts", "engine"), ["env", engine], { encoding: "utf8" });
  const vars = parseExports(text);
  cached = {
    engine,
    client: required(vars, "PYFRONT_DOCKER"),
    vars,
    indexUrl: required(vars, "PYFRONT_INDEX_URL"),
    authIndexUrl: required(vars, "PYFRONT_INDEX_AUTH_URL"),
    indexUser: required(vars, "PYFRONT_INDEX_USER"),
    indexPasswordFile: required(vars, "PYFRONT_INDEX_PASSWORD_FILE"),
    indexLog: required(vars, "PYFRONT_INDEX_LOG"),
    registry: required(vars, "PYFRONT_REGISTRY"),
    registryLog: required(vars, "PYFRONT_REGISTRY_LOG"),
  };
  return cached;
}

/**
 * `docker buildx ARGS` with engine B's client (buildx 0.13) against the engine under test:
 * Docker 20.10's own client has no buildx, and a newer buildx against an older daemon is what
 * users have. BUILDX_EXPERIMENTAL is set for `--print`.
 */
export function buildx(args: readonly string[]): Promise<CommandResult> {
  const b = parseExports(
    execFileSync(join(repoRoot, "scripts", "engine"), ["env", "B"], { encoding: "utf8" }),
  );
  const env = engineEnv();
  return new Promise((resolve) => {
    execFile(
      required(b, "PYFRONT_DOCKER"),
      ["buildx", ...args],
      {
        env: {
          ...process.env,
          DOCKER_CONFIG: required(b, "DOCKER_CONFIG"),
          DOCKER_HOST: required(env.vars, "DOCKER_HOST"),
          BUILDX_EXPERIMENTAL: "1",
        },
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        timeout: 300_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: typeof error?.code === "number" ? error.code : error ? 1 : 0, stdout, stderr }),
    );
  });
}

/** Run the engine's docker client with these arguments; never throws on a non-zero exit. */
export function docker(
  args: readonly string[],
  options: { input?: string; cwd?: string } = {},
): Promise<CommandResult> {
  const env = engineEnv();
  return new Promise((resolve, reject) => {
    const child = execFile(
      env.client,
      [...args],
      {
        env: { ...process.env, ...env.vars },
        maxBuffer: 64 * 1024 * 1024,
        encoding: "utf8",
        ...(options.cwd ? { cwd: options.cwd } : {}),
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(error);
          return;
        }
        resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export interface BuildOptions {
  context: string;
  tag: string;
  /** Dockerfile path; relative paths are taken from the context. */
  dockerfile?: string;
  buildArgs?: Record<string, string>;
  /** "host" lets RUN steps reach the local index on 127.0.0.1. */
  network?: "host" | "default" | "none";
  noCache?: boolean;
}

/** `docker build` with BuildKit; plain progress so failures are readable in test output. */
export function build(options: BuildOptions): Promise<CommandResult> {
  const args = ["build", "--progress=plain", "-t", options.tag];
  if (options.dockerfile) args.push("-f", join(options.context, options.dockerfile));
  if (options.network) args.push("--network", options.network);
  if (options.noCache) args.push("--no-cache");
  for (const [key, value] of Object.entries(options.buildArgs ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    args.push("--build-arg", `${key}=${value}`);
  }
  args.push(options.context);
  return docker(args);
}

export interface RunOptions {
  /** Arguments after the image (the command), if any. */
  command?: readonly string[];
  env?: Record<string, string>;
  network?: string;
  user?: string;
  /** Replaces the image's entrypoint (`--entrypoint`). */
  entrypoint?: string;
}

/** `docker run --rm IMAGE [command]`. */
export function run(image: string, options: RunOptions = {}): Promise<CommandResult> {
  const args = ["run", "--rm"];
  if (options.network) args.push("--network", options.network);
  if (options.user) args.push("--user", options.user);
  if (options.entrypoint) args.push("--entrypoint", options.entrypoint);
  for (const [key, value] of Object.entries(options.env ?? {})) args.push("--env", `${key}=${value}`);
  args.push(image, ...(options.command ?? []));
  return docker(args);
}

/** A shell script run in the image instead of its entrypoint: `docker run --rm --entrypoint sh IMAGE -c SCRIPT`. */
export function runShell(
  image: string,
  script: string,
  options: Omit<RunOptions, "entrypoint" | "command"> = {},
) {
  return run(image, { ...options, entrypoint: "sh", command: ["-c", script] });
}

export interface ImageInfo {
  Id: string;
  Config: {
    Cmd?: string[] | null;
    Entrypoint?: string[] | null;
    Env?: string[] | null;
    User?: string;
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
    ExposedPorts?: Record<string, object> | null;
  };
  RootFS?: { Layers?: string[] };
  Size?: number;
  Architecture?: string;
}

/** `docker image inspect`, or undefined when the image does not exist. */
export async function imageInspect(ref: string): Promise<ImageInfo | undefined> {
  const result = await docker(["image", "inspect", ref]);
  if (result.code !== 0) return undefined;
  const parsed = JSON.parse(result.stdout) as ImageInfo[];
  return parsed[0];
}

/** Remove an image if present (force, so stopped containers don't hold it). */
export async function removeImage(ref: string): Promise<void> {
  await docker(["image", "rm", "--force", ref]);
}

/** Current size of the index access log, to read only the lines a test caused. */
export function indexLogOffset(): number {
  const log = engineEnv().indexLog;
  return existsSync(log) ? statSync(log).size : 0;
}

/** Access-log lines written since `offset`. */
export function indexLogSince(offset: number): string[] {
  const log = engineEnv().indexLog;
  if (!existsSync(log)) return [];
  return readFileSync(log).subarray(offset).toString("utf8").split("\n").filter(Boolean);
}

/** Linux platforms with the binfmt_misc name of QEMU's handler for them. */
const EMULATION_CANDIDATES: readonly (readonly [platform: string, handler: string])[] = [
  ["linux/s390x", "qemu-s390x"],
  ["linux/riscv64", "qemu-riscv64"],
  ["linux/ppc64le", "qemu-ppc64le"],
  ["linux/mips64le", "qemu-mips64el"],
];

/**
 * A platform this machine's engines cannot build: no QEMU handler for it is registered (the engines
 * share the host's kernel, so its binfmt_misc decides what their workers run). The test engine
 * registers arm64 (docs/engine.md), so a test of a refusal must not count on arm64 being refused.
 */
export function unemulatedPlatform(): string {
  const found = EMULATION_CANDIDATES.find(
    ([, handler]) => !existsSync(`/proc/sys/fs/binfmt_misc/${handler}`),
  );
  if (!found) throw new Error("every candidate platform has a QEMU handler registered on this machine");
  return found[0];
}
