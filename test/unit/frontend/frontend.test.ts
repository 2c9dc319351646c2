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

  it("refuses subrequests it does not implement with a clear message", async () => {
    const bridge = await startBridge({});
    close = bridge.close;
    const result = await runFrontend(bridge.gateway, env({ requestid: "frontend.outline" }));
    if (!("error" in result)) throw new Error("expected an error");
    expect(result.error.message).toBe('pyfront does not support the subrequest "frontend.outline"');
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
      failingStats: { "main.py": 2 },
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

  it("fails the build instead of taking a path that cannot be read for missing", async () => {
    const bridge = await startFakeBuildKit({
      dockerfile: files,
      context: files,
      failingStats: { "main.py": 10 },
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
