import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { ContextReader } from "../../../src/spec/context-reader.js";
import { formatDiagnostic, SpecError } from "../../../src/spec/diagnostics.js";
import { loadBuildSpec } from "../../../src/spec/load-build-spec.js";

const DOCS = join(import.meta.dirname, "../../../docs/formats");
const SPEC_FILE: Record<string, string> = {
  toml: "pyproject.toml",
  yaml: "Mopyfile.yaml",
  dockerfile: "Dockerfile",
};

/** The docs' examples name files they do not ship: every path exists; dotted names are files. */
const everythingExists: ContextReader = {
  readFile: () => undefined,
  listDirectory: () => undefined,
  exists: () => true,
  isDirectory: (path) => !(path.split("/").pop() ?? "").includes(".") && !path.endsWith("known_hosts"),
};

const examples = readdirSync(DOCS)
  .filter((f) => f.endsWith(".md"))
  .sort()
  .flatMap((file) =>
    [...readFileSync(join(DOCS, file), "utf8").matchAll(/```(toml|yaml|dockerfile)\n([\s\S]*?)```/g)].map(
      (m, i) => ({ name: `${file} example ${i + 1}`, language: m[1]!, text: m[2]! }),
    ),
  );

describe("docs/formats examples load without errors", () => {
  test("there are examples for every format", () => {
    expect(new Set(examples.map((e) => e.language))).toEqual(new Set(["toml", "yaml", "dockerfile"]));
  });

  test.each(examples.map((e) => [e.name, e] as const))("%s", (_name, example) => {
    try {
      const { warnings } = loadBuildSpec(
        example.text,
        { specFile: SPEC_FILE[example.language]! },
        everythingExists,
      );
      expect(warnings.map(formatDiagnostic)).toEqual([]);
    } catch (error) {
      if (error instanceof SpecError) expect.fail(error.diagnostics.map(formatDiagnostic).join("\n"));
      throw error;
    }
  });
});
