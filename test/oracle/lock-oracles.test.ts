// pyfront's lock reading and selection against the real tools. For every project under
// test/locks/oracle/, the tool itself (Poetry, PDM, pipenv in pyfront-test/lock-oracles:sid) locks
// it against the local index and exports each install as requirements; python3-packaging
// evaluates the exported markers for each target. That set is what the tool installs there, and
// what pyfront's reader + selectLockedPackages must give from the same lock. Nothing is cached:
// every run locks anew. Needs engine A (`scripts/engine up` makes the image).
import { getStaticTOMLValue, parseTOML } from "toml-eslint-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { type LockTarget, selectLockedPackages } from "../../src/plan/lock-selection.js";
import { DiagnosticList } from "../../src/spec/diagnostic-list.js";
import { type LockGraph, normalizePackageName } from "../../src/spec/locks/lock-graph.js";
import { readPdmLock } from "../../src/spec/locks/pdm-lock.js";
import { readPipfileLock } from "../../src/spec/locks/pipfile-lock.js";
import { readPoetryLock } from "../../src/spec/locks/poetry-lock.js";
import { parseSpecifierSet, satisfies } from "../../src/spec/pep440.js";
import type { SourceDocument } from "../../src/spec/source-document.js";
import { parseTomlDocument } from "../../src/spec/toml-document.js";
import { docker, selectedEngine } from "../e2e/support/engine.js";
import {
  LOCK_FILES,
  loadOracleCases,
  mapLimited,
  ORACLE_IMAGE,
  ORACLE_TARGETS,
  type OracleAnswer,
  type OracleCase,
  type OracleRun,
  type OracleTarget,
  runLockOracle,
} from "../support/lock-oracle.js";

const cases = loadOracleCases();
const runs = new Map<string, PromiseSettledResult<OracleRun>>();

/** How many tools run at once: the machine has 2 cores shared with others. */
const PARALLEL_LOCKS = 3;

