// Issue 20, item 7: `docker build -f services/api/pyproject.toml .` sends `services/api` as the
// `dockerfile` local and `pyproject.toml` as the filename; the frontend must build services/api,
// as the CLI plans it, not the context root's project.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { ReturnInput } from "../../../src/buildkit/gateway/index.js";
import { marshalDefinition } from "../../../src/buildkit/index.js";
import { loadProject } from "../../../src/cli/project-input.js";
import { DEFAULT_CONTEXT_EXCLUDES } from "../../../src/context/default-excludes.js";
import { runFrontend } from "../../../src/frontend/frontend.js";
import { planBuild } from "../../../src/plan/plan-build.js";
import { renderLlb } from "../../../src/render/llb.js";
import { formatDiagnostic, SpecError } from "../../../src/spec/index.js";
import {
  BASE_CONFIG,
  BASE_IMAGE_DIGEST,
  type FakeBuildKit,
  type Files,
  frontendEnv,
  startFakeBuildKit,
} from "./fake-buildkit.js";

const INDEX = 'indices = [{ url = "http://127.0.0.1:3141/simple", primary = true, trust = true }]';

function project(name: string, extra = ""): string {
  return [
    "#syntax=pyfront/frontend:dev",
    "[build-system]",
    'requires = ["setuptools>=61"]',
    'build-backend = "setuptools.build_meta"',
    "[project]",
    `name = "${name}"`,
    'version = "0.1.0"',
    "[tool.setuptools]",
    `py-modules = ["${name}"]`,
    "[tool.pyfront]",
    'python_version = "3.11"',
    INDEX,
    extra,
    "",
  ].join("\n");
}

const ROOT_SPEC = project("rootpkg");
const API_SPEC = project("apisvc", 'command = ["python", "-m", "apisvc"]');

/** The monorepo as the context BuildKit holds. */
const MONOREPO: Files = {
  "pyproject.toml": ROOT_SPEC,
  "rootpkg.py": "",
  "services/api/pyproject.toml": API_SPEC,
  "services/api/apisvc.py": "",
};

type ImageResult = Extract<ReturnInput, { ref?: string }>;

function imageConfig(result: ReturnInput) {
  if ("error" in result) throw new Error(`expected an image, got: ${result.error.message}`);
  return JSON.parse(String((result as ImageResult).metadata?.["containerimage.config"]));
}

function errorOf(result: ReturnInput) {
  if (!("error" in result)) throw new Error("expected an error");
  return result.error;
}

