import type { BuildSpec } from "./build-spec.js";
import type { ContextReader, LoadOptions } from "./context-reader.js";
import type { DiagnosticList } from "./diagnostic-list.js";
import type { PyprojectFacts } from "./pyproject-project.js";
import type { SourceDocument } from "./source-document.js";
import { assemblePyprojectSpec } from "./spec-assembly.js";

/**
 * A pyproject.toml without a pyfront or microb table: everything comes from the standard
 * tables and the context (`.python-version`, `requires-python`, dependencies, console scripts).
 */
export function readZeroConfigSpec(
  doc: SourceDocument,
  facts: PyprojectFacts,
  options: LoadOptions,
  context: ContextReader,
  out: DiagnosticList,
): BuildSpec {
  return assemblePyprojectSpec({
    format: "zero-config",
    specFile: options.specFile,
    doc,
    config: {},
    origin: (key) => ["tool", "pyfront", key],
    facts,
    context,
    out,
  });
}
