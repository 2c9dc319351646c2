import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { memoryContext } from "../../../src/context/memory-context.js";
import type { ContextReader } from "../../../src/spec/context-reader.js";

/** Files of a fixture directory (minus its cases.json) as an in-memory build context. */
export function fixtureContext(dir: string): { context: ContextReader; files: Record<string, string> } {
  const files: Record<string, string> = {};
  const walk = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name !== "cases.json")
        files[relative(dir, full).split("\\").join("/")] = readFileSync(full, "utf8");
    }
  };
  walk(dir);
  return { context: memoryContext(files), files };
}
