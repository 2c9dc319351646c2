import { posix } from "node:path";
import { Code } from "@connectrpc/connect";
import type { Stat } from "../buildkit/gen/fsutil/types/stat_pb.js";
import type { Definition } from "../buildkit/gen/pb/ops_pb.js";
import {
  type AttestationInput,
  type Capabilities,
  formatPlatform,
  GatewayCap,
  type GatewayClient,
  type GatewayEnv,
  GatewayError,
  jsonAny,
  local,
  marshalDefinition,
  messageStatus,
  normalizeImageRef,
  type Platform,
  parsePlatform,
  type ReturnInput,
  type State,
  scratch,
  sourceErrorStatus,
} from "../buildkit/index.js";
import {
  type ContextExcludes,
  contextExcludes,
  type FoundIgnoreFile,
  invalidIgnoreFile,
  withContextDecision,
} from "../context/default-excludes.js";
import { MAX_INPUT_FILE_BYTES } from "../context/regular-file.js";
import { findSpecFile, SPEC_FILE_CANDIDATES } from "../detect/project-layout.js";
import type { BuildPlan } from "../plan/build-plan.js";
import { planBuild } from "../plan/plan-build.js";
import { renderDockerfile } from "../render/dockerfile.js";
import { DockerfileRefusal } from "../render/dockerfile-quoting.js";
import { contextSource, type LlbRenderOptions, type ResolvedBaseImage, renderLlb } from "../render/llb.js";
import type { ImageConfigJson } from "../render/llb-image-config.js";
import type { BuildSpec } from "../spec/build-spec.js";
import { type Diagnostic, formatDiagnostic, SpecError } from "../spec/diagnostics.js";
import { loadBuildSpec } from "../spec/load-build-spec.js";
import { redactSpecText } from "../spec/value-rules.js";
import { type AsyncContext, withProbedContext } from "./context-probe.js";
import { type FrontendOptions, readFrontendOptions } from "./options.js";
import { buildPyenvDockerfile } from "./pyenv-forward.js";
import { SBOM_UNSUPPORTED, sbomAttestation, sbomState } from "./sbom.js";
import { locateSpec, type SpecSearchContext } from "./spec-location.js";
import {
  describeAnswer,
  dockerfileAnswer,
  lintAnswer,
  outlineAnswer,
  planAnswer,
  SUBREQUESTS,
  type SubrequestKind,
  subrequestKind,
  targetsAnswer,
} from "./subrequests.js";

/** Go's os.FileMode directory bit, as fsutil reports it in Stat.mode. */
const GO_MODE_DIR = 0x80000000;
/** Go's os.FileMode type bits other than directory: symlink, device, named pipe, socket, char device, irregular. */
const GO_MODE_NOT_REGULAR = 0x08000000 | 0x04000000 | 0x02000000 | 0x01000000 | 0x00200000 | 0x00080000;

/**
 * Where a frontend's diagnostics go besides BuildKit. `pyfront build` runs this frontend in the
 * CLI process: it prints them itself, clickable from the working directory, and exits 2 for a spec
 * error. Without hooks (the frontend image) warnings go through the gateway's Warn.
 */
export interface FrontendHooks {
  /** A warning about the spec; when set, it replaces gateway.warn. */
  warning?(diagnostic: Diagnostic): void;
  /** The spec's problems that ended the build (the Return error carries them too). */
  specError?(diagnostics: readonly Diagnostic[]): void;
}

/**
 * One build through the gateway: read the spec from the client's files, plan it, render LLB,
 * solve it and describe the image. Resolves to what goes back to BuildKit, an image or a
 * readable error; it never throws for a user's mistake.
 */
