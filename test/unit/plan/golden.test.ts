import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planBuild } from "../../../src/plan/plan-build.js";
import { formatPlanJson } from "../../../src/plan/plan-json.js";
import { renderDockerfile } from "../../../src/render/dockerfile.js";
import { FIXTURE_BUILD_ARGS, FIXTURES } from "./spec-fixtures.js";

const GOLDEN = join(import.meta.dirname, "../../golden/plan");

describe("golden plans and Dockerfiles", () => {
  for (const [name, spec] of Object.entries(FIXTURES)) {
    it(name, async () => {
      const plan = planBuild(spec, { buildArgs: FIXTURE_BUILD_ARGS });
      await expect(formatPlanJson(plan)).toMatchFileSnapshot(join(GOLDEN, `${name}.plan.json`));
      await expect(renderDockerfile(plan)).toMatchFileSnapshot(join(GOLDEN, `${name}.Dockerfile`));
    });
  }

  it("gives the same bytes for the same inputs, whatever the key order of the inputs", () => {
    for (const spec of Object.values(FIXTURES)) {
      const shuffled = Object.fromEntries(Object.entries(structuredClone(spec)).reverse()) as typeof spec;
      const args = Object.fromEntries(Object.entries(FIXTURE_BUILD_ARGS).reverse());
      const a = planBuild(spec, { buildArgs: FIXTURE_BUILD_ARGS });
      const b = planBuild(shuffled, { buildArgs: args });
      expect(formatPlanJson(b)).toBe(formatPlanJson(a));
      expect(renderDockerfile(b)).toBe(renderDockerfile(a));
    }
  });

  it("prints plan JSON with sorted keys and round-trips to the same plan", () => {
    const plan = planBuild(FIXTURES.webapp!, { buildArgs: {} });
    const json = formatPlanJson(plan);
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(plan)));
    expect(json.indexOf('"image"')).toBeLessThan(json.indexOf('"planVersion"'));
    expect(json.endsWith("}\n")).toBe(true);
  });
});
