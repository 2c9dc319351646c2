/**
 * One TypeScript entry point bundled with esbuild into one ESM file for Node, as the frontend
 * image and the benchmark's installed-like CLI run it: no tsx, no module resolution at start-up.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { build, type Plugin } from "esbuild";

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

/**
 * Node's built-in modules that its start-up snapshot builder cannot keep (native handles: the
 * build aborts) or warns it has not verified: the bundle's imports of them are stood in for by
 * modules that load the real one at its first use, which is after the snapshot is restored.
 */
export const SNAPSHOT_DEFERRED_BUILTINS = ["http", "https", "http2", "perf_hooks", "zlib"] as const;

/**
 * A stand-in for the built-in `name`: each export of it as the real module shows them, a function
 * that calls (or constructs) the real one's, or an object whose properties are read from it.
 */
export function deferredBuiltinSource(name: string, exports: Record<string, unknown>): string {
  const lines = [
    `let loaded; const real = () => (loaded ??= process.getBuiltinModule?.(${JSON.stringify(`node:${name}`)}) ?? module.require(${JSON.stringify(name)}));`,
  ];
  for (const key of Object.keys(exports).sort()) {
    if (key === "default" || !/^[A-Za-z_$][\w$]*$/.test(key)) continue;
    lines.push(
      typeof exports[key] === "function"
        ? `export function ${key}(...args) { return new.target ? new (real().${key})(...args) : real().${key}(...args); }`
        : `export const ${key} = new Proxy({}, { get: (_, property) => { const value = real().${key}[property]; return typeof value === "function" ? value.bind(real().${key}) : value; } });`,
    );
  }
  return lines.join("\n");
}

const deferBuiltins: Plugin = {
  name: "defer-snapshot-builtins",
  setup(build) {
    const names = SNAPSHOT_DEFERRED_BUILTINS.join("|");
    build.onResolve({ filter: new RegExp(`^(node:)?(${names})$`) }, (args) => ({
      path: args.path.replace(/^node:/, ""),
      namespace: "deferred-builtin",
    }));
    build.onLoad({ filter: /.*/, namespace: "deferred-builtin" }, async (args) => ({
      contents: deferredBuiltinSource(
        args.path,
        (await import(`node:${args.path}`)) as Record<string, unknown>,
      ),
      loader: "js",
    }));
  },
};

/**
 * The bundle a V8 start-up snapshot is taken of (`node --build-snapshot`, docker/frontend.Dockerfile):
 * one CommonJS script, as the snapshot builder runs only those, with the built-ins it cannot keep
 * deferred. It runs as a plain script too (`node bundle.cjs`).
 */
export async function bundleSnapshotEntry(entryPoint: string, outfile: string): Promise<string> {
  mkdirSync(dirname(outfile), { recursive: true });
  const { banner: _esmOnly, ...options } = NODE_BUNDLE_OPTIONS;
  await build({ entryPoints: [entryPoint], outfile, ...options, format: "cjs", plugins: [deferBuiltins] });
  return outfile;
}
