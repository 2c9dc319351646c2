import { posix } from "node:path";
import {
  copy,
  DEFAULT_PLATFORM,
  type FileActions,
  http,
  image,
  local,
  mkdir,
  type NetworkMode,
  type Owner,
  type Platform,
  type RunMount,
  type State,
  scratch,
} from "../buildkit/index.js";
import type {
  BuildPlan,
  CopySource,
  CopyStep,
  FetchUrlStep,
  Mount,
  RunStep,
  Stage,
  StageBase,
} from "../plan/build-plan.js";
import {
  applyEnv,
  applyStep,
  applyWorkdir,
  hasNoLayers,
  type ImageConfigJson,
  imageConfigFor,
  resolvedEnvValue,
  runStepsAsRoot,
  stageStartConfig,
} from "./llb-image-config.js";

/*
 * Renders a plan to LLB that builds the same image as the plan's Dockerfile under BuildKit's
 * Dockerfile frontend: each step becomes the ops dockerfile2llb makes for the instruction the
 * Dockerfile renderer writes. Pure: every input (session, resolved base images, secrets) is handed in.
 */

/** A base image as the frontend resolved it (gateway ResolveImageConfig). */
export interface ResolvedBaseImage {
  config: ImageConfigJson;
  /** Manifest digest; the stage is then pinned to it, as the Dockerfile frontend pins FROM. */
  digest?: string;
}

export interface LlbRenderOptions {
  /** BuildKit session id (frontend: BUILDKIT_SESSION_ID; CLI: a fixed placeholder). */
  sessionId: string;
  /** .dockerignore patterns for the build context. */
  contextExcludes: readonly string[];
  /** Local source name of the build context; default "context". */
  contextName?: string;
  /** Target platform; default linux/amd64. */
  platform?: Platform;
  /** `docker build --network`: network of every run. */
  networkMode?: "default" | "host" | "none";
  /** Re-run every run and file op (`--no-cache`); sources stay cached, as with a Dockerfile. */
  noCache?: boolean;
  imageResolveMode?: "default" | "pull" | "local";
  /**
   * Resolved configs of the plan's base images, by the ref as the plan writes it. Stages inherit
   * Env (PATH!), WorkingDir and User from them. A missing entry means an empty config.
   */
  baseImages?: Readonly<Record<string, ResolvedBaseImage>>;
}

export interface RenderedLlb {
  state: State;
  imageConfig: ImageConfigJson;
  /** The platform the graph was rendered for: pass it to marshalDefinition. */
  platform: Platform;
}

const DEFAULT_CONTEXT_NAME = "context";

/** The build context source; the frontend solves this same State to read files, so one function. */
export function contextSource(
  options: Pick<LlbRenderOptions, "sessionId" | "contextExcludes" | "contextName">,
): State {
  const name = options.contextName ?? DEFAULT_CONTEXT_NAME;
  return local(name, {
    sessionId: options.sessionId,
    excludePatterns: options.contextExcludes,
    sharedKeyHint: name,
    customName: "[internal] load build context",
  });
}

interface StageResult {
  state: State;
  config: ImageConfigJson;
}

interface RenderContext {
  plan: BuildPlan;
  options: LlbRenderOptions;
  platform: Platform;
  context: State;
  stages: Map<string, StageResult>;
}

const NETWORK: Record<NonNullable<LlbRenderOptions["networkMode"]>, NetworkMode> = {
  default: "sandbox",
  host: "host",
  none: "none",
};

