import type { APICap } from "../gen/moby/buildkit/v1/apicaps/caps_pb.js";

/** LLB capability IDs this module may require (names exactly as BuildKit spells them). */
export const LlbCap = {
  sourceImage: "source.image",
  sourceImageResolveMode: "source.image.resolvemode",
  sourceImageLayerLimit: "source.image.layerlimit",
  sourceLocal: "source.local",
  sourceLocalUnique: "source.local.unique",
  sourceLocalSessionId: "source.local.sessionid",
  sourceLocalIncludePatterns: "source.local.includepatterns",
  sourceLocalFollowPaths: "source.local.followpaths",
  sourceLocalExcludePatterns: "source.local.excludepatterns",
  sourceLocalSharedKeyHint: "source.local.sharedkeyhint",
  sourceLocalDiffer: "source.local.differ",
  sourceGit: "source.git",
  sourceGitKeepDir: "source.git.keepgitdir",
  sourceGitFullUrl: "source.git.fullurl",
  sourceGitHttpAuth: "source.git.httpauth",
  sourceGitKnownSshHosts: "source.git.knownsshhosts",
  sourceGitMountSshSock: "source.git.mountsshsock",
  sourceHttp: "source.http",
  sourceHttpChecksum: "source.http.checksum",
  sourceHttpPerm: "source.http.perm",
  // BuildKit's own spelling, typo included.
  sourceHttpUidGid: "soruce.http.uidgid",
  execMetaBase: "exec.meta.base",
  execMetaNetwork: "exec.meta.network",
  execMetaSecurity: "exec.meta.security",
  execMetaSetsDefaultPath: "exec.meta.setsdefaultpath",
  execMountBind: "exec.mount.bind",
  execMountCache: "exec.mount.cache",
  execMountCacheSharing: "exec.mount.cache.sharing",
  execMountSelector: "exec.mount.selector",
  execMountTmpfs: "exec.mount.tmpfs",
  execMountTmpfsSize: "exec.mount.tmpfs.size",
  execMountSecret: "exec.mount.secret",
  execMountSsh: "exec.mount.ssh",
  execSecretEnv: "exec.secretenv",
  fileBase: "file.base",
  fileRmWildcard: "file.rm.wildcard",
  fileCopyIncludeExcludePatterns: "file.copy.includeexcludepatterns",
  constraints: "constraints",
  platform: "platform",
  metaIgnoreCache: "meta.ignorecache",
  metaDescription: "meta.description",
  metaExportCache: "meta.exportcache",
  mergeOp: "mergeop",
  diffOp: "diffop",
} as const;

/** Gateway (frontend API) capability IDs. */
export const GatewayCap = {
  solveBase: "solve.base",
  solveInlineReturn: "solve.inlinereturn",
  resolveImage: "resolveimage",
  resolveImageResolveMode: "resolveimage.resolvemode",
  readFile: "readfile",
  returnResult: "return",
  returnMap: "returnmap",
  readDir: "readdir",
  statFile: "statfile",
  importCaches: "importcaches",
  protoRefArray: "proto.refarray",
  referenceOutput: "reference.output",
  frontendInputs: "frontend.inputs",
  solveMetadata: "gateway.solve.metadata",
  frontendCaps: "frontend.caps",
  solveEvaluate: "gateway.solve.evaluate",
  evaluate: "gateway.evaluate",
  warnings: "gateway.warnings",
  attestations: "reference.attestations",
  sourceMetaResolver: "source.metaresolver",
} as const;

/**
 * First BuildKit release whose caps.go lists each cap (walked over the x.y.0 tags; v0.3 is the
 * first tag that has caps at all, so "v0.3" means "v0.3 or earlier").
 */
