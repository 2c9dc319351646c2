import { afterEach, describe, expect, it } from "vitest";
import type { ReturnInput } from "../../../src/buildkit/gateway/index.js";
import { runFrontend } from "../../../src/frontend/frontend.js";
import { frontendEnv as env, type Files, startFakeBuildKit } from "./fake-buildkit.js";

/** The client's files, the same in the `dockerfile` and `context` locals. */
function startBridge(files: Files, missingImages: string[] = []) {
  return startFakeBuildKit({ dockerfile: files, context: files, missingImages });
}

describe("runFrontend against a fake BuildKit", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
  });

  it("returns an image whose config merges the base image with the plan", async () => {
    const bridge = await startBridge({
      "pyproject.toml": '#syntax=pyfront/frontend:dev\n[tool.pyfront]\npython_version = "3.11"\n',
      "main.py": "print('hi')\n",
    });
    close = bridge.close;
    const result = (await runFrontend(bridge.gateway, env({ "label:team": "data" }))) as Extract<
      ReturnInput,
      { ref?: string }
    >;
    expect("error" in result).toBe(false);
    expect(result.ref).toMatch(/^ref-\d+$/);
    const config = JSON.parse(String(result.metadata?.["containerimage.config"]));
    expect(config.config.User).toBe("65532:65532");
    expect(config.config.Env).toContain("PYTHONUNBUFFERED=1");
    expect(config.config.Env).toContain("LANG=C.UTF-8");
    expect(config.config.Labels.team).toBe("data");
    expect(config.created).toMatch(/^\d{4}-\d\d-\d\dT/);
    // The last solve is the build itself, evaluated so failures surface in the frontend.
    expect(bridge.solves.at(-1)?.Evaluate).toBe(true);
  });

  it("reads the context in few round trips: each folder listed once, the spec found without a StatFile", async () => {
    const bridge = await startBridge({
      "pyproject.toml": '#syntax=pyfront/frontend:dev\n[project]\nname = "web"\nversion = "1"\n',
      "requirements/prod.txt": "flask==3.0.3\n",
      "web/__init__.py": "",
      "web/app.py": "app = None\n",
    });
    close = bridge.close;
    const result = await runFrontend(bridge.gateway, env());
    expect("error" in result).toBe(false);
    // The spec's location check and the probe share the root's listing; the spec's kind and size
    // come from it, so only its bytes are read to compare.
    // The three definition files at once, then the context: the spec's bytes, once each folder.
    const reads = bridge.reads.filter((r) => r !== "ReadFile /pyfront-warning");
    expect(reads.slice(0, 3).sort()).toEqual([
      "ReadFile .dockerignore",
      "ReadFile pyproject.toml",
      "ReadFile pyproject.toml.dockerignore",
    ]);
    expect(reads.slice(3).sort()).toEqual([
      "ReadDir .",
      "ReadDir requirements",
      "ReadDir web",
      "ReadFile pyproject.toml",
      "ReadFile requirements/prod.txt",
    ]);
    // The context's .dockerignore is fetched with the spec, not after it.
    expect(
      bridge.locals
        .slice(0, 2)
        .map((l) => l.identifier)
        .sort(),
    ).toEqual(["local://context", "local://dockerfile"]);
  });

  it("dates the image and every history entry it adds by SOURCE_DATE_EPOCH", async () => {
    const bridge = await startBridge({
      "pyproject.toml": '[tool.pyfront]\npython_version = "3.11"\n',
      "main.py": "print('hi')\n",
    });
    close = bridge.close;
    const result = (await runFrontend(
      bridge.gateway,
      env({ "build-arg:SOURCE_DATE_EPOCH": "1700000000" }),
    )) as Extract<ReturnInput, { ref?: string }>;
    const config = JSON.parse(String(result.metadata?.["containerimage.config"]));
    expect(config.created).toBe("2023-11-14T22:13:20.000Z");
    expect(config.history.length).toBeGreaterThan(3);
    // Undated, Docker's image store would date each entry by when its layer was made.
    for (const entry of config.history) expect(entry.created).toBe("2023-11-14T22:13:20.000Z");
  });

  it("turns a spec mistake into a readable error pointing at the line, not a crash", async () => {
    const spec = '[tool.pyfront]\npython_version = "3.11"\nbuild_deps = ["gcc; rm -rf /"]\n';
    const bridge = await startBridge({ "pyproject.toml": spec, "main.py": "" });
    close = bridge.close;
    const result = await runFrontend(bridge.gateway, env());
    if (!("error" in result)) throw new Error("expected an error");
    expect(result.error.code).toBe(2);
    expect(result.error.message).toContain(
      'pyproject.toml:3:15: tool.pyfront.build_deps[0]: "gcc; rm -rf /" is not a Debian package name',
    );
    const detail = result.error.details[0];
    expect(detail?.typeUrl).toBe("github.com/moby/buildkit/errdefs.Source+json");
    const source = JSON.parse(new TextDecoder().decode(detail?.value));
    expect(source.info.filename).toBe("pyproject.toml");
    expect(Buffer.from(source.info.data, "base64").toString()).toBe(spec);
    expect(source.ranges).toEqual([{ start: { line: 3 }, end: { line: 3 } }]);
  });

  it("shows the offending lines with credentials redacted (issue #11)", async () => {
    const spec =
      '[tool.pyfront]\nindices = [{ url = "https://alice:S3cr3tPw@p.example/simple", secret = "pypi" }]\n';
    const bridge = await startBridge({ "pyproject.toml": spec, "main.py": "" });
    close = bridge.close;
    const result = await runFrontend(bridge.gateway, env());
    if (!("error" in result)) throw new Error("expected an error");
    expect(result.error.message).toContain("the URL holds credentials and the index has a secret");
    const source = JSON.parse(new TextDecoder().decode(result.error.details[0]?.value));
    const shown = Buffer.from(source.info.data, "base64").toString();
    expect(shown).toContain("https://***@p.example/simple");
    expect(shown.split("\n")).toHaveLength(spec.split("\n").length);
    expect(JSON.stringify(result)).not.toContain("S3cr3tPw");
    expect(JSON.stringify(result)).not.toContain(Buffer.from("S3cr3tPw").toString("base64").slice(0, 8));
  });

  it("names a base image the engine cannot get, and the key that chose it", async () => {
    const spec =
      '[project]\nname = "app"\nversion = "1"\n\n[tool.microb.target.default]\npython_version = "3.13"\nflavor = "alpine"\n';
    const bridge = await startBridge({ "pyproject.toml": spec }, ["python:3.13-alpine"]);
    close = bridge.close;
    const result = await runFrontend(bridge.gateway, env());
    if (!("error" in result)) throw new Error("expected an error");
    expect(result.error.message).toBe(
      'pyproject.toml:7:1: the base image "python:3.13-alpine" (from flavor) is not available to this engine: ' +
        "failed to resolve source metadata for docker.io/library/python:3.13-alpine: no such host\n" +
        "  hint: pull or load it into the engine (docker pull python:3.13-alpine), or choose an image the engine can reach",
    );
    const source = JSON.parse(new TextDecoder().decode(result.error.details[0]?.value));
    expect(source.ranges).toEqual([{ start: { line: 7 }, end: { line: 7 } }]);
  });

  it("refuses a subrequest it does not know with BuildKit's typed error, which buildx recognizes", async () => {
    const bridge = await startBridge({});
    close = bridge.close;
    const result = await runFrontend(bridge.gateway, env({ requestid: "frontend.convertllb" }));
    if (!("error" in result)) throw new Error("expected an error");
    expect(result.error.message).toMatch(
      /^unsupported request frontend\.convertllb: pyfront answers frontend\.subrequests\.describe, /,
    );
    expect(result.error.details[0]?.typeUrl).toBe("github.com/moby/buildkit/errdefs.Subrequest+json");
    expect(JSON.parse(new TextDecoder().decode(result.error.details[0]?.value))).toEqual({
      name: "frontend.convertllb",
    });
  });
});

