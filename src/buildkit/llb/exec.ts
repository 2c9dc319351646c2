import { create } from "@bufbuild/protobuf";
import {
  CacheOptSchema,
  CacheSharingOpt,
  type Input,
  MountSchema,
  MountType,
  NetMode,
  OpSchema,
  type Mount as PbMount,
  SecurityMode as PbSecurityMode,
  SecretEnvSchema,
  TmpfsOptSchema,
  WorkerConstraintsSchema,
} from "../gen/pb/ops_pb.js";
import { LlbCap } from "./caps.js";
import { cleanPath, resolvePath } from "./paths.js";
import type { NetworkMode, SecurityMode, State, StateMeta } from "./state.js";
import {
  addInput,
  type MarshalContext,
  type OpDraft,
  type OpOptions,
  type Output,
  toPbPlatform,
  type Vertex,
} from "./vertex.js";

export type CacheSharing = "shared" | "private" | "locked";

/** A mount for one run. Targets are absolute paths inside the container. */
export type RunMount =
  | {
      type: "bind";
      target: string;
      source: State;
      selector?: string;
      readonly?: boolean;
      /**
       * Writable, but the writes are thrown away (Go's llb.ForceNoOutput). BuildKit then still
       * hashes the source by content, so the run's cache survives a new session, as a
       * Dockerfile's `RUN --mount=type=bind,rw` does.
       */
      noOutput?: boolean;
    }
  | { type: "cache"; target: string; id: string; sharing?: CacheSharing }
  | { type: "tmpfs"; target: string; size?: number }
  | {
      type: "secret";
      target: string;
      id: string;
      uid?: number;
      gid?: number;
      mode?: number;
      optional?: boolean;
    }
  | {
      type: "ssh";
      target?: string;
      id?: string;
      uid?: number;
      gid?: number;
      mode?: number;
      optional?: boolean;
    };

/** A secret exposed as an environment variable (BuildKit v0.10+, cap exec.secretenv). */
export interface SecretEnv {
  name: string;
  id: string;
  optional?: boolean;
}

export interface RunOptions extends OpOptions {
  /** The argv, exec form. Nothing is passed through a shell unless args say so. */
  args: readonly string[];
  /** Added to the state's environment for this run; keys are applied in sorted order. */
  env?: Readonly<Record<string, string>>;
  /** Working directory for this run, relative to the state's. */
  cwd?: string;
  user?: string;
  network?: NetworkMode;
  security?: SecurityMode;
  hostname?: string;
  mounts?: readonly RunMount[];
  secretEnv?: readonly SecretEnv[];
  /** Mount the root filesystem read-only; the run then has no root output. */
  readonlyRootfs?: boolean;
}

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** A filesystem mount (root, bind, cache, tmpfs) with its output slot fixed at construction. */
interface FsMount {
  target: string;
  source: Output | undefined;
  selector: string;
  readonly: boolean;
  cache?: { id: string; sharing: CacheSharing };
  tmpfsSize?: number;
  noOutput?: boolean;
  output: number;
}

type SecretMount = Extract<RunMount, { type: "secret" }>;
type SshMount = Extract<RunMount, { type: "ssh" }> & { target: string };

function absoluteTarget(target: string): string {
  if (!target.startsWith("/")) throw new Error(`mount target "${target}" must be an absolute path`);
  return cleanPath(target);
}

/** An ExecOp: one process run with its mounts. */
export class ExecVertex implements Vertex {
  readonly kind = "exec";
  readonly options: OpOptions;
  readonly #meta: StateMeta;
  readonly #run: RunOptions;
  readonly #fsMounts: FsMount[];
  readonly #secrets: SecretMount[];
  readonly #ssh: SshMount[];