export const CAP_FIRST_RELEASE: Readonly<Record<string, string>> = {
  "source.image": "v0.3",
  "source.image.resolvemode": "v0.3",
  "source.image.layerlimit": "v0.11",
  "source.local": "v0.3",
  "source.local.unique": "v0.3",
  "source.local.sessionid": "v0.3",
  "source.local.includepatterns": "v0.3",
  "source.local.followpaths": "v0.3",
  "source.local.excludepatterns": "v0.3",
  "source.local.sharedkeyhint": "v0.3",
  "source.local.differ": "v0.9",
  "source.git": "v0.3",
  "source.git.keepgitdir": "v0.3",
  "source.git.fullurl": "v0.3",
  "source.git.httpauth": "v0.8",
  "source.git.knownsshhosts": "v0.8",
  "source.git.mountsshsock": "v0.8",
  "source.http": "v0.3",
  "source.http.checksum": "v0.3",
  "source.http.perm": "v0.3",
  "soruce.http.uidgid": "v0.3",
  "exec.meta.base": "v0.3",
  "exec.meta.network": "v0.3",
  "exec.meta.security": "v0.5",
  "exec.meta.setsdefaultpath": "v0.3",
  "exec.meta.ulimit": "v0.10",
  "exec.mount.bind": "v0.3",
  "exec.mount.cache": "v0.3",
  "exec.mount.cache.sharing": "v0.3",
  "exec.mount.selector": "v0.3",
  "exec.mount.tmpfs": "v0.3",
  "exec.mount.tmpfs.size": "v0.10",
  "exec.mount.secret": "v0.3",
  "exec.mount.ssh": "v0.3",
  "exec.mount.cache.content": "v0.13",
  "exec.secretenv": "v0.10",
  "file.base": "v0.5",
  "file.rm.wildcard": "v0.7",
  "file.copy.includeexcludepatterns": "v0.9",
  constraints: "v0.3",
  platform: "v0.3",
  "meta.ignorecache": "v0.3",
  "meta.description": "v0.3",
  "meta.exportcache": "v0.3",
  mergeop: "v0.10",
  diffop: "v0.10",
  "solve.base": "v0.3",
  "solve.inlinereturn": "v0.3",
  resolveimage: "v0.3",
  "resolveimage.resolvemode": "v0.3",
  readfile: "v0.3",
  return: "v0.3",
  returnmap: "v0.3",
  readdir: "v0.3",
  statfile: "v0.3",
  importcaches: "v0.4",
  "proto.refarray": "v0.7",
  "reference.output": "v0.7",
  "frontend.inputs": "v0.7",
  "gateway.solve.metadata": "v0.8",
  "frontend.caps": "v0.8",
  "gateway.solve.evaluate": "v0.8",
  "gateway.evaluate": "v0.11",
  "gateway.warnings": "v0.10",
  "reference.attestations": "v0.11",
  "source.metaresolver": "v0.13",
};

/** One set of capabilities as a daemon announced them (LLB or frontend API). */
export class CapabilitySet {
  readonly #caps: ReadonlyMap<string, APICap>;

  constructor(caps: readonly APICap[]) {
    this.#caps = new Map(caps.map((c) => [c.ID, c]));
  }

  /** Supported means announced and enabled, as BuildKit's own CapSet.Supports judges it. */
  has(id: string): boolean {
    return this.#caps.get(id)?.Enabled === true;
  }

  /** Why `id` is unusable: unknown to this daemon, or disabled with the daemon's reason. */
  explain(id: string): string {
    const cap = this.#caps.get(id);
    const since = CAP_FIRST_RELEASE[id];
    if (cap === undefined) {
      return since
        ? `the engine's BuildKit lacks capability "${id}" (added in BuildKit ${since}); upgrade the engine`
        : `the engine's BuildKit lacks capability "${id}"; upgrade the engine`;
    }
    if (!cap.Enabled) {
      const reason = cap.DisabledReasonMsg || cap.DisabledReason || "no reason given";
      return `the engine's BuildKit disabled capability "${id}" (${reason})`;
    }
    return `capability "${id}" is supported`;
  }

  ids(): string[] {
    return [...this.#caps.values()].filter((c) => c.Enabled).map((c) => c.ID);
  }
}

/** What a daemon supports, from Ping's LLBCaps and FrontendAPICaps. */
export class Capabilities {
  readonly llb: CapabilitySet;
  readonly frontend: CapabilitySet;

  constructor(llb: readonly APICap[], frontend: readonly APICap[]) {
    this.llb = new CapabilitySet(llb);
    this.frontend = new CapabilitySet(frontend);
  }
}
