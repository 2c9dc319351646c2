// What the `pyfront images` commands do; src/cli/images-command.ts declares them and imports this
// module only when one of them runs.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { buildWithClient } from "../client/build.js";
import { EngineUnreachableError, identifyEngine } from "../client/dial.js";
import { DockerApiError, pushImage } from "../client/docker-api.js";
import { type EngineAddress, EngineAddressError, resolveEngineAddress } from "../client/engine-address.js";
import { plainRenderer, QUIET_RENDERER } from "../client/progress.js";
import { credentialFor, RegistryAuthError, registryAuthHeader, registryOf } from "../client/registry-auth.js";
import { versionFrontend } from "../images/build.js";
import { formatCheckReport, runChecks } from "../images/checks.js";
import { DockerImageProbe, dockerCliFrom } from "../images/docker-probe.js";
import { ImageRegistry, type ImageVersion } from "../images/family.js";
import { staleGeneratedFiles, writeGeneratedFiles } from "../images/generate.js";
import {
  definitionDigest,
  emptyLock,
  formatLock,
  type ImagesLock,
  ImagesLockError,
  LOCK_FILE_NAME,
  lockProblems,
  lockWithNewVersions,
  parseLock,
} from "../images/lock.js";
import { publishedImage, RegistryReadError } from "../images/registry-client.js";
import type { DiagnosticReport } from "./diagnostic-report.js";
import { IMAGES_MODULE_CANDIDATES } from "./images-command.js";
import type { CliIo } from "./main.js";
import { usageError } from "./usage-error.js";

export interface LoadedImages {
  registry: ImageRegistry;
  /** The module's folder: the lock and generated/ live there. */
  root: string;
  lockPath: string;
  lock: ImagesLock;
}

/**
 * Imports the images module. A checkout runs the CLI under tsx, which loads .ts modules; the
 * installed package has no TypeScript loader, so there a .ts module needs a Node that strips
 * types (22.6+ with --experimental-strip-types, 23.6+ by default), or the module as .mjs.
 */
export async function loadImagesModule(modulePath: string | undefined, cwd: string): Promise<LoadedImages> {
  const path = modulePath
    ? isAbsolute(modulePath)
      ? modulePath
      : resolve(cwd, modulePath)
    : IMAGES_MODULE_CANDIDATES.map((name) => join(cwd, name)).find((p) => existsSync(p));
  if (path === undefined || !existsSync(path))
    throw usageError(
      path
        ? `no images module at ${path}`
        : `no images module here: looked for ${IMAGES_MODULE_CANDIDATES.join(", ")}`,
      "write one that default-exports imageRegistry([...]) (docs/images.md), or name it with --module PATH",
    );
  let loaded: { default?: unknown };
  try {
    loaded = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_UNKNOWN_FILE_EXTENSION")
      throw usageError(
        `cannot load ${path}: this Node has no TypeScript loader`,
        "write the module as images.config.mjs, or run pyfront with Node 23.6+ (or 22.6+ and NODE_OPTIONS=--experimental-strip-types)",
      );
    throw usageError(`cannot load the images module ${path}: ${(error as Error).message}`);
  }
  const registry = loaded.default;
  if (
    !(registry instanceof ImageRegistry) &&
    !(registry && typeof registry === "object" && "families" in registry && "get" in registry)
  )
    throw usageError(
      `${path} has no default export of an image registry`,
      "end it with: export default imageRegistry([family, ...])",
    );
  const root = dirname(path);
  const lockPath = join(root, LOCK_FILE_NAME);
  const lock = existsSync(lockPath) ? parseLock(readFileSync(lockPath, "utf8"), lockPath) : emptyLock();
  return { registry: registry as ImageRegistry, root, lockPath, lock };
}

function lockError(problems: readonly string[], lockPath: string) {
  return usageError(
    problems.join("\n"),
    `released versions are recorded in ${lockPath}; declare a new version for a change`,
  );
}

/** Refuses to go on when a released version changed or a new version is out of order. */
function requireLockedHistory(images: LoadedImages): void {
  const problems = lockProblems(images.registry, images.lock, images.lockPath);
  if (problems.length > 0) throw lockError(problems, images.lockPath);
}

function versionOf(images: LoadedImages, reference: string): ImageVersion {
  try {
    return images.registry.get(reference);
  } catch (error) {
    throw usageError((error as Error).message);
  }
}

export interface ImagesCommandContext {
  io: CliIo;
  report: DiagnosticReport;
  /** Ends the command with this exit code (1: a build or a check failed). */
  exit(code: number): never;
}

export interface EngineFlags {
  builder?: string;
  progress: "plain" | "quiet";
}

export type BuildFlagsOf = EngineFlags & {
  platform?: string[];
  baseSource?: string;
  network: "default" | "host" | "none";
  buildEnv?: string[];
};

/** --build-env KEY=VALUE, as pairs; a malformed one is the user's mistake. */
function buildEnvPairs(values: readonly string[] | undefined): [string, string][] {
  return (values ?? []).map((value) => {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(value);
    if (!match)
      throw usageError(
        `--build-env ${JSON.stringify(value)}: write KEY=VALUE`,
        "e.g. --build-env PIP_INDEX_URL=http://127.0.0.1:3141/simple",
      );
    return [match[1]!, match[2]!];
  });
}

