/**
 * What installing a lock as locked costs against resolving the same project's declared ranges
 * (issue 10), on one engine in one run. One project with a uv.lock (a copy of a fixture under
 * test/locks/, `.python-version` 3.13) built two ways through pyfront's frontend:
 *  - locked: as it is, so the image gets the lock's pinned, hash-checked files and no resolver runs;
 *  - unlocked: the same copy with `[tool.pyfront] lock = false`, so pip resolves the ranges.
 * Per way, interleaved (locked, unlocked, locked, ...): a cold build after `docker builder prune
 * -af`, the image size, a cached rebuild, and a rebuild after one more dependency (pfhello in
 * [project].dependencies; for the locked way also in the lock, with the file URL and sha256 the
 * index gives, as uv writes it).
 *
 *   eval "$(scripts/engine env A)"; npx tsx bench/lock-install.ts [--reps N] [--fixture uv/extras-dev]
 *     [--frontend pyfront/frontend:dev] [--skip-frontend-image] [--prune-foreign-engine] [--out FILE]
 *   (or `npm run bench:locks -- ...`)
 *
 * It prunes the engine's whole build cache before every cold build: do not run it while other
 * builds on the same engine need their cache. Writes bench/results/lock-install-<engine>.json and
 * prints a Markdown table; the figures kept are in bench/notes/lock-install.md.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { getStaticTOMLValue, parseTOML } from "toml-eslint-parser";
import {
  addUvLockedWheel,
  disableLock,
  type LockedWheel,
  newestUniversalWheel,
  parseIndexPage,
} from "./locks/lock-edits.js";
import {
  distributionDifferences,
  LOCK_WAYS,
  type LockRun,
  type LockSample,
  type LockWay,
  renderLockTable,
} from "./locks/lock-report.js";
import {
  buildCheckoutFrontendImage,
  type DockerClient,
  docker,
  dockerOk,
  inspectImage,
  timedBuild,
} from "./suite/docker.js";
import { parseEnvExports } from "./suite/env.js";
import { ADDED_DEPENDENCY } from "./suite/examples.js";
import { addProjectDependency } from "./suite/mutations.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PYTHON_VERSION = "3.13";
/** Three keep one run of both engines within the half hour a 2-core machine shared by others gives. */
const DEFAULT_REPETITIONS = 3;

