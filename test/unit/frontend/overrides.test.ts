// Both edges give the same build for the same build args: the frontend (BuildKit's `build-arg:`
// options, through a fake LLBBridge) and the CLI (--build-arg) plan and render the same LLB.
import { afterEach, describe, expect, it } from "vitest";
import type { ReturnInput } from "../../../src/buildkit/gateway/index.js";
import { marshalDefinition } from "../../../src/buildkit/llb/index.js";
import { loadProject } from "../../../src/cli/project-input.js";
import { runFrontend } from "../../../src/frontend/frontend.js";
import { planBuild } from "../../../src/plan/plan-build.js";
import { planImageRefs } from "../../../src/plan/platform-overrides.js";
import { renderLlb } from "../../../src/render/llb.js";
import { project } from "../cli/cli-harness.js";
import {
  BASE_CONFIG,
  BASE_IMAGE_DIGEST,
  type FakeBuildKit,
  frontendEnv,
  startFakeBuildKit,
} from "./fake-buildkit.js";

/** The project as BuildKit holds it: the same files in the `dockerfile` and `context` locals. */
function startBridge(files: Record<string, string>): Promise<FakeBuildKit> {
  return startFakeBuildKit({ dockerfile: files, context: files });
}

/** BuildKit's options for `--build-arg K=V` of each arg. */
function withBuildArgs(buildArgs: Record<string, string>) {
  return frontendEnv(Object.fromEntries(Object.entries(buildArgs).map(([k, v]) => [`build-arg:${k}`, v])));
}

/** A zero-config project: `[project]` with dependencies, no [tool.pyfront], no indices. */
const FILES = {
  "pyproject.toml": '[project]\nname = "zc"\nversion = "0.1.0"\ndependencies = ["click"]\n',
  "main.py": "import click\nprint(click.__name__)\n",
};

const BUILD_ARGS = {
  PIP_INDEX_URL: "http://127.0.0.1:3141/simple",
  PIP_EXTRA_INDEX_URL: "https://extra.example/simple",
  PIP_TRUSTED_HOST: "extra.example",
  PYFRONT_REGISTRY_MIRROR: "localhost:5000/mirror",
  PATH: "/from-arg",
};

describe("the platform build args through both edges", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
  });

  it("the frontend solves exactly the LLB the CLI renders from the same args", async () => {
    const bridge = await startBridge(FILES);
    close = bridge.close;
    const result = (await runFrontend(bridge.gateway, withBuildArgs(BUILD_ARGS))) as Extract<
      ReturnInput,
      { ref?: string }
    >;
    expect("error" in result, JSON.stringify(result)).toBe(false);

    const loaded = loadProject({ dir: project(FILES), buildArgs: BUILD_ARGS });
    const plan = planBuild(loaded.spec, { buildArgs: loaded.buildArgs });
    expect(planImageRefs(plan)).toEqual([
      "localhost:5000/mirror/library/python:3.14",
      "localhost:5000/mirror/library/python:3.14-slim",
    ]);
    // The frontend resolved the mirror's images, not Docker Hub's.
    expect([...bridge.resolved].sort()).toEqual(planImageRefs(plan));
    const rendered = renderLlb(plan, {
      sessionId: "session-1",
      // No .dockerignore: both edges leave the default excludes out.
      contextExcludes: loaded.contextExcludes.patterns,
      baseImages: Object.fromEntries(
        planImageRefs(plan).map((ref) => [ref, { config: BASE_CONFIG, digest: BASE_IMAGE_DIGEST }]),
      ),
    });
    const fromCli = marshalDefinition(rendered.state, { platform: rendered.platform }).definition;
    const fromFrontend = bridge.solves.at(-1)?.Definition;
    expect(fromFrontend?.def.map((b) => Buffer.from(b).toString("hex"))).toEqual(
      fromCli.def.map((b) => Buffer.from(b).toString("hex")),
    );
    const config = JSON.parse(String(result.metadata?.["containerimage.config"]));
    expect(config.config.Env).toEqual(
      expect.arrayContaining(["PATH=/opt/venv/bin:/usr/local/bin:/usr/bin:/bin"]),
    );
  });

  it("the frontend refuses credentials in a build arg without echoing them", async () => {
    const bridge = await startBridge(FILES);
    close = bridge.close;
    const result = await runFrontend(
      bridge.gateway,
      withBuildArgs({ PIP_INDEX_URL: "https://deploy:Hunter2Pw@pypi.example/simple" }),
    );
    if (!("error" in result)) throw new Error("expected an error");
    expect(result.error.message).toContain(
      "build arg PIP_INDEX_URL: the URL https://***@pypi.example/simple holds credentials",
    );
    expect(result.error.message).toContain("--secret id=pyfront-index-url,src=FILE");
    expect(JSON.stringify(result)).not.toContain("Hunter2Pw");
    expect(bridge.solves.map((s) => JSON.stringify(s))).not.toContainEqual(
      expect.stringContaining("Hunter2Pw"),
    );
  });
});
