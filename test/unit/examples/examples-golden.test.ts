// Every example project (and microb's minimal example) as a golden plan and Dockerfile: a change
// to the recipe shows up here as a reviewable diff of what users would get.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProject } from "../../../src/cli/project-input.js";
import { planBuild } from "../../../src/plan/plan-build.js";
import { formatPlanJson } from "../../../src/plan/plan-json.js";
import { renderDockerfile } from "../../../src/render/dockerfile.js";

const root = join(import.meta.dirname, "..", "..", "..");
const golden = join(root, "test", "golden", "examples");

const PROJECTS: Array<{ name: string; dir: string; format: string }> = [
  { name: "script", dir: "examples/script", format: "pyfront" },
  { name: "webapp", dir: "examples/webapp", format: "pyfront" },
  { name: "cli-package", dir: "examples/cli-package", format: "pyfront" },
  { name: "compiled", dir: "examples/compiled", format: "pyfront" },
  { name: "mopy-app", dir: "examples/mopy-app", format: "mopy" },
  { name: "dataframe", dir: "examples/dataframe", format: "pyfront" },
  { name: "microb-minimal", dir: "test/e2e/fixtures/microb-minimal", format: "microb" },
];

describe("examples: golden plans and Dockerfiles", () => {
  for (const project of PROJECTS) {
    it(`${project.name} (${project.format})`, async () => {
      const loaded = loadProject({ dir: join(root, project.dir), buildArgs: {} });
      expect(loaded.spec.format).toBe(project.format);
      expect(loaded.warnings.map((w) => w.message)).toEqual([]);
      const plan = planBuild(loaded.spec, { buildArgs: {} });
      await expect(formatPlanJson(plan)).toMatchFileSnapshot(join(golden, `${project.name}.plan.json`));
      await expect(renderDockerfile(plan)).toMatchFileSnapshot(join(golden, `${project.name}.Dockerfile`));
    });
  }
});
