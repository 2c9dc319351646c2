#!/usr/bin/env node
// The pyfront command. An installed package runs the CLI's bundle in dist/ (built by prepack: one
// file per part, loaded as a command needs it, which starts faster than the compiled modules); a
// checkout runs the TypeScript sources through tsx, so a stale dist/ never hides an edit there.
import { existsSync } from "node:fs";
import module from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "src", "cli", "run.ts");
const bundled = join(root, "dist", "cli", "bundle", "pyfront.mjs");
const compiled = join(root, "dist", "cli", "run.js");

if (existsSync(source) && existsSync(join(root, "node_modules", "tsx"))) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(source).href);
} else if (existsSync(bundled)) {
  enableCompileCache();
  await import(pathToFileURL(bundled).href);
} else if (existsSync(compiled)) {
  enableCompileCache();
  await import(pathToFileURL(compiled).href);
} else {
  process.stderr.write(
    "pyfront: this copy has neither its compiled CLI (dist/) nor tsx to run its sources;\n" +
      "  in a checkout run `npm ci`, or `npm run build` for dist/\n",
  );
  process.exitCode = 1;
}

/**
 * Node's on-disk cache of compiled modules (Node >= 22.1; in the OS's temporary directory, off
 * with NODE_DISABLE_COMPILE_CACHE=1): a later run reads V8's code instead of compiling the bundle
 * again. Node 20 has no such cache, and this does nothing there.
 */
function enableCompileCache() {
  module.enableCompileCache?.();
}
