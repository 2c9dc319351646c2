import { type Dirent, readdirSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import type { ContextReader, DirectoryEntry } from "../spec/context-reader.js";
import { type IgnoreMatcher, ignoreMatcher } from "./dockerignore.js";
import { isRegularFile, readRegularFile } from "./regular-file.js";

export interface DirectoryContextOptions {
  /**
   * Exclude patterns (.dockerignore's, or the defaults): what they leave out reads as missing, as
   * it is missing from the context BuildKit receives, so the CLI checks what the frontend checks.
   */
  excludes?: readonly string[];
}

/** Entries looked at, at most, to tell whether an excluded folder keeps a path a `!` pattern takes back. */
const MAX_EXCEPTION_WALK = 20_000;

/**
 * A ContextReader over a directory on disk. A path that leaves the directory, directly or
 * through a symlink, reads as missing: a spec can never make pyfront look outside its context.
 */
export function directoryContext(root: string, options: DirectoryContextOptions = {}): ContextReader {
  const realRoot = realpathSync(root);
  const excluded = exclusionTest(realRoot, options.excludes ?? []);

  const locate = (path: string): string | undefined => {
    if (isAbsolute(path)) return undefined;
    const full = resolve(realRoot, path);
    if (!isInside(realRoot, full) || excluded(full)) return undefined;
    try {
      const real = realpathSync(full);
      return isInside(realRoot, real) && !excluded(real) ? real : undefined;
    } catch {
      return undefined;
    }
  };

  return {
    readFile(path) {
      const found = locate(path);
      if (found === undefined) return undefined;
      const read = readRegularFile(found);
      return read.ok ? read.text : undefined;
    },
    isFile(path) {
      const found = locate(path);
      return found !== undefined && isRegularFile(found);
    },
    exists(path) {
      return locate(path) !== undefined;
    },
    isDirectory(path) {
      const found = locate(path);
      try {
        return found !== undefined && statSync(found).isDirectory();
      } catch {
        return false;
      }
    },
    listDirectory(path) {
      const found = locate(path);
      if (found === undefined) return undefined;
      try {
        return readdirSync(found, { withFileTypes: true })
          .filter((entry) => !excluded(join(found, entry.name)))
          .map((entry): DirectoryEntry => {
            // A symlink counts as what it points to, when that stays inside the context.
            const target = entry.isSymbolicLink() ? locate(`${path}/${entry.name}`) : undefined;
            const stat = entry.isSymbolicLink() && target !== undefined ? statSync(target) : entry;
            const kind = stat.isDirectory() ? "directory" : stat.isFile() ? "file" : "other";
            return {
              name: entry.name,
              kind: entry.isSymbolicLink() && target === undefined ? "other" : kind,
            };
          })
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * Whether an absolute path inside the root is left out of the context. BuildKit's file sync drops
 * what the patterns exclude, except that an excluded folder is still sent when it holds a path a
 * `!` pattern takes back (then only that path and the folders leading to it).
 */
function exclusionTest(realRoot: string, patterns: readonly string[]): (full: string) => boolean {
  if (patterns.length === 0) return () => false;
  const matcher = ignoreMatcher(patterns);
  const cache = new Map<string, boolean>();
  return (full) => {
    const rel = relative(realRoot, full).split(sep).join("/");
    if (rel === "" || !matcher.excludes(rel)) return false;
    let cached = cache.get(rel);
    if (cached === undefined) {
      cached = !keepsTakenBack(matcher, full, rel, { left: MAX_EXCEPTION_WALK });
      cache.set(rel, cached);
    }
    return cached;
  };
}

/** Whether an excluded folder holds a path that a `!` pattern takes back. Symlinks are not followed, as BuildKit does not. */
function keepsTakenBack(
  matcher: IgnoreMatcher,
  full: string,
  rel: string,
  budget: { left: number },
): boolean {
  if (!matcher.mayIncludeBelow(rel)) return false;
  let entries: Dirent[];
  try {
    entries = readdirSync(full, { withFileTypes: true });
  } catch {
    return false;
  }
  for (const entry of entries) {
    // Past the budget, say yes: the folder then reads as present, and what is in it is still checked one by one.
    if (--budget.left < 0) return true;
    const childRel = `${rel}/${entry.name}`;
    if (!matcher.excludes(childRel)) return true;
    if (entry.isDirectory() && keepsTakenBack(matcher, join(full, entry.name), childRel, budget)) return true;
  }
  return false;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}
