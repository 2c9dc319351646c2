import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { marshalDefinition } from "../../../src/buildkit/llb/index.js";
import { directoryContext } from "../../../src/context/directory-context.js";
import { warmUp } from "../../../src/frontend/warm-up.js";
import { planBuild } from "../../../src/plan/plan-build.js";
import { renderLlb } from "../../../src/render/llb.js";
import { loadBuildSpec } from "../../../src/spec/load-build-spec.js";

const webapp = join(import.meta.dirname, "../../../examples/webapp");

/** The webapp's plan and LLB bytes, as the frontend makes them. */
function buildOfWebapp() {
  const text = readFileSync(join(webapp, "pyproject.toml"), "utf8");
  const loaded = loadBuildSpec(text, { specFile: "pyproject.toml", buildArgs: {} }, directoryContext(webapp));
  const plan = planBuild(loaded.spec, { buildArgs: {} });
  const rendered = renderLlb(plan, { sessionId: "s", contextExcludes: [] });
  return {
    plan: JSON.stringify(plan),
    llb: marshalDefinition(rendered.state, { platform: rendered.platform }).definition.def.map((op) =>
      Buffer.from(op).toString("hex"),
    ),
  };
}

describe("the frontend's warm-up before its start-up snapshot", () => {
  it("loads, plans and renders its built-in project, and leaves no state a later build sees", () => {
    const before = buildOfWebapp();
    // It throws on any problem in its own project: the image's snapshot step would fail loudly.
    expect(() => warmUp()).not.toThrow();
    warmUp();
    expect(buildOfWebapp()).toEqual(before);
  });
});
