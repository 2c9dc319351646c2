// The lock oracles' plan, without running a tool: which commands each install turns into, and
// that every oracle project is well formed (the real runs are in test/oracle/, on engine A).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  exportArgv,
  LOCK_FILES,
  loadOracleCases,
  lockArgv,
  ORACLE_TARGETS,
} from "../../support/lock-oracle.js";

describe("lock oracle exports", () => {
  it("Poetry exports the main group with the named ones and each extra", () => {
    expect(exportArgv("poetry", { name: "x", groups: ["dev"], extras: ["cache", "yaml"] })).toEqual([
      "poetry",
      "export",
      "--no-ansi",
      "--no-interaction",
      "-f",
      "requirements.txt",
      "--without-hashes",
      "--only",
      "main,dev",
      "--extras",
      "cache",
      "--extras",
      "yaml",
    ]);
  });

  it("PDM exports production only unless a dependency group is named; extras are optional groups", () => {
    expect(exportArgv("pdm", { name: "x", groups: [], extras: ["postgres"] })).toEqual([
      "pdm",
      "export",
      "--no-hashes",
      "--prod",
      "-G",
      "postgres",
    ]);
    expect(exportArgv("pdm", { name: "x", groups: ["test"], extras: [] })).toEqual([
      "pdm",
      "export",
      "--no-hashes",
      "--dev",
      "-G",
      "test",
    ]);
  });

  it("pipenv exports Pipfile categories, develop being [dev-packages]; a Pipfile has no extras", () => {
    expect(exportArgv("pipenv", { name: "x", groups: ["develop", "docs"], extras: [] })).toEqual([
      "pipenv",
      "requirements",
      "--categories",
      "packages dev-packages docs",
    ]);
    expect(() => exportArgv("pipenv", { name: "x", groups: [], extras: ["a"] })).toThrow(/no extras/);
  });

  it("PDM locks the optional groups too", () => {
    expect(lockArgv("pdm")).toEqual(["pdm", "lock", "--group", ":all"]);
  });
});

describe("lock oracle projects", () => {
  const cases = loadOracleCases();

  it("at least five per tool, each with its tool's project file and no committed lock", () => {
    for (const tool of ["poetry", "pdm", "pipenv"] as const) {
      expect(cases.filter((c) => c.tool === tool).length, tool).toBeGreaterThanOrEqual(5);
    }
    for (const oracleCase of cases) {
      const projectFile = oracleCase.tool === "pipenv" ? "Pipfile" : "pyproject.toml";
      expect(existsSync(join(oracleCase.dir, projectFile)), `${oracleCase.id}: ${projectFile}`).toBe(true);
      expect(existsSync(join(oracleCase.dir, LOCK_FILES[oracleCase.tool])), `${oracleCase.id}: lock`).toBe(
        false,
      );
    }
  });

  it("facts name only the case's requests and the oracle's targets", () => {
    const targets = new Set(ORACLE_TARGETS.map((t) => t.id));
    for (const oracleCase of cases) {
      const requests = new Set(oracleCase.requests.map((r) => r.name));
      for (const [request, byTarget] of Object.entries(oracleCase.facts)) {
        expect(requests.has(request), `${oracleCase.id}: ${request}`).toBe(true);
        for (const target of Object.keys(byTarget))
          expect(targets.has(target), `${oracleCase.id}: ${target}`).toBe(true);
      }
    }
  });
});
