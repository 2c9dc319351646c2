/**
 * How pyfront's costs grow with the dependency tree (issue 17, goal 5). For a series of projects
 * from no dependencies to numpy and pandas (bench/scale/scale-report.ts, SCALE_PROJECTS), built
 * through pyfront's frontend (`docker build -f pyproject.toml`, the frontend chosen by
 * --build-arg BUILDKIT_SYNTAX), interleaved project by project in every run:
 *  - cold build (the engine's build cache pruned first, or `--cold no-cache`), cached rebuild,
 *    and the rebuild after a one-line edit (a comment appended to a source file);
 *  - the venv's size in the final image (`du -sb /opt/venv`) and the image's size;
 *  - the bytes of the layers the edited image has and the first had not (RootFS diff IDs compared,
 *    the new ones sized from `docker save`);
 *  - the bytes a push of the edited image to the local registry uploads after the first image
 *    was pushed to the same repository: the blobs its manifest names that the first's did not.
 *
 *   npx tsx bench/scale.ts --engine A|B [--runs N] [--projects script,webapp,...]
 *     [--frontend pyfront/frontend:dev] [--skip-frontend-image] [--cold prune|no-cache]
 *     [--prune-foreign-engine] [--out FILE] [--report-only]
 *
 * The engine's environment comes from `scripts/engine env X` unless PYFRONT_DOCKER is set for it.
 * Writes bench/results/scale-<engine>.json and bench/results/scale.svg (from every engine's
 * recorded run), and prints a Markdown table; the figures kept are in bench/notes/scale.md.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  type ColdMode,
  formatBytes,
  newLayerIds,
  renderScaleChart,
  renderScaleTable,
  SCALE_PROJECTS,
  type ScaleProject,
  type ScaleRun,
  type ScaleSample,
} from "./scale/scale-report.js";
import {
  buildCheckoutFrontendImage,
  type DockerClient,
  docker,
  dockerOk,
  imageLayers,
  inspectImage,
  layerDigests,
  timedBuild,
} from "./suite/docker.js";
import { parseEnvExports } from "./suite/env.js";
import { newLayerBytes } from "./suite/layers.js";
import { appendCommentLine } from "./suite/mutations.js";
import { pushAs, uploadedAfter } from "./suite/registry.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const resultsDir = join(repoRoot, "bench", "results");
const ENGINES = ["A", "B"] as const;
/** The corpus's expectation file is the test's, not the project's: the copy leaves it out. */
const CORPUS_EXPECTATION = "pyfront-expect.json";

