import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import type { LoadOptions } from "../../../src/spec/context-reader.js";
import { formatDiagnostic } from "../../../src/spec/diagnostics.js";
import { loadBuildSpec } from "../../../src/spec/load-build-spec.js";
import { fixtureContext } from "./fixture-context.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const GOLDEN = join(import.meta.dirname, "../../golden/spec");
const SPEC_FILES = ["pyproject.toml", "Mopyfile.yaml", "Dockerfile"];

interface FixtureCase {
  name: string;
  options: LoadOptions;
}

function casesOf(dir: string): FixtureCase[] {
  const casesFile = join(dir, "cases.json");
  if (existsSync(casesFile)) return JSON.parse(readFileSync(casesFile, "utf8")) as FixtureCase[];
  const specFile = SPEC_FILES.find((f) => existsSync(join(dir, f)));
  if (!specFile) throw new Error(`fixture ${dir} has no spec file`);
  return [{ name: "", options: { specFile } }];
}

describe("golden BuildSpecs", () => {
  // End-of-life warnings depend on the date; the goldens are taken on one.
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-12-01T12:00:00Z"));
  });
  afterAll(() => {
    vi.useRealTimers();
  });

  for (const fixture of readdirSync(FIXTURES).sort()) {
    const dir = join(FIXTURES, fixture);
    const { context, files } = fixtureContext(dir);
    for (const { name, options } of casesOf(dir)) {
      test(`${fixture}${name ? ` (${name})` : ""}`, async () => {
        const text = files[options.specFile];
        expect(text).toBeDefined();
        const { spec, warnings } = loadBuildSpec(text!, options, context);
        expect(spec.format).toBeDefined();
        const golden = `${JSON.stringify({ spec, warnings: warnings.map(formatDiagnostic) }, null, 2)}\n`;
        await expect(golden).toMatchFileSnapshot(join(GOLDEN, `${fixture}${name ? `.${name}` : ""}.json`));
      });
    }
  }
});
