import { create } from "@bufbuild/protobuf";
import {
  type ChownOpt,
  ChownOptSchema,
  FileActionCopySchema,
  FileActionMkDirSchema,
  FileActionMkFileSchema,
  FileActionRmSchema,
  FileActionSchema,
  type Input,
  OpSchema,
  type FileAction as PbFileAction,
  type UserOpt,
  UserOptSchema,
  WorkerConstraintsSchema,
} from "../gen/pb/ops_pb.js";
import { LlbCap } from "./caps.js";
import { resolveDestPath, resolvePath } from "./paths.js";
import type { State } from "./state.js";
import {
  addInput,
  type MarshalContext,
  type OpDraft,
  type OpOptions,
  type Output,
  type Vertex,
} from "./vertex.js";

/** A user or group by name (resolved in the target's /etc/passwd, /etc/group) or by number. */
export type UserRef = string | number;

export interface Owner {
  user: UserRef;
  group?: UserRef;
}

/** A creation time stamped on new files: a Date, or nanoseconds since the epoch. */
export type CreatedTime = Date | bigint;

export interface MkdirOptions {
  /** Permission bits; default 0o755. */
  mode?: number;
  makeParents?: boolean;
  owner?: Owner;
  createdTime?: CreatedTime;
}

export interface MkfileOptions {
  /** Permission bits; default 0o644. */
  mode?: number;
  owner?: Owner;
  createdTime?: CreatedTime;
}

export interface RmOptions {
  allowNotFound?: boolean;
  allowWildcard?: boolean;
}

export interface CopyOptions {
  owner?: Owner;
  /** Permission bits for copied files; default keeps the source's. */
  mode?: number;
  followSymlinks?: boolean;
  /** Copy a directory's contents rather than the directory itself. */
  copyDirContentsOnly?: boolean;
  /** Unpack archives like Dockerfile ADD does. */
  attemptUnpack?: boolean;
  createDestPath?: boolean;
  allowWildcard?: boolean;
  allowEmptyWildcard?: boolean;
  /** Filters inside the copied tree (cap file.copy.includeexcludepatterns, BuildKit v0.9+). */
  includePatterns?: readonly string[];
  excludePatterns?: readonly string[];
  createdTime?: CreatedTime;
}

type Action =
  | { kind: "mkdir"; path: string; options: MkdirOptions }
  | { kind: "mkfile"; path: string; data: Uint8Array; options: MkfileOptions }
  | { kind: "rm"; path: string; options: RmOptions }
  | {
      kind: "copy";
      from: Output | undefined;
      fromDir: string | undefined;
      src: string;
      dest: string;
      options: CopyOptions;
    };

/**
 * An immutable chain of file actions. State.file(chain) turns the whole chain into one FileOp,
 * each action working on the result of the previous one.
 */
export class FileActions {
  readonly actions: readonly Action[];

  constructor(actions: readonly Action[]) {
    this.actions = actions;
  }

  mkdir(path: string, options: MkdirOptions = {}): FileActions {
    return new FileActions([...this.actions, { kind: "mkdir", path, options }]);
  }

  mkfile(path: string, data: string | Uint8Array, options: MkfileOptions = {}): FileActions {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    return new FileActions([...this.actions, { kind: "mkfile", path, data: bytes, options }]);
  }

  rm(path: string, options: RmOptions = {}): FileActions {
    return new FileActions([...this.actions, { kind: "rm", path, options }]);
  }

  /** Copies `src` (relative to `from`'s working directory) to `dest` (relative to the target's). */
  copy(from: State, src: string, dest: string, options: CopyOptions = {}): FileActions {
    const action: Action = { kind: "copy", from: from.output, fromDir: from.getDir(), src, dest, options };
    return new FileActions([...this.actions, action]);
  }
}

export function mkdir(path: string, options: MkdirOptions = {}): FileActions {
  return new FileActions([]).mkdir(path, options);
}

export function mkfile(path: string, data: string | Uint8Array, options: MkfileOptions = {}): FileActions {
  return new FileActions([]).mkfile(path, data, options);
}

export function rm(path: string, options: RmOptions = {}): FileActions {
  return new FileActions([]).rm(path, options);
}

export function copy(from: State, src: string, dest: string, options: CopyOptions = {}): FileActions {
  return new FileActions([]).copy(from, src, dest, options);
}

function timestamp(t: CreatedTime | undefined): bigint {
  if (t === undefined) return -1n;
  return typeof t === "bigint" ? t : BigInt(t.getTime()) * 1_000_000n;
}