beforeAll(async () => {
  if (selectedEngine() !== "A") {
    throw new Error("the lock oracles mount this checkout into their container: run them on engine A");
  }
  const image = await docker(["image", "inspect", "--format", "{{.Id}}", ORACLE_IMAGE]);
  if (image.code !== 0) {
    throw new Error(
      `${ORACLE_IMAGE} is not in engine A: \`scripts/engine up A\` builds it (${image.stderr.trim()})`,
    );
  }
  const started = performance.now();
  const results = await mapLimited(cases, PARALLEL_LOCKS, (oracleCase) => runLockOracle(oracleCase));
  cases.forEach((oracleCase, index) => {
    const result = results[index];
    if (result) runs.set(oracleCase.id, result);
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`lock oracles: ${cases.length} projects locked and exported in ${seconds}s`);
}, 240_000);

function oracleRun(oracleCase: OracleCase): OracleRun {
  const result = runs.get(oracleCase.id);
  if (!result) throw new Error(`${oracleCase.id} was not run`);
  if (result.status === "rejected") {
    throw result.reason instanceof Error ? result.reason : new Error(String(result.reason));
  }
  return result.value;
}

function render(answers: readonly OracleAnswer[]): string[] {
  return answers.map((answer) => `${answer.name}==${answer.version ?? "(unpinned)"}`);
}

/** name → versions the lock file lists (null: an entry with no pinned version, pipenv's `"*"`). */
function lockedVersions(run: OracleRun): Map<string, Set<string | null>> {
  const locked = new Map<string, Set<string | null>>();
  const add = (name: string, version: string | null) => {
    const key = normalizePackageName(name);
    const versions = locked.get(key) ?? new Set<string | null>();
    versions.add(version);
    locked.set(key, versions);
  };
  if (run.case.tool === "pipenv") {
    const lock = JSON.parse(run.lockText) as Record<string, Record<string, { version?: string }>>;
    for (const [section, entries] of Object.entries(lock)) {
      if (section === "_meta") continue;
      for (const [name, entry] of Object.entries(entries)) {
        add(name, entry.version?.startsWith("==") ? entry.version.slice(2) : null);
      }
    }
  } else {
    const lock = getStaticTOMLValue(parseTOML(run.lockText)) as {
      package?: { name: string; version: string }[];
    };
    for (const entry of lock.package ?? []) add(entry.name, entry.version);
  }
  return locked;
}

describe(`the lock oracles (${ORACLE_IMAGE}) on their own`, () => {
  it("run the tools the image records", async () => {
    const first = cases.map((oracleCase) => runs.get(oracleCase.id)).find((r) => r?.status === "fulfilled");
    expect(first, "no oracle project could be locked").toBeDefined();
    const tools = (first as PromiseFulfilledResult<OracleRun>).value.tools;
    const inspect = await docker(["image", "inspect", "--format", "{{json .Config.Env}}", ORACLE_IMAGE]);
    const env = Object.fromEntries(
      (JSON.parse(inspect.stdout) as string[]).map((kv) => [
        kv.slice(0, kv.indexOf("=")),
        kv.slice(kv.indexOf("=") + 1),
      ]),
    );
    console.log(`lock oracle tools: ${JSON.stringify(tools)}`);
    expect(tools).toEqual({
      poetry: env.ORACLE_POETRY_VERSION,
      "poetry-plugin-export": env.ORACLE_POETRY_PLUGIN_EXPORT_VERSION,
      pdm: env.ORACLE_PDM_VERSION,
      pipenv: env.ORACLE_PIPENV_VERSION,
      packaging: env.ORACLE_PACKAGING_VERSION,
      python: env.ORACLE_PYTHON_VERSION,
    });
  });

  for (const oracleCase of cases) {
    it(`${oracleCase.id}: the tool locks and exports, and the answers hold the case's hand-checked facts`, () => {
      const run = oracleRun(oracleCase);
      expect(run.lockFile).toBe(LOCK_FILES[oracleCase.tool]);
      const locked = lockedVersions(run);
      const failures: string[] = [];
      for (const request of oracleCase.requests) {
        const answer = run.exports[request.name];
        if (!answer) {
          failures.push(`${request.name}: no export`);
          continue;
        }
        failures.push(...answer.problems.map((problem) => `${request.name}: ${problem}`));
        for (const target of ORACLE_TARGETS) {
          const selected = answer.selected[target.id] ?? [];
          if (selected.length === 0) failures.push(`${request.name} on ${target.id}: nothing selected`);
          // The export may only name what the lock holds, at the version it holds.
          for (const { name, version } of selected) {
            if (!locked.get(name)?.has(version)) {
              failures.push(`${request.name} on ${target.id}: ${name}==${version} is not in ${run.lockFile}`);
            }
          }
        }
      }
      for (const [requestName, byTarget] of Object.entries(oracleCase.facts)) {
        const answer = run.exports[requestName];
        if (!answer) {
          failures.push(`facts name the request ${requestName}, which the case does not have`);
          continue;
        }
        for (const [targetId, fact] of Object.entries(byTarget)) {
          const selected = answer.selected[targetId];
          if (!selected) {
            failures.push(
              `facts name the target ${targetId}; targets: ${ORACLE_TARGETS.map((t) => t.id).join(", ")}`,
            );
            continue;
          }
          const where = `${requestName} on ${targetId}`;
          for (const wanted of fact.includes) {
            const [name, version] = wanted.split("==");
            const hit = selected.find(
              (p) => p.name === name && (version === undefined || p.version === version),
            );
            if (!hit) failures.push(`${where}: ${wanted} missing from ${render(selected).join(" ")}`);
          }
          for (const name of fact.excludes) {
            if (selected.some((p) => p.name === name))
              failures.push(`${where}: ${name} selected, but must not be`);
          }
          if (fact.exactly && JSON.stringify(render(selected)) !== JSON.stringify(fact.exactly)) {
            failures.push(`${where}: ${render(selected).join(" ")} is not exactly ${fact.exactly.join(" ")}`);
          }
        }
      }
      expect(failures).toEqual([]);
    });
  }
});

// --- pyfront against the oracles -------------------------------------------------------------------

function readWithPyfront(run: OracleRun): LockGraph {
  const out = new DiagnosticList();
  let pyproject: SourceDocument | undefined;
  const pyprojectText = run.projectFiles["pyproject.toml"];
  if (pyprojectText !== undefined) {
    const parsed = parseTomlDocument("pyproject.toml", pyprojectText);
    if (!parsed.ok) throw new Error(`pyproject.toml: ${parsed.diagnostics.map((d) => d.message).join("; ")}`);
    pyproject = parsed.doc;
  }
  const graph =
    run.case.tool === "poetry"
      ? readPoetryLock(run.lockFile, run.lockText, pyproject, out)
      : run.case.tool === "pdm"
        ? readPdmLock(run.lockFile, run.lockText, pyproject, out)
        : readPipfileLock(run.lockFile, run.lockText, out);
  const said = out.items.map((d) => `${d.severity} ${d.position?.line}:${d.position?.column} ${d.message}`);
  expect(said, `pyfront's reader on the ${run.case.tool} lock`).toEqual([]);
  if (!graph) throw new Error(`pyfront read no graph from ${run.lockFile}`);
  return graph;
}

function pyfrontTarget(target: OracleTarget): LockTarget {
  return { python: target.pythonFullVersion, machine: target.machine };
}

describe("pyfront selects from each lock what its tool installs", () => {
  for (const oracleCase of cases) {
    for (const request of oracleCase.requests) {
      for (const target of ORACLE_TARGETS) {
        it(`${oracleCase.id} ${request.name} on ${target.id}`, async () => {
          const run = oracleRun(oracleCase);
          const expected = run.exports[request.name]?.selected[target.id];
          if (!expected) throw new Error(`the oracle has no answer for ${request.name} on ${target.id}`);
          const graph = readWithPyfront(run);
          const selection = selectLockedPackages(graph, pyfrontTarget(target), {
            ...(request.groups.length > 0 ? { groups: request.groups } : {}),
            ...(request.extras.length > 0 ? { extras: request.extras } : {}),
          });
          // A lock made for other Pythons (pipenv's [requires], a requires-python) is refused for
          // this one, as `pipenv sync` and `uv sync` refuse it: nothing to compare then.
          const range = graph.requiresPython ? parseSpecifierSet(graph.requiresPython) : undefined;
          if (range && !satisfies(target.pythonFullVersion, range)) {
            expect(selection.problems.map((problem) => problem.code)).toContain("lock-python-mismatch");
            return;
          }
          // The tools export what markers select, whatever files the index has; the test index holds
          // most compiled wheels for one CPython only, which pyfront (rightly) reports on its own.
          const problems = selection.problems.filter(
            (problem) => problem.code !== "no-locked-file-for-target",
          );
          expect(problems.map((problem) => problem.message)).toEqual([]);
          const chosen = selection.packages
            .map((p) => ({ name: normalizePackageName(p.name), version: p.version }))
            .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
          expect(render(chosen)).toEqual(render(expected));
        });
      }
    }
  }
});
