import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEPENDENCY_BYTECODE_SCRIPT, PIP_WITH_CREDENTIALS_SCRIPT } from "../../../src/plan/pip-steps.js";
import { planBuild } from "../../../src/plan/plan-build.js";
import { formatPlanJson } from "../../../src/plan/plan-json.js";
import { PROJECT_FILES_SCRIPT } from "../../../src/plan/project-layer.js";
import { renderDockerfile } from "../../../src/render/dockerfile.js";
import { FIXTURES, SECRET_PASSWORD } from "./spec-fixtures.js";

const hasPython = spawnSync("python3", ["--version"]).status === 0;

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
    // The project's install runs inside the script that stages its files (src/plan/project-layer.ts).
    const pipRuns = plan.stages
      .filter((s) => s.name !== "runtime")
      .flatMap((s) => s.steps)
      .filter((s) => s.kind === "run" && s.argv[1] === "-c" && s.argv[2] !== DEPENDENCY_BYTECODE_SCRIPT)
      .map((s) =>
        s.kind === "run" && s.argv[2] === PROJECT_FILES_SCRIPT ? { ...s, argv: s.argv.slice(6) } : s,
      );
    expect(pipRuns).toHaveLength(2);
    for (const step of pipRuns) {
      if (step.kind !== "run") continue;
      expect(step.mounts).toContainEqual({
        type: "secret",
        id: "pip-creds",
        target: "/run/secrets/pyfront-index-0",
        // Optional, so that the script, not BuildKit, reports a missing secret.
        required: false,
      });
      expect(step.argv.slice(3, 11)).toEqual([
        "primary",
        "https://pypi.internal.example.org/simple/",
        "/run/secrets/pyfront-index-0",
        "pip-creds",
        "extra",
        "http://mirror.local:8080/simple",
        "",
        "",
      ]);
    }
    expect(plan.secrets.map((s) => [s.id, s.source])).toEqual([["pip-creds", "build-secret"]]);
  });

  // Needs a python3 on the test machine (test-all's has one); skipped, and said so, without.
  it.runIf(hasPython)("a build secret the client did not pass fails with the --secret flag to pass", () => {
    const missing = join(mkdtempSync(join(tmpdir(), "pyfront-secret-")), "pyfront-index-0");
    const run = spawnSync(
      "python3",
      [
        "-c",
        PIP_WITH_CREDENTIALS_SCRIPT,
        "primary",
        "https://pypi.example/simple",
        missing,
        "pypi",
        "--",
        "--version",
      ],
      { encoding: "utf8" },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      "pyfront: the build secret 'pypi' (credentials for a package index) was not passed to the build; " +
        "pass it with --secret id=pypi,src=FILE, where FILE holds user:password or a token\n",
    );
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