/** The plan as an LLB graph plus the final image config. */
export function renderLlb(plan: BuildPlan, options: LlbRenderOptions): RenderedLlb {
  const platform = options.platform ?? DEFAULT_PLATFORM;
  const ctx: RenderContext = {
    plan,
    options,
    platform,
    context: contextSource(options),
    stages: new Map(),
  };
  let last: StageResult | undefined;
  for (const stage of plan.stages) {
    if (ctx.stages.has(stage.name)) throw new Error(`the plan has two stages named ${stage.name}`);
    last = renderStage(ctx, stage);
    ctx.stages.set(stage.name, last);
  }
  const lastStage = plan.stages.at(-1);
  if (!last || !lastStage) throw new Error("the plan has no stages");

  // The image settings end the last stage; of them only WORKDIR touches the filesystem (a mkdir
  // owned by the stage's user: USER comes after WORKDIR in the Dockerfile).
  const scratchConfig = structuredClone(last.config);
  const state = workdir(ctx, last.state, scratchConfig, plan.image.workdir);

  const imageConfig = imageConfigFor(plan, rootBaseConfig(ctx, lastStage), ctx.options.platform);
  return { state, imageConfig, platform };
}

function rootBaseConfig(ctx: RenderContext, stage: Stage): ImageConfigJson | undefined {
  let base: StageBase = stage.base;
  const seen = new Set<string>();
  while (base.kind === "stage") {
    const name: string = base.name;
    if (seen.has(name)) throw new Error(`stage ${name}: circular base`);
    seen.add(name);
    const next = ctx.plan.stages.find((s) => s.name === name);
    if (!next) throw new Error(`stage ${stage.name}: unknown base stage ${name}`);
    base = next.base;
  }
  return ctx.options.baseImages?.[base.ref]?.config;
}

function imageSource(ctx: RenderContext, ref: string, name: string): State {
  const mode = ctx.options.imageResolveMode;
  return image(ref, {
    platform: ctx.platform,
    ...(mode && mode !== "default" ? { resolveMode: mode } : {}),
    customName: name,
  });
}

function pinned(ref: string, digest: string | undefined): string {
  return digest && !ref.includes("@") ? `${ref}@${digest}` : ref;
}

function stageBase(ctx: RenderContext, stage: Stage): StageResult {
  if (stage.base.kind === "stage") {
    const base = ctx.stages.get(stage.base.name);
    if (!base) throw new Error(`stage ${stage.name}: base stage ${stage.base.name} must come first`);
    return { state: base.state, config: structuredClone(base.config) };
  }
  const ref = stage.base.ref;
  const resolved = ctx.options.baseImages?.[ref];
  const config = stageStartConfig(resolved?.config, ref);
  // As the Dockerfile's `USER root` after FROM: the recipe's steps run as root, whatever the base left.
  runStepsAsRoot(config);
  let state = hasNoLayers(resolved?.config)
    ? scratch().platform(ctx.platform)
    : imageSource(ctx, pinned(ref, resolved?.digest), `[${stage.name}] FROM ${ref}`);
  state = state.withImageConfig(config.config ?? {});
  const network = NETWORK[ctx.options.networkMode ?? "default"];
  if (network !== "sandbox") state = state.network(network);
  return { state, config };
}

function renderStage(ctx: RenderContext, stage: Stage): StageResult {
  let { state, config } = stageBase(ctx, stage);
  for (const step of stage.steps) {
    switch (step.kind) {
      case "env":
        state = state.addEnvs(applyEnv(config, step.vars));
        break;
      case "workdir":
        state = workdir(ctx, state, config, step.path, stage.name);
        break;
      case "run":
        state = run(ctx, state, step, stage.name);
        applyStep(config, step);
        break;
      case "copy":
        state = copyStep(ctx, state, step, stage.name);
        applyStep(config, step);
        break;
      case "fetch-url":
        state = fetchUrl(ctx, state, step, stage.name);
        applyStep(config, step);
        break;
    }
  }
  return { state, config };
}

function opOptions(ctx: RenderContext, customName: string): { customName: string; ignoreCache?: true } {
  return ctx.options.noCache ? { customName, ignoreCache: true } : { customName };
}

/** `root`, `123` and `123:456` by id, anything else by name (BuildKit's llb.WithUser). */
export function ownerFromUser(user: string): Owner {
  const part = (text: string): string | number =>
    text === "root" ? 0 : /^\d+$/.test(text) ? Number.parseInt(text, 10) : text;
  const colon = user.indexOf(":");
  if (colon < 0) return { user: part(user) };
  return { user: part(user.slice(0, colon)), group: part(user.slice(colon + 1)) };
}