export async function runFrontend(
  gateway: GatewayClient,
  env: GatewayEnv,
  hooks: FrontendHooks = {},
): Promise<ReturnInput> {
  let spec: { text: string; filename: string } | undefined;
  // An information request (`--call`): answered from the spec and the plan, nothing is built.
  const subrequest = env.opts.requestid ? subrequestKind(env.opts.requestid) : undefined;
  const warnings: Diagnostic[] = [];
  const warn = async (warning: Diagnostic, source: { text: string; filename: string }) => {
    warnings.push(warning);
    // Lint's answer lists them; anything else shows them as the build's warnings.
    if (subrequest !== "lint") await reportWarning(gateway, warning, source, hooks);
  };
  try {
    let options = readFrontendOptions(env.opts);
    if (subrequest === undefined && options.requestId)
      return { error: unsupportedSubrequest(options.requestId) };
    if (subrequest === "describe") return { ref: "", metadata: describeAnswer() };
    const platforms = targetPlatforms(options, env);
    // Both at once: each is a round trip, and Inputs needs no caps to be asked.
    const [{ caps }, inputs] = await Promise.all([gateway.ping(), gateway.inputs()]);
    const sessionId = env.sessionId ?? "";
    if (options.detectFilename) {
      options = { ...options, filename: await detectSpecFile(gateway, caps, sessionId, inputs) };
    }
    const files = await readDefinitionFiles(gateway, caps, options, sessionId, inputs);
    // Only a redacted copy of the spec is ever shown with a message: no credential in the log.
    spec = { text: redactSpecText(files.spec), filename: options.filename };
    const excludes = checkedExcludes(files.ignore);

    const renderOptions: LlbRenderOptions = {
      sessionId,
      contextExcludes: excludes.patterns,
      networkMode: options.networkMode,
      noCache: options.noCache,
      imageResolveMode: options.imageResolveMode,
      // The spec and context steps run on the first platform; each image is rendered for its own.
      ...(platforms[0] ? { platform: platforms[0] } : {}),
    };
    const contextRef = await solveState(gateway, caps, contextSource(renderOptions), inputs.context);
    const context = solvedContext(gateway, contextRef);
    const located = await specInContext(context, options.filename, files.specBytes);
    spec = { ...spec, filename: located.specFile };
    for (const warning of located.warnings) await warn(warning, spec);
    const loaded = await withProbedContext(gatewayContext(context), (reader) =>
      loadBuildSpec(
        files.spec,
        {
          specFile: located.specFile,
          buildArgs: options.buildArgs,
          ...(options.target ? { target: options.target } : {}),
        },
        reader,
      ),
    );
    for (const warning of loaded.warnings) await warn(warning, spec);
    if (loaded.spec.format === "pyenv" && (subrequest === "plan" || subrequest === "dockerfile")) {
      throw new SpecError([
        {
          code: "unsupported-subrequest",
          message: `a PYENV Dockerfile has no pyfront plan; ${subrequest === "plan" ? "--call outline, targets and lint answer for it" : `pyfront dockerfile -f ${located.specFile} prints what is built`}`,
          severity: "error",
        },
      ]);
    }
    if (loaded.spec.format === "pyenv") {
      return await buildPyenvDockerfile({
        gateway,
        caps,
        opts: env.opts,
        options,
        spec: loaded.spec,
        inputs,
        ignore: files.ignore,
        sessionId,
        source: spec,
      });
    }
    const decided = withContextDecision(loaded.spec, {
      ...excludes,
      // The ignore file next to the spec is named by the spec's place in the context.
      ...(excludes.from?.kind === "spec-dockerignore"
        ? { from: { ...excludes.from, file: `${located.specFile}.dockerignore` } }
        : {}),
    });

    if (subrequest === "targets") return { ref: "", metadata: targetsAnswer(decided, spec.text) };
    if (subrequest) {
      // The answer describes the build for the first platform asked for (or the worker's own).
      const plan = planBuild(decided, planOptions(options, platforms[0]));
      return { ref: "", metadata: planSubrequestAnswer(subrequest, decided, plan, options, spec, warnings) };
    }
    const evaluate = caps.frontend.has(GatewayCap.solveEvaluate);
    if (options.sbom && !caps.frontend.has(GatewayCap.attestations)) await warn(SBOM_UNSUPPORTED, spec);
    const sbom = options.sbom && caps.frontend.has(GatewayCap.attestations);
    // Every platform's plan and bases first: a base missing for one platform fails the build
    // before anything runs, with every such problem named at once.
    const targets = platforms.length > 0 ? platforms : [undefined];
    const prepared = await Promise.allSettled(
      targets.map(async (platform) => {
        // Its own plan (the architecture chooses wheels), on bases resolved for its platform.
        const plan = planBuild(decided, planOptions(options, platform));
        const built = withNamedBaseImages(plan, options.namedContexts);
        const baseImages = await resolveBaseImages(gateway, built, decided, options, sessionId, platform);
        return { platform, plan, built, baseImages };
      }),
    );
    const failed = prepared.flatMap((p) => (p.status === "rejected" ? [p.reason as unknown] : []));
    if (failed.length > 0) {
      const specErrors = failed.filter((e): e is SpecError => e instanceof SpecError);
      if (specErrors.length < failed.length) throw failed.find((e) => !(e instanceof SpecError));
      throw new SpecError(dedupeDiagnostics(specErrors.flatMap((e) => e.diagnostics)));
    }
    // All platforms at once, as the Dockerfile frontend builds them: under emulation the other
    // platform's steps are the slow ones, and they need not wait for the native ones.
    const images = await Promise.all(
      prepared.map(async (p) => {
        const { platform, plan, built, baseImages } = (p as PromiseFulfilledResult<PreparedPlatform>).value;
        const rendered = renderLlb(built, {
          ...renderOptions,
          ...(platform ? { platform } : {}),
          baseImages,
        });
        const { definition } = marshalDefinition(rendered.state, { caps, platform: rendered.platform });
        const solved = await gateway.solve({ definition }, { evaluate, cacheImports: options.cacheImports });
        const config = withCreated(
          withClientLabels(rendered.imageConfig, options.labels),
          plan.sourceDateEpoch,
        );
        const image: PlatformImage = { ref: solved.ref ?? "", config };
        if (!sbom) return image;
        const sbomDefinition = sbomState({
          plan: built,
          image: rendered.state,
          baseImages,
          platform: rendered.platform,
          noCache: options.noCache,
        });
        const sbomSolved = await gateway.solve(
          { definition: marshalDefinition(sbomDefinition, { caps, platform: rendered.platform }).definition },
          { evaluate },
        );
        return { ...image, attestation: sbomAttestation(sbomSolved.ref ?? "") };
      }),
    );
    return imagesResult(images, options.multiPlatform || images.length > 1);
  } catch (error) {
    if (error instanceof SpecError) hooks.specError?.(error.diagnostics);
    // Lint answers for a spec that does not load: its errors are the findings.
    if (subrequest === "lint" && error instanceof SpecError && spec) {
      const errors = error.diagnostics.filter((d) => d.severity === "error");
      return {
        ref: "",
        metadata: lintAnswer({ warnings, errors, specFile: spec.filename, sourceText: spec.text }),
      };
    }
    return { error: errorStatus(error, spec) };
  }
}

