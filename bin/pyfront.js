#!/usr/bin/env node
// The pyfront command. An installed package runs the CLI's bundle in dist/ (built by prepack: one
// file per part, loaded as a command needs it, which starts faster than the compiled modules); a
// checkout runs the TypeScript sources through tsx, so a stale dist/ never hides an edit there.
import { existsSync } from "node:fs";
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
  await import(pathToFileURL(bundled).href);
} else if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  process.stderr.write(
    "pyfront: this copy has neither its compiled CLI (dist/) nor tsx to run its sources;\n" +
      "  in a checkout run `npm ci`, or `npm run build` for dist/\n",
  );
  process.exitCode = 1;
}
