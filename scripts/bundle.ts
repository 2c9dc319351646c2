/**
 * One TypeScript entry point bundled with esbuild into one ESM file for Node, as the frontend
 * image and the benchmark's installed-like CLI run it: no tsx, no module resolution at start-up.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { build } from "esbuild";

/** Some bundled CommonJS dependencies call require(); an ESM bundle gives them one. */
export const NODE_ESM_REQUIRE_BANNER =
  "import { createRequire as __pyfrontRequire } from 'node:module'; const require = __pyfrontRequire(import.meta.url);";

/** How every pyfront bundle is made: one ESM target, Node 20, minified, with require() given. */
export const NODE_BUNDLE_OPTIONS = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  minify: true,
  legalComments: "none",
  banner: { js: NODE_ESM_REQUIRE_BANNER },
  logLevel: "warning",
} as const;

export async function bundleEntry(entryPoint: string, outfile: string): Promise<string> {
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [entryPoint],
    outfile,
    ...NODE_BUNDLE_OPTIONS,
  });
  return outfile;
}
