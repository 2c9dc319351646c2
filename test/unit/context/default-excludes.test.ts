import { describe, expect, it } from "vitest";
import {
  contextDecision,
  contextExcludes,
  DEFAULT_CONTEXT_EXCLUDES,
  withContextDecision,
} from "../../../src/context/default-excludes.js";
import { ignoreMatcher } from "../../../src/context/dockerignore.js";
import { baseSpec } from "../plan/spec-fixtures.js";

const defaults = ignoreMatcher(DEFAULT_CONTEXT_EXCLUDES);

describe("default context excludes (no .dockerignore)", () => {
  // One case per rule: at the root, deep in the tree, and what the rule must keep.
  const rules: Array<[rule: string, leftOut: string[], kept: string[]]> = [
    ["**/.git", [".git/HEAD", "vendor/lib/.git"], [".github/workflows/ci.yml", ".gitignore"]],
    ["**/.venv", [".venv/bin/python", "services/api/.venv/lib/x.py"], [".venvrc"]],
    ["**/venv", ["venv/bin/python", "a/venv/pyvenv.cfg"], ["venvs/x", "src/myvenv.py"]],
    ["**/__pycache__", ["__pycache__/m.cpython-313.pyc", "pkg/sub/__pycache__"], ["pkg/pycache.py"]],
    ["**/*.pyc", ["m.pyc", "pkg/m.pyc"], ["m.py", "m.pyi"]],
    ["**/.mypy_cache", [".mypy_cache/3.13/x.json", "a/.mypy_cache"], ["mypy.ini"]],
    ["**/.pytest_cache", [".pytest_cache/v/cache", "tests/.pytest_cache"], ["tests/test_x.py"]],
    ["**/.tox", [".tox/py313/bin/python", "a/.tox"], ["tox.ini"]],
    ["**/node_modules", ["node_modules/x/index.js", "web/node_modules/y"], ["web/package.json"]],
  ];

  for (const [rule, leftOut, kept] of rules) {
    it(`${rule} leaves out ${leftOut.join(", ")} and keeps ${kept.join(", ")}`, () => {
      expect(DEFAULT_CONTEXT_EXCLUDES).toContain(rule);
      const alone = ignoreMatcher([rule]);
      for (const path of leftOut) expect(alone.excludes(path), path).toBe(true);
      for (const path of kept) expect(defaults.excludes(path), path).toBe(false);
    });
  }

  it("every default has its case above", () => {
    expect(rules.map(([rule]) => rule)).toEqual([...DEFAULT_CONTEXT_EXCLUDES]);
  });

  it("apply only when there is no ignore file; an ignore file's own patterns replace them", () => {
    expect(contextExcludes(undefined)).toEqual({ patterns: DEFAULT_CONTEXT_EXCLUDES });
    expect(
      contextExcludes({ kind: "dockerignore", file: ".dockerignore", text: "# only this\n*.log\n" }),
    ).toEqual({
      patterns: ["*.log"],
      from: { kind: "dockerignore", file: ".dockerignore" },
    });
  });

  it("the decision says which rule chose the excludes and why", () => {
    expect(contextDecision(contextExcludes(undefined))).toEqual({
      choice: "default excludes",
      rule: "no-dockerignore",
      reason:
        "no .dockerignore: left out .git, .venv, venv, __pycache__, *.pyc, .mypy_cache, .pytest_cache, .tox and node_modules, in every folder",
    });
    expect(
      contextDecision(contextExcludes({ kind: "dockerignore", file: ".dockerignore", text: "a\nb\n" })),
    ).toEqual({
      choice: "the project's .dockerignore",
      rule: "dockerignore",
      reason: ".dockerignore (2 patterns) says what is left out; no defaults added",
    });
    const own = contextExcludes({
      kind: "spec-dockerignore",
      file: "api/pyproject.toml.dockerignore",
      text: "x\n",
    });
    expect(contextDecision(own)).toMatchObject({
      choice: "api/pyproject.toml.dockerignore",
      rule: "spec-dockerignore",
    });
  });

  it("lands in the spec's decisions, next to the others", () => {
    const spec = baseSpec();
    const decided = withContextDecision(
      { ...spec, decisions: { python: { choice: "3.13", rule: "x", reason: "y" } } },
      contextExcludes(undefined),
    );
    expect(Object.keys(decided.decisions)).toEqual(["python", "context"]);
    expect(decided.decisions.context?.rule).toBe("no-dockerignore");
  });
});