describe("the frontend finds the spec's folder in the context", () => {
  let fake: FakeBuildKit | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it("builds services/api, not the root project, from -f services/api/pyproject.toml", async () => {
    fake = await startFakeBuildKit({
      dockerfile: { "pyproject.toml": API_SPEC },
      context: MONOREPO,
    });
    const result = await runFrontend(fake.gateway, frontendEnv());
    const config = imageConfig(result);
    expect(config.config.Labels["org.opencontainers.image.title"]).toBe("apisvc");
    expect(config.config.Cmd).toEqual(["python", "-m", "apisvc"]);
    // The project installed is the api's folder (the root's would be ".").
    const ops = (fake.solves.at(-1)?.Definition?.def ?? []).map((op) => Buffer.from(op).toString("latin1"));
    expect(ops.some((op) => op.includes("services/api"))).toBe(true);
    expect(fake.warnings).toEqual([]);
  });

  it("names the spec by its place in the context in errors, with its lines", async () => {
    const broken = API_SPEC.replace('python_version = "3.11"', 'python_version = "2.7"');
    fake = await startFakeBuildKit({
      dockerfile: { "pyproject.toml": broken },
      context: { ...MONOREPO, "services/api/pyproject.toml": broken },
    });
    const error = errorOf(await runFrontend(fake.gateway, frontendEnv()));
    expect(error.message).toMatch(/^services\/api\/pyproject\.toml:11:18: /);
    const source = JSON.parse(new TextDecoder().decode(error.details[0]?.value));
    expect(source.info.filename).toBe("services/api/pyproject.toml");
  });

  it("builds exactly what the CLI plans for the same -f: the same LLB, byte for byte", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pyfront-monorepo-"));
    try {
      for (const [path, text] of Object.entries(MONOREPO)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      const cli = loadProject({
        dir,
        file: join(dir, "services/api/pyproject.toml"),
        buildArgs: {},
        cwd: dir,
      });
      expect(cli.specFile).toBe("services/api/pyproject.toml");
      expect(cli.spec.project).toMatchObject({ kind: "package", path: "services/api" });

      fake = await startFakeBuildKit({ dockerfile: { "pyproject.toml": API_SPEC }, context: MONOREPO });
      imageConfig(await runFrontend(fake.gateway, frontendEnv()));
      const built = fake.solves.at(-1)?.Definition?.def.map((bytes) => Buffer.from(bytes).toString("hex"));

      // The CLI's plan rendered with what the frontend had: the session, the resolved base images.
      const plan = planBuild(cli.spec, { buildArgs: {} });
      const refs = plan.stages.flatMap((s) => (s.base.kind === "image" ? [s.base.ref] : []));
      const rendered = renderLlb(plan, {
        sessionId: "session-1",
        contextExcludes: cli.contextExcludes.patterns,
        networkMode: "default",
        noCache: false,
        imageResolveMode: "default",
        baseImages: Object.fromEntries(
          refs.map((ref) => [ref, { config: BASE_CONFIG, digest: BASE_IMAGE_DIGEST }]),
        ),
      });
      const { caps } = await fake.gateway.ping();
      const planned = marshalDefinition(rendered.state, { caps, platform: rendered.platform });
      expect(built).toEqual(planned.definition.def.map((bytes) => Buffer.from(bytes).toString("hex")));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("builds the context root when the spec is outside the context, and warns", async () => {
    const outside = project("rootpkg", "# kept outside the context");
    fake = await startFakeBuildKit({
      dockerfile: { "pyproject.toml": outside },
      context: { "pyproject.toml": ROOT_SPEC, "rootpkg.py": "" },
      release: 13,
    });
    const config = imageConfig(await runFrontend(fake.gateway, frontendEnv()));
    expect(config.config.Labels["org.opencontainers.image.title"]).toBe("rootpkg");
    // The project runs nothing: that warning comes too, and is not this test's.
    const located = fake.warnings.filter((w) => !w.includes("found nothing to run"));
    expect(located).toHaveLength(1);
    expect(located[0]).toBe(
      "pyproject.toml:1:1: warning: the spec is not in the build context (no pyproject.toml there has its content): the context root is the project\n" +
        "  hint: to build a folder of the context, give -f the spec in that folder; a spec that .dockerignore leaves out cannot be found either",
    );
  });

  it("refuses to guess between identical copies at the same depth", async () => {
    fake = await startFakeBuildKit({
      dockerfile: { "pyproject.toml": API_SPEC },
      context: { ...MONOREPO, "services/api2/pyproject.toml": API_SPEC },
    });
    const error = errorOf(await runFrontend(fake.gateway, frontendEnv()));
    expect(error.message).toContain(
      '"services/api/pyproject.toml" and "services/api2/pyproject.toml" in the build context all have this spec\'s content',
    );
    expect(error.message).toContain("hint: make the spec files differ");
  });
});

describe("the context the frontend asks BuildKit for", () => {
  let fake: FakeBuildKit | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  const excludesOf = (f: FakeBuildKit) =>
    f.locals.filter(
      (l) => l.identifier === "local://context" && l.attrs["local.excludepatterns"] !== undefined,
    );

  it("leaves out the default excludes when there is no .dockerignore", async () => {
    fake = await startFakeBuildKit({
      dockerfile: { "pyproject.toml": ROOT_SPEC },
      context: { "pyproject.toml": ROOT_SPEC, "rootpkg.py": "" },
    });
    imageConfig(await runFrontend(fake.gateway, frontendEnv()));
    const contexts = excludesOf(fake);
    expect(contexts.length).toBeGreaterThan(0);
    for (const local of contexts) {
      expect(JSON.parse(local.attrs["local.excludepatterns"] ?? "[]")).toEqual([...DEFAULT_CONTEXT_EXCLUDES]);
    }
  });

  it("uses the .dockerignore alone when there is one", async () => {
    fake = await startFakeBuildKit({
      dockerfile: { "pyproject.toml": ROOT_SPEC },
      context: { "pyproject.toml": ROOT_SPEC, "rootpkg.py": "", ".dockerignore": "# mine\n*.log\n" },
    });
    imageConfig(await runFrontend(fake.gateway, frontendEnv()));
    for (const local of excludesOf(fake)) {
      expect(JSON.parse(local.attrs["local.excludepatterns"] ?? "[]")).toEqual(["*.log"]);
    }
  });

  it("refuses a .dockerignore pattern BuildKit would refuse, naming the file", async () => {
    fake = await startFakeBuildKit({
      dockerfile: { "pyproject.toml": ROOT_SPEC },
      context: { "pyproject.toml": ROOT_SPEC, "rootpkg.py": "", ".dockerignore": "[abc\n" },
    });
    expect(errorOf(await runFrontend(fake.gateway, frontendEnv())).message).toBe(
      '".dockerignore": "[abc" is not a valid pattern\n  hint: close every [ of a character class, and write ranges low to high, as for docker build',
    );
  });
});

/** Issue 20, item 10: the CLI and the frontend see the same context, so they accept and refuse the same specs. */
describe("the CLI and the frontend agree on what the context holds", () => {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  const SPEC = [
    "[tool.pyfront]",
    'python_version = "3.11"',
    'copy_files = [{ src = "secrets/token", dst = "/etc/app/token" }, { src = "conf/app.ini", dst = "/etc/app/app.ini" }]',
    "",
  ].join("\n");

  /** Everything on disk, for the CLI. */
  function onDisk(files: Files): string {
    const dir = mkdtempSync(join(tmpdir(), "pyfront-agree-"));
    made.push(dir);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  }

  async function cliOutcome(files: Files): Promise<string> {
    const dir = onDisk(files);
    try {
      loadProject({ dir, buildArgs: {}, cwd: dir });
      return "accepted";
    } catch (error) {
      if (error instanceof SpecError) return error.diagnostics.map(formatDiagnostic).join("\n");
      throw error;
    }
  }

  /** `sent` is what BuildKit's file sync sends after the ignore rules: written out by hand, not computed. */
  async function frontendOutcome(sent: Files): Promise<string> {
    const fake = await startFakeBuildKit({ dockerfile: { "pyproject.toml": SPEC }, context: sent });
    try {
      const result = await runFrontend(fake.gateway, frontendEnv());
      return "error" in result ? result.error.message : "accepted";
    } finally {
      await fake.close();
    }
  }

  const base = { "pyproject.toml": SPEC, "main.py": "print(1)\n", "conf/app.ini": "[app]\n" };

  it("a copy_files source that .dockerignore leaves out is refused by both, with the same message", async () => {
    const cli = await cliOutcome({ ...base, "secrets/token": "t", ".dockerignore": "secrets\n" });
    const frontend = await frontendOutcome({ ...base, ".dockerignore": "secrets\n" });
    expect(cli).toMatch(
      /^pyproject\.toml:3:\d+: tool\.pyfront\.copy_files\[0\]\.src: "secrets\/token" does not exist/,
    );
    expect(frontend).toBe(cli);
  });

  it("without a .dockerignore, a source under a default exclude is refused by both", async () => {
    const spec = base["pyproject.toml"].replace("secrets/token", ".venv/token");
    const cli = await cliOutcome({ ...base, "pyproject.toml": spec, ".venv/token": "t" });
    const fake = await startFakeBuildKit({
      dockerfile: { "pyproject.toml": spec },
      context: { ...base, "pyproject.toml": spec },
    });
    try {
      const result = await runFrontend(fake.gateway, frontendEnv());
      expect(cli).toContain('".venv/token" does not exist in the build context');
      expect("error" in result ? result.error.message : "accepted").toBe(cli);
    } finally {
      await fake.close();
    }
  });

  it("a source .dockerignore keeps is accepted by both", async () => {
    const cli = await cliOutcome({ ...base, "secrets/token": "t", ".dockerignore": "*.log\n" });
    const frontend = await frontendOutcome({ ...base, "secrets/token": "t", ".dockerignore": "*.log\n" });
    expect([cli, frontend]).toEqual(["accepted", "accepted"]);
  });
});