function log(message: string): void {
  process.stderr.write(`[bench:scale ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function engineEnvironment(engine: string): NodeJS.ProcessEnv {
  if (process.env.PYFRONT_DOCKER && (process.env.PYFRONT_ENGINE ?? "A") === engine) return { ...process.env };
  const text = execFileSync(join(repoRoot, "scripts", "engine"), ["env", engine], { encoding: "utf8" });
  return { ...process.env, ...parseEnvExports(text) };
}

interface Context {
  client: DockerClient;
  indexUrl: string;
  registry: string;
  frontend: string;
  coldMode: ColdMode;
  workDir: string;
  engine: string;
}

async function copyProject(project: ScaleProject, context: string): Promise<void> {
  await cp(join(repoRoot, project.source), context, {
    recursive: true,
    filter: (path) => !path.endsWith(`/${CORPUS_EXPECTATION}`),
  });
}

/** One project's sequence in a fresh copy. */
async function runSequence(ctx: Context, project: ScaleProject, rep: number): Promise<ScaleSample> {
  const base = join(ctx.workDir, project.name);
  const context = join(base, "context");
  await rm(base, { recursive: true, force: true });
  await mkdir(base, { recursive: true });
  await copyProject(project, context);

  const engineTag = ctx.engine.toLowerCase();
  const tag = `pyfront-bench-scale-${project.name}:${engineTag}`;
  const repository = `pyfront-bench-scale/${project.name}`;
  const pushedBefore = `${ctx.registry}/${repository}:${engineTag}-before`;
  const pushedAfter = `${ctx.registry}/${repository}:${engineTag}-after`;
  const imageIds = new Set<string>();
  const build = async (extra: string[] = []): Promise<{ seconds: number; imageId: string }> => {
    const args = ["--network", "host", "--build-arg", `BUILDKIT_SYNTAX=${ctx.frontend}`];
    if (project.indexFromBuildArg) args.push("--build-arg", `PIP_INDEX_URL=${ctx.indexUrl}`);
    args.push(...extra, "-f", join(context, project.specFile), "-t", tag, context);
    const result = await timedBuild(ctx.client, args, join(base, "iid"));
    imageIds.add(result.imageId);
    return result;
  };

  try {
    await docker(ctx.client, ["image", "rm", "-f", tag, pushedBefore, pushedAfter]);
    if (ctx.coldMode === "prune") await dockerOk(ctx.client, ["builder", "prune", "-af"]);
    const cold = await build(ctx.coldMode === "no-cache" ? ["--no-cache"] : []);
    const cached = await build();
    const venvBytes = Number(
      (await dockerOk(ctx.client, ["run", "--rm", "--entrypoint", "du", tag, "-sb", "/opt/venv"])).split(
        /\s/,
      )[0],
    );
    if (!Number.isFinite(venvBytes) || venvBytes <= 0) throw new Error(`${project.name}: no /opt/venv size`);
    const before = await layerDigests(ctx.client, tag);
    // The image id changes with its creation time, so the layers say whether the rebuild reused the
    // cold build's results. With `--cold no-cache` it may reuse an older build's results for the
    // same steps instead (BuildKit keeps both); the edit is compared with what the rebuild gave.
    const cachedSameLayers = before.join() === (await layerDigests(ctx.client, cold.imageId)).join();
    await pushAs(ctx.client, tag, ctx.registry, repository, `${engineTag}-before`);

    const editPath = join(context, project.editFile);
    await writeFile(
      editPath,
      appendCommentLine(await readFile(editPath, "utf8"), `scale edit ${Date.now()} run ${rep + 1}`),
    );
    const edit = await build();
    if (edit.imageId === cold.imageId) throw new Error(`${project.name}: the edit did not change the image`);
    const { sizeBytes: imageBytes, layers } = await inspectImage(ctx.client, tag);
    const after = await layerDigests(ctx.client, tag);
    const fresh = newLayerIds(before, after);
    const freshBytes = newLayerBytes(before, await imageLayers(ctx.client, tag));

    const pushReportedLayers = await pushAs(ctx.client, tag, ctx.registry, repository, `${engineTag}-after`);
    const uploaded = await uploadedAfter(
      ctx.registry,
      repository,
      `${engineTag}-before`,
      `${engineTag}-after`,
    );
    const sample: ScaleSample = {
      project: project.name,
      rep,
      coldSeconds: cold.seconds,
      cachedSeconds: cached.seconds,
      cachedSameLayers,
      editSeconds: edit.seconds,
      venvBytes,
      imageBytes,
      layers,
      newLayers: fresh.length,
      newLayerBytes: freshBytes,
      pushedBytes: uploaded.bytes,
      pushedBlobs: uploaded.count,
      pushReportedLayers,
    };
    log(
      `${project.name} run ${rep + 1}: cold ${cold.seconds.toFixed(1)} s, cached ${cached.seconds.toFixed(2)} s, ` +
        `edit ${edit.seconds.toFixed(1)} s; venv ${formatBytes(venvBytes)}; after the edit ${fresh.length} new ` +
        `layer(s) of ${formatBytes(freshBytes)}, ${uploaded.count} blob(s) of ${formatBytes(uploaded.bytes)} pushed`,
    );
    return sample;
  } finally {
    // The next cold build starts from the base images only; the registry keeps its blobs.
    await docker(ctx.client, ["image", "rm", "-f", tag, pushedBefore, pushedAfter, ...imageIds]);
    await rm(base, { recursive: true, force: true });
  }
}

/** Rewrites the chart from every engine's recorded run. */
function writeChart(): void {
  const runs: ScaleRun[] = [];
  for (const engine of ENGINES) {
    const path = join(resultsDir, `scale-${engine}.json`);
    if (existsSync(path)) runs.push(JSON.parse(readFileSync(path, "utf8")) as ScaleRun);
  }
  if (runs.length === 0) throw new Error("no bench/results/scale-<engine>.json recorded yet");
  const chart = join(resultsDir, "scale.svg");
  writeFileSync(chart, renderScaleChart(runs));
  log(`wrote ${chart} from ${runs.length} run(s)`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      engine: { type: "string" },
      runs: { type: "string", default: "1" },
      projects: { type: "string" },
      frontend: { type: "string", default: "pyfront/frontend:dev" },
      cold: { type: "string", default: "prune" },
      out: { type: "string" },
      "skip-frontend-image": { type: "boolean", default: false },
      "prune-foreign-engine": { type: "boolean", default: false },
      "report-only": { type: "boolean", default: false },
    },
  });
  if (values["report-only"]) return writeChart();
  const engine = (values.engine ?? process.env.PYFRONT_ENGINE ?? "A").toUpperCase();
  if (!ENGINES.includes(engine as (typeof ENGINES)[number]))
    throw new Error(`--engine must be A or B, got ${engine}`);
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`--runs must be a positive integer, got ${values.runs}`);
  const coldMode = values.cold as ColdMode;
  if (coldMode !== "prune" && coldMode !== "no-cache")
    throw new Error(`--cold must be prune or no-cache, got ${values.cold}`);
  const names = values.projects?.split(",") ?? SCALE_PROJECTS.map((p) => p.name);
  const projects = names.map((name) => {
    const project = SCALE_PROJECTS.find((p) => p.name === name);
    if (!project)
      throw new Error(`unknown project ${name} (known: ${SCALE_PROJECTS.map((p) => p.name).join(", ")})`);
    return project;
  });
  const frontend = values.frontend ?? "pyfront/frontend:dev";

  const env = engineEnvironment(engine);
  if (coldMode === "prune" && env.PYFRONT_ENGINE_OWNED !== "1" && !values["prune-foreign-engine"]) {
    throw new Error(
      `engine ${engine} (${env.DOCKER_HOST ?? "the default socket"}) is not one pyfront started, and this benchmark ` +
        "prunes its whole build cache; pass --cold no-cache, or --prune-foreign-engine to prune it anyway",
    );
  }
  const client: DockerClient = { bin: env.PYFRONT_DOCKER ?? "docker", env: { ...env, DOCKER_BUILDKIT: "1" } };
  const indexUrl = env.PYFRONT_INDEX_URL;
  const registry = env.PYFRONT_REGISTRY;
  if (!indexUrl || !registry) {
    throw new Error(
      "PYFRONT_INDEX_URL or PYFRONT_REGISTRY is not set: is the engine up (scripts/engine status)?",
    );
  }

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
  log(
    `engine ${engine}: Docker ${versions.Server?.Version}; ${names.join(", ")}; ${runs} run(s); cold: ${coldMode}`,
  );

  if (coldMode === "no-cache" && /^20\./.test(versions.Server?.Version ?? "")) {
    // Seen on engine A (2026-12-02): dockerd 20.10 panicked ("failed to get edge", moby/moby#42414)
    // in a --no-cache build while other builds ran on it, which stops the engine for everyone.
    log(
      "warning: Docker 20.10's BuildKit has panicked in --no-cache builds beside other builds (moby/moby#42414)",
    );
  }
  const workDir = await mkdtemp(join(tmpdir(), "pyfront-bench-scale-"));
  const samples: ScaleSample[] = [];
  const record = (): ScaleRun => ({
    schema: 1,
    engine,
    date,
    durationSeconds: Number(process.hrtime.bigint() - started) / 1e9,
    runs,
    coldMode,
    frontendImage: frontend,
    engineVersions: {
      client: versions.Client?.Version ?? "unknown",
      server: versions.Server?.Version ?? "unknown",
    },
    projects,
    samples,
  });
  try {
    const ctx: Context = { client, indexUrl, registry, frontend, coldMode, workDir, engine };
    for (let rep = 0; rep < runs; rep++) {
      for (const project of projects) samples.push(await runSequence(ctx, project, rep));
    }
  } catch (error) {
    // An engine that fails half-way (BuildKit 0.8 can panic) keeps what was measured, apart from the record.
    if (samples.length > 0) {
      const partial = join(tmpdir(), `pyfront-bench-scale-${engine}.partial.json`);
      await writeFile(partial, `${JSON.stringify(record(), null, 2)}\n`);
      log(`the ${samples.length} sequence(s) measured before the failure: ${partial}`);
    }
    throw error;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }

  const result = record();
  const out = values.out ?? join(resultsDir, `scale-${engine}.json`);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  log(`raw figures: ${out} (${(result.durationSeconds / 60).toFixed(1)} min)`);
  process.stdout.write(renderScaleTable(result));
  if (values.out === undefined) writeChart();
}

main().catch((error: unknown) => {
  log(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
