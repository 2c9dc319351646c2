/**
 * Builds the frontend image: bundles src/frontend/main.ts into one file with esbuild, then builds
 * docker/frontend.Dockerfile with only that file as context, tagged pyfront/frontend:dev (what the
 * examples' #syntax= lines and the tests use) and pyfront/frontend:<package version>.
 *
 *   npm run frontend:image [-- --push REGISTRY/NAME] [-- --node-image IMAGE] [-- --tag TAG]
 *
 * --push REGISTRY/NAME also tags the image REGISTRY/NAME:<version> and REGISTRY/NAME:latest and
 * pushes both, e.g. --push localhost:5000/pyfront/frontend for the test engines' registry.
 * Uses the engine chosen by `scripts/engine env` (PYFRONT_DOCKER, DOCKER_HOST) when set.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

export const FRONTEND_IMAGE = "pyfront/frontend:dev";
export const FRONTEND_REPOSITORY = "pyfront/frontend";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Bundles the frontend (or another entry point, such as the benchmark's do-nothing frontend) into
 * outDir/pyfront-frontend.mjs, the one file docker/frontend.Dockerfile copies.
 */
export async function bundleFrontend(
  outDir = join(root, "dist", "frontend"),
  entryPoint = join(root, "src", "frontend", "main.ts"),
): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, "pyfront-frontend.mjs");
  await build({
    entryPoints: [entryPoint],
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

/** A problem with the command line, reported without a stack trace. */
export class UsageError extends Error {}

/** What one run does, as data: the docker commands in order. */
export interface FrontendImagePlan {
  build: string[];
  tags: string[];
  /** `docker tag` then `docker push` argument lists, in order. */
  publish: string[][];
}

/** `[registry[:port]/]path` with lowercase path components, and no tag or digest. */
const REPOSITORY =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** Reads the script's arguments into the docker commands to run. */
export function planFrontendImage(
  argv: readonly string[],
  options: { version: string; dockerfile: string; contextDir: string },
): FrontendImagePlan {
  const pushIndex = argv.indexOf("--push");
  const pushValue = pushIndex === -1 ? undefined : argv[pushIndex + 1];
  if (pushIndex !== -1 && (pushValue === undefined || pushValue.startsWith("-"))) {
    throw new UsageError(
      "--push takes the repository to push to, e.g. --push registry.example.com/pyfront/frontend " +
        "(or --push localhost:5000/pyfront/frontend for the test engines' registry)",
    );
  }
  let values: { push?: string; "node-image"?: string; tag?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { push: { type: "string" }, "node-image": { type: "string" }, tag: { type: "string" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const tag = values.tag ?? FRONTEND_IMAGE;
  const tags = [tag, `${FRONTEND_REPOSITORY}:${options.version}`].filter((t, i, all) => all.indexOf(t) === i);
  const buildArgs = ["build", "-f", options.dockerfile];
  for (const t of tags) buildArgs.push("-t", t);
  buildArgs.push("--label", `org.opencontainers.image.version=${options.version}`);
  if (values["node-image"]) buildArgs.push("--build-arg", `NODE_IMAGE=${values["node-image"]}`);
  buildArgs.push(options.contextDir);

  const publish: string[][] = [];
  if (values.push !== undefined) {
    const repository = values.push;
    if (!REPOSITORY.test(repository)) {
      const lastPart = repository.slice(repository.lastIndexOf("/") + 1);
      throw new UsageError(
        lastPart.includes(":") || repository.includes("@")
          ? `--push takes a repository without a tag: the image is pushed as ${repository.replace(/[:@][^/]*$/, "")}:${options.version} and :latest`
          : `--push ${JSON.stringify(repository)} is not a repository name: write REGISTRY/NAME, lowercase, e.g. registry.example.com/pyfront/frontend`,
      );
    }
    for (const remoteTag of [options.version, "latest"]) {
      const remote = `${repository}:${remoteTag}`;
      publish.push(["tag", tag, remote], ["push", remote]);
    }
  }
  return { build: buildArgs, tags, publish };
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
}

async function main(): Promise<void> {
  // A folder of this run's own: two runs at once (the e2e suites of both engines start together)
  // must never build from a bundle the other is still writing.
  mkdirSync(join(root, "dist"), { recursive: true });
  const contextDir = mkdtempSync(join(root, "dist", "frontend-"));
  const plan = planFrontendImage(process.argv.slice(2), {
    version: packageVersion(),
    dockerfile: join(root, "docker", "frontend.Dockerfile"),
    contextDir,
  });
  try {
    await buildImage(plan, await bundleFrontend(contextDir));
  } finally {
    rmSync(contextDir, { recursive: true, force: true });
  }
}

/**
 * Builds another entry point (the benchmark's do-nothing frontend) into an image on the frontend's
 * own base and Dockerfile, tagged `tag` alone.
 */
export async function buildEntryPointImage(
  entryPoint: string,
  tag: string,
  nodeImage?: string,
): Promise<void> {
  mkdirSync(join(root, "dist"), { recursive: true });
  const contextDir = mkdtempSync(join(root, "dist", "frontend-"));
  const argv = ["--tag", tag, ...(nodeImage ? ["--node-image", nodeImage] : [])];
  const plan = planFrontendImage(argv, {
    version: packageVersion(),
    dockerfile: join(root, "docker", "frontend.Dockerfile"),
    contextDir,
  });
  // Only the one tag: the version tag names pyfront's own frontend.
  const versionTag = `${FRONTEND_REPOSITORY}:${packageVersion()}`;
  const build = plan.build.filter((arg, i, all) => arg !== versionTag && all[i + 1] !== versionTag);
  try {
    await buildImage({ build, tags: [tag], publish: [] }, await bundleFrontend(contextDir, entryPoint));
  } finally {
    rmSync(contextDir, { recursive: true, force: true });
  }
}

async function buildImage(plan: FrontendImagePlan, outfile: string): Promise<void> {
  process.stderr.write(`bundled ${outfile} (${Math.round(statSync(outfile).size / 1024)} KiB)\n`);
  const docker = process.env.PYFRONT_DOCKER ?? "docker";
  execFileSync(docker, plan.build, {
    stdio: ["ignore", "inherit", "inherit"],
    env: { DOCKER_BUILDKIT: "1", ...process.env },
  });
  for (const args of plan.publish) execFileSync(docker, args, { stdio: "inherit" });
  process.stderr.write(`tagged ${plan.tags.join(", ")}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`frontend-image: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  });
}