function log(message: string): void {
  process.stderr.write(`[bench:locks ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function engineEnvironment(): NodeJS.ProcessEnv {
  if (process.env.PYFRONT_DOCKER) return { ...process.env };
  const engine = process.env.PYFRONT_ENGINE ?? "A";
  const text = execFileSync(join(repoRoot, "scripts", "engine"), ["env", engine], { encoding: "utf8" });
  return { ...process.env, ...parseEnvExports(text) };
}

/** `[project].name`: the lock's root `[[package]]` carries it. */
async function projectName(pyproject: string): Promise<string> {
  const data = getStaticTOMLValue(parseTOML(await readFile(pyproject, "utf8"))) as {
    project?: { name?: unknown };
  };
  const name = data.project?.name;
  if (typeof name !== "string") throw new Error(`${pyproject} has no [project] name`);
  return name;
}

interface Context {
  client: DockerClient;
  indexUrl: string;
  frontend: string;
  fixture: string;
  workDir: string;
  engine: string;
  wheel: LockedWheel;
}

async function editFile(path: string, change: (text: string) => string): Promise<void> {
  await writeFile(path, change(await readFile(path, "utf8")));
}

/** One way's sequence in its own fresh copy of the project. */
async function runSequence(ctx: Context, way: LockWay, rep: number): Promise<LockSample> {
  const base = join(ctx.workDir, way);
  const context = join(base, "context");
  await rm(base, { recursive: true, force: true });
  await mkdir(base, { recursive: true });
  await cp(join(repoRoot, "test", "locks", ctx.fixture), context, { recursive: true });
  await writeFile(join(context, ".python-version"), `${PYTHON_VERSION}\n`);
  const pyproject = join(context, "pyproject.toml");
  const lock = join(context, "uv.lock");
  if (way === "unlocked") await editFile(pyproject, disableLock);

  const tag = `pyfront-bench-lock-${way}:${ctx.engine.toLowerCase()}`;
  const imageIds = new Set<string>();
  const build = async (): Promise<number> => {
    const result = await timedBuild(
      ctx.client,
      [
        "--network",
        "host",
        "--build-arg",
        `BUILDKIT_SYNTAX=${ctx.frontend}`,
        "--build-arg",
        `PIP_INDEX_URL=${ctx.indexUrl}`,
        "-f",
        pyproject,
        "-t",
        tag,
        context,
      ],
      join(base, "iid"),
    );
    imageIds.add(result.imageId);
    return result.seconds;
  };

  try {
    await docker(ctx.client, ["image", "rm", "-f", tag]);
    await dockerOk(ctx.client, ["builder", "prune", "-af"]);
    const coldSeconds = await build();
    const { sizeBytes } = await inspectImage(ctx.client, tag);
    const cachedSeconds = await build();

    const name = await projectName(pyproject);
    await editFile(pyproject, (t) => addProjectDependency(t, ctx.wheel.name));
    if (way === "locked") await editFile(lock, (t) => addUvLockedWheel(t, name, ctx.wheel));
    const dependencySeconds = await build();

    // The image must hold what was asked for: a build that skipped the new dependency times nothing.
    const distributions = JSON.parse(
      await dockerOk(ctx.client, [
        "run",
        "--rm",
        "--entrypoint",
        "python",
        tag,
        "-c",
        "import importlib.metadata as m, json; " +
          "print(json.dumps(sorted({f\"{d.metadata['Name'].lower()}=={d.version}\" for d in m.distributions()})))",
      ]),
    ) as string[];
    const expected = `${ctx.wheel.name}==${ctx.wheel.version}`;
    if (!distributions.includes(expected)) {
      throw new Error(
        `the ${way} image has no ${expected} after the dependency was added: ${distributions.join(", ")}`,
      );
    }
    log(
      `${way} rep ${rep + 1}: cold ${coldSeconds.toFixed(1)} s, cached ${cachedSeconds.toFixed(2)} s, ` +
        `one more dependency ${dependencySeconds.toFixed(1)} s, ${(sizeBytes / 1e6).toFixed(1)} MB`,
    );
    return { way, rep, coldSeconds, cachedSeconds, dependencySeconds, sizeBytes, distributions };
  } finally {
    // The next cold build of either way starts from the base images only.
    if (imageIds.size > 0) await docker(ctx.client, ["image", "rm", "-f", tag, ...imageIds]);
    await rm(base, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      reps: { type: "string", default: String(DEFAULT_REPETITIONS) },
      fixture: { type: "string", default: "uv/extras-dev" },
      frontend: { type: "string", default: "pyfront/frontend:dev" },
      out: { type: "string" },
      "skip-frontend-image": { type: "boolean", default: false },
      "prune-foreign-engine": { type: "boolean", default: false },
    },
  });
  const repetitions = Number(values.reps);
  if (!Number.isInteger(repetitions) || repetitions < 1) throw new Error(`--reps must be a positive integer`);
  const fixture = values.fixture ?? "uv/extras-dev";
  // The lock edit writes uv's format only.
  if (!existsSync(join(repoRoot, "test", "locks", fixture, "uv.lock"))) {
    throw new Error(
      `--fixture ${fixture}: test/locks/${fixture}/uv.lock does not exist (the benchmark edits uv locks)`,
    );
  }
  const frontend = values.frontend ?? "pyfront/frontend:dev";
  const env = engineEnvironment();
  const engine = (env.PYFRONT_ENGINE ?? "A").toUpperCase();
  if (env.PYFRONT_ENGINE_OWNED !== "1" && !values["prune-foreign-engine"]) {
    throw new Error(
      `engine ${engine} (${env.DOCKER_HOST ?? "the default socket"}) is not one pyfront started, and this benchmark ` +
        "prunes its whole build cache; pass --prune-foreign-engine to run it there anyway",
    );
  }
  const client: DockerClient = { bin: env.PYFRONT_DOCKER ?? "docker", env: { ...env, DOCKER_BUILDKIT: "1" } };
  const indexUrl = env.PYFRONT_INDEX_URL;
  if (!indexUrl) throw new Error("PYFRONT_INDEX_URL is not set: is the engine up (scripts/engine status)?");

  const pageUrl = `${indexUrl.replace(/\/+$/, "")}/${ADDED_DEPENDENCY}/`;
  const page = await fetch(pageUrl);
  if (!page.ok) throw new Error(`${pageUrl}: HTTP ${page.status}`);
  const file = newestUniversalWheel(parseIndexPage(await page.text(), pageUrl), ADDED_DEPENDENCY);
  const wheel: LockedWheel = {
    name: file.name,
    version: file.version,
    registry: indexUrl,
    url: file.url,
    sha256: file.sha256,
  };

  const started = process.hrtime.bigint();
  const date = new Date().toISOString();
  if (!values["skip-frontend-image"]) {
    log(`building ${frontend} from this checkout (scripts/frontend-image.ts)`);
    buildCheckoutFrontendImage(repoRoot, client, frontend);
  }
  const versions = JSON.parse(await dockerOk(client, ["version", "--format", "{{json .}}"])) as {
    Client?: { Version?: string };
    Server?: { Version?: string };
  };
  log(`engine ${engine}: Docker ${versions.Server?.Version}; ${fixture}; ${repetitions} repetition(s)`);

  const workDir = await mkdtemp(join(tmpdir(), "pyfront-bench-locks-"));
  const samples: LockSample[] = [];
  try {
    const ctx: Context = { client, indexUrl, frontend, fixture, workDir, engine, wheel };
    for (let rep = 0; rep < repetitions; rep++) {
      for (const way of LOCK_WAYS) samples.push(await runSequence(ctx, way, rep));
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }

  const result: LockRun = {
    schema: 1,
    engine,
    date,
    durationSeconds: Number(process.hrtime.bigint() - started) / 1e9,
    repetitions,
    project: `test/locks/${fixture}`,
    pythonVersion: PYTHON_VERSION,
    frontendImage: frontend,
    engineVersions: {
      client: versions.Client?.Version ?? "unknown",
      server: versions.Server?.Version ?? "unknown",
    },
    addedDependency: { name: wheel.name, version: wheel.version, url: wheel.url, sha256: wheel.sha256 },
    samples,
  };
  const out = values.out ?? join(repoRoot, "bench", "results", `lock-install-${engine}.json`);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  log(`raw figures: ${out} (${(result.durationSeconds / 60).toFixed(1)} min)`);
  process.stdout.write(renderLockTable(result));
  const differences = distributionDifferences(result);
  process.stdout.write(
    differences.locked.length + differences.unlocked.length === 0
      ? "Both ways install the same distributions at the same versions.\n"
      : `Only locked: ${differences.locked.join(", ") || "none"}; only unlocked: ${differences.unlocked.join(", ") || "none"}.\n`,
  );
}

main().catch((error: unknown) => {
  log(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
