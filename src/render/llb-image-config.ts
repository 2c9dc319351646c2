import { posix } from "node:path";
import type { BuildPlan, EnvVar, ImageConfig, Stage, Step } from "../plan/build-plan.js";
import { STEPS_USER } from "../plan/recipe-constants.js";
import { expandTemplate, type Lookup } from "../plan/substitute-build-args.js";

/*
 * The image config the Dockerfile frontend would produce for a plan: the base image's config,
 * changed instruction by instruction the way dockerfile2llb changes it. Pure; `created` is left out
 * (the frontend stamps it), history is deterministic (no timestamps of our own).
 */

/** Docker's HEALTHCHECK settings; durations in nanoseconds. */
export interface HealthConfigJson {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  Retries?: number;
  [key: string]: unknown;
}

/** The `config` object of an image config (Docker's superset of OCI's). Registries may send nulls. */
export interface ContainerConfigJson {
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>> | null;
  Env?: string[] | null;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  Healthcheck?: HealthConfigJson | null;
  ArgsEscaped?: boolean;
  OnBuild?: string[] | null;
  [key: string]: unknown;
}

export interface HistoryJson {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
  [key: string]: unknown;
}

/** An OCI / Docker image config, as a registry serves it and as BuildKit's exporter takes it. */
export interface ImageConfigJson {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  config?: ContainerConfigJson;
  rootfs?: { type?: string; diff_ids?: string[] | null; [key: string]: unknown };
  history?: HistoryJson[] | null;
  [key: string]: unknown;
}

/** What BuildKit puts on PATH when an image names none (system.DefaultPathEnv for Linux). */
export const DEFAULT_PATH_ENV = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

const HISTORY_COMMENT = "pyfront";

function envKey(entry: string): string {
  const eq = entry.indexOf("=");
  return eq < 0 ? entry : entry.slice(0, eq);
}

/** The value of `name` in an Env list ("" when unset, as shell expansion reads it). */
export function envValue(env: readonly string[], name: string): string | undefined {
  const entry = env.find((e) => envKey(e) === name);
  if (entry === undefined) return undefined;
  const eq = entry.indexOf("=");
  return eq < 0 ? "" : entry.slice(eq + 1);
}

/** The value an ENV instruction gives `v`, read against the variables set so far (`lookup`). */
export function resolvedEnvValue(v: EnvVar, lookup: Lookup): string {
  switch (v.mode) {
    case "set":
      return v.value;
    case "prepend-path":
      return `${v.value}:${lookup(v.name) ?? ""}`;
    case "expand":
      return expandTemplate(v.value, lookup);
  }
}

/**
 * A stage's starting config from its base image's: `created` dropped, PATH always set (as
 * dockerfile2llb ensures). ONBUILD triggers are refused: a plan cannot run Dockerfile instructions.
 */
export function stageStartConfig(base: ImageConfigJson | undefined, ref: string): ImageConfigJson {
  const cloned: ImageConfigJson = structuredClone(base ?? {});
  delete cloned.created;
  const config: ContainerConfigJson = cloned.config ?? {};
  if (config.OnBuild && config.OnBuild.length > 0) {
    throw new Error(`base image ${ref} has ONBUILD triggers; pyfront does not run them`);
  }
  delete config.OnBuild;
  const env = config.Env ?? [];
  config.Env = envValue(env, "PATH") === undefined ? [...env, `PATH=${DEFAULT_PATH_ENV}`] : [...env];
  cloned.config = config;
  return cloned;
}

/** The Dockerfile's `USER root` after an image's FROM: the user, and its history entry. */
export function runStepsAsRoot(config: ImageConfigJson): void {
  config.config = { ...config.config, User: STEPS_USER };
  history(config, `USER ${STEPS_USER}`, false);
}

/** Whether the base image has no layers (dockerfile2llb then starts from scratch). */
export function hasNoLayers(config: ImageConfigJson | undefined): boolean {
  if (config?.rootfs?.diff_ids === undefined) return false;
  if ((config.rootfs.diff_ids ?? []).length > 0) return false;
  return (config.history ?? []).every((h) => h.empty_layer === true);
}

function history(config: ImageConfigJson, createdBy: string, layer: boolean): void {
  config.history = [
    ...(config.history ?? []),
    { created_by: createdBy, comment: HISTORY_COMMENT, ...(layer ? {} : { empty_layer: true }) },
  ];
}

/** Applies ENV variables one by one; returns the name/value pairs set, for the LLB state. */
export function applyEnv(config: ImageConfigJson, vars: readonly EnvVar[]): Array<[string, string]> {
  const c = config.config ?? {};
  // One pass with an index by name: thousands of variables stay linear.
  const env = [...(c.Env ?? [])];
  const at = new Map<string, number>();
  env.forEach((entry, i) => {
    if (!at.has(envKey(entry))) at.set(envKey(entry), i);
  });
  const applied: Array<[string, string]> = [];
  const entries = [...(config.history ?? [])];
  const lookup: Lookup = (name) => {
    const i = at.get(name);
    return i === undefined ? undefined : envValue([env[i]!], name);
  };
  for (const v of vars) {
    const i = at.get(v.name);
    const value = resolvedEnvValue(v, lookup);
    if (i === undefined) {
      at.set(v.name, env.length);
      env.push(`${v.name}=${value}`);
    } else env[i] = `${v.name}=${value}`;
    applied.push([v.name, value]);
    entries.push({ created_by: `ENV ${v.name}=${value}`, comment: HISTORY_COMMENT, empty_layer: true });
  }
  config.history = entries;
  c.Env = env;
  config.config = c;
  return applied;
}

