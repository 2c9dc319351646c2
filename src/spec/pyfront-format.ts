import type { BuildSpec } from "./build-spec.js";
import type { ContextReader, LoadOptions } from "./context-reader.js";
import type { DiagnosticList } from "./diagnostic-list.js";
import { type PyfrontConfig, type PyfrontImageConfig, pyfrontSchema } from "./pyfront-schema.js";
import type { PyprojectFacts } from "./pyproject-project.js";
import type { SourceDocument, SourcePath } from "./source-document.js";
import { assemblePyprojectSpec, type ImageConfigKey } from "./spec-assembly.js";
import { reportZodIssues, SPEC_PARSE } from "./zod-diagnostics.js";

export const PYFRONT_TABLE: SourcePath = ["tool", "pyfront"];

/**
 * A target's keys replace the top-level ones wholesale (an array or table in a target is not
 * merged with the inherited one), so what a target says is exactly what it gets.
 */
export function mergeTarget(
  top: PyfrontImageConfig,
  target: PyfrontImageConfig | undefined,
): PyfrontImageConfig {
  return { ...top, ...(target ?? {}) };
}

/** Reads `[tool.pyfront]` (and the chosen `[tool.pyfront.targets.NAME]`) into a BuildSpec. */
export function readPyfrontSpec(
  doc: SourceDocument,
  facts: PyprojectFacts,
  options: LoadOptions,
  context: ContextReader,
  out: DiagnosticList,
): BuildSpec | undefined {
  const parsed = pyfrontSchema.safeParse(doc.get(PYFRONT_TABLE), SPEC_PARSE);
  if (!parsed.success) {
    reportZodIssues(parsed.error.issues, pyfrontSchema, doc, PYFRONT_TABLE, out);
    return undefined;
  }
  const { targets, ...top } = parsed.data as PyfrontConfig;
  const name = options.target;
  let target: PyfrontImageConfig | undefined;
  if (name !== undefined) {
    // Own keys only: `--target toString` must not find Object.prototype.toString.
    target = targets && Object.hasOwn(targets, name) ? targets[name] : undefined;
    if (!target) {
      const available = Object.keys(targets ?? {}).sort();
      out.error(
        { doc, path: targets ? [...PYFRONT_TABLE, "targets"] : PYFRONT_TABLE, at: "key" },
        {
          code: "unknown-target",
          message: `unknown target ${JSON.stringify(name)}`,
          hint:
            available.length > 0
              ? `available targets: ${available.join(", ")}`
              : "define it as [tool.pyfront.targets.<name>]",
        },
      );
      return undefined;
    }
  }
  const config = mergeTarget(top, target);
  const origin = (key: ImageConfigKey): SourcePath =>
    target && Object.hasOwn(target, key)
      ? [...PYFRONT_TABLE, "targets", name!, key]
      : [...PYFRONT_TABLE, key];
  const spec = assemblePyprojectSpec({
    format: "pyfront",
    specFile: options.specFile,
    doc,
    config,
    origin,
    ...(name !== undefined ? { target: name } : {}),
    facts,
    context,
    out,
  });
  // Without --target the top-level table is built: no named target is the default.
  const defined = Object.keys(targets ?? {}).sort();
  if (spec && defined.length > 0) {
    spec.targets = defined.map((t) => ({
      name: t,
      default: false,
      position: doc.keyPosition([...PYFRONT_TABLE, "targets", t]),
    }));
  }
  return spec;
}