function userOpt(ref: UserRef, base: bigint): UserOpt {
  if (typeof ref === "number") {
    if (!Number.isInteger(ref) || ref < 0) throw new Error(`invalid user or group id ${ref}`);
    return create(UserOptSchema, { user: { case: "byID", value: ref } });
  }
  return create(UserOptSchema, { user: { case: "byName", value: { name: ref, input: base } } });
}

function chown(owner: Owner | undefined, base: bigint): ChownOpt | undefined {
  if (owner === undefined) return undefined;
  return create(ChownOptSchema, {
    user: userOpt(owner.user, base),
    ...(owner.group !== undefined ? { group: userOpt(owner.group, base) } : {}),
  });
}

/** A FileOp: a chain of actions applied to one state (the base), possibly copying from others. */
export class FileVertex implements Vertex {
  readonly kind = "file";
  readonly options: OpOptions;
  readonly #base: Output | undefined;
  readonly #dir: string | undefined;
  readonly #chain: FileActions;

  constructor(base: Output | undefined, dir: string | undefined, chain: FileActions, options: OpOptions) {
    this.#base = base;
    this.#dir = dir;
    this.#chain = chain;
    this.options = options;
  }

  inputs(): readonly Output[] {
    const out: Output[] = [];
    for (const a of this.#chain.actions) {
      if (this.#base) out.push(this.#base);
      if (a.kind === "copy" && a.from) out.push(a.from);
    }
    return out;
  }

  marshal(ctx: MarshalContext): OpDraft {
    const caps = new Set<string>([LlbCap.fileBase]);
    const inputs: Input[] = [];
    // Inputs are collected first: relative action indexes count from len(inputs).
    const slots = this.#chain.actions.map((a) => ({
      base: this.#base ? addInput(inputs, ctx, this.#base) : -1n,
      secondary: a.kind === "copy" && a.from ? addInput(inputs, ctx, a.from) : -1n,
    }));
    const n = BigInt(inputs.length);
    const last = this.#chain.actions.length - 1;
    const actions: PbFileAction[] = this.#chain.actions.map((a, i) => {
      const { base, secondary } = slots[i]!;
      const fa = create(FileActionSchema, {
        input: i === 0 ? base : n + BigInt(i - 1),
        secondaryInput: secondary,
        output: i === last ? 0n : -1n,
      });
      switch (a.kind) {
        case "mkdir":
          fa.action = {
            case: "mkdir",
            value: create(FileActionMkDirSchema, {
              path: resolvePath(this.#dir, a.path),
              mode: (a.options.mode ?? 0o755) & 0o777,
              makeParents: a.options.makeParents === true,
              owner: chown(a.options.owner, base),
              timestamp: timestamp(a.options.createdTime),
            }),
          };
          break;
        case "mkfile":
          fa.action = {
            case: "mkfile",
            value: create(FileActionMkFileSchema, {
              path: resolvePath(this.#dir, a.path),
              mode: (a.options.mode ?? 0o644) & 0o777,
              data: a.data,
              owner: chown(a.options.owner, base),
              timestamp: timestamp(a.options.createdTime),
            }),
          };
          break;
        case "rm":
          if (a.options.allowWildcard) caps.add(LlbCap.fileRmWildcard);
          fa.action = {
            case: "rm",
            value: create(FileActionRmSchema, {
              path: resolvePath(this.#dir, a.path),
              allowNotFound: a.options.allowNotFound === true,
              allowWildcard: a.options.allowWildcard === true,
            }),
          };
          break;
        case "copy": {
          const o = a.options;
          const include = [...(o.includePatterns ?? [])];
          const exclude = [...(o.excludePatterns ?? [])];
          if (include.length > 0 || exclude.length > 0) caps.add(LlbCap.fileCopyIncludeExcludePatterns);
          fa.action = {
            case: "copy",
            value: create(FileActionCopySchema, {
              src: resolvePath(a.fromDir, a.src),
              dest: resolveDestPath(this.#dir, a.dest),
              owner: chown(o.owner, base),
              mode: o.mode !== undefined ? o.mode : -1,
              followSymlink: o.followSymlinks === true,
              dirCopyContents: o.copyDirContentsOnly === true,
              attemptUnpackDockerCompatibility: o.attemptUnpack === true,
              createDestPath: o.createDestPath === true,
              allowWildcard: o.allowWildcard === true,
              allowEmptyWildcard: o.allowEmptyWildcard === true,
              timestamp: timestamp(o.createdTime),
              includePatterns: include,
              excludePatterns: exclude,
            }),
          };
          break;
        }
      }
      return fa;
    });
    const op = create(OpSchema, {
      inputs,
      op: { case: "file", value: { actions } },
      constraints: create(WorkerConstraintsSchema, {}),
    });
    return { op, caps: [...caps] };
  }
}
