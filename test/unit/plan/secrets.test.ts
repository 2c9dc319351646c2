import { describe, expect, it } from "vitest";
import { planBuild } from "../../../src/plan/plan-build.js";
import { formatPlanJson } from "../../../src/plan/plan-json.js";
import { renderDockerfile } from "../../../src/render/dockerfile.js";
import { FIXTURES, SECRET_PASSWORD } from "./spec-fixtures.js";

describe("secrets stay out of the plan and the Dockerfile", () => {
  it("microb inline credentials become a build secret referenced by id only", () => {
    const spec = FIXTURES["microb-inline-credentials"]!;
    const plan = planBuild(spec, { buildArgs: { TOKEN: "build-arg-token" } });
    const outputs = [formatPlanJson(plan), renderDockerfile(plan)];
    for (const text of outputs) {
      expect(text).not.toContain(SECRET_PASSWORD);
      expect(text).not.toContain("deploy");
      expect(text).not.toContain("build-arg-token");
    }
    expect(plan.secrets).toEqual([
      {
        id: "pyfront-index-0",
        required: true,
        source: "spec-inline",
        purpose: "credentials for package index https://nexus.example.org/repository/pypi/simple",
      },
    ]);
  });

  it("a credentialed index is read from a secret mount by the fixed script, never from argv", () => {
    const plan = planBuild(FIXTURES["secret-index"]!, { buildArgs: {} });
    const builder = plan.stages[0]!;
    const pipRuns = builder.steps.filter((s) => s.kind === "run" && s.argv[1] === "-c");
    expect(pipRuns).toHaveLength(2);
    for (const step of pipRuns) {
      if (step.kind !== "run") continue;
      expect(step.mounts).toContainEqual({
        type: "secret",
        id: "pip-creds",
        target: "/run/secrets/pyfront-index-0",
        required: true,
      });
      expect(step.argv.slice(3, 9)).toEqual([
        "primary",
        "https://pypi.internal.example.org/simple/",
        "/run/secrets/pyfront-index-0",
        "extra",
        "http://mirror.local:8080/simple",
        "",
      ]);
    }
    expect(plan.secrets.map((s) => [s.id, s.source])).toEqual([["pip-creds", "build-secret"]]);
  });

  it("build args appear only where env or labels reference them", () => {
    const plan = planBuild(FIXTURES["labels-build-args"]!, {
      buildArgs: { UNUSED_SECRET: "hunter2", VERSION: "5" },
    });
    expect(formatPlanJson(plan)).not.toContain("hunter2");
    expect(renderDockerfile(plan)).not.toContain("hunter2");
    expect(renderDockerfile(plan)).toContain('"org.opencontainers.image.version"="5"');
  });
});
