import { create } from "@bufbuild/protobuf";
import { OpSchema, WorkerConstraintsSchema } from "../gen/pb/ops_pb.js";
import { LlbCap } from "./caps.js";
import { normalizeImageRef } from "./image-ref.js";
import { normalizePlatform, type Platform } from "./platform.js";
import { State } from "./state.js";
import {
  goJsonStringList,
  type MarshalContext,
  type OpDraft,
  type OpOptions,
  type Output,
  sortedRecord,
  toPbPlatform,
  type Vertex,
} from "./vertex.js";

/** A SourceOp: an identifier plus attributes; image sources also pin a platform. */
export class SourceVertex implements Vertex {
  readonly kind: string;
  readonly options: OpOptions;
  readonly identifier: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly #caps: readonly string[];
  readonly #platform: Platform | undefined;

  constructor(
    kind: string,
    identifier: string,
    attrs: Readonly<Record<string, string>>,
    caps: readonly string[],
    options: OpOptions,
    platform?: Platform,
  ) {
    this.kind = kind;
    this.identifier = identifier;
    this.attrs = attrs;
    this.#caps = caps;
    this.options = options;
    this.#platform = platform;
  }

  inputs(): readonly Output[] {
    return [];
  }

  marshal(ctx: MarshalContext): OpDraft {
    const platformSpecific =
      this.identifier.startsWith("docker-image://") || this.identifier.startsWith("oci-layout://");
    const op = create(OpSchema, {
      op: { case: "source", value: { identifier: this.identifier, attrs: sortedRecord(this.attrs) } },
      ...(platformSpecific ? { platform: toPbPlatform(this.#platform ?? ctx.platform) } : {}),
      constraints: create(WorkerConstraintsSchema, {}),
    });
    return { op, caps: this.#caps };
  }
}

function sourceState(vertex: SourceVertex, platform?: Platform): State {
  return new State({ vertex, index: 0 }, { env: [], ...(platform ? { platform } : {}) });
}

export type ResolveMode = "default" | "pull" | "local";

export interface ImageOptions extends OpOptions {
  /** Pins the image's platform; later runs on the state inherit it. */
  platform?: Platform;
  resolveMode?: ResolveMode;
  /** Only the first N layers (cap source.image.layerlimit, BuildKit v0.11+). */
  layerLimit?: number;
  /** "internal" hides the image from build history. */
  recordType?: string;
}

const RESOLVE_MODE_ATTR: Record<ResolveMode, string> = { default: "default", pull: "pull", local: "local" };

/** A registry image; the reference is normalized ("python:3.12" → "docker.io/library/python:3.12"). */
export function image(ref: string, options: ImageOptions = {}): State {
  const attrs: Record<string, string> = {};
  const caps: string[] = [LlbCap.sourceImage];
  if (options.resolveMode && options.resolveMode !== "default") {
    attrs["image.resolvemode"] = RESOLVE_MODE_ATTR[options.resolveMode];
    // BuildKit's client only demands the cap for pull, where it is a security promise.
    if (options.resolveMode === "pull") caps.push(LlbCap.sourceImageResolveMode);
  }
  if (options.recordType) attrs["image.recordtype"] = options.recordType;
  if (options.layerLimit !== undefined) {
    attrs["image.layerlimit"] = String(options.layerLimit);
    caps.push(LlbCap.sourceImageLayerLimit);
  }
  const platform = options.platform ? normalizePlatform(options.platform) : undefined;
  const vertex = new SourceVertex(
    "image",
    `docker-image://${normalizeImageRef(ref)}`,
    attrs,
    caps,
    options,
    platform,
  );
  return sourceState(vertex, platform);
}

export interface LocalOptions extends OpOptions {
  /** The client session that serves the files; BuildKit uses the build's own session when absent. */
  sessionId?: string;
  /** Distinguishes otherwise equal local sources when no session is given. */
  uniqueId?: string;
  includePatterns?: readonly string[];
  excludePatterns?: readonly string[];
  /** Only these paths (and what symlinks in them point to) are transferred. */
  followPaths?: readonly string[];
  /** Lets equal transfers under different names share a cache. */
  sharedKeyHint?: string;
  /** How changed files are detected; `required` demands cap source.local.differ (v0.9+). */
  differ?: { type: "none" | "metadata"; required?: boolean };
}

/** Files from the client, by the name the client registered ("context", "dockerfile"). */
export function local(name: string, options: LocalOptions = {}): State {
  const attrs: Record<string, string> = {};
  const caps: string[] = [LlbCap.sourceLocal];
  if (options.sessionId) {
    attrs["local.session"] = options.sessionId;
    caps.push(LlbCap.sourceLocalSessionId);
  } else if (options.uniqueId) {
    attrs["local.unique"] = options.uniqueId;
    caps.push(LlbCap.sourceLocalUnique);
  }
  if (options.includePatterns?.length) {
    attrs["local.includepattern"] = goJsonStringList(options.includePatterns);
    caps.push(LlbCap.sourceLocalIncludePatterns);
  }
  if (options.followPaths?.length) {
    attrs["local.followpaths"] = goJsonStringList(options.followPaths);
    caps.push(LlbCap.sourceLocalFollowPaths);
  }
  if (options.excludePatterns?.length) {
    attrs["local.excludepatterns"] = goJsonStringList(options.excludePatterns);
    caps.push(LlbCap.sourceLocalExcludePatterns);
  }
  if (options.sharedKeyHint) {
    attrs["local.sharedkeyhint"] = options.sharedKeyHint;
    caps.push(LlbCap.sourceLocalSharedKeyHint);
  }
  if (options.differ) {
    attrs["local.differ"] = options.differ.type;
    if (options.differ.required) caps.push(LlbCap.sourceLocalDiffer);
  }
  return sourceState(new SourceVertex("local", `local://${name}`, attrs, caps, options));
}

export interface GitOptions extends OpOptions {
  keepGitDir?: boolean;
  /** Secret IDs holding a token or a full Authorization header for HTTP remotes. */
  authTokenSecret?: string;
  authHeaderSecret?: string;
  /** known_hosts lines for SSH remotes. */
  knownSshHosts?: string;
  /** SSH agent socket ID for SSH remotes; default "default". */
  mountSshSock?: string;
}

interface GitRemote {
  scheme: "https" | "http" | "ssh" | "git";
  host: string;
  path: string;
}

function parseGitRemote(url: string): GitRemote {
  const scp = /^(?:[\w.-]+@)?([\w.-]+):(?!\/\/)(.+)$/.exec(url);
  if (scp && !/^[a-z]+:\/\//.test(url)) return { scheme: "ssh", host: scp[1]!, path: scp[2]! };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`invalid git URL "${url}"`);
  }
  const scheme = u.protocol.slice(0, -1);
  if (scheme !== "https" && scheme !== "http" && scheme !== "ssh" && scheme !== "git") {
    throw new Error(`unsupported git URL scheme "${scheme}" in "${url}"`);
  }
  return { scheme, host: u.host, path: decodeURIComponent(u.pathname) };
}

/** A git repository at `ref` (branch, tag or commit). URLs without a scheme get https://. */
export function git(url: string, ref: string, options: GitOptions = {}): State {
  if (url.includes("#")) throw new Error(`git URL "${url}" must not contain "#": pass the ref separately`);
  const isScp = /^(?:[\w.-]+@)?[\w.-]+:(?!\/\/)/.test(url) && !/^[a-z]+:\/\//.test(url);
  const full = isScp || /^[a-z]+:\/\//.test(url) ? url : `https://${url}`;
  const remote = parseGitRemote(full);
  const path = `/${remote.path}`.replace(/\/+/g, "/").replace(/\/$/, "");
  const id = `${remote.host}${path}${ref ? `#${ref}` : ""}`;
  const attrs: Record<string, string> = {};
  const caps: string[] = [LlbCap.sourceGit];
  if (options.keepGitDir) {
    attrs["git.keepgitdir"] = "true";
    caps.push(LlbCap.sourceGitKeepDir);
  }
  attrs["git.fullurl"] = full;
  caps.push(LlbCap.sourceGitFullUrl);
  attrs["git.authtokensecret"] = options.authTokenSecret ?? "GIT_AUTH_TOKEN";
  attrs["git.authheadersecret"] = options.authHeaderSecret ?? "GIT_AUTH_HEADER";
  if (options.authTokenSecret !== undefined || options.authHeaderSecret !== undefined)
    caps.push(LlbCap.sourceGitHttpAuth);
  if (remote.scheme === "ssh") {
    if (options.knownSshHosts) attrs["git.knownsshhosts"] = `${options.knownSshHosts.replace(/\n$/, "")}\n`;
    caps.push(LlbCap.sourceGitKnownSshHosts);
    attrs["git.mountsshsock"] = options.mountSshSock || "default";
    caps.push(LlbCap.sourceGitMountSshSock);
  }
  return sourceState(new SourceVertex("git", `git://${id}`, attrs, caps, options));
}

export interface HttpOptions extends OpOptions {
  /** Expected digest of the download, "sha256:…". */
  checksum?: string;
  filename?: string;
  /** Permission bits of the downloaded file. */
  perm?: number;
  uid?: number;
  gid?: number;
}

/** A file downloaded over HTTP(S). */
export function http(url: string, options: HttpOptions = {}): State {
  if (!/^https?:\/\//.test(url)) throw new Error(`http source "${url}" must start with http:// or https://`);
  const attrs: Record<string, string> = {};
  const caps: string[] = [LlbCap.sourceHttp];
  if (options.checksum) {
    if (!/^sha256:[0-9a-f]{64}$/.test(options.checksum)) {
      throw new Error(`invalid checksum "${options.checksum}": expected sha256:<64 hex digits>`);
    }
    attrs["http.checksum"] = options.checksum;
    caps.push(LlbCap.sourceHttpChecksum);
  }
  if (options.filename) attrs["http.filename"] = options.filename;
  if (options.perm) {
    attrs["http.perm"] = `0${(options.perm & 0o777).toString(8)}`;
    caps.push(LlbCap.sourceHttpPerm);
  }
  if (options.uid) {
    attrs["http.uid"] = String(options.uid);
    caps.push(LlbCap.sourceHttpUidGid);
  }
  if (options.gid) {
    attrs["http.gid"] = String(options.gid);
    caps.push(LlbCap.sourceHttpUidGid);
  }
  return sourceState(new SourceVertex("http", url, attrs, caps, options));
}
