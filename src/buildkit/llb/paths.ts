import { posix } from "node:path";

/** Go's path.Clean: no trailing slash except for "/", "" becomes ".". */
export function cleanPath(p: string): string {
  if (p === "") return ".";
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith("/") ? n.slice(0, -1) : n;
}

/** Resolves `p` against the working directory `dir` (absolute paths win), as BuildKit's client does. */
export function resolvePath(dir: string | undefined, p: string): string {
  const c = cleanPath(p);
  return c.startsWith("/") ? c : posix.join("/", dir ?? "/", c);
}

/** Like resolvePath but keeps a trailing "/" or "/." that changes copy semantics. */
export function resolveDestPath(dir: string | undefined, p: string): string {
  let r = resolvePath(dir, p);
  if (p.endsWith("/") && !r.endsWith("/")) r += "/";
  else if (p.endsWith("/.")) r = `${r === "/" ? "" : r}/.`;
  return r;
}
