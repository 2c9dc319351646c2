import { describe, expect, test } from "vitest";
import { memoryContext } from "../../../src/context/memory-context.js";
import type { LoadOptions } from "../../../src/spec/context-reader.js";
import { loadBuildSpec } from "../../../src/spec/load-build-spec.js";
import { chooseMicrobTarget } from "../../../src/spec/microb-format.js";
import { mergeTarget } from "../../../src/spec/pyfront-format.js";

const PYPROJECT = `[project]
name = "svc"
[tool.pyfront]
python_version = "3.11"
system_deps = ["curl"]
env = { A = "1", B = "2" }
labels = { "org.example.tier" = "base" }
command = ["svc"]
[tool.pyfront.targets.debug]
env = { A = "debug" }
system_deps = []
[tool.pyfront.targets.py312]
python_version = "3.12"
`;

const load = (options: Partial<LoadOptions>) =>
  loadBuildSpec(PYPROJECT, { specFile: "pyproject.toml", ...options }, memoryContext({})).spec;

describe("pyfront targets", () => {
  test("without a target only the top-level table counts", () => {
    const spec = load({});
    expect(spec.target).toBeUndefined();
    expect(spec.env).toEqual([
      ["A", "1"],
      ["B", "2"],
    ]);
    expect(spec.systemDeps).toEqual(["curl"]);
  });

  test("a target inherits every key it does not set", () => {
    const spec = load({ target: "py312" });
    expect(spec.target).toBe("py312");
    expect(spec.python.series).toBe("3.12");
    expect(spec.systemDeps).toEqual(["curl"]);
    expect(spec.command).toEqual(["svc"]);
    expect(spec.labels).toEqual([["org.example.tier", "base"]]);
    expect(spec.positions.python_version?.line).toBe(13);
    expect(spec.positions.command?.line).toBe(8);
  });

  test("a target's tables and arrays replace the inherited ones", () => {
    const spec = load({ target: "debug" });
    expect(spec.env).toEqual([["A", "debug"]]);
    expect(spec.systemDeps).toEqual([]);
    expect(spec.python.series).toBe("3.11");
  });

  test("mergeTarget replaces whole values", () => {
    expect(mergeTarget({ env: { A: "1", B: "2" }, build_deps: ["gcc"] }, { env: { A: "x" } })).toEqual({
      env: { A: "x" },
      build_deps: ["gcc"],
    });
    expect(mergeTarget({ command: ["a"] }, undefined)).toEqual({ command: ["a"] });
  });
});

describe("microb target choice", () => {
  test.each([
    [["a"], {}, { name: "a" }],
    [["a", "default"], {}, { name: "default" }],
    [["a", "b"], { target: "b" }, { name: "b" }],
    [["a", "b"], { buildArgs: { microb_target: "a" } }, { name: "a" }],
    [["a", "b"], { target: "b", buildArgs: { microb_target: "a" } }, { name: "b" }],
    [["a", "b"], {}, { error: "ambiguous" }],
    [[], {}, { error: "none" }],
    [["a"], { target: "z" }, { error: "unknown", requested: "z" }],
  ] as const)("targets %j with %j", (names, options, expected) => {
    expect(chooseMicrobTarget(names, { specFile: "pyproject.toml", ...options })).toEqual(expected);
  });
});
