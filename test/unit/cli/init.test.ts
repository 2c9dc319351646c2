import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT_USER_ERROR } from "../../../src/cli/main.js";
import { DEFAULT_DOCKERIGNORE, INIT_BLOCK_START, SYNTAX_LINE } from "../../../src/cli/project-init.js";
import { cli, project } from "./cli-harness.js";

const PACKAGE_PYPROJECT = `[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "Count_Words"
version = "0.2.0"
description = "Zählt Wörter"   # not ASCII, kept byte for byte
requires-python = ">=3.10,<3.12"
dependencies = ["click>=8.0"]

[project.scripts]
count = "count.cli:main"`; // no newline at the end, on purpose

const read = (dir: string, name: string) => readFileSync(join(dir, name), "utf8");

describe("pyfront init", () => {
  it("adds the syntax line and a commented table of what the build detects, keeping every byte", async () => {
    const dir = project({ "pyproject.toml": PACKAGE_PYPROJECT, "count/__init__.py": "" });
    const { code, stdout, stderr } = await cli(["init", "."], { cwd: dir });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const text = read(dir, "pyproject.toml");
    expect(text.startsWith(`${SYNTAX_LINE}\n${PACKAGE_PYPROJECT}\n\n${INIT_BLOCK_START}\n`)).toBe(false);
    expect(text.startsWith(`${SYNTAX_LINE}\n${PACKAGE_PYPROJECT}\n${INIT_BLOCK_START}\n`)).toBe(true);
    expect(text).toContain('# python_version = "3.11"\n'); // newest series matching requires-python
    expect(text).toContain('# entrypoint = ["count"]\n'); // the single [project.scripts] entry
    expect(text).toContain("# [tool.pyfront]\n");
    expect(read(dir, ".dockerignore")).toBe(DEFAULT_DOCKERIGNORE);
    expect(stdout).toContain("docker build -f pyproject.toml -t count_words .");
    // Still a valid spec, and the same build as before: the table is commented out.
    const plan = await cli(["plan", "."], { cwd: dir });
    expect(plan.code).toBe(0);
  });

  it("writes what the build detected for a configured project's command and ports", async () => {
    const dir = project({
      "pyproject.toml": '[project]\nname = "web"\nversion = "1"\n',
      "web/__init__.py": "",
    });
    writeFileSync(join(dir, ".python-version"), "3.12\n");
    await cli(["init", dir]);
    expect(read(dir, "pyproject.toml")).toContain('# python_version = "3.12"');
    expect(read(dir, "pyproject.toml")).toContain("none detected: the image starts python");
  });

  it("creates pyproject.toml for a folder of scripts, and names requirements.txt", async () => {
    const dir = project({ "main.py": "print('hi')\n", "requirements.txt": "flask\n" });
    const { code, stdout } = await cli(["init", "."], { cwd: dir });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^pyproject\.toml: created$/m);
    const text = read(dir, "pyproject.toml");
    expect(text.startsWith(`${SYNTAX_LINE}\n${INIT_BLOCK_START}\n`)).toBe(true);
    expect(text).toContain('# command = ["/opt/venv/bin/python", "/app/main.py"]');
    expect(text).toContain('# requirements = ["requirements.txt"]');
  });

  it("never overwrites without --force: a .dockerignore, its own block, another syntax line", async () => {
    const dir = project({
      "pyproject.toml": '#syntax=example.com/other:1\r\n[project]\r\nname = "x"\r\nversion = "1"\r\n',
      ".dockerignore": "mine\n",
      "x/__init__.py": "",
    });
    const first = await cli(["init", "."], { cwd: dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("keeps its #syntax=example.com/other:1");
    expect(first.stdout).toContain(".dockerignore: exists; left as it is (--force replaces it)");
    expect(read(dir, ".dockerignore")).toBe("mine\n");
    const afterFirst = read(dir, "pyproject.toml");
    expect(
      afterFirst.startsWith('#syntax=example.com/other:1\r\n[project]\r\nname = "x"\r\nversion = "1"\r\n'),
    ).toBe(true);
    expect(afterFirst).toContain(`${INIT_BLOCK_START}\r\n`); // the file's own line ends

    const second = await cli(["init", "."], { cwd: dir });
    expect(second.stdout).toContain("nothing to change");
    expect(read(dir, "pyproject.toml")).toBe(afterFirst);

    const forced = await cli(["init", "--force", "."], { cwd: dir });
    expect(forced.code).toBe(0);
    const afterForce = read(dir, "pyproject.toml");
    expect(afterForce.startsWith(`${SYNTAX_LINE}\r\n[project]`)).toBe(true);
    expect(afterForce.split(INIT_BLOCK_START)).toHaveLength(2);
    expect(read(dir, ".dockerignore")).toBe(DEFAULT_DOCKERIGNORE);
  });

  it("leaves its block alone, even with --force, once the user has uncommented a line of it", async () => {
    const dir = project({ "pyproject.toml": '[project]\nname = "x"\nversion = "1"\n', "x/__init__.py": "" });
    await cli(["init", "."], { cwd: dir });
    const edited = read(dir, "pyproject.toml")
      .replace("# [tool.pyfront]\n", "[tool.pyfront]\n")
      .replace("# expose = [8000]", "expose = [8000]");
    writeFileSync(join(dir, "pyproject.toml"), edited);
    const { code, stdout } = await cli(["init", "--force", "."], { cwd: dir });
    expect(code).toBe(0);
    expect(stdout).toContain("has a [tool.pyfront] or [tool.microb] table already");
    expect(read(dir, "pyproject.toml")).toBe(edited);
  });

  it("counts a dotted-key [tool.pyfront] as configured, as the build does", async () => {
    const original = '[tool]\npyfront.python_version = "3.12"\n';
    const dir = project({ "pyproject.toml": original, "main.py": "" });
    const { stdout } = await cli(["init", "."], { cwd: dir });
    expect(stdout).toContain("has a [tool.pyfront] or [tool.microb] table already");
    expect(read(dir, "pyproject.toml")).toBe(`${SYNTAX_LINE}\n${original}`);
  });

  it("leaves a [tool.pyfront] table alone", async () => {
    const original = '[tool.pyfront]\npython_version = "3.11"\n';
    const dir = project({ "pyproject.toml": original, "main.py": "" });
    const { stdout } = await cli(["init", "--force", "."], { cwd: dir });
    expect(stdout).toContain("has a [tool.pyfront] or [tool.microb] table already");
    expect(read(dir, "pyproject.toml")).toBe(`${SYNTAX_LINE}\n${original}`);
  });

  it("stops on what would stop the build, with positions from the current directory", async () => {
    const dir = project({ "app/pyproject.toml": '[project]\nname = "x"\nrequires-python = "<3"\n' });
    const { code, stderr } = await cli(["init", "app"], { cwd: dir });
    expect(code).toBe(EXIT_USER_ERROR);
    expect(stderr).toMatch(/^app\/pyproject\.toml:3:\d+: /m);
    expect(read(dir, "app/pyproject.toml")).toBe('[project]\nname = "x"\nrequires-python = "<3"\n');
  });

  it("sets a mopy project up in its Mopyfile, and creates no pyproject.toml beside it", async () => {
    const mopyfile = "python: '3.11'\npip:\n  - flask\n";
    const dir = project({ "Mopyfile.yaml": mopyfile });
    const { code, stdout, stderr } = await cli(["init", "."], { cwd: dir });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(read(dir, "Mopyfile.yaml")).toBe(`${SYNTAX_LINE}\n${mopyfile}`);
    expect(stdout).toContain("docker build -f Mopyfile.yaml -t ");
    expect((await cli(["plan", "."], { cwd: dir })).code).toBe(0);
    expect(() => read(dir, "pyproject.toml")).toThrow();
  });

  it("refuses a file or a missing directory", async () => {
    const dir = project({ "pyproject.toml": "" });
    expect((await cli(["init", "pyproject.toml"], { cwd: dir })).stderr).toContain("is not a directory");
    expect((await cli(["init", "nowhere"], { cwd: dir })).stderr).toContain("does not exist");
  });
});
