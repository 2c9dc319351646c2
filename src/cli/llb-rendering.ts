/** What `pyfront llb` prints: apart from renderings.ts, which plan and dockerfile load. */
import { definitionToJson, marshalDefinition } from "../buildkit/index.js";
import { renderLlb } from "../render/llb.js";
import type { LoadedProject } from "./project-input.js";
import { projectPlan } from "./renderings.js";

/**
 * The LLB, for `buildctl build --local context=DIR` (binary) or for people (JSON). Without an
 * engine there is no session and no base image config: locals bind to the build's own session,
 * and stage environments start from the plan alone.
 */
export function renderProjectLlb(project: LoadedProject, options: { json: boolean }): string | Uint8Array {
  const rendered = renderLlb(projectPlan(project), {
    sessionId: "",
    contextExcludes: project.contextExcludes.patterns,
  });
  const { definition, bytes } = marshalDefinition(rendered.state, { platform: rendered.platform });
  return options.json ? `${JSON.stringify(definitionToJson(definition), null, 2)}\n` : bytes;
}
