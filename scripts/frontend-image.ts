/**
 * Builds the frontend image: bundles src/frontend/main.ts into one file with esbuild, then builds
 * docker/frontend.Dockerfile with only that file as context, tagged pyfront/frontend:dev.
 *
 *   npm run frontend:image [-- --push] [-- --node-image IMAGE] [-- --tag TAG]
 *
 * Uses the engine chosen by `scripts/engine env` (PYFRONT_DOCKER, DOCKER_HOST) when set.
 * --push also pushes it to the local registry as localhost:5000/pyfront/frontend:dev.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

export const FRONTEND_IMAGE = "pyfront/frontend:dev";
export const LOCAL_REGISTRY = "localhost:5000";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export async function bundleFrontend(outDir = join(root, "dist", "frontend")): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, "pyfront-frontend.mjs");
  await build({
    entryPoints: [join(root, "src", "frontend", "main.ts")],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    minify: true,
    legalComments: "none",
    // Some bundled CommonJS dependencies call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __pyfrontRequire } from 'node:module'; const require = __pyfrontRequire(import.meta.url);",
    },
    logLevel: "warning",
  });
  return outfile;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      push: { type: "boolean", default: false },
      "node-image": { type: "string" },
      tag: { type: "string", default: FRONTEND_IMAGE },
    },
  });
  const outfile = await bundleFrontend();
  process.stderr.write(`bundled ${outfile} (${Math.round(statSync(outfile).size / 1024)} KiB)\n`);
  const docker = process.env.PYFRONT_DOCKER ?? "docker";
  const tag = values.tag ?? FRONTEND_IMAGE;
  const args = ["build", "-f", join(root, "docker", "frontend.Dockerfile"), "-t", tag];
  if (values["node-image"]) args.push("--build-arg", `NODE_IMAGE=${values["node-image"]}`);
  args.push(dirname(outfile));
  execFileSync(docker, args, {
    stdio: ["ignore", "inherit", "inherit"],
    env: { DOCKER_BUILDKIT: "1", ...process.env },
  });
  if (values.push) {
    const remote = `${LOCAL_REGISTRY}/${tag}`;
    execFileSync(docker, ["tag", tag, remote], { stdio: "inherit" });
    execFileSync(docker, ["push", remote], { stdio: "inherit" });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`frontend-image: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
