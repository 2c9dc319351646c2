// Issue 20, item 9: without a .dockerignore, pyfront leaves the usual heavy and private folders out
// of the context, says so in `pyfront plan`, and asks for them in a generated Dockerfile.
import { describe, expect, it } from "vitest";
import { EXIT_USER_ERROR } from "../../../src/cli/main.js";
import { DEFAULT_DOCKERIGNORE } from "../../../src/cli/project-init.js";
import { DEFAULT_CONTEXT_EXCLUDES } from "../../../src/context/default-excludes.js";
import { parseDockerignore } from "../../../src/context/dockerignore.js";
import { cli, project, SCRIPT_PROJECT } from "./cli-harness.js";

describe("context excludes in the CLI", () => {
  it("pyfront plan names the default excludes when there is no .dockerignore", async () => {
    const { code, stdout } = await cli(["plan", project(SCRIPT_PROJECT)]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).decisions.context).toEqual({
      choice: "default excludes",
      rule: "no-dockerignore",
      reason:
        "no .dockerignore: left out .git, .venv, venv, __pycache__, *.pyc, .mypy_cache, .pytest_cache, .tox and node_modules, in every folder",
    });
  });

  it("pyfront plan names the .dockerignore, or the spec's own, when there is one", async () => {
    const withIgnore = project({ ...SCRIPT_PROJECT, ".dockerignore": "*.log\n" });
    expect(JSON.parse((await cli(["plan", withIgnore])).stdout).decisions.context.rule).toBe("dockerignore");
    const withOwn = project({
      ...SCRIPT_PROJECT,
      ".dockerignore": "*.log\n",
      "pyproject.toml.dockerignore": "*.tmp\n",
    });
    expect(JSON.parse((await cli(["plan", withOwn])).stdout).decisions.context).toMatchObject({
      choice: "pyproject.toml.dockerignore",
      rule: "spec-dockerignore",
    });
  });

  it("the LLB's context leaves out the defaults; with a .dockerignore, only what it says", async () => {
    const attrsOf = (json: string) =>
      JSON.parse(json)
        .ops.map(
          (op: { op?: { source?: { identifier: string; attrs?: Record<string, string> } } }) => op.op?.source,
        )
        .find((source: { identifier?: string } | undefined) => source?.identifier === "local://context")
        ?.attrs;
    const plain = await cli(["llb", "--json", project(SCRIPT_PROJECT)]);
    expect(JSON.parse(attrsOf(plain.stdout)["local.excludepatterns"])).toEqual([...DEFAULT_CONTEXT_EXCLUDES]);
    const own = await cli(["llb", "--json", project({ ...SCRIPT_PROJECT, ".dockerignore": "*.log\n" })]);
    expect(JSON.parse(attrsOf(own.stdout)["local.excludepatterns"])).toEqual(["*.log"]);
  });

  it("pyfront dockerfile asks for a .dockerignore with the defaults, at the top, only when there is none", async () => {
    const plain = await cli(["dockerfile", project(SCRIPT_PROJECT)]);
    const header = plain.stdout.split("\n").slice(0, 5);
    expect(header[1]).toBe(
      "# The project has no .dockerignore, and a Dockerfile cannot leave files out of its context:",
    );
    expect(header[4]).toBe(`#   ${DEFAULT_CONTEXT_EXCLUDES.join(" ")}`);
    const own = await cli(["dockerfile", project({ ...SCRIPT_PROJECT, ".dockerignore": "*.log\n" })]);
    expect(own.stdout).not.toContain(".dockerignore");
  });

  it("pyfront init writes every default exclude into the .dockerignore it creates", () => {
    const written = parseDockerignore(DEFAULT_DOCKERIGNORE);
    for (const pattern of DEFAULT_CONTEXT_EXCLUDES) expect(written).toContain(pattern);
  });

  it("what .dockerignore leaves out is missing for the spec's checks too", async () => {
    const dir = project({
      ...SCRIPT_PROJECT,
      "pyproject.toml": `${SCRIPT_PROJECT["pyproject.toml"]}requirements = ["reqs/base.txt"]\n`,
      "reqs/base.txt": "click\n",
      ".dockerignore": "reqs\n",
    });
    const { code, stderr } = await cli(["plan", "."], { cwd: dir });
    expect(code).toBe(EXIT_USER_ERROR);
    expect(stderr).toContain('"reqs/base.txt" does not exist in the build context');
  });

  it("refuses a .dockerignore pattern BuildKit would refuse, naming the file", async () => {
    const dir = project({ ...SCRIPT_PROJECT, ".dockerignore": "ok\n[z-a]\n" });
    const { code, stderr } = await cli(["plan", "."], { cwd: dir });
    expect(code).toBe(EXIT_USER_ERROR);
    expect(stderr).toContain('".dockerignore": "[z-a]" is not a valid pattern');
  });
});
