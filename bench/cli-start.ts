/**
 * How long the installed `pyfront` command takes to start (issue 17, goal 6): the package packed
 * and installed from its tarball into a temporary prefix, as a user gets it, then timed by
 * hyperfine (Debian's package, installed with apt-get when missing) side by side in one run with
 * `node -e 0`, the floor of any Node command:
 *  - `pyfront --help`
 *  - `pyfront plan` on a copy of examples/webapp (reads and plans the project, prints JSON)
 * No engine is needed.
 *
 *   npm run bench:cli-start -- [--runs N] [--node PATH] [--unset-extra-ca-certs] [--out FILE]
 *   npm run bench:cli-start -- --quick     3 runs, records nothing (scripts/test-all's check)
 *
 * --node PATH times that Node (the floor, and the installed command through its `#!/usr/bin/env
 * node`, PATH starting with its directory), e.g. a Node 24 with its module compile cache.
 * --unset-extra-ca-certs times the commands without NODE_EXTRA_CA_CERTS: where it is set, Node 20
 * parses those certificates at every start, before any JavaScript runs (Node 24 when TLS is used).
 * Writes bench/results/cli-start.json (or --out) and prints a Markdown table (mean ± σ, median,
 * × node -e 0, goal); the figures kept are in bench/notes/cli-start.md. The pure part,
 * cli-start/cli-start-report.ts, is unit-tested in test/unit/bench/cli-start-report.test.ts.
 */
import { execFileSync, type SpawnSyncOptions, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  type CliStartRun,
  cliStartCommands,
  cliStartFigures,
  type HyperfineResult,
  loadWarning,
  renderCliStartTable,
} from "./cli-start/cli-start-report.js";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "30" },
    quick: { type: "boolean", default: false },
    node: { type: "string" },
    "unset-extra-ca-certs": { type: "boolean", default: false },
    out: { type: "string" },
  },
});
const quick = values.quick ?? false;
const runs = quick ? 3 : Number(values.runs);
if (!Number.isInteger(runs) || runs < 3) throw new Error("--runs needs a whole number of at least 3");
const node = resolve(values.node ?? process.execPath);

ensureHyperfine();

/**
 * hyperfine from Debian's package, installed with apt-get when it is missing, as the rest of
 * bench/ installs what it needs (scripts/lib/common.sh's ensure_packages does the same for the
 * engines); a stale package list, the usual cause of a failure on a fresh machine, is refreshed
 * once.
 */
function ensureHyperfine(): void {
  if (spawnSync("hyperfine", ["--version"]).status === 0) return;
  const fail = (why: string): never => {
    process.stderr.write(
      `cli-start: hyperfine is missing and ${why}; install it: apt-get install hyperfine\n`,
    );
    process.exit(1);
  };
  if (spawnSync("apt-get", ["--version"]).status !== 0) fail("there is no apt-get");
  if (process.getuid?.() !== 0) fail("installing it needs root");
  process.stderr.write("cli-start: apt-get install hyperfine\n");
  // Waits for a dpkg lock another apt-get holds (scripts/engine up may be installing too).
  const lock = ["-o", "DPkg::Lock::Timeout=300"];
  const install = [...lock, "install", "-y", "-q", "--no-install-recommends", "hyperfine"];
  const quiet: SpawnSyncOptions = {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    stdio: ["ignore", "ignore", "inherit"],
  };
  if (spawnSync("apt-get", install, quiet).status !== 0) {
    spawnSync("apt-get", [...lock, "update", "-q"], quiet);
    if (spawnSync("apt-get", install, quiet).status !== 0) fail("apt-get could not install it");
  }
  if (spawnSync("hyperfine", ["--version"]).status !== 0) fail("apt-get installed no working hyperfine");
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
  execFileSync(
    "npm",
    ["install", "--global", "--prefix", prefix, tarball, "--prefer-offline", "--no-audit", "--no-fund"],
    { env: npmEnv, stdio: "ignore" },
  );
  const pyfront = join(prefix, "bin", "pyfront");
  const project = join(work, "webapp");
  cpSync(join(repoRoot, "examples", "webapp"), project, { recursive: true });

  // The installed command finds Node through `#!/usr/bin/env node`, as a user's shell does.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ""}`,
  };
  if (values["unset-extra-ca-certs"]) delete env.NODE_EXTRA_CA_CERTS;
  const commands = cliStartCommands(node, pyfront, project);
  const exported = join(work, "hyperfine.json");
  const before = loadavg()[0] ?? 0;
  execFileSync(
    "hyperfine",
    [
      "--shell=none",
      "--warmup",
      quick ? "1" : "3",
      "--runs",
      String(runs),
      "--export-json",
      exported,
      ...commands.flatMap((c) => ["--command-name", c.name, c.command]),
    ],
    { env, stdio: ["ignore", "ignore", "inherit"] },
  );
  const after = loadavg()[0] ?? 0;
  const results = (JSON.parse(readFileSync(exported, "utf8")) as { results: HyperfineResult[] }).results;
  const run: CliStartRun = {
    date: new Date().toISOString(),
    node: execFileSync(node, ["--version"], { encoding: "utf8" }).trim(),
    pyfront: execFileSync(pyfront, ["--version"], { encoding: "utf8", env }).trim(),
    runs,
    cpus: cpus().length,
    loadAverage: { before, after },
    extraCaCerts: Boolean(env.NODE_EXTRA_CA_CERTS),
    figures: cliStartFigures(commands, results),
  };
  const out = values.out ?? (quick ? undefined : join(repoRoot, "bench", "results", "cli-start.json"));
  if (out) writeFileSync(out, `${JSON.stringify(run, null, 2)}\n`);
  process.stdout.write(renderCliStartTable(run.figures));
  const warning = loadWarning(run);
  if (warning) process.stderr.write(`cli-start: ${warning}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