/** WORKDIR: the state's directory, and a mkdir -p owned by the config's user unless it is "/". */
function workdir(
  ctx: RenderContext,
  state: State,
  config: ImageConfigJson,
  path: string,
  stage?: string,
): State {
  const wd = applyWorkdir(config, path);
  const next = state.dir(wd);
  if (wd === "/") return next;
  const user = config.config?.User;
  const name = stage ? `[${stage}] WORKDIR ${wd}` : `WORKDIR ${wd}`;
  const epoch = ctx.plan.sourceDateEpoch;
  return next.file(
    mkdir(wd, {
      mode: 0o755,
      makeParents: true,
      ...(user ? { owner: ownerFromUser(user) } : {}),
      ...(epoch !== undefined ? { createdTime: new Date(epoch * 1000) } : {}),
    }),
    opOptions(ctx, name),
  );
}

function sourceState(ctx: RenderContext, from: CopySource, stage: string): State {
  switch (from.kind) {
    case "context":
      return ctx.context;
    case "stage": {
      const found = ctx.stages.get(from.name);
      if (!found) throw new Error(`stage ${stage}: stage ${from.name} must come before it`);
      return found.state;
    }
    case "image":
      return imageSource(ctx, from.ref, `[${stage}] FROM ${from.ref}`);
  }
}

/** Go's path.Join("/", p): sources are absolute in the source state. */
function rootedPath(p: string): string {
  return posix.join("/", p);
}

