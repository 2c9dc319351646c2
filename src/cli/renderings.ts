/**
 * What `pyfront plan` and `pyfront dockerfile` print. `pyfront llb` is in llb-rendering.ts, so that
 * these two load no LLB encoder, protobuf runtime or gateway client (bench/cli-start.ts).
 */
import { planBuild } from "../plan/plan-build.js";
import { formatPlanJson } from "../plan/plan-json.js";
import { renderDockerfile } from "../render/dockerfile.js";
import { DockerfileRefusal } from "../render/dockerfile-quoting.js";
import { expandPyenvDockerfile } from "../render/pyenv-dockerfile.js";
import { SpecError } from "../spec/diagnostics.js";
import type { LoadedProject } from "./project-input.js";

/** The project's build plan; its diagnostics point where the command ran from. */
export function projectPlan(project: LoadedProject) {
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
