import type { ContextReader } from "./context-reader.js";
import type { DiagnosticList, ProblemSite } from "./diagnostic-list.js";

/** Reports a missing (or wrong-kind) context entry; returns true when it is there. */
export function requireInContext(
  context: ContextReader,
  out: DiagnosticList,
  site: ProblemSite,
  path: string,
  kind: "file" | "directory",
): boolean {
  if (!context.exists(path)) {
    out.error(site, {
      code: "missing-file",
      message: `${JSON.stringify(path)} does not exist in the build context`,
      hint: "paths are relative to the root of the build context",
    });
    return false;
  }
  const isDirectory = context.isDirectory(path);
  if (kind === "file" && isDirectory) {
    out.error(site, {
      code: "not-a-file",
      message: `${JSON.stringify(path)} is a directory, expected a file`,
    });
    return false;
  }
  if (kind === "file" && context.isFile && !context.isFile(path)) {
    out.error(site, {
      code: "not-a-regular-file",
      message: `${JSON.stringify(path)} is not a regular file (a FIFO, device or socket)`,
      hint: "point at an ordinary file in the build context",
    });
    return false;
  }
  if (kind === "directory" && !isDirectory) {
    out.error(site, {
      code: "not-a-directory",
      message: `${JSON.stringify(path)} is a file, expected a directory`,
    });
    return false;
  }
  out.notePath(site, path);
  return true;
}

/** Glob characters make a COPY source a pattern; patterns are not checked for existence. */
export function isPattern(path: string): boolean {
  return /[*?[]/.test(path);
}

/** The directory of a context path ("." for the root). */
export function contextDirname(path: string): string {
  const index = path.lastIndexOf("/");
  return index <= 0 ? "." : path.slice(0, index);
}

/** Joins context paths, keeping "." out of the result. */
export function contextJoin(dir: string, name: string): string {
  return dir === "." ? name : `${dir}/${name}`;
}