function copyStep(ctx: RenderContext, state: State, step: CopyStep, stage: string): State {
  if (step.sources.length === 0) throw new Error(`stage ${stage}: a copy step needs a source`);
  const from = sourceState(ctx, step.from, stage);
  const dest = destPath(state, step.dest);
  let actions: FileActions | undefined;
  for (const src of step.sources) {
    const options = {
      followSymlinks: true,
      copyDirContentsOnly: true,
      attemptUnpack: step.unpackArchives,
      createDestPath: true,
      allowWildcard: true,
      allowEmptyWildcard: true,
      ...(step.timestamp !== undefined ? { createdTime: new Date(step.timestamp * 1000) } : {}),
    };
    actions = actions
      ? actions.copy(from, rootedPath(src), dest, options)
      : copy(from, rootedPath(src), dest, options);
  }
  if (step.timestamp !== undefined && !step.sources.some((src) => /[*?[]/.test(src))) {
    actions = withDatedParents(actions!, dest, new Date(step.timestamp * 1000));
  }
  const verb = step.unpackArchives ? "ADD" : "COPY";
  const name = `[${stage}] ${verb} ${[...step.sources, step.dest].join(" ")}`;
  return state.file(actions!, opOptions(ctx, name));
}

/**
 * A copy's times are the epoch's, but putting a new entry into a folder that was there before
 * (`/opt` for `/opt/venv`) sets that folder's time to the build's clock, and the layer changes
 * with every build. So the copy ends by copying an empty folder onto each folder above the
 * destination (and onto the destination when it is a folder the files go into): BuildKit's copy
 * then gives an existing folder the copy's time and leaves its owner and mode as they are
 * (BuildKit 0.13's fsutil, `restoreFileTimestamp`; BuildKit 0.8's copy leaves it untouched, so
 * there it changes nothing). "/" is left alone: a layer does not record it.
 */
function withDatedParents(actions: FileActions, dest: string, time: Date): FileActions {
  const folders: string[] = [];
  const parts = dest.split("/").filter((part) => part !== "");
  const upTo = dest.endsWith("/") ? parts.length : parts.length - 1;
  for (let i = 1; i <= upTo; i++) folders.push(`/${parts.slice(0, i).join("/")}`);
  let dated = actions;
  for (const folder of folders) {
    dated = dated.copy(EMPTY_FOLDER.state(time), EMPTY_FOLDER.path, folder, {
      copyDirContentsOnly: true,
      createdTime: time,
    });
  }
  return dated;
}

/** An empty folder to copy onto existing ones, dated (a state of its own; cached like any). */
const EMPTY_FOLDER = {
  path: "/empty",
  state: (time: Date): State => scratch().file(mkdir("/empty", { mode: 0o755, createdTime: time })),
};

/** dockerfile2llb's destination: absolute against the working directory, trailing "/" kept. */
function destPath(state: State, dest: string): string {
  const joined = posix.join("/", dest.startsWith("/") ? dest : posix.join(state.getDir() ?? "", dest));
  const clean = joined.length > 1 && joined.endsWith("/") ? joined.slice(0, -1) : joined;
  const dirLike = dest === "." || dest === "" || dest.endsWith("/");
  return dirLike && clean !== "/" ? `${clean}/` : clean;
}

/** The name ADD gives a download: the URL path's last segment (dockerfile2llb's rule). */
export function downloadFilename(url: string): string {
  let base = "";
  try {
    base = decodeURIComponent(new URL(url).pathname.split("/").pop() ?? "");
  } catch {
    base = "";
  }
  return base === "" || base === "." || base === ".." || base.includes("/") ? "__unnamed__" : base;
}

/**
 * ADD of a URL: an http source, then a copy. Unlike Docker 20.10's ADD, the source checks the
 * checksum and sets the mode itself, so the Dockerfile's check-and-chmod RUN has no counterpart.
 */
function fetchUrl(ctx: RenderContext, state: State, step: FetchUrlStep, stage: string): State {
  const filename = downloadFilename(step.url);
  const download = http(step.url, {
    filename,
    perm: step.mode,
    ...(step.checksum !== undefined ? { checksum: step.checksum } : {}),
    customName: `[${stage}] download ${step.url}`,
  });
  const dest = destPath(state, step.dest);
  return state.file(
    copy(download, `/${filename}`, dest, { createDestPath: true }),
    opOptions(ctx, `[${stage}] ADD ${step.url} ${step.dest}`),
  );
}

function runMount(ctx: RenderContext, mount: Mount, stage: string): RunMount {
  switch (mount.type) {
    case "cache":
      // dockerfile2llb prefixes the id with the (empty) cache namespace and "/": same cache as docker build.
      return { type: "cache", target: mount.target, id: `/${mount.id}`, sharing: mount.sharing };
    case "secret":
      // Secrets travel only as BuildKit secrets, by id: no value is ever part of the definition.
      return { type: "secret", target: mount.target, id: mount.id, optional: !mount.required };
    case "ssh":
      return { type: "ssh", id: mount.id, optional: !mount.required };
    case "bind": {
      const selector = rootedPath(mount.source);
      let source = sourceState(ctx, mount.from, stage);
      if (mount.readWrite && mount.from.kind === "context") {
        // A writable mount is a new snapshot on top of its source, and BuildKit then seals the
        // source for good: the context's transfer could no longer be reused by the next build,
        // which would send every file again. A copy of the path takes the writes instead.
        source = scratch()
          .platform(ctx.platform)
          .file(
            copy(source, selector, selector, {
              copyDirContentsOnly: true,
              followSymlinks: true,
              createDestPath: true,
            }),
            opOptions(ctx, `[${stage}] copy ${mount.source} for a writable mount`),
          );
      }
      return {
        type: "bind",
        target: mount.target,
        source,
        ...(selector !== "/" ? { selector } : {}),
        readonly: !mount.readWrite,
        // Writes are thrown away; with no output BuildKit keeps content-based cache keys.
        ...(mount.readWrite ? { noOutput: true } : {}),
      };
    }
  }
}

function run(ctx: RenderContext, state: State, step: RunStep, stage: string): State {
  const env: Record<string, string> = {};
  for (const v of step.env) env[v.name] = resolvedEnvValue(v, (name) => env[name] ?? state.getEnv(name));
  return state
    .run({
      args: step.argv,
      env,
      mounts: step.mounts.map((m) => runMount(ctx, m, stage)),
      ...opOptions(ctx, `[${stage}] ${step.description}`),
    })
    .root();
}
