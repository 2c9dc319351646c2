/**
 * One way's sequence on one example, in its own copy of the example: cold build (build cache
 * pruned, base images kept), image facts, time to first output, fully cached rebuild, rebuild
 * after a one-line source edit (with the bytes of its new layers and of its push to the local
 * registry), rebuild after one more dependency.
 */
import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { loadProject } from "../../src/cli/project-input.js";
import { renderProjectDockerfile } from "../../src/cli/renderings.js";
import {
  type DockerClient,
  docker,
  dockerOk,
  imageLayers,
  inspectImage,
  layerDigests,
  timedBuild,
  timedClientBuild,
  timeToFirstLine,
  timeToHealthyAnswer,
} from "./docker.js";
import { renderMicrobDockerfile, renderNaiveDockerfile } from "./dockerfiles.js";
import { ADDED_DEPENDENCY, type BenchExample, type WayName } from "./examples.js";
import { newLayerBytes } from "./layers.js";
import {
  addProjectDependency,
  addPyfrontDependency,
  appendCommentLine,
  ensurePyfrontIndex,
} from "./mutations.js";
import { pushAs, uploadedAfter } from "./registry.js";
import type { Sample } from "./results.js";

export interface SequenceContext {
  repoRoot: string;
  /** Scratch directory of this run; each way gets a subdirectory. */
  workDir: string;
  client: DockerClient;
  indexUrl: string;
  /** host:port of the local registry the edit's push goes to. */
  registry: string;
  pythonVersion: string;
  engine: string;
  /** The CLI bundled into one file, for the `client` way. */
  cliBundle: string;
}

/** The state of a way's copy: which of the two changes it carries. */
interface ProjectState {
  edited: boolean;
  extraDependency: boolean;
}

async function dockerfileFor(
  ctx: SequenceContext,
  example: BenchExample,
  way: Exclude<WayName, "frontend" | "client">,
  context: string,
  state: ProjectState,
): Promise<string> {
  const index = { url: ctx.indexUrl };
  if (way === "dockerfile") {
    // What `pyfront dockerfile DIR` prints, without a Node start-up per sequence.
    return renderProjectDockerfile(loadProject({ dir: context, buildArgs: {} }));
  }
  if (way === "microb") {
    return renderMicrobDockerfile({
      pythonVersion: ctx.pythonVersion,
      buildDeps: example.buildDeps,
      systemDeps: example.systemDeps,
      packages: [...example.dependencies, ...(state.extraDependency ? [ADDED_DEPENDENCY] : [])],
      entrypoint: example.microbEntrypoint,
      index,
    });
  }
  return renderNaiveDockerfile({
    pythonVersion: ctx.pythonVersion,
    // A package takes the new dependency through pyproject.toml and `pip install .`.
    extraPackages: !example.isPackage && state.extraDependency ? [ADDED_DEPENDENCY] : [],
    command: example.naiveCommand,
    index,
  });
}

async function editFile(path: string, change: (text: string) => string): Promise<void> {
  await writeFile(path, change(await readFile(path, "utf8")));
}

