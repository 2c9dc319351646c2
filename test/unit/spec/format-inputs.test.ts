import { describe, expect, test } from "vitest";
import { memoryContext } from "../../../src/context/memory-context.js";
import { formatDiagnostic, SpecError } from "../../../src/spec/diagnostics.js";
import { loadBuildSpec } from "../../../src/spec/load-build-spec.js";
import type { BadInputCase } from "./bad-inputs.cases.js";
import { FORMAT_INPUTS } from "./format-inputs.cases.js";

/** Every diagnostic of a load, formatted: all problems of a SpecError, or the warnings of a success. */
function diagnosticsOf(c: BadInputCase): string[] {
  try {
    const { warnings } = loadBuildSpec(
      c.text,
      { specFile: c.specFile ?? "pyproject.toml" },
      memoryContext(c.files ?? {}),
    );
    // Most cases run nothing on purpose; the start-command rules have tests of their own.
    return warnings.filter((w) => w.code !== "no-start-command").map(formatDiagnostic);
  } catch (error) {
    if (error instanceof SpecError) return error.diagnostics.map(formatDiagnostic);
    throw error;
  }
}

describe("microb and mopy inputs give exact diagnostics", () => {
  test.each(FORMAT_INPUTS.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(diagnosticsOf(c)).toEqual(c.expected);
  });
});
