import type { EngineAddress } from "./engine-address.js";

/** One `--cache-from` or `--cache-to`, as BuildKit's CacheOptionsEntry takes it. */
export interface CacheEntry {
  type: string;
  attrs: Record<string, string>;
}

/** A cache flag the user must fix, or one this engine cannot honour (exit code 2). */
export class CacheFlagError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "CacheFlagError";
  }
}

/**
 * Parses `--cache-from`/`--cache-to` as buildx does: comma-separated key=value fields with a
 * `type` (registry when left out), or a bare image reference for `type=registry,ref=REF`.
 */
export function parseCacheFlag(flag: "--cache-from" | "--cache-to", value: string): CacheEntry {
  if (!value.includes("=")) {
    if (value.trim() === "")
      throw new CacheFlagError(`${flag} is empty`, `write ${flag} type=registry,ref=IMAGE`);
    return { type: "registry", attrs: { ref: value.trim() } };
  }
  const attrs: Record<string, string> = Object.create(null);
  let type = "registry";
  for (const field of value.split(",")) {
    const eq = field.indexOf("=");
    if (eq <= 0)
      throw new CacheFlagError(`${flag} ${JSON.stringify(value)}: ${JSON.stringify(field)} is not key=value`);
    const key = field.slice(0, eq).trim();
    const fieldValue = field.slice(eq + 1).trim();
    if (key === "type") type = fieldValue;
    else attrs[key] = fieldValue;
  }
  return { type, attrs };
}

/**
 * What the engine cannot do with these caches, told before anything is built. A Docker daemon's
 * BuildKit (without the containerd store) exports only inline cache, as buildx's docker driver
 * says; local caches live on the client's disk and need a session service this client has not.
 */
export function cacheProblems(
  imports: readonly CacheEntry[],
  exports: readonly CacheEntry[],
  address: EngineAddress,
): { message: string; hint: string }[] {
  const problems: { message: string; hint: string }[] = [];
  for (const entry of imports) {
    if (entry.type === "registry" && !entry.attrs.ref)
      problems.push({
        message: "--cache-from type=registry has no ref",
        hint: "write --cache-from type=registry,ref=IMAGE",
      });
    else if (entry.type !== "registry")
      problems.push({
        message: `--cache-from type=${entry.type} is not supported by pyfront build yet`,
        hint: "import a cache from a registry: --cache-from IMAGE",
      });
  }
  if (exports.length > 1)
    problems.push({
      message: "more than one --cache-to",
      hint: "BuildKit exports one cache per build: keep one",
    });
  for (const entry of exports) {
    if (entry.type === "inline") continue;
    if (entry.type === "registry" && address.kind === "buildkit") {
      if (!entry.attrs.ref)
        problems.push({
          message: "--cache-to type=registry has no ref",
          hint: "write --cache-to type=registry,ref=IMAGE",
        });
      continue;
    }
    problems.push({
      message:
        entry.type === "registry"
          ? "--cache-to type=registry: a Docker daemon's BuildKit exports only inline cache"
          : `--cache-to type=${entry.type} is not supported by pyfront build yet`,
      hint: "write --cache-to type=inline and push the image (--push), or build on a standalone BuildKit (--builder)",
    });
  }
  return problems;
}

/** The frontend option buildx sends for `--cache-from`, which the frontend hands to its solves. */
export function cacheImportsAttr(imports: readonly CacheEntry[]): string {
  return JSON.stringify(imports.map((e) => ({ Type: e.type, Attrs: e.attrs })));
}
