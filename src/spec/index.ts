export type * from "./build-spec.js";
export type { ContextReader, DirectoryEntry, LoadOptions } from "./context-reader.js";
export { type Diagnostic, formatDiagnostic, SpecError } from "./diagnostics.js";
export { detectFileKind, type FileKind } from "./format-detection.js";
export { type LoadedBuildSpec, loadBuildSpec } from "./load-build-spec.js";
export { MICROB_TARGET_ARG } from "./microb-format.js";
export { pyfrontJsonSchema } from "./pyfront-json-schema.js";
export { NEWEST_PYTHON_SERIES, SUPPORTED_PYTHON_SERIES } from "./python-versions.js";