/**
 * `--build-context NAME=docker-image://REF` replaces the base image NAME, as it replaces a FROM
 * image in a Dockerfile: a way to pin or mirror the bases without editing the spec. A named
 * context that is no base image of the build, or not an image, has nothing it could replace in a
 * pyfront build, and is refused rather than dropped.
 */
function withNamedBaseImages(plan: BuildPlan, contexts: Record<string, string>): BuildPlan {
  const names = Object.keys(contexts);
  if (names.length === 0) return plan;
  const bases = [...new Set(plan.stages.flatMap((s) => (s.base.kind === "image" ? [s.base.ref] : [])))];
  const replaced = new Map<string, string>();
  const problems: Diagnostic[] = [];
  for (const name of names.sort()) {
    const value = contexts[name]!;
    const base = bases.find((ref) => ref === name || normalizeImageRef(ref) === normalizeImageRef(name));
    const image = value.startsWith("docker-image://") ? value.slice("docker-image://".length) : undefined;
    if (base !== undefined && image) {
      replaced.set(base, image);
      continue;
    }
    problems.push({
      code: "unused-build-context",
      message:
        base === undefined
          ? `the build context ${JSON.stringify(name)} (--build-context) names no base image of this build; its base images: ${bases.join(", ")}`
          : `the build context ${JSON.stringify(name)} is ${JSON.stringify(value.replace(/:\/\/.*$/, "://..."))}; a base image can only be replaced by an image (docker-image://REF)`,
      hint: "pyfront uses a named context only to replace a base image: --build-context python:3.13-slim=docker-image://REGISTRY/python:3.13-slim",
      severity: "error",
    });
  }
  if (problems.length > 0) throw new SpecError(problems);
  return {
    ...plan,
    // The image says which base it is built on: the replacement.
    image: {
      ...plan.image,
      labels: plan.image.labels.map((label) =>
        label.name === "org.opencontainers.image.base.name" && replaced.has(label.value)
          ? { ...label, value: replaced.get(label.value)! }
          : label,
      ),
    },
    stages: plan.stages.map((stage) =>
      stage.base.kind === "image" && replaced.has(stage.base.ref)
        ? { ...stage, base: { kind: "image", ref: replaced.get(stage.base.ref)! } }
        : stage,
    ),
  };
}

/** The answer to a request that needs the plan (outline, lint, pyfront.plan, pyfront.dockerfile). */
function planSubrequestAnswer(
  kind: SubrequestKind,
  spec: BuildSpec,
  plan: BuildPlan,
  options: FrontendOptions,
  source: { text: string; filename: string },
  warnings: Diagnostic[],
): Record<string, string> {
  switch (kind) {
    case "outline":
      return outlineAnswer({ spec, plan, buildArgs: options.buildArgs, sourceText: source.text });
    case "lint":
      return lintAnswer({ warnings, errors: [], specFile: source.filename, sourceText: source.text });
    case "plan":
      return planAnswer(plan);
    case "dockerfile":
      try {
        return dockerfileAnswer(renderDockerfile(plan));
      } catch (error) {
        throw error instanceof DockerfileRefusal ? error.locatedIn(spec.pathSites) : error;
      }
    default:
      throw new Error(`subrequest ${kind} is answered before the plan`);
  }
}

