import { splitImageRef } from "../buildkit/llb/image-ref.js";

/** The upstream image a version starts from, pinned by its manifest (or index) digest. */
export interface BaseImage {
  /** The reference without digest, e.g. "python:3.13-slim". */
  readonly ref: string;
  /** "sha256:<64 hex digits>". */
  readonly digest: string;
}

/** A user or group, by name (resolved in the image's /etc/passwd and /etc/group) or by id. */
export interface FileOwner {
  readonly user: string | number;
  readonly group?: string | number;
}

export type CacheSharing = "shared" | "private" | "locked";

export interface CacheMount {
  readonly path: string;
  /** The cache's name: runs of any build that name it share its contents. */
  readonly id: string;
  readonly sharing: CacheSharing;
}

/** One step of a container definition, in the order it was written. Plain data: it is digested. */
export type ContainerStep =
  | { readonly kind: "exec"; readonly args: readonly string[]; readonly caches: readonly CacheMount[] }
  | { readonly kind: "env"; readonly name: string; readonly value: string }
  | {
      readonly kind: "file";
      readonly path: string;
      readonly contents: string;
      readonly mode: number;
      readonly owner?: FileOwner;
    }
  | {
      readonly kind: "directory";
      readonly path: string;
      /** Relative path → contents; files are 0644, folders 0755. */
      readonly files: readonly (readonly [string, string])[];
      readonly owner?: FileOwner;
    }
  | { readonly kind: "user"; readonly user: string }
  | { readonly kind: "workdir"; readonly path: string }
  | { readonly kind: "label"; readonly name: string; readonly value: string }
  | { readonly kind: "entrypoint"; readonly args: readonly string[] }
  | { readonly kind: "cmd"; readonly args: readonly string[] };

