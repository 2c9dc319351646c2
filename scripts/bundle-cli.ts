/**
 * The installed command's start-up code: src/cli/run.ts bundled by esbuild into dist/cli/bundle/,
 * split at its dynamic imports, so `pyfront --help` loads the command table and not the build
 * client, the frontend or the images API (docs/packaging.md). `npm run build` runs it after tsc;
 * bin/pyfront.js runs the bundle when it is there.
 */
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { NODE_BUNDLE_OPTIONS } from "./bundle.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist", "cli", "bundle");

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { pyfront: join(root, "src", "cli", "run.ts") },
  outdir,
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  splitting: true,
  ...NODE_BUNDLE_OPTIONS,
});