/** WORKDIR: the absolute directory; it gets a layer (a mkdir) unless it is "/". */
export function applyWorkdir(config: ImageConfigJson, path: string): string {
  const c = config.config ?? {};
  const wd = path.startsWith("/") ? posix.normalize(path) : posix.join("/", c.WorkingDir ?? "", path);
  const clean = wd.length > 1 && wd.endsWith("/") ? wd.slice(0, -1) : wd;
  c.WorkingDir = clean;
  config.config = c;
  history(config, `WORKDIR ${clean}`, clean !== "/");
  return clean;
}

/** Records a step's effect on the config (ENV, WORKDIR) and its history entry. */
export function applyStep(config: ImageConfigJson, step: Step): void {
  switch (step.kind) {
    case "env":
      applyEnv(config, step.vars);
      return;
    case "workdir":
      applyWorkdir(config, step.path);
      return;
    case "run":
      history(config, `RUN ${step.argv.join(" ")}`, true);
      return;
    case "copy":
      history(
        config,
        `${step.unpackArchives ? "ADD" : "COPY"} ${[...step.sources, step.dest].join(" ")}`,
        true,
      );
      return;
    case "fetch-url":
      history(config, `ADD ${step.url} ${step.dest}`, true);
      return;
  }
}

const NS_PER_SECOND = 1_000_000_000;

/** The plan's image settings, in the order the Dockerfile renderer writes them. */
export function applyImageSettings(config: ImageConfigJson, image: ImageConfig): void {
  applyEnv(config, image.env);
  const c = config.config ?? {};
  config.config = c;
  if (image.labels.length > 0) {
    const labels: Record<string, string> = { ...(c.Labels ?? {}) };
    // LABEL reads the variables the ENV lines before it set.
    const env = c.Env ?? [];
    const values = image.labels.map((label) =>
      label.mode === "expand" ? expandTemplate(label.value, (name) => envValue(env, name)) : label.value,
    );
    image.labels.forEach((label, i) => {
      labels[label.name] = values[i]!;
    });
    c.Labels = sortedRecord(labels);
    history(config, `LABEL ${image.labels.map((l, i) => `${l.name}=${values[i]}`).join(" ")}`, false);
  }
  if (image.exposedPorts.length > 0) {
    const ports: Record<string, Record<string, never>> = { ...(c.ExposedPorts ?? {}) };
    for (const port of image.exposedPorts) ports[port] = {};
    c.ExposedPorts = sortedRecord(ports);
    history(config, `EXPOSE ${image.exposedPorts.join(" ")}`, false);
  }
  if (image.healthcheck) {
    const h = image.healthcheck;
    const health: HealthConfigJson = { Test: ["CMD", ...h.test] };
    if (h.intervalSeconds) health.Interval = h.intervalSeconds * NS_PER_SECOND;
    if (h.timeoutSeconds) health.Timeout = h.timeoutSeconds * NS_PER_SECOND;
    if (h.startPeriodSeconds) health.StartPeriod = h.startPeriodSeconds * NS_PER_SECOND;
    if (h.retries) health.Retries = h.retries;
    c.Healthcheck = health;
    history(config, `HEALTHCHECK CMD ${JSON.stringify(h.test)}`, false);
  }
  applyWorkdir(config, image.workdir);
  c.User = image.user;
  history(config, `USER ${image.user}`, false);
  if (image.entrypoint) {
    // ENTRYPOINT drops an inherited CMD; the plan then always sets its own.
    c.Entrypoint = image.entrypoint;
    delete c.Cmd;
    history(config, `ENTRYPOINT ${JSON.stringify(image.entrypoint)}`, false);
  }
  if (image.cmd) {
    c.Cmd = image.cmd;
    c.ArgsEscaped = true;
    history(config, `CMD ${JSON.stringify(image.cmd)}`, false);
  }
  // Docker omits empty lists (omitempty), so `CMD []` after ENTRYPOINT leaves no Cmd key.
  if (c.Cmd?.length === 0) delete c.Cmd;
  if (c.Entrypoint?.length === 0) delete c.Entrypoint;
}

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key] as T;
  return out;
}

/** The chain of stages ending in `stage`, root (image-based) first. */
export function stageChain(plan: BuildPlan, stage: Stage): Stage[] {
  const chain: Stage[] = [stage];
  let current = stage;
  while (current.base.kind === "stage") {
    const name = current.base.name;
    const base = plan.stages.find((s) => s.name === name);
    if (!base || chain.includes(base)) throw new Error(`stage ${current.name}: no usable base stage ${name}`);
    chain.unshift(base);
    current = base;
  }
  return chain;
}

export interface TargetPlatform {
  os: string;
  architecture: string;
  variant?: string;
}

/**
 * The final image's config: the base image config of the last stage (for a stage chain, of its
 * root image), the stages' ENV/WORKDIR steps, then the plan's image settings. No `created`.
 */
export function imageConfigFor(
  plan: BuildPlan,
  baseConfig: ImageConfigJson | undefined,
  platform?: TargetPlatform,
): ImageConfigJson {
  const last = plan.stages.at(-1);
  if (!last) throw new Error("the plan has no stages");
  const chain = stageChain(plan, last);
  const root = chain[0]!;
  const config = stageStartConfig(baseConfig, root.base.kind === "image" ? root.base.ref : root.name);
  if (root.base.kind === "image") runStepsAsRoot(config);
  for (const stage of chain) for (const step of stage.steps) applyStep(config, step);
  applyImageSettings(config, plan.image);
  if (platform) withPlatform(config, platform);
  return config;
}

/** An explicit target platform is written into the config, as dockerfile2llb does. */
export function withPlatform(config: ImageConfigJson, platform: TargetPlatform): void {
  config.os = platform.os;
  config.architecture = platform.architecture;
  if (platform.variant) config.variant = platform.variant;
  else delete config.variant;
}
