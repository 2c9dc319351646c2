import { readFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { buildWithClient } from "../client/build.js";
import { type CacheEntry, CacheFlagError, cacheProblems, parseCacheFlag } from "../client/cache-flag.js";
import { EngineUnreachableError, identifyEngine } from "../client/dial.js";
import { DockerApiError } from "../client/docker-api.js";
import { EngineAddressError, resolveEngineAddress } from "../client/engine-address.js";
import { ArchiveError } from "../client/oci-archive.js";
import { type BuildOutput, OutputFlagError, parseOutputFlag } from "../client/output-flag.js";
import { deliverOutputs, outputProblems } from "../client/outputs.js";
import { type ProgressRenderer, plainRenderer, QUIET_RENDERER, ttyRenderer } from "../client/progress.js";
import { credentialFor, RegistryAuthError, type RegistryCredential } from "../client/registry-auth.js";
import { loadSecrets, parseSecretFlag, SecretFlagError } from "../client/secrets.js";
import { parseSshFlags, SshFlagError } from "../client/ssh-flag.js";
import { type Diagnostic, SpecError } from "../spec/diagnostics.js";
import type { DiagnosticReport } from "./diagnostic-report.js";
import { locateProject, usageError } from "./project-input.js";
import { wantsColour } from "./terminal-style.js";

export interface BuildFlags {
  file?: string;
  tag: string[];
  target?: string;
  buildArg: Record<string, string>;
  noCache?: boolean;
  label: Record<string, string>;
  platform?: string;
  push?: boolean;
  output: string[];
  cacheFrom: string[];
  cacheTo: string[];
  ssh: string[];
  tlscacert?: string;
  tlscert?: string;
  tlskey?: string;
  tlsservername?: string;
  network: "default" | "host" | "none";
  secret: string[];
  builder?: string;
  progress: "auto" | "tty" | "plain" | "quiet";
}

export interface BuildIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Exit codes of `pyfront build`: 1 for a failed build or an engine that cannot be reached, 2 for the user's mistakes. */
export const EXIT_BUILD_FAILED = 1;

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * The context folder and the spec file, found as the other commands find them (DIR may be the
 * spec file; -f is relative to the working directory). The spec's folder is sent as the
 * `dockerfile` local and its name as the filename option, as docker build sends -f.
 */
function locateInputs(dir: string, file: string | undefined, cwd: string) {
  const { contextDir, specPath } = locateProject({ dir, cwd, ...(file !== undefined ? { file } : {}) });
  if (specPath === "-") throw usageError("pyfront build reads the spec from a file, not from standard input");
  return { contextDir, specDir: dirname(specPath), specName: basename(specPath) };
}

/** How often the live display redraws, so running steps' times move. */
const TTY_REDRAW_MS = 200;

/**
 * The progress display: `auto` is the live one on a terminal (unless TERM=dumb) and plain text
 * elsewhere, as docker build chooses; NO_COLOR turns the live display's colours off.
 */
function progressDisplay(
  mode: BuildFlags["progress"],
  io: BuildIo,
): { renderer: ProgressRenderer; stop(): void } {
  const write = (text: string) => io.stderr.write(text);
  const live = mode === "tty" || (mode === "auto" && io.stderr.isTTY === true && io.env.TERM !== "dumb");
  if (mode === "quiet") return { renderer: QUIET_RENDERER, stop: () => {} };
  if (!live) return { renderer: plainRenderer(write), stop: () => {} };
  const renderer = ttyRenderer({
    write,
    columns: io.stderr.columns ?? 80,
    colour: wantsColour(io.stderr, io.env),
    now: () => Date.now(),
  });
  const timer = setInterval(() => renderer.redraw(), TTY_REDRAW_MS);
  timer.unref();
  return { renderer, stop: () => clearInterval(timer) };
}

/**
 * `pyfront build`: this process is the frontend, on the engine's own Control API. Resolves to the
 * exit code; the user's mistakes are thrown as SpecError for the CLI's report (exit code 2).
 */
export async function runBuild(
  dir: string,
  flags: BuildFlags,
  io: BuildIo,
  report: DiagnosticReport,
): Promise<number> {
  const inputs = locateInputs(dir, flags.file, io.cwd);
  let secrets: Map<string, Uint8Array>;
  let address: ReturnType<typeof resolveEngineAddress>;
  let outputs: BuildOutput[];
  let cacheImports: CacheEntry[];
  let cacheExports: CacheEntry[];
  let sshAgents: Map<string, string>;
  try {
    secrets = loadSecrets(flags.secret.map(parseSecretFlag), io.env, io.cwd);
    const inCwd = (path: string | undefined) => (path === undefined ? undefined : resolve(io.cwd, path));
    address = resolveEngineAddress(
      flags.builder,
      { env: io.env, readFile: readIfExists },
      {
        ...(flags.tlscacert !== undefined ? { caCert: inCwd(flags.tlscacert) } : {}),
        ...(flags.tlscert !== undefined ? { cert: inCwd(flags.tlscert) } : {}),
        ...(flags.tlskey !== undefined ? { key: inCwd(flags.tlskey) } : {}),
        ...(flags.tlsservername !== undefined ? { serverName: flags.tlsservername } : {}),
      },
    );
    outputs = [...(flags.push ? [{ kind: "push" as const }] : []), ...flags.output.map(parseOutputFlag)];
    cacheImports = flags.cacheFrom.map((v) => parseCacheFlag("--cache-from", v));
    cacheExports = flags.cacheTo.map((v) => parseCacheFlag("--cache-to", v));
    sshAgents = parseSshFlags(flags.ssh, io.env, io.cwd);
  } catch (error) {
    if (
      error instanceof SecretFlagError ||
      error instanceof EngineAddressError ||
      error instanceof OutputFlagError ||
      error instanceof CacheFlagError ||
      error instanceof SshFlagError
    )
      throw usageError(error.message, error.hint);
    throw error;
  }
  address = await identifyEngine(address);
  const problems = [
    ...platformProblems(flags.platform),
    ...outputProblems(outputs, flags.tag, address, io.stdout.isTTY === true),
    ...cacheProblems(cacheImports, cacheExports, address),
  ];
  if (problems.length > 0) {
    throw new SpecError(
      problems.map((p) => ({ code: "usage", severity: "error" as const, message: p.message, hint: p.hint })),
    );
  }
  const authEnvironment = { env: io.env, readFile: readIfExists };
  // Asked once per registry host and build; a credential helper may be slow or prompt.
  const logins = new Map<string, RegistryCredential | undefined>();
  const credentials = (host: string) => {
    if (!logins.has(host)) logins.set(host, credentialFor(host, authEnvironment));
    return logins.get(host);
  };

  // The frontend's positions are inside the context; shown from the working directory, they are clickable.
  const fromCwd = (d: Diagnostic): Diagnostic =>
    d.position
      ? {
          ...d,
          position: {
            ...d.position,
            file: relative(io.cwd, join(inputs.contextDir, d.position.file)) || d.position.file,
          },
        }
      : d;
  let specErrors: readonly Diagnostic[] | undefined;
  const display = progressDisplay(flags.progress, io);
  const cancel = new AbortController();
  const onSigint = () => cancel.abort();
  process.once("SIGINT", onSigint);
  let result: Awaited<ReturnType<typeof buildWithClient>>;
  try {
    result = await buildWithClient({
      address,
      ...inputs,
      tags: flags.tag,
      buildArgs: flags.buildArg,
      labels: flags.label,
      ...(flags.target ? { target: flags.target } : {}),
      ...(flags.platform ? { platform: flags.platform } : {}),
      push: outputs.some((o) => o.kind === "push"),
      cacheImports,
      cacheExports,
      sshAgents,
      credentials,
      noCache: flags.noCache === true,
      network: flags.network,
      secrets,
      renderer: display.renderer,
      signal: cancel.signal,
      hooks: {
        warning: (d) => report.add([fromCwd(d)]),
        specError: (diagnostics) => {
          specErrors = diagnostics.map(fromCwd);
        },
      },
    });
  } catch (error) {
    if (error instanceof EngineUnreachableError) {
      report.add([
        { code: "engine-unreachable", severity: "error", message: `pyfront build: ${error.message}` },
      ]);
      return EXIT_BUILD_FAILED;
    }
    throw error;
  } finally {
    display.stop();
    process.removeListener("SIGINT", onSigint);
  }
  if (specErrors) throw new SpecError([...specErrors]);
  if (!result.ok) {
    const summary = result.progress.failureSummary();
    // In text the failed step comes first and the verdict last, where a terminal's reader looks.
    if (summary && report.format === "text") io.stderr.write(`\n${summary}\n`);
    report.add([
      {
        code: "build-failed",
        severity: "error",
        message: `pyfront build: the build failed: ${result.error}${summary && report.format === "json" ? `\n${summary}` : ""}`,
      },
    ]);
    return EXIT_BUILD_FAILED;
  }
  const steps = [...result.progress.steps.values()].filter((s) => s.hasInputs);
  const cached = steps.filter((s) => s.cached).length;
  const digest = result.exporterResponse["containerimage.digest"];
  const tags = flags.tag.join(", ");
  const what =
    address.kind === "docker"
      ? `built ${tags || "an untagged image"}${digest ? ` (${digest})` : ""}`
      : tags
        ? `built ${tags}${digest ? ` (${digest})` : ""} in the BuildKit daemon's image store`
        : "built; the result stays in BuildKit's cache (-t names an image)";
  io.stderr.write(`pyfront build: ${what}; ${cached} of ${steps.length} steps cached\n`);
  if (outputs.length === 0) return 0;
  try {
    const image = result.exporterResponse["containerimage.config.digest"] ?? digest ?? "";
    const done = await deliverOutputs(address, outputs, flags.tag, image, {
      ...authEnvironment,
      stdout: io.stdout,
      cwdResolve: (path) => resolve(io.cwd, path),
    });
    for (const line of done) io.stderr.write(`pyfront build: ${line}\n`);
  } catch (error) {
    if (
      !(
        error instanceof DockerApiError ||
        error instanceof RegistryAuthError ||
        error instanceof ArchiveError
      )
    )
      throw error;
    report.add([{ code: "output-failed", severity: "error", message: `pyfront build: ${error.message}` }]);
    return EXIT_BUILD_FAILED;
  }
  return 0;
}

/**
 * `pyfront build` exports into a Docker daemon's image store, which holds one platform per image;
 * several are refused before anything is built rather than one of them kept. The frontend image
 * builds them all through `docker buildx build` where the engine can store an index.
 */
function platformProblems(platform: string | undefined): { message: string; hint: string }[] {
  const platforms = (platform ?? "").split(",").filter((p) => p.trim() !== "");
  if (platforms.length <= 1) return [];
  return [
    {
      message: `pyfront build builds one platform per build, and --platform asks for ${platforms.join(", ")}`,
      hint: "build each with its own --platform, or several at once with docker buildx build --platform through pyfront's frontend image, on an engine with the containerd image store",
    },
  ];
}
