import { definitionToJson, marshalDefinition } from "../../../src/buildkit/index.js";
import type { BuildPlan } from "../../../src/plan/build-plan.js";
import { planBuild } from "../../../src/plan/plan-build.js";
import { formatPlanJson } from "../../../src/plan/plan-json.js";
import { renderDockerfile } from "../../../src/render/dockerfile.js";
import { DockerfileRefusal } from "../../../src/render/dockerfile-quoting.js";
import { renderLlb } from "../../../src/render/llb.js";
import type { ContextReader } from "../../../src/spec/context-reader.js";
import { formatDiagnostic, SpecError } from "../../../src/spec/diagnostics.js";
import { loadBuildSpec } from "../../../src/spec/load-build-spec.js";

/** What every path makes of one input, in process: the CLI's three commands without the CLI. */
export interface Rendered {
  /** Diagnostics as the edges print them: warnings of a success, or every problem of a refusal. */
  messages: string[];
  refused: boolean;
  plan?: BuildPlan;
  planJson?: string;
  /** The Dockerfile, or undefined when the renderer refused it (the reason is in messages). */
  dockerfileRefusal?: string;
  dockerfile?: string;
  llbJson?: string;
  llbBinary?: Uint8Array;
}

export function renderAll(
  text: string,
  options: { specFile: string; target?: string; buildArgs?: Record<string, string> },
  context: ContextReader,
): Rendered {
  const buildArgs = options.buildArgs ?? {};
  const out: Rendered = { messages: [], refused: false };
  try {
    const loaded = loadBuildSpec(text, { ...options, buildArgs }, context);
    out.messages.push(...loaded.warnings.map(formatDiagnostic));
    const plan = planBuild(loaded.spec, { buildArgs });
    out.plan = plan;
    out.planJson = formatPlanJson(plan);
    const rendered = renderLlb(plan, { sessionId: "", contextExcludes: [] });
    const { definition, bytes } = marshalDefinition(rendered.state, { platform: rendered.platform });
    out.llbJson = JSON.stringify(definitionToJson(definition));
    out.llbBinary = bytes;
    try {
      out.dockerfile = renderDockerfile(plan);
    } catch (error) {
      // As the CLI does: the refusal is placed where the spec wrote the value.
      throw error instanceof DockerfileRefusal ? error.locatedIn(loaded.spec.pathSites) : error;
    }
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    const messages = error.diagnostics.map(formatDiagnostic);
    // Refused by the Dockerfile renderer alone: the plan and the LLB stand.
    if (out.llbBinary !== undefined) out.dockerfileRefusal = messages.join("\n");
    else out.refused = true;
    out.messages.push(...messages);
  }
  return out;
}

/** The outputs of a rendering, by name, for leak searches. */
export function outputsOf(r: Rendered): Record<string, string | Uint8Array> {
  const outputs: Record<string, string | Uint8Array> = { log: r.messages.join("\n") };
  if (r.planJson !== undefined) outputs.plan = r.planJson;
  if (r.dockerfile !== undefined) outputs.dockerfile = r.dockerfile;
  if (r.llbJson !== undefined) outputs.llbJson = r.llbJson;
  if (r.llbBinary !== undefined) outputs.llb = r.llbBinary;
  return outputs;
}
