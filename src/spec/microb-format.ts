import { z } from "zod";
import type { BuildSpec } from "./build-spec.js";
import {
  addFileSchema,
  aptPackagesSchema,
  argvSchema,
  contextPathSchema,
  copyFileSchema,
  envSchema,
  extraNameSchema,
  inlineCredentialsIndexSchema,
  labelsSchema,
  pythonVersionSchema,
} from "./common-schemas.js";
import type { ContextReader, LoadOptions } from "./context-reader.js";
import type { DiagnosticList } from "./diagnostic-list.js";
import type { PyprojectFacts } from "./pyproject-project.js";
import type { SourceDocument, SourcePath } from "./source-document.js";
import { assemblePyprojectSpec, type ImageConfig, type ImageConfigKey } from "./spec-assembly.js";
import { reportZodIssues } from "./zod-diagnostics.js";

export const MICROB_TABLE: SourcePath = ["tool", "microb"];
/** The build argument microb reads the target from. */
export const MICROB_TARGET_ARG = "microb_target";

/** microb's documented keys, plus requirements, extras and flavor. */
export const microbTargetSchema = z.strictObject({
  api_version: z.literal("v1").optional(),
  python_version: pythonVersionSchema.optional(),
  build_deps: aptPackagesSchema.optional(),
  system_deps: aptPackagesSchema.optional(),
  env: envSchema.optional(),
  indices: z.array(inlineCredentialsIndexSchema).optional(),
  labels: labelsSchema.optional(),
  entrypoint: argvSchema.optional(),
  command: argvSchema.optional(),
  copy_files: z.array(copyFileSchema).optional(),
  add_files: z.array(addFileSchema(false)).optional(),
  requirements: z.array(contextPathSchema).optional(),
  extras: z.array(extraNameSchema).optional(),
  /** `slim` (default): python:<v>-slim runtime; `full`: python:<v>, with compilers and headers. */
  flavor: z.enum(["slim", "full"]).optional(),
});

export const microbSchema = z.strictObject({
  target: z.record(z.string(), microbTargetSchema),
});

/**
 * Chooses the microb target: the `target` option, else build arg `microb_target`, else the only
 * one, else `default`. Several targets and no choice is an error (microb would pick any).
 */
export function chooseMicrobTarget(
  names: readonly string[],
  options: LoadOptions,
): { name: string } | { error: "unknown" | "ambiguous" | "none"; requested?: string } {
  const requested = options.target ?? options.buildArgs?.[MICROB_TARGET_ARG];
  if (requested !== undefined)
    return names.includes(requested) ? { name: requested } : { error: "unknown", requested };
  if (names.length === 1) return { name: names[0]! };
  if (names.includes("default")) return { name: "default" };
  return { error: names.length === 0 ? "none" : "ambiguous" };
}

/** Reads `[tool.microb.target.NAME]` into a BuildSpec. */
export function readMicrobSpec(
  doc: SourceDocument,
  facts: PyprojectFacts,
  options: LoadOptions,
  context: ContextReader,
  out: DiagnosticList,
): BuildSpec | undefined {
  const parsed = microbSchema.safeParse(doc.get(MICROB_TABLE));
  if (!parsed.success) {
    reportZodIssues(parsed.error.issues, microbSchema, doc, MICROB_TABLE, out);
    return undefined;
  }
  const names = Object.keys(parsed.data.target).sort();
  const choice = chooseMicrobTarget(names, options);
  if ("error" in choice) {
    const available = names.length > 0 ? `available targets: ${names.join(", ")}` : undefined;
    const problem =
      choice.error === "unknown"
        ? { code: "unknown-target", message: `unknown target ${JSON.stringify(choice.requested)}` }
        : choice.error === "none"
          ? { code: "no-target", message: "no target defined" }
          : { code: "ambiguous-target", message: `several targets and none chosen (${names.join(", ")})` };
    const hint =
      choice.error === "none"
        ? "define [tool.microb.target.default]"
        : `${available}; choose one with --target NAME or --build-arg ${MICROB_TARGET_ARG}=NAME`;
    out.error({ doc, path: [...MICROB_TABLE, "target"], at: "key" }, { ...problem, hint });
    return undefined;
  }
  const { api_version: _apiVersion, ...target } = parsed.data.target[choice.name]!;
  const config: ImageConfig = target;
  const base: SourcePath = [...MICROB_TABLE, "target", choice.name];
  return assemblePyprojectSpec({
    format: "microb",
    specFile: options.specFile,
    doc,
    config,
    origin: (key: ImageConfigKey) => [...base, key],
    target: choice.name,
    facts,
    context,
    out,
  });
}
