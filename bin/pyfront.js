#!/usr/bin/env node
// The pyfront command. Runs the compiled CLI (npm run build), or the TypeScript sources through
// tsx in a checkout where it has not been built.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const compiled = join(root, "dist", "cli", "run.js");
if (!existsSync(compiled)) {
  const { register } = await import("tsx/esm/api");
  register();
}
const entry = existsSync(compiled) ? compiled : join(root, "src", "cli", "run.ts");
await import(pathToFileURL(entry).href);