/** The engine, as `pyfront build` finds it (a `--builder` address may be a Docker daemon). */
async function engineAddress(flags: EngineFlags, env: NodeJS.ProcessEnv): Promise<EngineAddress> {
  let address: EngineAddress;
  try {
    address = resolveEngineAddress(flags.builder, {
      env,
      readFile: (p) => (existsSync(p) ? readFileSync(p, "utf8") : undefined),
    });
  } catch (error) {
    if (error instanceof EngineAddressError) throw usageError(error.message, error.hint);
    throw error;
  }
  return identifyEngine(address);
}

/** Builds through src/client's build, as `pyfront build` does; false when it failed (reported). */
async function buildVersion(
  version: ImageVersion,
  tags: readonly string[],
  flags: BuildFlagsOf,
  images: LoadedImages,
  ctx: ImagesCommandContext,
): Promise<boolean> {
  const address = await engineAddress(flags, ctx.io.env);
  const buildEnv = buildEnvPairs(flags.buildEnv);
  if (flags.baseSource)
    ctx.report.add([
      {
        code: "images-base-replaced",
        severity: "warning",
        message: `${version.name}: the pinned base ${version.container.base.ref}@${version.container.base.digest} is replaced by ${flags.baseSource} (--base-source); the image is not the released one`,
      },
    ]);
  const write = (text: string) => ctx.io.stderr.write(text);
  // Ctrl-C cancels the build on the engine, as in pyfront build.
  const cancel = new AbortController();
  const onSigint = () => cancel.abort();
  process.once("SIGINT", onSigint);
  try {
    const result = await buildWithClient({
      signal: cancel.signal,
      address,
      contextDir: images.root,
      specDir: images.root,
      tags,
      buildArgs: {},
      noCache: false,
      network: flags.network,
      secrets: new Map(),
      renderer: flags.progress === "quiet" ? QUIET_RENDERER : plainRenderer(write),
      frontend: versionFrontend(version, {
        ...(flags.platform?.length ? { platforms: flags.platform } : {}),
        ...(flags.baseSource ? { baseSource: flags.baseSource } : {}),
        ...(flags.network !== "default" ? { network: flags.network } : {}),
        ...(buildEnv.length > 0 ? { buildEnv } : {}),
      }),
    });
    if (!result.ok) {
      const summary = result.progress.failureSummary();
      if (summary) write(`\n${summary}\n`);
      ctx.report.add([
        {
          code: "build-failed",
          severity: "error",
          message: `pyfront images: the build of ${version.name} failed: ${result.error}`,
        },
      ]);
      return false;
    }
    write(`pyfront images: built ${version.name} as ${tags.join(", ")}\n`);
    return true;
  } catch (error) {
    if (error instanceof EngineUnreachableError) {
      ctx.report.add([
        { code: "engine-unreachable", severity: "error", message: `pyfront images: ${error.message}` },
      ]);
      return false;
    }
    throw error;
  } finally {
    process.removeListener("SIGINT", onSigint);
  }
}

async function checkVersion(
  version: ImageVersion,
  image: string,
  images: LoadedImages,
  ctx: ImagesCommandContext,
) {
  const sets = [
    ...(version.runPreviousChecks
      ? images.registry.earlier(version).map((v) => ({ from: v.name, checks: v.checks }))
      : []),
    { from: version.name, checks: version.checks },
  ];
  const probe = new DockerImageProbe(image, dockerCliFrom(ctx.io.env));
  try {
    const report = await runChecks(image, version.name, sets, probe);
    ctx.io.stdout.write(formatCheckReport(report));
    return report.ok;
  } finally {
    await probe.close();
  }
}

export async function listImages(flags: { module?: string }, ctx: ImagesCommandContext): Promise<void> {
  const loaded = await loadImagesModule(flags.module, ctx.io.cwd ?? process.cwd());
  const problems = lockProblems(loaded.registry, loaded.lock, loaded.lockPath);
  for (const version of loaded.registry.list()) {
    const released = loaded.lock.families[version.family]?.[version.version.text] !== undefined;
    const latest = loaded.registry.latest(version.family).name === version.name;
    ctx.io.stdout.write(
      `${version.name}\t${released ? "released" : "new"}${latest ? ", latest" : ""}\t${definitionDigest(version)}\t${version.changelog}\n`,
    );
  }
  if (problems.length > 0) throw lockError(problems, loaded.lockPath);
}

export async function buildImage(
  reference: string,
  flags: BuildFlagsOf & { module?: string; tag?: string },
  ctx: ImagesCommandContext,
): Promise<void> {
  const loaded = await loadImagesModule(flags.module, ctx.io.cwd ?? process.cwd());
  requireLockedHistory(loaded);
  const version = versionOf(loaded, reference);
  if (!(await buildVersion(version, [flags.tag ?? version.name], flags, loaded, ctx))) ctx.exit(1);
}

