import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT_USER_ERROR } from "../../../src/cli/main.js";
import { cli, project, SCRIPT_PROJECT } from "./cli-harness.js";

const BAD_PORT_PROJECT = {
  "app/pyproject.toml": '[tool.pyfront]\npython_version = "3.11"\nexpose = [80000]\n',
  "app/main.py": "",
};

describe("pyfront's arguments, as docker build users expect them", () => {
  it("prints its version", async () => {
    const { code, stdout } = await cli(["--version"]);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect((await cli(["-V"])).stdout).toBe(stdout);
  });

  it("takes a spec file given as DIR as -f that file, its directory the context", async () => {
    const dir = project(SCRIPT_PROJECT);
    const byFile = await cli(["plan", join(dir, "pyproject.toml")]);
    const byDir = await cli(["plan", dir]);
    expect(byFile.stderr).toBe("");
    expect(byFile.code).toBe(0);
    expect(byFile.stdout).toBe(byDir.stdout);
  });

  it("refuses a spec file as DIR together with -f, saying which directory to give", async () => {
    const dir = project(SCRIPT_PROJECT);
    const { code, stderr } = await cli(["plan", "-f", "pyproject.toml", "pyproject.toml"], { cwd: dir });
    expect(code).toBe(EXIT_USER_ERROR);
    expect(stderr).toContain('build context "pyproject.toml" is a file');
    expect(stderr).toContain("hint: give the context directory: -f pyproject.toml .");
  });

  it("answers a directory given as -f with the file to name instead, not an internal error", async () => {
    const dir = project({ "app/pyproject.toml": SCRIPT_PROJECT["pyproject.toml"], "app/main.py": "" });
    const { code, stderr } = await cli(["plan", "-f", "app", "app"], { cwd: dir });
    expect(code).toBe(EXIT_USER_ERROR);
    expect(stderr).toBe(
      'spec file "app" is a directory\n' +
        "  hint: -f names a file, e.g. -f app/pyproject.toml; the build context is the DIR argument\n" +
        "pyfront: 1 error\n",
    );
  });

  it("says a missing spec file or context does not exist, and where -f is looked up", async () => {
    const dir = project({ "app/pyproject.toml": SCRIPT_PROJECT["pyproject.toml"], "app/main.py": "" });
    const relativeToContext = await cli(["plan", "-f", "pyproject.toml", "app"], { cwd: dir });
    expect(relativeToContext.code).toBe(EXIT_USER_ERROR);
    expect(relativeToContext.stderr).toContain('spec file "pyproject.toml" does not exist');
    expect(relativeToContext.stderr).toContain(
      "hint: -f is relative to the current directory, as for docker build: -f app/pyproject.toml",
    );
    const noContext = await cli(["plan", "nowhere"], { cwd: dir });
    expect(noContext.stderr).toContain('build context "nowhere" does not exist');
    mkdirSync(join(dir, "empty"));
    const noSpec = await cli(["plan", "empty"], { cwd: dir });
    expect(noSpec.stderr).toContain(
      'nothing to build in "empty": no pyproject.toml, Mopyfile.yaml, Pipfile, requirements file, setup.py or Python script',
    );
    expect(noSpec.stderr).toContain("pyfront init empty");
  });

  it("reads the spec from standard input with -f -, naming it <stdin> in diagnostics", async () => {
    const dir = project(SCRIPT_PROJECT);
    const fromStdin = await cli(["plan", "-f", "-", dir], { stdin: SCRIPT_PROJECT["pyproject.toml"] });
    expect(fromStdin.stderr).toBe("");
    expect(fromStdin.stdout).toBe((await cli(["plan", dir])).stdout);
    const bad = await cli(["plan", "-f", "-", dir], { stdin: "[tool.pyfront]\nexpose = [80000]\n" });
    expect(bad.code).toBe(EXIT_USER_ERROR);
    expect(bad.stderr).toMatch(/^<stdin>:2:\d+: .*80000 is not a port/m);
    const yaml = await cli(["dockerfile", "-f", "-", dir], { stdin: "python: '3.11'\n" });
    expect(yaml.stderr).toBe("");
    expect(yaml.stdout).toContain("FROM python:3.11-slim");
  });

  it("will not wait on a terminal for -f -", async () => {
    const dir = project(SCRIPT_PROJECT);
    const { code, stderr } = await cli(["plan", "-f", "-", dir], { stdinIsTTY: true });
    expect(code).toBe(EXIT_USER_ERROR);
    expect(stderr).toContain("standard input, which is a terminal");
  });

  it("gives positions relative to the current directory, so they can be clicked", async () => {
    const dir = project(BAD_PORT_PROJECT);
    const fromAbove = await cli(["plan", "app"], { cwd: dir });
    expect(fromAbove.stderr).toMatch(/^app\/pyproject\.toml:3:\d+: /m);
    const fromInside = await cli(["plan", "."], { cwd: join(dir, "app") });
    expect(fromInside.stderr).toMatch(/^pyproject\.toml:3:\d+: /m);
  });

  it("reports problems as one JSON document with --format json", async () => {
    const dir = project(BAD_PORT_PROJECT);
    const { code, stdout, stderr } = await cli(["plan", "--format", "json", "app"], { cwd: dir });
    expect(code).toBe(EXIT_USER_ERROR);
    expect(stdout).toBe("");
    expect(JSON.parse(stderr)).toEqual({
      diagnostics: [
        {
          severity: "error",
          code: "invalid-port",
          message: "tool.pyfront.expose[0]: 80000 is not a port",
          file: "app/pyproject.toml",
          line: 3,
          column: expect.any(Number),
          key: "tool.pyfront.expose[0]",
          hint: expect.stringContaining("65535"),
        },
      ],
    });
    const usage = await cli(["plan", "--format", "json", "nowhere"], { cwd: dir });
    expect(JSON.parse(usage.stderr).diagnostics[0]).toMatchObject({ code: "usage", severity: "error" });
    const unknownFlag = await cli(["plan", "--format=json", "--no-such-flag", "."], { cwd: dir });
    expect(unknownFlag.code).toBe(EXIT_USER_ERROR);
    expect(JSON.parse(unknownFlag.stderr)).toEqual({
      diagnostics: [{ severity: "error", code: "usage", message: "unknown option '--no-such-flag'" }],
    });
    const ok = await cli(["plan", "--format", "json", "."], { cwd: project(SCRIPT_PROJECT) });
    expect(ok.stderr).toBe("");
  });

  it("answers -t/--tag, which names an image, since these commands build none", async () => {
    const dir = project(SCRIPT_PROJECT);
    const { code, stderr } = await cli(["dockerfile", "-t", "app", "."], { cwd: dir });
    expect(code).toBe(EXIT_USER_ERROR);
    expect(stderr).toContain("-t/--tag has nothing to name");
    expect(stderr).toContain("docker build -f pyproject.toml -t app .");
    expect((await cli(["plan", "--help"])).stdout).not.toMatch(/-t\b/);
  });

  it("keeps --target without a short form", async () => {
    const dir = project({
      "pyproject.toml":
        '[tool.pyfront]\npython_version = "3.11"\n[tool.pyfront.targets.debug]\nsystem_deps = ["curl"]\n',
      "main.py": "",
    });
    const { code, stdout } = await cli(["dockerfile", "--target", "debug", dir]);
    expect(code).toBe(0);
    expect(stdout).toContain("curl");
    expect((await cli(["plan", "--help"])).stdout).toMatch(/^ {2}--target <name>/m);
  });

  it("refuses to write binary LLB to a terminal, and says how to get it", async () => {
    const dir = project(SCRIPT_PROJECT);
    const toTerminal = await cli(["llb", dir], { stdoutIsTTY: true });
    expect(toTerminal.code).toBe(EXIT_USER_ERROR);
    expect(toTerminal.stdout).toBe("");
    expect(toTerminal.stderr).toContain("--json");
    expect(toTerminal.stderr).toContain(">");
    const json = await cli(["llb", "--json", dir], { stdoutIsTTY: true });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toBeTruthy();
  });
});
