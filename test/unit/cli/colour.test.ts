import { describe, expect, it } from "vitest";
import { wantsColour } from "../../../src/cli/terminal-style.js";
import { cli, project } from "./cli-harness.js";

const tty = { isTTY: true };
const pipe = { isTTY: false };

describe("colour", () => {
  it.each([
    ["a terminal", tty, {}, true],
    ["a pipe", pipe, {}, false],
    ["a terminal with NO_COLOR", tty, { NO_COLOR: "1" }, false],
    ["a terminal with an empty NO_COLOR (no-color.org: unset)", tty, { NO_COLOR: "" }, true],
    ["a pipe with FORCE_COLOR", pipe, { FORCE_COLOR: "1" }, true],
    ["a pipe with an empty FORCE_COLOR", pipe, { FORCE_COLOR: "" }, true],
    ["a terminal with FORCE_COLOR=0", tty, { FORCE_COLOR: "0" }, false],
    ["a terminal with FORCE_COLOR=false", tty, { FORCE_COLOR: "false" }, false],
    ["FORCE_COLOR over NO_COLOR", pipe, { FORCE_COLOR: "1", NO_COLOR: "1" }, true],
    ["a dumb terminal", tty, { TERM: "dumb" }, false],
  ] as const)("%s", (_name, stream, env, expected) => {
    expect(wantsColour(stream, env)).toBe(expected);
  });

  it("colours diagnostics on a terminal and leaves their text as it is", async () => {
    const dir = project({ "pyproject.toml": "[tool.pyfront]\nexpose = [80000]\n", "main.py": "" });
    const plain = await cli(["plan", "."], { cwd: dir });
    const coloured = await cli(["plan", "."], { cwd: dir, stderrIsTTY: true });
    expect(plain.stderr).not.toContain("\u001b[");
    expect(coloured.stderr).toContain("\u001b[1mpyproject.toml:2:");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes.
    expect(coloured.stderr.replace(/\u001b\[\d+m/g, "")).toBe(plain.stderr);
    const noColour = await cli(["plan", "."], { cwd: dir, stderrIsTTY: true, env: { NO_COLOR: "1" } });
    expect(noColour.stderr).toBe(plain.stderr);
  });
});