export class ContainerDefinitionError extends Error {
  readonly code = "IMAGES_BAD_DEFINITION";
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OWNER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const CACHE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function fail(message: string): never {
  throw new ContainerDefinitionError(message);
}

/** Parses "name[:tag]@sha256:…"; the digest is required, so the base never moves under a version. */
export function parseBaseImage(reference: string): BaseImage {
  let parts: ReturnType<typeof splitImageRef>;
  try {
    parts = splitImageRef(reference);
  } catch (error) {
    fail((error as Error).message);
  }
  if (parts.digest === undefined || !DIGEST.test(parts.digest))
    fail(
      `the base image "${reference}" is not pinned: write it as NAME:TAG@sha256:<digest> (docker buildx imagetools inspect NAME:TAG prints the digest)`,
    );
  const at = reference.lastIndexOf("@");
  return { ref: reference.slice(0, at), digest: parts.digest };
}

function absolute(path: string, what: string): string {
  if (!path.startsWith("/")) fail(`${what} "${path}" must be an absolute path`);
  if (path.split("/").some((part) => part === ".." || part === "."))
    fail(`${what} "${path}" must not hold "." or ".." components`);
  if (/[\0\r\n]/.test(path)) fail(`${what} ${JSON.stringify(path)} holds a control character`);
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

function argv(args: readonly string[], what: string): readonly string[] {
  if (!Array.isArray(args) || args.some((a) => typeof a !== "string"))
    fail(`${what} takes an argv: an array of strings`);
  return Object.freeze([...args]);
}

function owner(value: FileOwner | undefined): FileOwner | undefined {
  if (value === undefined) return undefined;
  for (const part of [value.user, value.group]) {
    if (part === undefined) continue;
    if (typeof part === "number" ? !Number.isInteger(part) || part < 0 : !OWNER_NAME.test(part))
      fail(`owner ${JSON.stringify(part)}: a user or group is a name of letters, digits, _ . - or a number`);
  }
  return Object.freeze({ ...value });
}

/**
 * An immutable container definition, in the spirit of Dagger's Container: every with* returns a
 * new Container. It is data (the base and its steps), compiled to LLB by compileContainer and
 * written as a Dockerfile by renderContainerDockerfile, so the two never drift.
 */
export class Container {
  readonly base: BaseImage;
  readonly steps: readonly ContainerStep[];
  /** Caches mounted for the execs that follow (not a step: nothing of them stays in the image). */
  readonly caches: readonly CacheMount[];

  private constructor(base: BaseImage, steps: readonly ContainerStep[], caches: readonly CacheMount[]) {
    this.base = base;
    this.steps = steps;
    this.caches = caches;
    Object.freeze(this);
  }

  /** A container on a pinned upstream image: "python:3.13-slim@sha256:…". */
  static from(reference: string | BaseImage): Container {
    const base =
      typeof reference === "string"
        ? parseBaseImage(reference)
        : parseBaseImage(`${reference.ref}@${reference.digest}`);
    return new Container(Object.freeze(base), Object.freeze([]), Object.freeze([]));
  }

  #with(step: ContainerStep): Container {
    return new Container(this.base, Object.freeze([...this.steps, Object.freeze(step)]), this.caches);
  }

  /** Runs a program (argv, no shell unless you name one) with the caches mounted so far. */
  withExec(args: readonly string[]): Container {
    const checked = argv(args, "withExec");
    if (checked.length === 0) fail("withExec needs a program to run");
    return this.#with({ kind: "exec", args: checked, caches: this.caches });
  }

  withEnv(name: string, value: string): Container {
    if (!ENV_NAME.test(name))
      fail(`environment variable name ${JSON.stringify(name)}: letters, digits and _ only`);
    if (typeof value !== "string") fail(`withEnv(${name}) takes a string value`);
    return this.#with({ kind: "env", name, value });
  }

  /** Mounts a build cache at `path` for every later withExec; it is not part of the image. */
  withMountedCache(path: string, id: string, options: { sharing?: CacheSharing } = {}): Container {
    const target = absolute(path, "cache path");
    if (!CACHE_ID.test(id)) fail(`cache id ${JSON.stringify(id)}: letters, digits, _ . - only`);
    const cache: CacheMount = Object.freeze({ path: target, id, sharing: options.sharing ?? "locked" });
    return new Container(
      this.base,
      this.steps,
      Object.freeze([...this.caches.filter((c) => c.path !== target), cache]),
    );
  }

  /** Writes a file; mode 0o644 or 0o755 (what a Dockerfile can say), owner root unless given. */
  withFile(path: string, contents: string, options: { mode?: number; owner?: FileOwner } = {}): Container {
    const mode = options.mode ?? 0o644;
    if (mode !== 0o644 && mode !== 0o755)
      fail(
        `withFile(${path}): mode ${mode.toString(8)}: use 0o644 or 0o755 (a Dockerfile COPY keeps only these through git)`,
      );
    const o = owner(options.owner);
    return this.#with({
      kind: "file",
      path: absolute(path, "file path"),
      contents,
      mode,
      ...(o ? { owner: o } : {}),
    });
  }

  /** Writes a folder of files (relative path → contents) at `path`. */
  withDirectory(
    path: string,
    files: Readonly<Record<string, string>>,
    options: { owner?: FileOwner } = {},
  ): Container {
    const entries = Object.keys(files)
      .sort()
      .map((name) => {
        absolute(`/${name}`, "file name in withDirectory");
        if (name === "" || name.startsWith("/") || name.endsWith("/"))
          fail(`withDirectory: bad file name "${name}"`);
        return Object.freeze([name, files[name]!] as const);
      });
    const o = owner(options.owner);
    return this.#with({
      kind: "directory",
      path: absolute(path, "directory path"),
      files: Object.freeze(entries),
      ...(o ? { owner: o } : {}),
    });
  }

  withUser(user: string): Container {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*(?::[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/.test(user))
      fail(`user ${JSON.stringify(user)}: NAME, UID, or NAME:GROUP`);
    return this.#with({ kind: "user", user });
  }

  withWorkdir(path: string): Container {
    return this.#with({ kind: "workdir", path: absolute(path, "workdir") });
  }

  withLabel(name: string, value: string): Container {
    if (name === "" || /[\0\r\n]/.test(name))
      fail(`label name ${JSON.stringify(name)} is empty or holds a line break`);
    return this.#with({ kind: "label", name, value });
  }

  /** Sets the entrypoint; as in a Dockerfile, this drops a CMD inherited from the base. */
  withEntrypoint(args: readonly string[]): Container {
    return this.#with({ kind: "entrypoint", args: argv(args, "withEntrypoint") });
  }

  /** The default arguments (CMD). */
  withDefaultArgs(args: readonly string[]): Container {
    return this.#with({ kind: "cmd", args: argv(args, "withDefaultArgs") });
  }
}