export async function checkImage(
  reference: string,
  flags: { module?: string; image?: string },
  ctx: ImagesCommandContext,
): Promise<void> {
  const loaded = await loadImagesModule(flags.module, ctx.io.cwd ?? process.cwd());
  const version = versionOf(loaded, reference);
  if (!(await checkVersion(version, flags.image ?? version.name, loaded, ctx))) ctx.exit(1);
}

export async function publishImage(
  reference: string,
  flags: BuildFlagsOf & { module?: string; registry: string },
  ctx: ImagesCommandContext,
): Promise<void> {
  const loaded = await loadImagesModule(flags.module, ctx.io.cwd ?? process.cwd());
  requireLockedHistory(loaded);
  const version = versionOf(loaded, reference);
  const recorded = loaded.lock.families[version.family]?.[version.version.text];
  if (recorded === undefined)
    throw usageError(
      `${version.name} is not released: ${LOCK_FILE_NAME} does not record it`,
      "record it with pyfront images generate, commit, then publish",
    );
  const repository = `${flags.registry.replace(/\/+$/, "")}/${version.family}`;
  const remote = `${repository}:${version.version.text}`;
  let held: Awaited<ReturnType<typeof publishedImage>>;
  try {
    held = await publishedImage(repository, version.version.text);
  } catch (error) {
    if (error instanceof RegistryReadError) throw usageError(error.message);
    throw error;
  }
  if (held && held.definition === recorded) {
    ctx.io.stdout.write(
      `pyfront images: ${remote} is already published from this definition (${held.digest}); nothing to push\n`,
    );
    return;
  }
  if (held)
    throw usageError(
      `${remote} is already in the registry (${held.digest}) built from ${held.definition ? `another definition, ${held.definition}` : "no pyfront definition"}; ${version.name} is ${recorded}`,
      "a published version is never replaced: declare a new version",
    );
  // Checks run with the docker CLI, on the image in the engine's store: a Docker engine.
  const address = await engineAddress(flags, ctx.io.env);
  if (address.kind !== "docker")
    throw usageError(
      "pyfront images publish runs the checks with docker on the built image, so it builds on a Docker engine",
      "leave out --builder (and BUILDKIT_HOST) to use the Docker engine of DOCKER_HOST",
    );
  if (!(await buildVersion(version, [version.name, remote], flags, loaded, ctx))) ctx.exit(1);
  if (!(await checkVersion(version, remote, loaded, ctx))) {
    ctx.io.stderr.write(`pyfront images: ${version.name} failed its checks; nothing was pushed\n`);
    ctx.exit(1);
  }
  // Docker's image exporter (moby) does not push, even with push=true: the daemon pushes, over
  // the Engine API with the docker config's login for the registry (as pyfront build --push).
  let digest: string | undefined;
  try {
    const registry = registryOf(remote);
    const login = credentialFor(registry, {
      env: ctx.io.env,
      readFile: (p) => (existsSync(p) ? readFileSync(p, "utf8") : undefined),
    });
    digest = (await pushImage(address, remote, registryAuthHeader(registry, login))).digest;
  } catch (error) {
    if (
      !(
        error instanceof DockerApiError ||
        error instanceof EngineUnreachableError ||
        error instanceof RegistryAuthError
      )
    )
      throw error;
    ctx.report.add([
      {
        code: "push-failed",
        severity: "error",
        message: `pyfront images: pushing ${remote} failed: ${error.message}`,
      },
    ]);
    ctx.exit(1);
  }
  ctx.io.stdout.write(`pyfront images: published ${remote}${digest ? `@${digest}` : ""}\n`);
}

export async function generateImages(
  flags: { module?: string; check?: boolean },
  ctx: ImagesCommandContext,
): Promise<void> {
  const loaded = await loadImagesModule(flags.module, ctx.io.cwd ?? process.cwd());
  let lock: ImagesLock;
  try {
    lock = lockWithNewVersions(loaded.registry, loaded.lock, loaded.lockPath);
  } catch (error) {
    if (error instanceof ImagesLockError) throw lockError(error.problems, loaded.lockPath);
    throw error;
  }
  const lockText = formatLock(lock);
  if (flags.check) {
    const stale = staleGeneratedFiles(loaded.registry, loaded.root);
    const lockStale = !existsSync(loaded.lockPath) || readFileSync(loaded.lockPath, "utf8") !== lockText;
    const all = [...(lockStale ? [`${LOCK_FILE_NAME} (new versions are not recorded)`] : []), ...stale];
    for (const line of all) ctx.io.stdout.write(`stale: ${line}\n`);
    if (all.length > 0) {
      ctx.io.stderr.write(
        "pyfront images: generated files are stale; run pyfront images generate and commit them\n",
      );
      ctx.exit(1);
    }
    ctx.io.stdout.write("pyfront images: the lock and the generated files are up to date\n");
    return;
  }
  writeFileSync(loaded.lockPath, lockText);
  const written = writeGeneratedFiles(loaded.registry, loaded.root);
  ctx.io.stdout.write(`pyfront images: wrote ${LOCK_FILE_NAME} and ${written.length} generated files\n`);
}
