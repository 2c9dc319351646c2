/**
 * How long the installed `pyfront` command takes to start (issue 17, goal 6): the package packed
 * and installed from its tarball into a temporary prefix, as a user gets it, then timed by
 * hyperfine (Debian's package) side by side in one run with `node -e 0`, the floor of any Node
 * command:
 *  - `pyfront --help`
 *  - `pyfront plan` on a copy of examples/webapp (reads and plans the project, prints JSON)
 * No engine is needed.
 *
 *   npx tsx bench/cli-start.ts [--runs N]
 *
 * Writes bench/results/cli-start.json and prints a Markdown table (mean ± σ, × node -e 0, goal).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { runs: { type: "string", default: "30" } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 3) throw new Error("--runs needs a whole number of at least 3");

if (spawnSync("hyperfine", ["--version"]).status !== 0) {
  process.stderr.write("cli-start: hyperfine is missing: apt-get install hyperfine\n");
  process.exit(1);
}

interface Row {
  name: string;
  command: string;
  /** The goal in milliseconds, where the issue sets one. */
  goalMs?: number;
}

const work = mkdtempSync(join(tmpdir(), "pyfront-cli-start-"));
try {
  const npmEnv = { ...process.env, npm_config_update_notifier: "false" };
  const packed = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--pack-destination", work, "--loglevel=error"], {
      cwd: repoRoot,
      encoding: "utf8",
      env: npmEnv,
      maxBuffer: 64 * 1024 * 1024,
    }),
  ) as Array<{ filename: string }>;
  const tarball = join(work, packed[0]?.filename ?? "");
  const prefix = join(work, "prefix");
  execFileSync("npm", ["install", "--global", "--prefix", prefix, tarball, "--no-audit", "--no-fund"], {
    env: npmEnv,
    stdio: "ignore",
  });
  const pyfront = join(prefix, "bin", "pyfront");
  const project = join(work, "webapp");
  cpSync(join(repoRoot, "examples", "webapp"), project, { recursive: true });

  const rows: Row[] = [
    { name: "node -e 0", command: `${process.execPath} -e 0` },
    { name: "pyfront --help", command: `${pyfront} --help`, goalMs: 100 },
    { name: "pyfront plan (webapp)", command: `${pyfront} plan ${project}`, goalMs: 150 },
  ];
  const exported = join(work, "hyperfine.json");
  execFileSync(
    "hyperfine",
    [
      "--shell=none",
      "--warmup",
      "3",
      "--runs",
      String(runs),
      "--export-json",
      exported,
      ...rows.flatMap((row) => ["--command-name", row.name, row.command]),
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  const results = (
    JSON.parse(readFileSync(exported, "utf8")) as { results: { mean: number; stddev: number }[] }
  ).results;
  const floor = results[0]?.mean ?? Number.NaN;
  const figures = rows.map((row, i) => ({
    ...row,
    meanMs: (results[i]?.mean ?? Number.NaN) * 1000,
    stddevMs: (results[i]?.stddev ?? Number.NaN) * 1000,
    timesFloor: (results[i]?.mean ?? Number.NaN) / floor,
  }));
  const version = execFileSync(pyfront, ["--version"], { encoding: "utf8" }).trim();
  writeFileSync(
    join(repoRoot, "bench", "results", "cli-start.json"),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, pyfront: version, runs, figures }, null, 2)}\n`,
  );
  const lines = [
    `| command | mean ± σ (ms) | × node -e 0 | goal |`,
    `|---|---|---|---|`,
    ...figures.map(
      (f) =>
        `| \`${f.name}\` | ${f.meanMs.toFixed(1)} ± ${f.stddevMs.toFixed(1)} | ×${f.timesFloor.toFixed(2)} | ${
          f.goalMs === undefined ? "" : `≤ ${f.goalMs} ms: ${f.meanMs <= f.goalMs ? "met" : "missed"}`
        } |`,
    ),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
