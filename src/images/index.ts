/**
 * pyfront's images-as-code API: image families of immutable, semantically versioned container
 * definitions, compiled to BuildKit LLB, checked in container-structure-test's vocabulary, with
 * generated Dockerfiles and changelogs. docs/images.md shows it whole.
 */
export { type VersionBuildOptions, versionFrontend } from "./build.js";
export { renderChangelog } from "./changelog.js";
export {
  type CheckedImage,
  CheckFailure,
  type CheckKind,
  type CheckReport,
  type CheckResult,
  type ChecksFrom,
  type CommandTest,
  type EnvEntry,
  type ExecResult,
  type FileContentTest,
  type FileExistenceTest,
  type FunctionCheck,
  formatCheckReport,
  type ImageChecks,
  type ImageProbe,
  type MetadataTest,
  type PathInfo,
  permissionString,
  runChecks,
} from "./checks.js";
export { type CompiledContainer, type CompileOptions, compileContainer, pinnedBaseRef } from "./compile.js";
export {
  type BaseImage,
  type CacheMount,
  type CacheSharing,
  Container,
  ContainerDefinitionError,
  type ContainerStep,
  type FileOwner,
  parseBaseImage,
} from "./container.js";
export { type DockerCli, DockerImageProbe, dockerCliFrom } from "./docker-probe.js";
export { type GeneratedDockerfile, renderVersionDockerfile } from "./dockerfile.js";
export {
  type ImageFamily,
  type ImageFamilyInput,
  ImageLookupError,
  ImageRegistry,
  type ImageVersion,
  type ImageVersionInput,
  imageFamily,
  imageRegistry,
} from "./family.js";
export { GENERATED_DIR, generatedFiles, staleGeneratedFiles, writeGeneratedFiles } from "./generate.js";
export {
  DEFINITION_LABEL,
  definitionDigest,
  emptyLock,
  formatLock,
  type ImagesLock,
  ImagesLockError,
  LOCK_FILE_NAME,
  lockProblems,
  lockWithNewVersions,
  parseLock,
  unreleasedVersions,
  verifyLock,
  versionLabels,
} from "./lock.js";
export { compareSemver, parseSemver, type SemanticVersion, SemverError } from "./semver.js";