export async function runSequence(
  ctx: SequenceContext,
  example: BenchExample,
  way: WayName,
  rep: number,
  log: (message: string) => void,
): Promise<Sample> {
  const base = join(ctx.workDir, `${example.name}-${way}`);
  const context = join(base, "context");
  const dockerfilePath = join(base, "Dockerfile");
  await rm(base, { recursive: true, force: true });
  await mkdir(base, { recursive: true });
  await cp(join(ctx.repoRoot, "examples", example.dir), context, { recursive: true });
  const pyproject = join(context, "pyproject.toml");
  // The script names no index (it has no dependency to fetch); every way needs the local one.
  if (!example.isPackage) await editFile(pyproject, (t) => ensurePyfrontIndex(t, ctx.indexUrl));

  const state: ProjectState = { edited: false, extraDependency: false };
  const engineTag = ctx.engine.toLowerCase();
  const tag = `pyfront-bench-${example.name}-${way}:${engineTag}`;
  // One repository per example and way: the edited image's push finds the first one's blobs there.
  const repository = `pyfront-bench/${example.name}-${way}`;
  const pushed = (which: string) => `${ctx.registry}/${repository}:${engineTag}-${which}`;
  const imageIds = new Set<string>();
  let writtenFor: string | undefined;
  const build = async (): Promise<number> => {
    if (way === "client") {
      const result = await timedClientBuild(ctx.client, ctx.cliBundle, ["--network", "host", context], tag);
      imageIds.add(result.imageId);
      return result.seconds;
    }
    let fileArgs: string[];
    if (way === "frontend") fileArgs = ["-f", pyproject];
    else {
      // Written again only when the spec changed: a source edit leaves every Dockerfile as it is.
      const key = String(state.extraDependency);
      if (key !== writtenFor) {
        await writeFile(dockerfilePath, await dockerfileFor(ctx, example, way, context, state));
        writtenFor = key;
      }
      fileArgs = ["-f", dockerfilePath];
    }
    const result = await timedBuild(
      ctx.client,
      ["--network", "host", ...fileArgs, "-t", tag, context],
      join(base, "iid"),
    );
    imageIds.add(result.imageId);
    return result.seconds;
  };

  try {
    await docker(ctx.client, ["image", "rm", "-f", tag, pushed("before"), pushed("after")]);
    await dockerOk(ctx.client, ["builder", "prune", "-af"]);
    const coldSeconds = await build();
    const facts = await inspectImage(ctx.client, tag);
    const firstOutputSeconds =
      example.probe.kind === "http"
        ? await timeToHealthyAnswer(ctx.client, tag, example.probe.containerPort, example.probe.path)
        : await timeToFirstLine(ctx.client, tag);
    const cachedSeconds = await build();

    const layersBefore = await layerDigests(ctx.client, tag);
    await pushAs(ctx.client, tag, ctx.registry, repository, `${engineTag}-before`);
    await editFile(join(context, example.editFile), (t) => appendCommentLine(t, `bench edit ${rep + 1}`));
    state.edited = true;
    const editSeconds = await build();
    // Counted after the timing: docker save is no part of the build.
    const editLayerBytes = newLayerBytes(layersBefore, await imageLayers(ctx.client, tag));
    await pushAs(ctx.client, tag, ctx.registry, repository, `${engineTag}-after`);
    const editPushBytes = (
      await uploadedAfter(ctx.registry, repository, `${engineTag}-before`, `${engineTag}-after`)
    ).bytes;

    await editFile(pyproject, (t) =>
      example.isPackage
        ? addProjectDependency(t, ADDED_DEPENDENCY)
        : addPyfrontDependency(t, ADDED_DEPENDENCY),
    );
    state.extraDependency = true;
    const dependencySeconds = await build();

    const sample: Sample = {
      example: example.name,
      way,
      rep,
      coldSeconds,
      cachedSeconds,
      editSeconds,
      dependencySeconds,
      sizeBytes: facts.sizeBytes,
      layers: facts.layers,
      firstOutputSeconds,
      editLayerBytes,
      editPushBytes,
    };
    log(
      `${example.name} ${way} rep ${rep + 1}: cold ${coldSeconds.toFixed(1)} s, cached ${cachedSeconds.toFixed(2)} s, ` +
        `edit ${editSeconds.toFixed(1)} s (${(editLayerBytes / 1e3).toFixed(1)} kB of new layers, ${(editPushBytes / 1e3).toFixed(1)} kB pushed), dependency ${dependencySeconds.toFixed(1)} s, ` +
        `${(facts.sizeBytes / 1e6).toFixed(1)} MB in ${facts.layers} layers, first output ${firstOutputSeconds.toFixed(2)} s`,
    );
    return sample;
  } finally {
    // Images of this sequence go, so the next cold build of any way starts from base images only.
    // The registry keeps its blobs: a later push of the same layers uploads nothing, as for a user.
    if (imageIds.size > 0)
      await docker(ctx.client, ["image", "rm", "-f", tag, pushed("before"), pushed("after"), ...imageIds]);
    await rm(base, { recursive: true, force: true });
  }
}
