import type { ContextReader } from "../../../src/spec/context-reader.js";

/** An in-memory build context: file paths map to contents; directories are implied by paths. */
export function memoryContext(files: Record<string, string>): ContextReader {
  const directories = new Set<string>(["."]);
  for (const path of Object.keys(files)) {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) directories.add(parts.slice(0, i).join("/"));
  }
  return {
    readFile: (path) => files[path],
    exists: (path) => path in files || directories.has(path),
    isDirectory: (path) => directories.has(path),
  };
}
