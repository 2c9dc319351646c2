import { posix } from "node:path";
import { defaultExcludeNames } from "../context/default-excludes.js";

/*
 * Where the spec file is inside the build context. `docker build -f services/api/pyproject.toml .`
 * sends `services/api` as the `dockerfile` local and only `pyproject.toml` as the `filename` option
 * (docker/cli 20.10 and buildx alike): nothing says where that folder lies in the context. The
 * spec's bytes are known, though, so the file of the same name with the same bytes is looked for:
 * first as named, then folder by folder, shallowest first.
 */

/** One directory entry, with the size when the listing tells it (it spares reading files that differ). */
export interface SearchEntry {
  name: string;
  kind: "file" | "directory" | "other";
  size?: number;
}

/** The solved context, as the search reads it. */
export interface SpecSearchContext {
  /** The entries of a folder, or undefined when it is missing or not a folder. */
  listDirectory(path: string): Promise<SearchEntry[] | undefined>;
  /** The file's bytes (at most one byte more than `limit`), or undefined when it cannot be read. */
  readBytes(path: string, limit: number): Promise<Uint8Array | undefined>;
}

export interface SpecSearchLimits {
  /** Folder levels below the root that are listed. */
  maxDepth: number;
  /** Folders listed in all. */
  maxFolders: number;
  /** Same-named files of the spec's size read and compared, in all. */
  maxCompared: number;
}

export const SPEC_SEARCH_LIMITS: SpecSearchLimits = { maxDepth: 10, maxFolders: 5000, maxCompared: 100 };

/**
 * Folders never searched: the default excludes' folders (a .dockerignore may keep them in the
 * context, but no project's spec lives there) and other installed or generated trees.
 */
export const UNSEARCHED_FOLDERS: ReadonlySet<string> = new Set([
  ...defaultExcludeNames().filter((name) => !/[*?[\\]/.test(name)),
  "site-packages",
  ".hg",
  ".svn",
  ".ruff_cache",
  ".eggs",
]);

/** Folders listed at once; the gateway answers each ReadDir on its own. */
const CONCURRENT_LISTINGS = 32;

export type SpecLocation =
  /** The spec is this context path: as named (`filename` holds the path), or the one same-named file with its bytes. */
  | { kind: "in-context"; path: string; rule: "as-named" | "same-content" }
  /** No file in the context has the spec's name and bytes: `-f` named a file outside the context. */
  | { kind: "outside" }
  /** The search stopped at its limits before finding the spec. */
  | { kind: "search-cut"; foldersListed: number }
  /** Several files at the same, shallowest depth have the spec's name and bytes. */
  | { kind: "ambiguous"; paths: string[] };

/**
 * Finds the context path of the spec named `filename` (the client's option, relative to the
 * `dockerfile` local) whose content is `spec`. Rules, in order: `filename` itself, when the context
 * has it with these bytes (the spec in the context root, or buildctl's `filename=dir/file`); else
 * the shallowest same-named file with these bytes, breadth first, folders in name order, skipping
 * UNSEARCHED_FOLDERS and symlinks. Two or more at that depth: ambiguous, never a guess.
 */
export async function locateSpec(
  context: SpecSearchContext,
  filename: string,
  spec: Uint8Array,
  limits: SpecSearchLimits = SPEC_SEARCH_LIMITS,
): Promise<SpecLocation> {
  const sameContent = async (path: string) => {
    const bytes = await context.readBytes(path, spec.length);
    return bytes !== undefined && equalBytes(bytes, spec);
  };
  const named = contextPathOf(filename);
  if (named !== undefined && (await sameContent(named)))
    return { kind: "in-context", path: named, rule: "as-named" };

  const name = posix.basename(filename);
  let level = ["."];
  let listed = 0;
  let compared = 0;
  for (let depth = 0; depth <= limits.maxDepth && level.length > 0; depth++) {
    if (listed + level.length > limits.maxFolders) return { kind: "search-cut", foldersListed: listed };
    const listings = await listAll(context, level);
    listed += level.length;
    const candidates: string[] = [];
    const next: string[] = [];
    level.forEach((folder, i) => {
      for (const entry of listings[i] ?? []) {
        const path = folder === "." ? entry.name : `${folder}/${entry.name}`;
        if (entry.kind === "directory" && !UNSEARCHED_FOLDERS.has(entry.name)) next.push(path);
        const sameSize = entry.size === undefined || entry.size === spec.length;
        if (entry.kind === "file" && entry.name === name && path !== named && sameSize) candidates.push(path);
      }
    });
    compared += candidates.length;
    if (compared > limits.maxCompared) return { kind: "search-cut", foldersListed: listed };
    const matches: string[] = [];
    for (const candidate of candidates) if (await sameContent(candidate)) matches.push(candidate);
    if (matches.length === 1) return { kind: "in-context", path: matches[0] as string, rule: "same-content" };
    if (matches.length > 1) return { kind: "ambiguous", paths: matches };
    level = next;
  }
  return level.length > 0 ? { kind: "search-cut", foldersListed: listed } : { kind: "outside" };
}

/** `filename` as a context path, or undefined when it could not be one (absolute, or leaving the root). */
function contextPathOf(filename: string): string | undefined {
  if (filename === "" || filename.startsWith("/")) return undefined;
  const normal = posix.normalize(filename);
  if (normal === "." || normal === ".." || normal.startsWith("../")) return undefined;
  return normal;
}

async function listAll(
  context: SpecSearchContext,
  folders: string[],
): Promise<Array<SearchEntry[] | undefined>> {
  const listings: Array<SearchEntry[] | undefined> = [];
  for (let i = 0; i < folders.length; i += CONCURRENT_LISTINGS) {
    const batch = folders.slice(i, i + CONCURRENT_LISTINGS);
    const listed = await Promise.all(batch.map((folder) => context.listDirectory(folder)));
    // Name order within each folder, whatever order the gateway answered in.
    listings.push(
      ...listed.map((entries) => entries && [...entries].sort((a, b) => compare(a.name, b.name))),
    );
  }
  return listings;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
