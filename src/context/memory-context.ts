import type { ContextReader, DirectoryEntry } from "../spec/context-reader.js";

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
    listDirectory: (path) => {
      if (!directories.has(path)) return undefined;
      const prefix = path === "." ? "" : `${path}/`;
      const names = new Map<string, DirectoryEntry["kind"]>();
      for (const file of Object.keys(files)) {
        if (!file.startsWith(prefix)) continue;
        const [name, ...rest] = file.slice(prefix.length).split("/");
        if (name) names.set(name, rest.length > 0 ? "directory" : "file");
      }
      return [...names]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, kind]) => ({ name, kind }));
    },
  };
}
