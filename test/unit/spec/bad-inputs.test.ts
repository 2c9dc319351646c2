import { describe, expect, test } from "vitest";
import { memoryContext } from "../../../src/context/memory-context.js";
import { formatDiagnostic, SpecError } from "../../../src/spec/diagnostics.js";
import { loadBuildSpec } from "../../../src/spec/load-build-spec.js";
import { BAD_INPUTS } from "./bad-inputs.cases.js";

/** Every diagnostic of a load, formatted: all problems of a SpecError, or the warnings of a success. */
function diagnosticsOf(c: (typeof BAD_INPUTS)[number]): string[] {
  const options = {
    specFile: c.specFile ?? "pyproject.toml",
    ...(c.target !== undefined ? { target: c.target } : {}),
    ...(c.buildArgs !== undefined ? { buildArgs: c.buildArgs } : {}),
  };
  try {
    return loadBuildSpec(c.text, options, memoryContext(c.files ?? {})).warnings.map(formatDiagnostic);
  } catch (error) {
    if (error instanceof SpecError) return error.diagnostics.map(formatDiagnostic);
    throw error;
  }
}

describe("bad inputs give exact diagnostics", () => {
  test("the table is large enough to matter", () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(BAD_INPUTS.map((c) => c.name)).size).toBe(BAD_INPUTS.length);
  });

  test.each(BAD_INPUTS.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(c.expected.length).toBeGreaterThan(0);
    expect(diagnosticsOf(c)).toEqual(c.expected);
  });
});

describe("SpecError", () => {
  test("carries every problem, positioned and keyed", () => {
    const text = '[tool.pyfront]\npython_version = "2.7"\nbuild_deps = ["A B"]\n';
    let caught: unknown;
    try {
      loadBuildSpec(text, { specFile: "pyproject.toml" }, memoryContext({}));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SpecError);
    const diagnostics = (caught as SpecError).diagnostics;
    expect(diagnostics.map((d) => [d.code, d.key, d.position?.line, d.position?.column])).toEqual([
      ["unsupported-python-version", "tool.pyfront.python_version", 2, 18],
      ["invalid-apt-package", "tool.pyfront.build_deps[0]", 3, 15],
    ]);
    expect((caught as SpecError).message).not.toMatch(/\bat .*\.ts:\d+/);
  });
});
