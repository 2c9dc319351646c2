import { ExecVertex, type RunOptions } from "./exec.js";
import {
  type CopyOptions,
  FileActions,
  FileVertex,
  type MkdirOptions,
  type MkfileOptions,
  type RmOptions,
} from "./file.js";
import { resolvePath } from "./paths.js";
import { normalizePlatform, type Platform } from "./platform.js";
import type { OpOptions, Output } from "./vertex.js";

export type NetworkMode = "sandbox" | "host" | "none";
export type SecurityMode = "sandbox" | "insecure";

/** Settings a State carries to the runs made from it (BuildKit's AddEnv/Dir/User/Platform). */
export interface StateMeta {
  /** Ordered like BuildKit: replacing a key moves it to the end. */
  readonly env: readonly (readonly [string, string])[];
  readonly dir?: string;
  readonly user?: string;
  readonly platform?: Platform;
  readonly network?: NetworkMode;
  readonly security?: SecurityMode;
  readonly hostname?: string;
}

/** The parts of an OCI image config a State can take over (Env, WorkingDir, User). */
export interface ImageConfigLike {
  Env?: readonly string[] | null;
  WorkingDir?: string;
  User?: string;
}

/**
 * An immutable point in an LLB graph: an output (undefined for scratch) plus the settings that
 * later runs inherit. Every method returns a new State.
 */
export class State {
  readonly output: Output | undefined;
  readonly meta: StateMeta;

  constructor(output: Output | undefined, meta: StateMeta = { env: [] }) {
    this.output = output;
    this.meta = meta;
  }

  isScratch(): boolean {
    return this.output === undefined;
  }

  /** The same settings on another output (BuildKit's WithOutput). */
  withOutput(output: Output | undefined): State {
    return new State(output, this.meta);
  }

  private with(change: Partial<StateMeta>): State {
    return new State(this.output, { ...this.meta, ...change });
  }

  addEnv(key: string, value: string): State {
    if (key === "" || key.includes("=")) throw new Error(`invalid environment variable name "${key}"`);
    return this.with({ env: [...this.meta.env.filter(([k]) => k !== key), [key, value]] });
  }

  /** addEnv for each pair in order, in one pass (a loop of addEnv copies the list each time). */
  addEnvs(pairs: Iterable<readonly [string, string]>): State {
    const env = new Map(this.meta.env);
    for (const [key, value] of pairs) {
      if (key === "" || key.includes("=")) throw new Error(`invalid environment variable name "${key}"`);
      env.delete(key);
      env.set(key, value);
    }
    return this.with({ env: [...env] });
  }

  getEnv(key: string): string | undefined {
    return this.meta.env.find(([k]) => k === key)?.[1];
  }

  /** Sets the working directory; a relative path is joined to the current one. */
  dir(path: string): State {
    return this.with({ dir: resolvePath(this.meta.dir, path) });
  }

  getDir(): string | undefined {
    return this.meta.dir;
  }

  user(user: string): State {
    return this.with({ user });
  }

  getUser(): string | undefined {
    return this.meta.user;
  }

  platform(platform: Platform): State {
    return this.with({ platform: normalizePlatform(platform) });
  }

  getPlatform(): Platform | undefined {
    return this.meta.platform;
  }

  network(network: NetworkMode): State {
    return this.with({ network });
  }

  security(security: SecurityMode): State {
    return this.with({ security });
  }

  hostname(hostname: string): State {
    return this.with({ hostname });
  }

  /** Takes Env, WorkingDir and User from an image config, as a Dockerfile FROM does. */
  withImageConfig(config: ImageConfigLike): State {
    let s: State = this;
    for (const entry of config.Env ?? []) {
      const eq = entry.indexOf("=");
      s = eq > 0 ? s.addEnv(entry.slice(0, eq), entry.slice(eq + 1)) : s;
    }
    if (config.WorkingDir) s = s.dir(config.WorkingDir);
    if (config.User) s = s.user(config.User);
    return s;
  }

  /** Runs a process on this state's filesystem; mounts and run options apply to this run only. */
  run(options: RunOptions): ExecResult {
    return new ExecResult(new ExecVertex(this.output, this.meta, options), this.meta);
  }

  /** Applies a chain of file actions as one FileOp. */
  file(actions: FileActions, options: OpOptions = {}): State {
    if (actions.actions.length === 0) throw new Error("file(): the action chain is empty");
    return this.withOutput({
      vertex: new FileVertex(this.output, this.meta.dir, actions, options),
      index: 0,
    });
  }

  mkdir(path: string, options: MkdirOptions & OpOptions = {}): State {
    return this.file(new FileActions([]).mkdir(path, options), options);
  }

  mkfile(path: string, data: string | Uint8Array, options: MkfileOptions & OpOptions = {}): State {
    return this.file(new FileActions([]).mkfile(path, data, options), options);
  }

  copy(from: State, src: string, dest: string, options: CopyOptions & OpOptions = {}): State {
    return this.file(new FileActions([]).copy(from, src, dest, options), options);
  }

  rm(path: string, options: RmOptions & OpOptions = {}): State {
    return this.file(new FileActions([]).rm(path, options), options);
  }
}

/** The result of State.run: the root filesystem and any writable mount as new States. */
export class ExecResult {
  readonly #exec: ExecVertex;
  readonly #meta: StateMeta;

  constructor(exec: ExecVertex, meta: StateMeta) {
    this.#exec = exec;
    this.#meta = meta;
  }

  /** The root filesystem after the run, with the settings of the state run() was called on. */
  root(): State {
    return new State({ vertex: this.#exec, index: this.#exec.outputIndexOf("/") }, this.#meta);
  }

  /** The contents of a writable bind mount (or "/") after the run. */
  getMount(target: string): State {
    const platform = this.#meta.platform;
    const index = this.#exec.outputIndexOf(target);
    return new State({ vertex: this.#exec, index }, { env: [], ...(platform ? { platform } : {}) });
  }
}

export function scratch(): State {
  return new State(undefined);
}
