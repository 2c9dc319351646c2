import { readdirSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { ContextReader, DirectoryEntry } from "../spec/context-reader.js";
import { isRegularFile, readRegularFile } from "./regular-file.js";

/**
 * A ContextReader over a directory on disk. A path that leaves the directory, directly or
 * through a symlink, reads as missing: a spec can never make pyfront look outside its context.
 */
export function directoryContext(root: string): ContextReader {
  const realRoot = realpathSync(root);

  const locate = (path: string): string | undefined => {
    if (isAbsolute(path)) return undefined;
    const full = resolve(realRoot, path);
    if (!isInside(realRoot, full)) return undefined;
    try {
      const real = realpathSync(full);
      return isInside(realRoot, real) ? real : undefined;
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

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}