/** BuildKit's typed "unsupported request" error, which buildx recognizes. */
function unsupportedSubrequest(requestId: string) {
  return messageStatus(
    `unsupported request ${requestId}: pyfront answers ${Object.values(SUBREQUESTS)
      .map((r) => r.name)
      .join(", ")}`,
    [jsonAny(SUBREQUEST_DETAIL_TYPE_URL, { name: requestId })],
  );
}

/** errdefs.Subrequest as BuildKit registers it with typeurl. */
const SUBREQUEST_DETAIL_TYPE_URL = "github.com/moby/buildkit/errdefs.Subrequest+json";

/**
 * The platforms to build, each once, in the order asked (`--platform a,b`); without one, the
 * worker's own. An empty list: the engine named none, and builds its default.
 */
function targetPlatforms(options: FrontendOptions, env: GatewayEnv): Platform[] {
  if (options.platforms.length > 0) {
    const problems: Diagnostic[] = [];
    const seen = new Map<string, Platform>();
    for (const text of options.platforms) {
      try {
        const platform = parsePlatform(text);
        seen.set(formatPlatform(platform), platform);
      } catch {
        problems.push({
          code: "invalid-platform",
          message: `the platform ${JSON.stringify(text)} is not os/arch or os/arch/variant`,
          hint: "name it as docker does: --platform linux/amd64,linux/arm64",
          severity: "error",
        });
      }
    }
    if (problems.length > 0) throw new SpecError(problems);
    return [...seen.values()];
  }
  const worker = env.workers[0]?.Platforms?.[0];
  if (worker?.os && worker.architecture) {
    return [
      {
        os: worker.os,
        architecture: worker.architecture,
        ...(worker.variant ? { variant: worker.variant } : {}),
      },
    ];
  }
  return [];
}

function planOptions(options: FrontendOptions, platform: Platform | undefined) {
  return { buildArgs: options.buildArgs, ...(platform ? { architecture: platform.architecture } : {}) };
}

interface PreparedPlatform {
  platform: Platform | undefined;
  plan: BuildPlan;
  built: BuildPlan;
  baseImages: Record<string, ResolvedBaseImage>;
}

