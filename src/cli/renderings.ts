import { definitionToJson, marshalDefinition } from "../buildkit/index.js";
import { planBuild } from "../plan/plan-build.js";
import { formatPlanJson } from "../plan/plan-json.js";
import { renderDockerfile } from "../render/dockerfile.js";
import { DockerfileRefusal } from "../render/dockerfile-quoting.js";
import { renderLlb } from "../render/llb.js";
import { expandPyenvDockerfile } from "../render/pyenv-dockerfile.js";
import { SpecError } from "../spec/diagnostics.js";
import type { LoadedProject } from "./project-input.js";

function projectPlan(project: LoadedProject) {
  try {
    return planBuild(project.spec, { buildArgs: project.buildArgs });
  } catch (error) {
    // The planner's findings (a lock's selection, build args) point into the context too.
    if (error instanceof SpecError) throw new SpecError(error.diagnostics.map(project.display));
    throw error;
  }
}

export function renderProjectPlan(project: LoadedProject): string {
  return formatPlanJson(projectPlan(project));
}

export function renderProjectDockerfile(project: LoadedProject): string {
  if (project.spec.format === "pyenv") {
    // What the frontend forwards to the Dockerfile frontend; base images' own users are not
    // resolved without an engine, so a stage with no USER line is taken to run as root.
    try {
      const expansion = expandPyenvDockerfile(project.spec, { buildArgs: project.buildArgs });
      return expansion.text.endsWith("\n") ? expansion.text : `${expansion.text}\n`;
    } catch (error) {
      if (error instanceof SpecError) throw new SpecError(error.diagnostics.map(project.display));
      throw error;
    }
  }
  try {
    // The frontend leaves the defaults out itself; docker build with this file needs a .dockerignore for it.
    const excludes = project.contextExcludes;
    return renderDockerfile(projectPlan(project), {
      ...(excludes.from === undefined ? { missingExcludes: excludes.patterns } : {}),
    });
  } catch (error) {
    throw error instanceof DockerfileRefusal ? error.locatedIn(project.spec.pathSites) : error;
  }
}

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
