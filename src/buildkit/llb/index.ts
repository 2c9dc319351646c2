export { CAP_FIRST_RELEASE, Capabilities, CapabilitySet, GatewayCap, LlbCap } from "./caps.js";
export { type DefinitionJson, definitionToJson, type OpJson } from "./definition-json.js";
export { type Digest, sha256Digest } from "./digest.js";
export type { CacheSharing, RunMount, RunOptions, SecretEnv } from "./exec.js";
export {
  type CopyOptions,
  type CreatedTime,
  copy,
  FileActions,
  type MkdirOptions,
  type MkfileOptions,
  mkdir,
  mkfile,
  type Owner,
  type RmOptions,
  rm,
  type UserRef,
} from "./file.js";
export {
  dockerHubRefViaMirror,
  type ImageRefParts,
  isDockerHubRef,
  normalizeImageRef,
  splitImageRef,
} from "./image-ref.js";
export {
  LlbCapabilityError,
  type MarshalledDefinition,
  type MarshalOptions,
  type MissingCap,
  marshalDefinition,
} from "./marshal.js";
export { type MergeOptions, merge } from "./merge.js";
export {
  DEFAULT_PLATFORM,
  formatPlatform,
  normalizePlatform,
  type Platform,
  parsePlatform,
} from "./platform.js";
export {
  type GitOptions,
  git,
  type HttpOptions,
  http,
  type ImageOptions,
  image,
  type LocalOptions,
  local,
  type ResolveMode,
} from "./source.js";
export {
  ExecResult,
  type ImageConfigLike,
  type NetworkMode,
  type SecurityMode,
  State,
  type StateMeta,
  scratch,
} from "./state.js";
export type { OpOptions } from "./vertex.js";
