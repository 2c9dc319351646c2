// Both edges give the same build for the same build args: the frontend (BuildKit's `build-arg:`
// options, through a fake LLBBridge) and the CLI (--build-arg) plan and render the same LLB.
import * as http2 from "node:http2";
import * as net from "node:net";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { afterEach, describe, expect, it } from "vitest";
import { createGatewayClientOverDuplex, type ReturnInput } from "../../../src/buildkit/gateway/index.js";
import { APICapSchema } from "../../../src/buildkit/gen/moby/buildkit/v1/apicaps/caps_pb.js";
import {
  LLBBridge,
  type SolveRequest,
} from "../../../src/buildkit/gen/moby/buildkit/v1/frontend/gateway_pb.js";
import { CAP_FIRST_RELEASE, marshalDefinition } from "../../../src/buildkit/llb/index.js";
import { loadProject } from "../../../src/cli/project-input.js";
import { runFrontend } from "../../../src/frontend/frontend.js";
import { planBuild } from "../../../src/plan/plan-build.js";
import { planImageRefs } from "../../../src/plan/platform-overrides.js";
import { renderLlb } from "../../../src/render/llb.js";
import { project } from "../cli/cli-harness.js";

const V08_CAPS = Object.entries(CAP_FIRST_RELEASE)
  .filter(([, release]) => Number(/^v0\.(\d+)$/.exec(release)?.[1]) <= 8)
  .map(([ID]) => create(APICapSchema, { ID, Enabled: true }));

const GO_MODE_DIR = 0x80000000;
const DIGEST = `sha256:${"b".repeat(64)}`;
const BASE_CONFIG = {
  config: { Env: ["PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"], Cmd: ["python3"] },
};

/** An in-process LLBBridge serving `files` from every ref; it records solves and resolved images. */
async function startBridge(files: Record<string, string>) {
  const solves: SolveRequest[] = [];
  const resolved: string[] = [];
  const entriesOf = (dir: string) =>
    [
      ...new Set(
        Object.keys(files)
          .filter((f) => dir === "" || dir === "." || f.startsWith(`${dir}/`))
          .map((f) => (dir === "" || dir === "." ? f : f.slice(dir.length + 1)).split("/")[0]!),
      ),
    ].map((name) => ({ path: name, mode: name in files ? 0o644 : GO_MODE_DIR | 0o755 }));
  const routes = (router: ConnectRouter) =>
    router.service(LLBBridge, {
      ping: () => ({ FrontendAPICaps: V08_CAPS, LLBCaps: V08_CAPS, Workers: [] }),
      inputs: () => ({ Definitions: {} }),
      solve: (req) => {
        solves.push(req);
        return { result: { result: { case: "ref", value: { id: `ref-${solves.length}` } } } };
      },
      readFile: (req) => {
        const text = files[req.FilePath];
        if (text === undefined) throw new ConnectError(`no such file ${req.FilePath}`, Code.NotFound);
        return { Data: new TextEncoder().encode(text) };
      },
      readDir: (req) => ({ entries: entriesOf(req.DirPath) }),
      statFile: (req) => {
        if (req.Path in files) return { stat: { path: req.Path, mode: 0o644 } };
        if (req.Path === "." || Object.keys(files).some((f) => f.startsWith(`${req.Path}/`))) {
          return { stat: { path: req.Path, mode: GO_MODE_DIR | 0o755 } };
        }
        throw new ConnectError(`no such file ${req.Path}`, Code.NotFound);
      },
      resolveImageConfig: (req) => {
        resolved.push(req.Ref);
        return {
          Digest: DIGEST,
          Config: new TextEncoder().encode(JSON.stringify(BASE_CONFIG)),
          Ref: req.Ref,
        };
      },
    });
  const server = http2.createServer(connectNodeAdapter({ routes }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  const sockets: net.Socket[] = [];
  const gateway = createGatewayClientOverDuplex(() => {
    const socket = net.connect(port, "127.0.0.1");
    sockets.push(socket);
    return socket;
  });
  return {
    gateway,
    solves,
    resolved,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
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

function frontendEnv(buildArgs: Record<string, string>) {
  return {
    opts: {
      filename: "pyproject.toml",
      ...Object.fromEntries(Object.entries(buildArgs).map(([k, v]) => [`build-arg:${k}`, v])),
    },
    sessionId: "session-1",
    workers: [],
    product: "moby",
  };
}

describe("the platform build args through both edges", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
  });

  it("the frontend solves exactly the LLB the CLI renders from the same args", async () => {
    const bridge = await startBridge(FILES);
    close = bridge.close;
    const result = (await runFrontend(bridge.gateway, frontendEnv(BUILD_ARGS))) as Extract<
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
        planImageRefs(plan).map((ref) => [ref, { config: BASE_CONFIG, digest: DIGEST }]),
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
      frontendEnv({ PIP_INDEX_URL: "https://deploy:Hunter2Pw@pypi.example/simple" }),
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