  constructor(root: Output | undefined, meta: StateMeta, run: RunOptions) {
    if (run.args.length === 0) throw new Error("run(): args must name a program");
    this.#meta = meta;
    this.#run = run;
    this.options = run;
    const fs: Omit<FsMount, "output">[] = [
      { target: "/", source: root, selector: "", readonly: run.readonlyRootfs === true },
    ];
    this.#secrets = [];
    this.#ssh = [];
    const targets = new Set<string>(["/"]);
    const claim = (target: string): string => {
      const t = absoluteTarget(target);
      if (targets.has(t)) throw new Error(`run(): two mounts target "${t}"`);
      targets.add(t);
      return t;
    };
    for (const m of run.mounts ?? []) {
      switch (m.type) {
        case "bind":
          fs.push({
            target: claim(m.target),
            source: m.source.output,
            selector: m.selector ?? "",
            readonly: m.readonly === true,
            ...(m.noOutput ? { noOutput: true } : {}),
          });
          break;
        case "cache":
          fs.push({
            target: claim(m.target),
            source: undefined,
            selector: "",
            readonly: false,
            cache: { id: m.id, sharing: m.sharing ?? "shared" },
          });
          break;
        case "tmpfs":
          fs.push({
            target: claim(m.target),
            source: undefined,
            selector: "",
            readonly: false,
            tmpfsSize: m.size ?? 0,
          });
          break;
        case "secret":
          this.#secrets.push({ ...m, target: claim(m.target) });
          break;
        case "ssh": {
          const target = claim(m.target ?? `/run/buildkit/ssh_agent.${this.#ssh.length}`);
          this.#ssh.push({ ...m, target });
          break;
        }
      }
    }
    // BuildKit's client sorts filesystem mounts by target; outputs are numbered in that order.
    fs.sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
    let next = 0;
    this.#fsMounts = fs.map((m) => ({
      ...m,
      output: m.readonly || m.noOutput || m.cache !== undefined || m.tmpfsSize !== undefined ? -1 : next++,
    }));
  }

  /** The output index of a writable mount; throws for mounts that produce no output. */
  outputIndexOf(target: string): number {
    const t = absoluteTarget(target);
    const m = this.#fsMounts.find((x) => x.target === t);
    if (m === undefined) throw new Error(`run has no mount at "${t}"`);
    if (m.output < 0) throw new Error(`the mount at "${t}" is read-only, a cache or tmpfs: it has no output`);
    return m.output;
  }

  inputs(): readonly Output[] {
    return this.#fsMounts.flatMap((m) => (m.source ? [m.source] : []));
  }

  marshal(ctx: MarshalContext): OpDraft {
    const run = this.#run;
    const caps = new Set<string>([LlbCap.execMetaBase]);
    let env = [...this.#meta.env];
    for (const key of Object.keys(run.env ?? {}).sort()) {
      env = [...env.filter(([k]) => k !== key), [key, run.env?.[key] ?? ""]];
    }
    const ssh = this.#ssh;
    if (ssh.length > 0 && !env.some(([k]) => k === "SSH_AUTH_SOCK"))
      env.push(["SSH_AUTH_SOCK", ssh[0]!.target]);
    if (ctx.caps !== undefined) {
      // Engines that do not default PATH themselves get the Linux default, as BuildKit's client does.
      if (ctx.caps.llb.has(LlbCap.execMetaSetsDefaultPath)) caps.add(LlbCap.execMetaSetsDefaultPath);
      else if (!env.some(([k]) => k === "PATH")) env.push(["PATH", DEFAULT_PATH]);
    }
    const dir = this.#meta.dir;
    // An unset directory is the root, as in BuildKit's Go client: runc refuses an empty Cwd.
    const cwd = run.cwd !== undefined ? resolvePath(dir, run.cwd) : dir || "/";
    const network = run.network ?? this.#meta.network ?? "sandbox";
    const security = run.security ?? this.#meta.security ?? "sandbox";
    if (network !== "sandbox") caps.add(LlbCap.execMetaNetwork);
    if (security !== "sandbox") caps.add(LlbCap.execMetaSecurity);

    const inputs: Input[] = [];
    const mounts: PbMount[] = [];
    for (const m of this.#fsMounts) {
      if (m.selector !== "") caps.add(LlbCap.execMountSelector);
      const pm = create(MountSchema, {
        input: m.source ? addInput(inputs, ctx, m.source) : -1n,
        selector: m.selector,
        dest: m.target,
        output: BigInt(m.output),
        readonly: m.readonly,
      });
      if (m.cache) {
        caps.add(LlbCap.execMountCache).add(LlbCap.execMountCacheSharing);
        pm.mountType = MountType.CACHE;
        pm.cacheOpt = create(CacheOptSchema, { ID: m.cache.id, sharing: SHARING[m.cache.sharing] });
      } else if (m.tmpfsSize !== undefined) {
        caps.add(LlbCap.execMountTmpfs);
        if (m.tmpfsSize > 0) caps.add(LlbCap.execMountTmpfsSize);
        pm.mountType = MountType.TMPFS;
        pm.TmpfsOpt = create(TmpfsOptSchema, { size: BigInt(m.tmpfsSize) });
      } else if (m.source) {
        caps.add(LlbCap.execMountBind);
      }
      mounts.push(pm);
    }
    for (const s of this.#secrets) {
      caps.add(LlbCap.execMountSecret);
      mounts.push(
        create(MountSchema, {
          dest: s.target,
          mountType: MountType.SECRET,
          secretOpt: {
            ID: s.id,
            uid: s.uid ?? 0,
            gid: s.gid ?? 0,
            mode: s.mode ?? 0o400,
            optional: s.optional === true,
          },
        }),
      );
    }
    for (const s of ssh) {
      caps.add(LlbCap.execMountSsh);
      mounts.push(
        create(MountSchema, {
          dest: s.target,
          mountType: MountType.SSH,
          SSHOpt: {
            ID: s.id ?? "default",
            uid: s.uid ?? 0,
            gid: s.gid ?? 0,
            mode: s.mode ?? 0o600,
            optional: s.optional === true,
          },
        }),
      );
    }
    const secretenv = (run.secretEnv ?? []).map((s) =>
      create(SecretEnvSchema, { ID: s.id, name: s.name, optional: s.optional === true }),
    );
    if (secretenv.length > 0) caps.add(LlbCap.execMountSecret).add(LlbCap.execSecretEnv);

    const op = create(OpSchema, {
      inputs,
      op: {
        case: "exec",
        value: {
          meta: {
            args: [...run.args],
            env: env.map(([k, v]) => `${k}=${v}`),
            cwd,
            user: run.user ?? this.#meta.user ?? "",
            hostname: run.hostname ?? this.#meta.hostname ?? "",
            removeMountStubsRecursive: true,
          },
          mounts,
          network: NETWORK[network],
          security: SECURITY[security],
          secretenv,
        },
      },
      platform: toPbPlatform(this.#meta.platform ?? ctx.platform),
      constraints: create(WorkerConstraintsSchema, {}),
    });
    return { op, caps: [...caps] };
  }
}

const SHARING: Record<CacheSharing, CacheSharingOpt> = {
  shared: CacheSharingOpt.SHARED,
  private: CacheSharingOpt.PRIVATE,
  locked: CacheSharingOpt.LOCKED,
};
const NETWORK: Record<NetworkMode, NetMode> = {
  sandbox: NetMode.UNSET,
  host: NetMode.HOST,
  none: NetMode.NONE,
};
const SECURITY: Record<SecurityMode, PbSecurityMode> = {
  sandbox: PbSecurityMode.SANDBOX,
  insecure: PbSecurityMode.INSECURE,
};
