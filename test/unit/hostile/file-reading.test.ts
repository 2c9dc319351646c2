// Issue #11, findings 4, 5 and 6: only regular files inside the context are read, with a size limit.
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT_USER_ERROR } from "../../../src/cli/main.js";
import { MAX_INPUT_FILE_BYTES, readRegularFile } from "../../../src/context/regular-file.js";
import { cli, tempProjects } from "./cli-helpers.js";

const temp = tempProjects();
afterAll(() => temp.cleanUp());

const COMMANDS = [["dockerfile"], ["plan"], ["llb", "--json"]];
const SPEC = '[tool.pyfront]\npython_version = "3.12"\n';

/** Every command refuses the project the same way: exit 2, one message, no stack trace. */
async function refusedByAll(dir: string, expected: RegExp, extra: string[] = []) {
  for (const command of COMMANDS) {
    const { code, stdout, stderr } = await cli([...command, dir, ...extra]);
    expect(code, `${command[0]}: ${stderr}`).toBe(EXIT_USER_ERROR);
    expect(stdout).toBe("");
    expect(stderr).toMatch(expected);
    expect(stderr).not.toMatch(/internal error|\n\s+at /);
  }
}

describe("spec files", () => {
  it("a spec path that is a directory", async () => {
    const dir = temp.project({ "main.py": "" });
    mkdirSync(join(dir, "pyproject.toml"));
    await refusedByAll(dir, /spec file .*pyproject\.toml" is a directory/);
  });

  it("a spec that is a FIFO returns at once", async () => {
    const dir = temp.project({ "main.py": "" });
    execFileSync("mkfifo", [join(dir, "pyproject.toml")]);
    await refusedByAll(dir, /is not a regular file/);
  });

  it("a spec that is a symlink to /dev/zero returns at once", async () => {
    const dir = temp.project({ "main.py": "" });
    symlinkSync("/dev/zero", join(dir, "Mopyfile.yaml"));
    await refusedByAll(dir, /is (not a regular file|outside the build context)/);
  });

  it("a spec symlinked outside the context is refused like -f ../outside.toml (finding 6)", async () => {
    const outer = temp.project({ "outside.toml": SPEC, "ctx/main.py": "" });
    symlinkSync("../outside.toml", join(outer, "ctx", "pyproject.toml"));
    await refusedByAll(join(outer, "ctx"), /is outside the build context/);
    await refusedByAll(join(outer, "ctx"), /is outside the build context/, [
      "-f",
      join(outer, "outside.toml"),
    ]);
  });

  it("a spec symlinked inside the context is read", async () => {
    const dir = temp.project({ "specs/real.toml": SPEC, "main.py": "" });
    symlinkSync("specs/real.toml", join(dir, "pyproject.toml"));
    expect((await cli(["plan", dir])).code).toBe(0);
  });

  it("a spec over the size limit is refused before it is read", async () => {
    const dir = temp.project({ "main.py": "" });
    writeFileSync(join(dir, "pyproject.toml"), `${SPEC}# ${"x".repeat(MAX_INPUT_FILE_BYTES)}\n`);
    await refusedByAll(dir, /is larger than 4 MiB/);
  });

  it("a folder name with control characters is refused by every command alike", async () => {
    const dir = temp.project({ "app\nRUN id/pyproject.toml": SPEC, "app\nRUN id/main.py": "" });
    await refusedByAll(dir, /the spec file's path contains control characters/, [
      "-f",
      join(dir, "app\nRUN id", "pyproject.toml"),
    ]);
  });
});

describe("files a spec points at", () => {
  it("a FIFO as a requirements file is refused (finding 7)", async () => {
    const dir = temp.project({ "pyproject.toml": `${SPEC}requirements = ["req.txt"]\n` });
    execFileSync("mkfifo", [join(dir, "req.txt")]);
    await refusedByAll(
      dir,
      /pyproject\.toml:3:17: tool\.pyfront\.requirements\[0\]: "req\.txt" is not a regular file/,
    );
  });

  it("readRegularFile refuses devices, FIFOs and directories without blocking", () => {
    expect(readRegularFile("/dev/zero")).toEqual({ ok: false, reason: "not-regular" });
    expect(readRegularFile("/")).toEqual({ ok: false, reason: "directory" });
    expect(readRegularFile("/nonexistent/x")).toEqual({ ok: false, reason: "missing" });
  });
});
