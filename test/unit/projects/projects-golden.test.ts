// Every corpus project (test/projects/) loaded as `pyfront plan -f FILE .` would load it from the
// project's directory, with the index given as a build argument the way a platform team passes it,
// and its plan kept as a golden file. A project pyfront cannot load yet fails here; it is never
// skipped, so the list of failures is the list of layouts still to support.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProject } from "../../../src/cli/project-input.js";
import type { BuildPlan } from "../../../src/plan/build-plan.js";
import { planBuild } from "../../../src/plan/plan-build.js";
import { formatPlanJson } from "../../../src/plan/plan-json.js";
import { copyProject, corpusProjects } from "../../support/project-corpus.js";

const golden = join(import.meta.dirname, "..", "..", "golden", "projects");

/** The test world's index, as `scripts/engine env` names it; a build argument, so never in the project. */
const INDEX_URL = "http://127.0.0.1:3141/simple";

/** The Python series of the image the container runs on: the last stage's `python:X.Y...` base. */
function runtimePythonSeries(plan: BuildPlan): string | undefined {
  const base = plan.stages.at(-1)?.base;
  const ref = base?.kind === "image" ? base.ref : "";
  return /(?:^|\/)python:(3\.\d+)/.exec(ref)?.[1];
}

describe("corpus projects: load, plan on the Python they ask for, golden plan", () => {
  for (const project of corpusProjects()) {
    it(`${project.name} (-f ${project.expect.file})`, async () => {
      const copy = copyProject(project);
      try {
        const buildArgs = { PIP_INDEX_URL: INDEX_URL, ...project.expect.buildArgs };
        const loaded = loadProject({ dir: ".", file: project.expect.file, cwd: copy.dir, buildArgs });
        const plan = planBuild(loaded.spec, { buildArgs });
        expect(runtimePythonSeries(plan)).toBe(project.expect.python);
        await expect(formatPlanJson(plan)).toMatchFileSnapshot(join(golden, `${project.name}.plan.json`));
      } finally {
        copy.dispose();
      }
    });
  }
});