describe("runFrontend answers information requests (docker buildx build --call)", () => {
  const SPEC = [
    "#syntax=pyfront/frontend:dev",
    "[project]",
    'name = "app"',
    'version = "1"',
    'dependencies = ["flask>=3"]',
    "",
    "[tool.pyfront]",
    'python_version = "3.13"',
    'indices = [{ url = "https://pkgs.example.org/simple", secret = "pkgs" }]',
    'env = { RELEASE = "${RELEASE_TAG:-dev}" }',
    "expose = [8000]",
    "",
    "[tool.pyfront.targets.debug]",
    'env = { DEBUG = "1" }',
    "",
  ].join("\n");
  const files: Files = { "pyproject.toml": SPEC, "main.py": "print('hi')\n" };
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
  });
  async function ask(requestid: string, opts: Record<string, string> = {}, project: Files = files) {
    const bridge = await startFakeBuildKit({ dockerfile: project, context: project });
    close = bridge.close;
    const result = await runFrontend(bridge.gateway, env({ requestid, ...opts }));
    if ("error" in result || "result" in result)
      throw new Error(`expected an answer: ${"error" in result ? result.error.message : "a result"}`);
    // An answer is metadata only: nothing was solved for an image.
    expect(result.ref).toBe("");
    expect(bridge.solves.some((solve) => solve.Evaluate)).toBe(false);
    const metadata = result.metadata as Record<string, string>;
    return { metadata, json: JSON.parse(metadata["result.json"]!), text: metadata["result.txt"]! };
  }

  it("describe lists every request pyfront answers", async () => {
    const { json, text } = await ask("frontend.subrequests.describe");
    expect(json.map((r: { name: string }) => r.name)).toEqual([
      "frontend.subrequests.describe",
      "frontend.outline",
      "frontend.targets",
      "frontend.lint",
      "frontend.pyfront.plan",
      "frontend.pyfront.dockerfile",
    ]);
    expect(text.split("\n")[0]).toMatch(/^NAME +VERSION +DESCRIPTION$/);
    expect(text).toMatch(/^pyfront\.plan +1\.0\.0 +Print the build plan/m);
  });

  it("outline names the build args, secrets and cache mounts, with their lines in the spec", async () => {
    const { json, text } = await ask("frontend.outline", { "build-arg:RELEASE_TAG": "v2" });
    expect(json.args[0]).toEqual({
      name: "RELEASE_TAG",
      description: "Read by env RELEASE",
      value: "v2",
      location: {
        sourceIndex: 0,
        ranges: [{ start: { line: 10, character: 18 }, end: { line: 10, character: 18 } }],
      },
    });
    expect(json.args.map((a: { name: string }) => a.name)).toEqual([
      "RELEASE_TAG",
      "PIP_INDEX_URL",
      "PIP_EXTRA_INDEX_URL",
      "PIP_TRUSTED_HOST",
      "PYFRONT_REGISTRY_MIRROR",
    ]);
    expect(json.secrets).toEqual([
      {
        name: "pkgs",
        required: true,
        location: {
          sourceIndex: 0,
          ranges: [{ start: { line: 9, character: 0 }, end: { line: 9, character: 0 } }],
        },
      },
    ]);
    expect(json.cache.map((c: { ID: string }) => c.ID)).toContain("pyfront-pip-3.13");
    expect(Buffer.from(json.sources[0], "base64").toString()).toBe(SPEC);
    expect(text).toMatch(/^RELEASE_TAG +v2 +Read by env RELEASE$/m);
    expect(text).toMatch(/^SECRET +REQUIRED\npkgs +true$/m);
  });

  it("targets lists the spec's targets and the unnamed default", async () => {
    const { json, text } = await ask("frontend.targets");
    expect(json.targets).toEqual([
      { default: true, description: "The spec without --target" },
      {
        name: "debug",
        location: {
          sourceIndex: 0,
          ranges: [{ start: { line: 13, character: 0 }, end: { line: 13, character: 0 } }],
        },
      },
    ]);
    expect(text).toBe("TARGET      DESCRIPTION\n(default)   The spec without --target\ndebug\n");
  });

  it("lint reports warnings by rule with status 1, and a spec that does not load as its build error", async () => {
    const clean = await ask(
      "frontend.lint",
      {},
      { "pyproject.toml": '[project]\nname = "app"\nversion = "1"\n', "main.py": "" },
    );
    expect(clean.metadata["result.statuscode"]).toBe("0");
    expect(clean.json.warnings).toEqual([]);

    const broken = await ask(
      "frontend.lint",
      {},
      {
        "pyproject.toml": '[tool.pyfront]\npython_version = "3.13"\nbuild_deps = ["gcc; rm -rf /"]\n',
        "main.py": "",
      },
    );
    expect(broken.metadata["result.statuscode"]).toBe("1");
    expect(broken.json.buildError.message).toContain('"gcc; rm -rf /" is not a Debian package name');
    expect(broken.json.buildError.location.ranges[0].start.line).toBe(3);
    expect(broken.text).toMatch(/^error: pyproject\.toml:3:15: /);
  });

  it("pyfront.plan and pyfront.dockerfile print what the CLI prints", async () => {
    const plan = await ask("frontend.pyfront.plan");
    expect(plan.json.planVersion).toBe(1);
    expect(plan.text).toBe(plan.metadata["result.json"]);
    const dockerfile = await ask("pyfront.dockerfile");
    expect(dockerfile.text).toMatch(/^# Generated by pyfront/);
    expect(dockerfile.text).toContain("FROM python:3.13 AS builder");
  });
});

