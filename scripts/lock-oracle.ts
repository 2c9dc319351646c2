// Runs the lock oracles by hand: the real tool locks each named oracle project (all when none is
// named) and the oracle prints, per install and target, the packages that tool installs there.
//   eval "$(scripts/engine env A)"; npx tsx scripts/lock-oracle.ts [--lock] [--out DIR] [pdm/api-service ...]
// --lock also prints each lock file; --out DIR writes the lock, the exports and the answers there.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadOracleCases, mapLimited, ORACLE_TARGETS, runLockOracle } from "../test/support/lock-oracle.js";

let showLock = false;
let outDir: string | undefined;
const wanted: string[] = [];
const args = process.argv.slice(2);
for (let index = 0; index < args.length; index++) {
  const arg = args[index] as string;
  if (arg === "--lock") showLock = true;
  else if (arg === "--out") {
    outDir = args[++index];
    if (!outDir) throw new Error("--out needs a directory");
  } else wanted.push(arg);
}
const all = loadOracleCases();
const unknown = wanted.filter((id) => !all.some((oracleCase) => oracleCase.id === id));
if (unknown.length > 0) {
  console.error(`unknown oracle projects: ${unknown.join(", ")}; known: ${all.map((c) => c.id).join(", ")}`);
  process.exit(2);
}
const cases = wanted.length > 0 ? all.filter((oracleCase) => wanted.includes(oracleCase.id)) : all;
const started = performance.now();
const results = await mapLimited(cases, 3, (oracleCase) => runLockOracle(oracleCase));
let failed = 0;
for (const [index, result] of results.entries()) {
  const oracleCase = cases[index];
  if (!oracleCase) continue;
  console.log(`\n=== ${oracleCase.id}`);
  if (result.status === "rejected") {
    failed += 1;
    console.log(String(result.reason instanceof Error ? result.reason.message : result.reason));
    continue;
  }
  const run = result.value;
  console.log(`seconds: ${JSON.stringify(run.seconds)}`);
  if (showLock) console.log(run.lockText);
  for (const [name, answer] of Object.entries(run.exports)) {
    console.log(`--- ${name}: ${answer.argv.join(" ")}`);
    for (const problem of answer.problems) console.log(`  problem: ${problem}`);
    for (const target of ORACLE_TARGETS) {
      const picked = (answer.selected[target.id] ?? []).map((p) => `${p.name}==${p.version ?? "?"}`);
      console.log(`  ${target.id}: ${picked.join(" ")}`);
    }
  }
  if (outDir) {
    const dir = join(outDir, oracleCase.tool, oracleCase.name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, run.lockFile), run.lockText);
    for (const [name, answer] of Object.entries(run.exports)) {
      writeFileSync(join(dir, `export-${name}.txt`), answer.text);
    }
    writeFileSync(join(dir, "oracle-answers.json"), `${JSON.stringify(run.exports, null, 2)}\n`);
  }
}
const tools = results.find((r) => r.status === "fulfilled")?.value.tools;
console.log(`\ntools: ${JSON.stringify(tools ?? {})}`);
console.log(
  `${cases.length - failed} locked, ${failed} failed in ${((performance.now() - started) / 1000).toFixed(1)}s`,
);
process.exit(failed > 0 ? 1 : 0);
