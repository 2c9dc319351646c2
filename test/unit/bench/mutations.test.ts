import { describe, expect, it } from "vitest";
import {
  addProjectDependency,
  addPyfrontDependency,
  appendCommentLine,
  ensurePyfrontIndex,
} from "../../../bench/suite/mutations.js";

describe("appendCommentLine", () => {
  it("adds exactly one line, with or without a final newline", () => {
    expect(appendCommentLine("print(1)\n", "edit 1")).toBe("print(1)\n# edit 1\n");
    expect(appendCommentLine("print(1)", "edit 1")).toBe("print(1)\n# edit 1\n");
  });
});

describe("addProjectDependency", () => {
  const webapp = [
    "[project]",
    'name = "webapp"',
    'dependencies = ["flask>=2.2"]',
    "",
    "[tool.pyfront]",
    'dependencies = ["x"]',
  ].join("\n");

  it("appends to a one-line array in [project], not in another table", () => {
    const out = addProjectDependency(webapp, "pfhello");
    expect(out).toContain('dependencies = ["flask>=2.2", "pfhello"]');
    expect(out).toContain('[tool.pyfront]\ndependencies = ["x"]');
  });

  it("fills an empty array", () => {
    expect(addProjectDependency("[project]\ndependencies = []\n", "pfhello")).toBe(
      '[project]\ndependencies = ["pfhello"]\n',
    );
  });

  it("keeps extras brackets and adds after them", () => {
    expect(addProjectDependency('[project]\ndependencies = ["a[b]"]', "c")).toBe(
      '[project]\ndependencies = ["a[b]", "c"]',
    );
  });

  it("adds an item line to a multi-line array, with or without a trailing comma", () => {
    const withComma = '[project]\ndependencies = [\n    "click",\n]\n';
    expect(addProjectDependency(withComma, "pfhello")).toBe(
      '[project]\ndependencies = [\n    "click",\n    "pfhello",\n]\n',
    );
    const without = '[project]\ndependencies = [\n    "click"\n]\n';
    expect(addProjectDependency(without, "pfhello")).toBe(
      '[project]\ndependencies = [\n    "click",\n    "pfhello",\n]\n',
    );
  });

  it("says so when there is no [project] table or no dependencies key", () => {
    expect(() => addProjectDependency("[tool.pyfront]\n", "x")).toThrow(/no \[project\] table/);
    expect(() => addProjectDependency('[project]\nname = "a"\n', "x")).toThrow(/no dependencies array/);
  });
});

describe("addPyfrontDependency", () => {
  it("creates the key under [tool.pyfront] when it is missing", () => {
    expect(addPyfrontDependency('[tool.pyfront]\npython_version = "3.11"\n', "pfhello")).toBe(
      '[tool.pyfront]\ndependencies = ["pfhello"]\npython_version = "3.11"\n',
    );
  });

  it("appends when the key exists", () => {
    expect(addPyfrontDependency('[tool.pyfront]\ndependencies = ["rich"]\n', "pfhello")).toBe(
      '[tool.pyfront]\ndependencies = ["rich", "pfhello"]\n',
    );
  });
});

describe("ensurePyfrontIndex", () => {
  it("adds the index as primary and trusted under [tool.pyfront]", () => {
    expect(
      ensurePyfrontIndex(
        '#syntax=x\n[tool.pyfront]\npython_version = "3.11"\n',
        "http://127.0.0.1:3141/simple",
      ),
    ).toBe(
      '#syntax=x\n[tool.pyfront]\nindices = [{ url = "http://127.0.0.1:3141/simple", primary = true, trust = true }]\npython_version = "3.11"\n',
    );
  });

  it("leaves a table that names an index alone", () => {
    const text = '[tool.pyfront]\nindices = [{ url = "https://x/simple" }]\n';
    expect(ensurePyfrontIndex(text, "http://127.0.0.1:3141/simple")).toBe(text);
  });
});
