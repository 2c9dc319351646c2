// Every lock fixture (test/locks/<format>/<case>/) loaded and planned as `pyfront plan` would, for
// linux/amd64 and linux/arm64: the locked set each target installs, or the errors that stop it, kept
// as golden files. A change in any reader or in the selection shows here as a diff of what installs.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProject } from "../../../src/cli/project-input.js";
import { planBuild } from "../../../src/plan/plan-build.js";
import { formatDiagnostic, SpecError } from "../../../src/spec/diagnostics.js";

const LOCKS = join(import.meta.dirname, "..", "..", "locks");
const GOLDEN = join(import.meta.dirname, "..", "..", "golden", "locks");
const FORMATS = ["uv", "pylock", "poetry", "pdm", "pipfile"];

const fixtures = FORMATS.flatMap((format) =>
  readdirSync(join(LOCKS, format))
    .filter((name) => statSync(join(LOCKS, format, name)).isDirectory())
    .sort()
    .map((name) => ({ format, name, dir: join(LOCKS, format, name) })),
);

function lockedFor(dir: string, architecture: string): unknown {
  const file = readdirSync(dir).includes("Pipfile") ? "Pipfile" : "pyproject.toml";
  try {
    const loaded = loadProject({ dir: ".", file, cwd: dir, buildArgs: {} });
    return planBuild(loaded.spec, { buildArgs: {}, architecture }).locked ?? "no lock used";
  } catch (error) {
    if (error instanceof SpecError) return { errors: error.diagnostics.map(formatDiagnostic) };
    throw error;
  }
}

describe("lock fixtures: what each target installs", () => {
  for (const fixture of fixtures) {
    it(`${fixture.format}/${fixture.name}`, async () => {
      const result = { amd64: lockedFor(fixture.dir, "amd64"), arm64: lockedFor(fixture.dir, "arm64") };
      expect(result.amd64, "the fixture plans for linux/amd64").not.toHaveProperty("errors");
      await expect(`${JSON.stringify(result, null, 2)}\n`).toMatchFileSnapshot(
        join(GOLDEN, `${fixture.format}-${fixture.name}.locked.json`),
      );
    });
  }
});
