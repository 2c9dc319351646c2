// setup.py/setup.cfg console scripts are read as text: only plain names come out, whatever the file holds.
import { describe, expect, it } from "vitest";
import { memoryContext } from "../../../src/context/memory-context.js";
import { setuptoolsConsoleScripts } from "../../../src/detect/start-command.js";

const cfg = (eol: string, entries: string[]) =>
  [
    "[metadata]",
    "name = app",
    "[options.entry_points]",
    "console_scripts =",
    ...entries.map((e) => `    ${e}`),
  ].join(eol) + eol;

describe("setuptoolsConsoleScripts", () => {
  it.each(["\n", "\r\n", "\r"])("reads setup.cfg with %j line ends", (eol) => {
    const context = memoryContext({ "setup.cfg": cfg(eol, ["serve = app.cli:main", "tool = app.t:run"]) });
    expect(setuptoolsConsoleScripts(context, ".")).toEqual(["serve", "tool"]);
  });

  it("leaves out names that are not plain", () => {
    const entries = ["a b = app.cli:main", "x;id = app:m", "-rf = app:m", "à = app:m", "ok = app:main"];
    expect(setuptoolsConsoleScripts(memoryContext({ "setup.cfg": cfg("\n", entries) }), ".")).toEqual(["ok"]);
    const py = `setup(entry_points={"console_scripts": [${entries.map((e) => JSON.stringify(e)).join(", ")}]})\n`;
    expect(setuptoolsConsoleScripts(memoryContext({ "setup.py": py }), ".")).toEqual(["ok"]);
  });
});