describe("runFrontend honours --cache-from and --build-context, or refuses them", () => {
  const files: Files = {
    "pyproject.toml": '[tool.pyfront]\npython_version = "3.11"\n',
    "main.py": "print('hi')\n",
  };
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
  });

  it("imports the caches --cache-from names into the build's solve", async () => {
    const bridge = await startFakeBuildKit({ dockerfile: files, context: files });
    close = bridge.close;
    const result = await runFrontend(bridge.gateway, env({ "cache-from": "localhost:5000/app:cache" }));
    expect("error" in result).toBe(false);
    const build = bridge.solves.at(-1)!;
    expect(build.CacheImports.map((c) => ({ type: c.Type, ref: c.Attrs.ref }))).toEqual([
      { type: "registry", ref: "localhost:5000/app:cache" },
    ]);
  });

  it("builds every platform asked for, each on bases resolved for it, as one multi-platform result", async () => {
    const bridge = await startFakeBuildKit({ dockerfile: files, context: files });
    close = bridge.close;
    const result = await runFrontend(
      bridge.gateway,
      env({ platform: "linux/amd64,linux/arm64,linux/amd64" }),
    );
    if ("error" in result || "result" in result) throw new Error("expected images");
    expect(Object.keys(result.refs ?? {})).toEqual(["linux/amd64", "linux/arm64"]);
    expect(result.ref).toBeUndefined();
    const metadata = result.metadata as Record<string, string>;
    expect(JSON.parse(metadata["refs.platforms"]!)).toEqual({
      Platforms: [
        { ID: "linux/amd64", Platform: { os: "linux", architecture: "amd64" } },
        { ID: "linux/arm64", Platform: { os: "linux", architecture: "arm64" } },
      ],
    });
    expect(JSON.parse(metadata["containerimage.config/linux/arm64"]!).architecture).toBe("arm64");
    expect(JSON.parse(metadata["containerimage.config/linux/amd64"]!).architecture).toBe("amd64");
    // Each image's bases come from its own platform's configs, never the first platform's.
    const pairs = bridge.resolved.map((ref, i) => `${ref} ${bridge.resolvedPlatforms[i]}`);
    expect(new Set(pairs)).toEqual(
      new Set([
        "python:3.11 linux/amd64",
        "python:3.11-slim linux/amd64",
        "python:3.11 linux/arm64",
        "python:3.11-slim linux/arm64",
      ]),
    );
    expect(bridge.solves.filter((solve) => solve.Evaluate)).toHaveLength(2);
  });

  it("gives one platform the multi-platform form when the client asks for it", async () => {
    const bridge = await startFakeBuildKit({ dockerfile: files, context: files });
    close = bridge.close;
    const result = await runFrontend(
      bridge.gateway,
      env({ platform: "linux/arm64", "multi-platform": "true" }),
    );
    if ("error" in result || "result" in result) throw new Error("expected images");
    expect(Object.keys(result.refs ?? {})).toEqual(["linux/arm64"]);
    const single = await runFrontend(bridge.gateway, env({ platform: "linux/arm64" }));
    if ("error" in single || "result" in single) throw new Error("expected an image");
    expect(single.refs).toBeUndefined();
    expect(single.ref).toBeTruthy();
  });

  it("refuses a base image the engine has only for another platform than one asked for", async () => {
    const bridge = await startFakeBuildKit({
      dockerfile: files,
      context: files,
      amd64OnlyImages: ["python:3.11-slim"],
    });
    close = bridge.close;
    const result = await runFrontend(bridge.gateway, env({ platform: "linux/amd64,linux/arm64" }));
    if (!("error" in result)) throw new Error("expected an error");
    expect(result.error.message).toContain(
      'the base image "python:3.11-slim" (from python_version) is not available to this engine for linux/arm64: the engine has it for linux/amd64 only',
    );
    // Refused before either platform's image is built.
    expect(bridge.solves.filter((solve) => solve.Evaluate)).toHaveLength(0);
  });

  it("names a platform it cannot read, before building anything", async () => {
    const bridge = await startFakeBuildKit({ dockerfile: files, context: files });
    close = bridge.close;
    const result = await runFrontend(bridge.gateway, env({ platform: "linux/amd64,arm64" }));
    if (!("error" in result)) throw new Error("expected an error");
    expect(result.error.message).toContain('the platform "arm64" is not os/arch or os/arch/variant');
    expect(bridge.solves).toHaveLength(0);
  });

  it("replaces a base image by a named context that is an image, and refuses any other", async () => {
    const bridge = await startFakeBuildKit({ dockerfile: files, context: files });
    close = bridge.close;
    const replaced = await runFrontend(
      bridge.gateway,
      env({ "context:python:3.11-slim": "docker-image://python:3.11-slim-bookworm" }),
    );
    expect("error" in replaced).toBe(false);
    expect(bridge.resolved).toContain("python:3.11-slim-bookworm");
    expect(bridge.resolved).not.toContain("python:3.11-slim");

    for (const [name, value, message] of [
      [
        "assets",
        "local:assets",
        'the build context "assets" (--build-context) names no base image of this build',
      ],
      [
        "python:3.11",
        "local:py",
        'the build context "python:3.11" is "local:py"; a base image can only be replaced by an image',
      ],
    ] as const) {
      const refused = await runFrontend(bridge.gateway, env({ [`context:${name}`]: value }));
      if (!("error" in refused)) throw new Error("expected an error");
      expect(refused.error.message).toContain(message);
    }
  });
});

