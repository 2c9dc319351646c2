// Issue 16, item 1, on a real engine: buildx's information requests (`--print NAME` in buildx
// 0.13, `--call NAME` from 0.15) are answered by pyfront's frontend from the spec and the plan,
// without a build. buildx 0.13 (engine B's client) is used against both daemons: Docker 20.10's
// own client has no such flag, and a newer buildx against an older daemon is what users have.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildx, type CommandResult, engineEnv } from "./support/engine.js";
import { combined } from "./support/examples.js";
import { ensureFrontendImage, FRONTEND_IMAGE } from "./support/frontend.js";

const env = engineEnv();
const roots: string[] = [];
beforeAll(() => ensureFrontendImage());
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "pyfront-e2e-call-"));
  roots.push(dir);
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  return dir;
}

/** `docker buildx build --print REQUEST` of the project, on the engine under test. */
function print(request: string, dir: string, extra: string[] = []): Promise<CommandResult> {
  return buildx([
    "build",
    "--print",
    request,
    "--build-arg",
    `BUILDKIT_SYNTAX=${FRONTEND_IMAGE}`,
    ...extra,
    "-f",
    join(dir, "pyproject.toml"),
    dir,
  ]);
}

const SPEC = [
  `#syntax=${FRONTEND_IMAGE}`,
  "[project]",
  'name = "calls"',
  'version = "1.0.0"',
  'dependencies = ["flask>=3"]',
  "",
  "[tool.pyfront]",
  'python_version = "3.13"',
  'indices = [{ url = "https://pkgs.example.org/simple", secret = "pkgs" }]',
  'env = { RELEASE = "${RELEASE_TAG:-dev}" }',
  "",
  "[tool.pyfront.targets.debug]",
  'env = { DEBUG = "1" }',
  "",
].join("\n");

describe.concurrent(`information requests through pyfront's frontend on engine ${env.engine}`, () => {
  it("subrequests.describe lists pyfront's requests", async () => {
    const dir = project({ "pyproject.toml": SPEC, "main.py": "print('hi')\n" });
    const result = await print("subrequests.describe", dir);
    expect(result.code, combined(result)).toBe(0);
    for (const name of ["outline", "targets", "lint", "pyfront.plan", "pyfront.dockerfile"]) {
      expect(result.stdout).toMatch(new RegExp(`^${name.replace(".", "\\.")} +1\\.0\\.0 `, "m"));
    }
  });

  it("outline names the build arg the spec reads and the secret it needs, and builds nothing", async () => {
    const dir = project({ "pyproject.toml": SPEC, "main.py": "print('hi')\n" });
    const result = await print("outline", dir, ["--build-arg", "RELEASE_TAG=v2"]);
    expect(result.code, combined(result)).toBe(0);
    expect(result.stdout).toMatch(/^RELEASE_TAG +v2 +Read by env RELEASE$/m);
    expect(result.stdout).toMatch(/^SECRET +REQUIRED\npkgs +true$/m);
    // Nothing ran: no pip, no base image pulled for a build.
    expect(combined(result)).not.toMatch(/pip install|python:3\.13-slim/);
  });

  it("outline as JSON carries the spec's lines", async () => {
    const dir = project({ "pyproject.toml": SPEC, "main.py": "print('hi')\n" });
    const result = await print("outline,format=json", dir);
    expect(result.code, combined(result)).toBe(0);
    const outline = JSON.parse(result.stdout);
    expect(outline.args[0].name).toBe("RELEASE_TAG");
    expect(outline.args[0].location.ranges[0].start.line).toBe(10);
    expect(outline.secrets[0].location.ranges[0].start.line).toBe(9);
  });

  it("targets lists the spec's targets", async () => {
    const dir = project({ "pyproject.toml": SPEC, "main.py": "print('hi')\n" });
    const result = await print("targets", dir);
    expect(result.code, combined(result)).toBe(0);
    expect(result.stdout).toMatch(/^TARGET +DESCRIPTION\n\(default\) +The spec without --target\ndebug *$/m);
  });

  it("lint reports pyfront's warnings by rule, credentials redacted", async () => {
    const dir = project({
      "pyproject.toml": [
        `#syntax=${FRONTEND_IMAGE}`,
        "[project]",
        'name = "calls"',
        'version = "1.0.0"',
        "",
        "[tool.pyfront]",
        'indices = [{ url = "https://alice:S3cr3tPw@pkgs.example.org/simple" }]',
        "",
      ].join("\n"),
      "main.py": "print('hi')\n",
    });
    const result = await print("lint", dir);
    expect(result.code, combined(result)).toBe(0);
    expect(result.stdout).toMatch(
      /^inline-credentials: pyproject\.toml:7:\d+: tool\.pyfront\.indices\[0\]\.url: credentials written in the spec file are not used/m,
    );
    expect(combined(result)).not.toContain("S3cr3tPw");
  });

  it("pyfront.plan prints the plan pyfront plan prints", async () => {
    const dir = project({ "pyproject.toml": SPEC, "main.py": "print('hi')\n" });
    const result = await print("pyfront.plan", dir, ["--target", "debug"]);
    expect(result.code, combined(result)).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan.planVersion).toBe(1);
    expect(plan.image.env).toContainEqual(expect.objectContaining({ name: "DEBUG" }));
  });

  it("an unknown request fails with BuildKit's unsupported-request error, and nothing is built", async () => {
    const dir = project({ "pyproject.toml": SPEC, "main.py": "print('hi')\n" });
    const result = await print("nonsense", dir);
    expect(result.code).not.toBe(0);
    expect(combined(result)).toContain("unsupported request frontend.nonsense");
  });
});