/** The same problem found for several platforms (a key's value, say) is named once. */
function dedupeDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = JSON.stringify([d.code, d.message, d.position]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface PlatformImage {
  ref: string;
  config: ImageConfigJson;
  attestation?: AttestationInput;
}

/**
 * What goes back to BuildKit: one image as `ref` and `containerimage.config`; several (or one when
 * the client asked for the multi-platform form) as `refs` keyed by platform, each with its config,
 * and `refs.platforms` listing them, which the exporters turn into an index.
 */
function imagesResult(images: readonly PlatformImage[], multiPlatform: boolean): ReturnInput {
  // BuildKit's exporters look an attestation up by the image's platform key, as they parse it
  // from the image config (exptypes.ParsePlatforms).
  const attestations = Object.fromEntries(
    images.flatMap((image) => (image.attestation ? [[platformKey(image.config), [image.attestation]]] : [])),
  );
  const withAttestations = Object.keys(attestations).length > 0 ? { attestations } : {};
  if (!multiPlatform) {
    const [image] = images as [PlatformImage];
    return {
      ref: image.ref,
      metadata: { "containerimage.config": JSON.stringify(image.config) },
      ...withAttestations,
    };
  }
  const refs: Record<string, string> = {};
  const metadata: Record<string, string> = {};
  const listed: { ID: string; Platform: Platform }[] = [];
  for (const image of images) {
    const id = platformKey(image.config);
    refs[id] = image.ref;
    metadata[`containerimage.config/${id}`] = JSON.stringify(image.config);
    const variant = id.split("/")[2];
    listed.push({
      ID: id,
      Platform: {
        os: image.config.os ?? "linux",
        architecture: image.config.architecture ?? "amd64",
        ...(variant ? { variant } : {}),
      },
    });
  }
  metadata["refs.platforms"] = JSON.stringify({ Platforms: listed });
  return { refs, metadata, ...withAttestations };
}

interface DefinitionFiles {
  spec: string;
  /** The spec's bytes as sent, to find the same file in the context. */
  specBytes: Uint8Array;
  /** `<filename>.dockerignore` or the context's `.dockerignore`, as the Dockerfile frontend reads them. */
  ignore: FoundIgnoreFile | undefined;
}

/**
 * The spec file of a build that named none, found in the `dockerfile` local by the same
 * candidates the CLI tries in a folder (src/detect/project-layout.ts). Docker's own clients always
 * name one; buildctl and other gateway clients may not.
 */
async function detectSpecFile(
  gateway: GatewayClient,
  caps: Capabilities,
  sessionId: string,
  inputs: Record<string, Definition>,
): Promise<string> {
  const candidates = local("dockerfile", {
    sessionId,
    includePatterns: [...SPEC_FILE_CANDIDATES, "*.py"],
    sharedKeyHint: "dockerfile",
    customName: "[internal] look for the build definition (no file named)",
  });
  const ref = await solveState(gateway, caps, candidates, inputs.dockerfile);
  const found = await withProbedContext(gatewayContext(solvedContext(gateway, ref)), (reader) =>
    findSpecFile(reader, "."),
  );
  if (found !== undefined) return found;
  throw new SpecError([
    {
      code: "no-spec-file",
      message:
        "nothing to build: no pyproject.toml, Mopyfile.yaml, Pipfile, requirements file, setup.py or Python script in the build definition's folder",
      hint: "name the file with --opt filename=FILE (docker build -f FILE)",
      severity: "error",
    },
  ]);
}

/** Reads the spec file and its .dockerignore the way the Dockerfile frontend reads a Dockerfile. */
async function readDefinitionFiles(
  gateway: GatewayClient,
  caps: Capabilities,
  options: FrontendOptions,
  sessionId: string,
  inputs: Record<string, Definition>,
): Promise<DefinitionFiles> {
  const filename = options.filename;
  const specSource = local("dockerfile", {
    sessionId,
    followPaths: [filename, `${filename}.dockerignore`],
    sharedKeyHint: "dockerfile",
    customName: `[internal] load build definition from ${filename}`,
  });
  const readSpec = async () => {
    const specRef = await solveState(gateway, caps, specSource, inputs.dockerfile);
    return Promise.all([
      readLimited(gateway, specRef, filename, filename),
      readOptional(gateway, specRef, `${filename}.dockerignore`),
    ]);
  };
  // The context's .dockerignore is fetched alongside, as the Dockerfile frontend does: it is
  // needed unless the spec has its own, and each fetch is a solve and a read in turn.
  const readContextIgnore = async () => {
    if (inputs.context) return undefined;
    const ignoreSource = local("context", {
      sessionId,
      followPaths: [".dockerignore"],
      sharedKeyHint: "context-.dockerignore",
      customName: "[internal] load .dockerignore",
    });
    return readOptional(gateway, await solveState(gateway, caps, ignoreSource, undefined), ".dockerignore");
  };
  const [[specBytes, ownIgnore], contextIgnore] = await Promise.all([readSpec(), readContextIgnore()]);
  const spec = decode(specBytes);
  if (ownIgnore !== undefined) {
    return {
      spec,
      specBytes,
      ignore: { kind: "spec-dockerignore", file: `${filename}.dockerignore`, text: ownIgnore },
    };
  }
  return {
    spec,
    specBytes,
    ignore:
      contextIgnore === undefined
        ? undefined
        : { kind: "dockerignore", file: ".dockerignore", text: contextIgnore },
  };
}

/** The context's excludes; a pattern BuildKit would refuse is named here, as the CLI names it. */
function checkedExcludes(ignore: FoundIgnoreFile | undefined): ContextExcludes {
  const invalid = ignore && invalidIgnoreFile(ignore, ignore.file);
  if (invalid) throw new SpecError([invalid]);
  return contextExcludes(ignore);
}

/**
 * The spec's path inside the context (see spec-location.ts), so that its folder is the project and
 * its relative paths start there, as in the CLI. A spec outside the context (docker build allows
 * it) reads as if it were in the context root, with a warning; a search that cannot tell fails.
 */
async function specInContext(
  context: SolvedContext,
  filename: string,
  specBytes: Uint8Array,
): Promise<{ specFile: string; warnings: Diagnostic[] }> {
  const location = await locateSpec(searchContext(context), filename, specBytes);
  const name = filename.slice(filename.lastIndexOf("/") + 1);
  switch (location.kind) {
    case "in-context":
      return { specFile: location.path, warnings: [] };
    case "outside":
      return {
        specFile: name,
        warnings: [
          {
            code: "spec-outside-context",
            message: `the spec is not in the build context (no ${name} there has its content): the context root is the project`,
            hint: "to build a folder of the context, give -f the spec in that folder; a spec that .dockerignore leaves out cannot be found either",
            position: { file: name, line: 1, column: 1 },
            severity: "warning",
          },
        ],
      };
    case "ambiguous":
      throw new SpecError([
        {
          code: "ambiguous-spec",
          message: `${location.paths.map((p) => JSON.stringify(p)).join(" and ")} in the build context all have this spec's content: pyfront cannot tell which folder is the project`,
          hint: "make the spec files differ (a [project] name, a comment), or leave the copies out with a .dockerignore",
          position: { file: name, line: 1, column: 1 },
          severity: "error",
        },
      ]);
    case "search-cut":
      throw new SpecError([
        {
          code: "spec-not-found",
          message: `looked for ${name} in ${location.foldersListed} folders of the build context without finding this spec: pyfront cannot tell which folder is the project`,
          hint: "leave large folders out of the context with a .dockerignore, or build with the project's folder as the context",
          position: { file: name, line: 1, column: 1 },
          severity: "error",
        },
      ]);
  }
}

function searchContext(context: SolvedContext): SpecSearchContext {
  return {
    async listDirectory(path) {
      const entries = await context.listing(path);
      return entries?.map((entry) => ({
        name: entryName(entry),
        kind: statKind(entry.mode),
        size: Number(entry.size),
      }));
    },
    async readBytes(path, limit) {
      // Only a regular file is read, as its folder's listing tells: a FIFO must never be opened.
      const { dir, base } = posix.parse(path);
      const entry = (await context.listing(dir === "" ? "." : dir))?.find((e) => entryName(e) === base);
      if (entry === undefined || statKind(entry.mode) !== "file") return undefined;
      return unlessMissing(() =>
        context.gateway.readFile(context.ref, path, { offset: 0, length: limit + 1 }),
      );
    },
  };
}

/**
 * A solved context with each folder's listing asked of the gateway once: the spec's location
 * check and the context probe both start from the root's, and each ReadDir is a round trip (on
 * BuildKit 0.8, a mount of the context).
 */
interface SolvedContext {
  gateway: GatewayClient;
  ref: string;
  /** The folder's entries; undefined when it is missing or not a folder. */
  listing(path: string): Promise<Stat[] | undefined>;
}

function solvedContext(gateway: GatewayClient, ref: string): SolvedContext {
  const listings = new Map<string, Promise<Stat[] | undefined>>();
  return {
    gateway,
    ref,
    listing(path) {
      let listed = listings.get(path);
      if (listed === undefined) {
        listed = unlessMissing(() => gateway.readDir(ref, path));
        listings.set(path, listed);
      }
      return listed;
    },
  };
}

function entryName(entry: Stat): string {
  return entry.path.slice(entry.path.lastIndexOf("/") + 1);
}

/** Solves a state, or the client's own input in its place (buildctl --local or named inputs). */
async function solveState(
  gateway: GatewayClient,
  caps: Capabilities,
  state: State,
  input: Definition | undefined,
): Promise<string> {
  const definition = input ?? marshalDefinition(state, { caps }).definition;
  const solved = await gateway.solve({ definition });
  return solved.ref ?? "";
}

/** Reads at most MAX_INPUT_FILE_BYTES; a larger file is a user error, not a memory hog. */
async function readLimited(
  gateway: GatewayClient,
  ref: string,
  path: string,
  shown: string,
): Promise<Uint8Array> {
  const bytes = await gateway.readFile(ref, path, { offset: 0, length: MAX_INPUT_FILE_BYTES + 1 });
  if (bytes.length > MAX_INPUT_FILE_BYTES) {
    throw new SpecError([
      {
        code: "input-too-large",
        message: `${JSON.stringify(shown)} is larger than ${MAX_INPUT_FILE_BYTES / (1024 * 1024)} MiB`,
        severity: "error",
      },
    ]);
  }
  return bytes;
}

async function readOptional(gateway: GatewayClient, ref: string, path: string): Promise<string | undefined> {
  const bytes = await unlessMissing(() => gateway.readFile(ref, path));
  return bytes === undefined ? undefined : decode(bytes);
}

/** What BuildKit answers for a path that is not in a ref (its stat error, passed through). */
const NOT_IN_CONTEXT = /no such file or directory|not a directory/i;
const GATEWAY_READ_ATTEMPTS = 3;

/**
 * A context read, where only a real "not found" means the path is absent. Any other gateway
 * error is retried and then fails the build: taking it for absence would silently build
 * something else (no lockfile, no start command) than the project asks for.
 */
async function unlessMissing<T>(read: () => Promise<T>): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      if (error.status.code === Code.NotFound || NOT_IN_CONTEXT.test(error.message)) return undefined;
      if (attempt >= GATEWAY_READ_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/** A directory listing is cut here: layout detection reads a few names, not a huge folder. */
const MAX_LISTED_ENTRIES = 10_000;

function statKind(mode: number): "file" | "directory" | "other" {
  if ((mode & GO_MODE_DIR) !== 0) return "directory";
  return (mode & GO_MODE_NOT_REGULAR) !== 0 ? "other" : "file";
}

function gatewayContext(context: SolvedContext): AsyncContext {
  const { gateway, ref } = context;
  return {
    async stat(path) {
      const stat = await unlessMissing(() => gateway.statFile(ref, path));
      return stat === undefined ? "missing" : statKind(stat.mode);
    },
    async listDirectory(path) {
      const entries = await context.listing(path);
      if (entries === undefined) return undefined;
      return entries
        .slice(0, MAX_LISTED_ENTRIES)
        .map((entry) => ({ name: entryName(entry), kind: statKind(entry.mode) }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    async entryKinds(path) {
      const entries = await context.listing(path);
      if (entries === undefined) return undefined;
      return new Map(entries.map((entry) => [entryName(entry), statKind(entry.mode)]));
    },
    async readFile(path) {
      return decode(await readLimited(gateway, ref, path, path));
    },
  };
}

/** Every base image's config and digest, so stages inherit Env, WorkingDir and User like FROM does. */
async function resolveBaseImages(
  gateway: GatewayClient,
  plan: BuildPlan,
  spec: BuildSpec,
  options: FrontendOptions,
  sessionId: string,
  platform: Platform | undefined,
): Promise<Record<string, ResolvedBaseImage>> {
  const refs = [...new Set(plan.stages.flatMap((s) => (s.base.kind === "image" ? [s.base.ref] : [])))].sort();
  // All at once, as the Dockerfile frontend resolves its FROM lines; the first failure in
  // `refs` order is the one reported.
  const settled = await Promise.allSettled(
    refs.map((ref) =>
      gateway.resolveImageConfig(ref, {
        resolveMode: options.imageResolveMode,
        // A base's config differs by platform (its architecture, sometimes its Env or Cmd).
        ...(platform ? { platform } : {}),
        logName: `[internal] load metadata for ${ref}${platform ? ` (${formatPlatform(platform)})` : ""}`,
        sessionId,
      }),
    ),
  );
  const images: Record<string, ResolvedBaseImage> = {};
  const problems: Diagnostic[] = [];
  for (const [i, ref] of refs.entries()) {
    const outcome = settled[i]!;
    if (outcome.status === "rejected") {
      const error = outcome.reason as unknown;
      if (error instanceof GatewayError) throw unavailableBaseImage(spec, ref, error);
      throw error;
    }
    const config = JSON.parse(decode(outcome.value.config)) as ImageConfigJson;
    const mismatch = platform && otherPlatform(config, platform);
    if (mismatch) problems.push(baseOfOtherPlatform(spec, ref, platform, mismatch));
    images[ref] = {
      config,
      ...(outcome.value.digest ? { digest: outcome.value.digest } : {}),
    };
  }
  if (problems.length > 0) throw new SpecError(problems);
  return images;
}

/**
 * The platform a resolved base image is for, when it is not the one asked for. An engine whose
 * store has the image for one platform only may hand that one back for any (Docker's containerd
 * image store does): built on, it would give an arm64 image of amd64 programs.
 */
function otherPlatform(config: ImageConfigJson, wanted: Platform): string | undefined {
  if (!config.architecture) return undefined;
  const os = config.os ?? "linux";
  if (os === wanted.os && config.architecture === wanted.architecture) return undefined;
  return `${os}/${config.architecture}`;
}

function baseOfOtherPlatform(spec: BuildSpec, ref: string, platform: Platform, found: string): Diagnostic {
  const keys = ref === spec.runtimeImage ? IMAGE_KEYS.runtime : IMAGE_KEYS.builder;
  const key = keys.find((k) => Object.hasOwn(spec.positions, k));
  return {
    code: "base-image-platform",
    message: `the base image ${JSON.stringify(ref)}${key ? ` (from ${key})` : ""} is not available to this engine for ${formatPlatform(platform)}: the engine has it for ${found} only`,
    hint: `pull the image for every platform the build asks for (docker pull --platform ${formatPlatform(platform)} ${ref}), or build only for ${found}`,
    severity: "error",
    ...(key ? { position: spec.positions[key]! } : {}),
  };
}

/** The spec keys that choose each stage's base image, most specific first. */
const IMAGE_KEYS = {
  runtime: ["runtime_image", "flavor", "python_version", "python"],
  builder: ["builder_image", "flavor", "python_version", "python"],
} as const;

/**
 * A base image the engine cannot get, named with the key that chose it. BuildKit's own words
 * differ by version and rarely name the image plainly (engine A: `parse "dummy://python:3.13-alpine":
 * invalid port`; engine B: a failed request to Docker Hub), so they follow as the detail.
 */
function unavailableBaseImage(spec: BuildSpec, ref: string, error: GatewayError): SpecError {
  const keys = ref === spec.runtimeImage ? IMAGE_KEYS.runtime : IMAGE_KEYS.builder;
  const key = keys.find((k) => Object.hasOwn(spec.positions, k));
  const detail = error.status.message || error.message;
  return new SpecError([
    {
      code: "base-image-unavailable",
      message: `the base image ${JSON.stringify(ref)}${key ? ` (from ${key})` : ""} is not available to this engine: ${detail}`,
      hint: /\b401\b|unauthori[sz]ed|denied/i.test(detail)
        ? "the registry wants a login: docker login to it (the build's client hands BuildKit the docker config's logins), or choose an image the engine can reach"
        : `pull or load it into the engine (docker pull ${ref}), or choose an image the engine can reach`,
      severity: "error",
      ...(key ? { position: spec.positions[key]! } : {}),
    },
  ]);
}

/** `docker build --label` values win over every other label, as with Dockerfiles. */
function withClientLabels(image: ImageConfigJson, labels: Record<string, string>): ImageConfigJson {
  if (Object.keys(labels).length === 0) return image;
  const merged = { ...(image.config?.Labels ?? {}), ...labels };
  const sorted = Object.fromEntries(
    Object.keys(merged)
      .sort()
      .map((k) => [k, merged[k] as string]),
  );
  return { ...image, config: { ...image.config, Labels: sorted } };
}

/** `os/arch[/variant]`, as containerd's platforms.Format writes a normalized platform. */
function platformKey(config: ImageConfigJson): string {
  const os = config.os ?? "linux";
  const architecture = config.architecture ?? "amd64";
  // Normalized, arm64's v8 is the default variant and is left out.
  const variant = architecture === "arm64" && config.variant === "v8" ? undefined : config.variant;
  return variant ? `${os}/${architecture}/${variant}` : `${os}/${architecture}`;
}

/** The creation time: the plan's SOURCE_DATE_EPOCH when the build is reproducible, else now. */
function withCreated(image: ImageConfigJson, epochSeconds: number | undefined): ImageConfigJson {
  const created = (epochSeconds === undefined ? new Date() : new Date(epochSeconds * 1000)).toISOString();
  if (epochSeconds === undefined) return { ...image, created };
  // Reproducible: the build's own history entries are dated by the epoch too. Undated, Docker's
  // image store dates each by the time its layer was made, and the image's id changes per build.
  const history = image.history?.map((entry) => (entry.created ? entry : { ...entry, created }));
  return { ...image, created, ...(history ? { history } : {}) };
}

async function reportWarning(
  gateway: GatewayClient,
  warning: Diagnostic,
  spec: { text: string; filename: string },
  hooks: FrontendHooks,
): Promise<void> {
  if (hooks.warning) {
    hooks.warning(warning);
    return;
  }
  const line = warning.position?.file === spec.filename ? warning.position.line : undefined;
  await gateway.warn({
    short: formatDiagnostic(warning),
    ...(line ? { source: { filename: spec.filename, data: spec.text }, ranges: [{ start: line }] } : {}),
  });
  await warningAsStep(gateway, warning);
}

/**
 * The warning as a step of its own, named after it, which every `docker build` prints: BuildKit
 * 0.8 (Docker 20.10) has no Warn call at all, and buildx before 0.14 (Docker 26.1's) does not
 * show what Warn sends. The step writes one file into an empty tree and is read back at once,
 * because a solve that nothing reads is never run. Its name is the warning's text; a credential
 * never reaches a diagnostic.
 */
async function warningAsStep(gateway: GatewayClient, warning: Diagnostic): Promise<void> {
  const oneLine = formatDiagnostic(warning).replace(/\s*\n\s*/g, " ");
  const name = `WARNING: ${oneLine}`;
  const state = scratch().mkfile("/pyfront-warning", `${oneLine}\n`, { customName: name });
  try {
    const { ref } = await gateway.solve({ definition: marshalDefinition(state).definition });
    if (ref) await gateway.readFile(ref, "/pyfront-warning");
  } catch {
    // A warning that cannot be shown must not fail the build it is about.
  }
}

/** Spec errors become BuildKit source errors (the offending lines are printed); others stay readable. */
function errorStatus(error: unknown, spec: { text: string; filename: string } | undefined) {
  if (error instanceof SpecError) {
    const errors = error.diagnostics.filter((d) => d.severity === "error");
    const shown = errors.length > 0 ? errors : error.diagnostics;
    const message = shown.map(formatDiagnostic).join("\n");
    const lines = [
      ...new Set(
        shown.flatMap((d) => (d.position && d.position.file === spec?.filename ? [d.position.line] : [])),
      ),
    ].sort((a, b) => a - b);
    if (spec && lines.length > 0) {
      return sourceErrorStatus({
        message,
        filename: spec.filename,
        data: spec.text,
        ranges: lines.map((start) => ({ start })),
      });
    }
    return messageStatus(message);
  }
  if (error instanceof GatewayError) return error.status;
  const message = error instanceof Error ? error.message : String(error);
  return messageStatus(`pyfront: internal error: ${message}`);
}

function decode(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
