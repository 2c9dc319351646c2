/**
 * The recipe as plain data: an ordered list of stages, each a base and a list of steps, plus the
 * final image's config. Renderer-neutral: the Dockerfile renderer and the LLB renderer read the same
 * plan. Serializable as JSON, holds no secret values, and the same spec always gives the same plan.
 */
import type { BuildDecisions } from "../spec/build-spec.js";

export const PLAN_VERSION = 1;

export interface BuildPlan {
  planVersion: typeof PLAN_VERSION;
  /** In build order; the last stage is the image. */
  stages: Stage[];
  image: ImageConfig;
  /** Build secrets the build reads (ids only, never values). */
  secrets: SecretRequirement[];
  /** Whether the build needs the client's SSH agent (`--ssh default`). */
  ssh: boolean;
  /** What pyfront decided without being told, and why; for people, not for the renderers. */
  decisions: BuildDecisions;
  /** The distributions taken from a lockfile for this target, when the project has one. */
  locked?: LockedSet;
  /** `SOURCE_DATE_EPOCH`, when the build is made reproducible (src/plan/source-date-epoch.ts). */
  sourceDateEpoch?: number;
}

/** What `pyfront plan` shows of a lock: the set one target installs, and where it came from. */
export interface LockedSet {
  file: string;
  format: string;
  /** `CPython 3.13 on linux/x86_64`. */
  target: string;
  groups: string[];
  extras: string[];
  packages: Array<{ name: string; version: string; source: string }>;
}

export interface Stage {
  /** Unique, lowercase; also the Dockerfile `AS` name. */
  name: string;
  base: StageBase;
  steps: Step[];
}

export type StageBase = { kind: "image"; ref: string } | { kind: "stage"; name: string };

export type Step = RunStep | CopyStep | FetchUrlStep | EnvStep | WorkdirStep;

/** Runs a program without a shell (a fixed script may be the program; user values are its arguments). */
export interface RunStep {
  kind: "run";
  argv: string[];
  mounts: Mount[];
  /** Environment for this step only, not kept in the stage. */
  env: EnvVar[];
  /** What the step does, for progress output; never holds user secrets. */
  description: string;
}

export type Mount = CacheMount | SecretMount | SshMount | BindMount;

export interface CacheMount {
  type: "cache";
  id: string;
  target: string;
  sharing: "shared" | "private" | "locked";
}

/** A build secret as a file; the content never reaches a layer. */
export interface SecretMount {
  type: "secret";
  id: string;
  target: string;
  required: boolean;
}

/** The client's SSH agent socket; SSH_AUTH_SOCK points at it. */
export interface SshMount {
  type: "ssh";
  id: string;
  required: boolean;
}

/** A read view of the build context or a stage; with readWrite, writes are thrown away after the step. */
export interface BindMount {
  type: "bind";
  from: CopySource;
  source: string;
  target: string;
  readWrite: boolean;
}

export type CopySource =
  | { kind: "context" }
  | { kind: "stage"; name: string }
  | { kind: "image"; ref: string };

/**
 * Copies with Docker's COPY semantics: a directory source copies its contents into `dest`; a file
 * source lands at `dest`, or inside it when `dest` ends with "/". With `unpackArchives`, a local tar
 * archive is extracted into `dest` (Docker's ADD).
 */
export interface CopyStep {
  kind: "copy";
  from: CopySource;
  sources: string[];
  /** Absolute. */
  dest: string;
  unpackArchives: boolean;
  /**
   * Seconds since 1970 the copied files' times are set to (a reproducible build's epoch). Only
   * the LLB renderer can say it; a Dockerfile build gets it from BuildKit's rewrite-timestamp.
   */
  timestamp?: number;
}

/** Downloads one file to an absolute path, verified against the checksum when there is one. */
export interface FetchUrlStep {
  kind: "fetch-url";
  url: string;
  /** `sha256:<hex>`. */
  checksum?: string;
  dest: string;
  /** File mode, e.g. 0o644 (downloads are otherwise 0600 and unreadable by a non-root user). */
  mode: number;
}

/** Sets variables for the rest of the stage. */
export interface EnvStep {
  kind: "env";
  vars: EnvVar[];
}

export interface WorkdirStep {
  kind: "workdir";
  path: string;
}

/**
 * `set`: the value as is (no expansion of any kind). `prepend-path`: `value:<previous value>`, the
 * previous value taken from the stage so far (base image config included). `expand`: the value is
 * a template (src/plan/substitute-build-args.ts): `${NAME}`, `${NAME:-word}`, `${NAME-word}`,
 * `${NAME:+word}`, `${NAME+word}` read the stage's variables so far, as a Dockerfile ENV does; a
 * backslash takes the next character literally.
 */
export interface EnvVar {
  name: string;
  value: string;
  mode: "set" | "prepend-path" | "expand";
}

/** With mode `expand`, the value is a template read against the image's final variables (LABEL). */
export interface Label {
  name: string;
  value: string;
  mode?: "expand";
}

export interface ImageHealthcheck {
  test: string[];
  intervalSeconds?: number;
  timeoutSeconds?: number;
  startPeriodSeconds?: number;
  retries?: number;
}

/**
 * Config of the final image, applied after the last stage's steps. `entrypoint` / `cmd` absent:
 * inherited from the base image. When `entrypoint` is set, `cmd` is set too (maybe empty), as
 * Docker drops an inherited CMD when ENTRYPOINT changes.
 */
export interface ImageConfig {
  env: EnvVar[];
  user: string;
  workdir: string;
  entrypoint?: string[];
  cmd?: string[];
  /** Sorted by name. */
  labels: Label[];
  /** `port/protocol`, in the spec's order, without repeats. */
  exposedPorts: string[];
  healthcheck?: ImageHealthcheck;
}

export interface SecretRequirement {
  id: string;
  required: boolean;
  /**
   * `build-secret`: the user passes it (`--secret id=...`). `spec-inline`: the value was written in
   * the spec file (microb); the edge supplies it from the spec (see inlineSecretValues).
   */
  source: "build-secret" | "spec-inline";
  /** What it is for, for messages. */
  purpose: string;
}