describe("runFrontend when the gateway fails to read the context", () => {
  const files: Files = {
    "pyproject.toml": '#syntax=pyfront/frontend:dev\n[project]\nname = "app"\nversion = "1"\n',
    "main.py": "print('hi')\n",
  };

  it("retries a read that fails for another reason than a missing path, and builds what the project is", async () => {
    const bridge = await startFakeBuildKit({
      dockerfile: files,
      context: files,
      // The context's paths are answered by listing their folder: the root's listing fails twice.
      failingListings: { ".": 2 },
    });
    try {
      const result = await runFrontend(bridge.gateway, env({}));
      expect("error" in result).toBe(false);
      const config = JSON.parse(
        String((result as { metadata?: Record<string, string> }).metadata?.["containerimage.config"]),
      );
      expect(config.config.Cmd).toEqual(["/opt/venv/bin/python", "/app/main.py"]);
    } finally {
      await bridge.close();
    }
  });

  it("builds on an engine that has no Inputs call, which it asks alongside Ping", async () => {
    const bridge = await startFakeBuildKit({ dockerfile: files, context: files, noInputs: true });
    try {
      const result = await runFrontend(bridge.gateway, env({}));
      expect("error" in result).toBe(false);
    } finally {
      await bridge.close();
    }
  });

  it("fails the build instead of taking a path that cannot be read for missing", async () => {
    const bridge = await startFakeBuildKit({
      dockerfile: files,
      context: files,
      failingListings: { ".": 10 },
    });
    try {
      const result = await runFrontend(bridge.gateway, env({}));
      expect("error" in result).toBe(true);
      expect(JSON.stringify(result)).toContain("transport is closing");
    } finally {
      await bridge.close();
    }
  });
});
