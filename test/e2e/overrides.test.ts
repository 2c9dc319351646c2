// Platform teams' overrides on a real engine, on projects nobody edited for them: a zero-config
// pyproject.toml (no [tool.pyfront], no indices) builds from the index PIP_INDEX_URL names, and
// PYFRONT_REGISTRY_MIRROR pulls its base images from a registry mirror. Also `${PATH}` in env.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pyfront } from "./support/cli.js";
import {
  docker,
  engineEnv,
  imageInspect,
  indexLogOffset,
  indexLogSince,
  removeImage,
  run,
  runShell,
} from "./support/engine.js";
import { combined, expectBestPractice } from "./support/examples.js";
import { ensureFrontendImage, FRONTEND_IMAGE } from "./support/frontend.js";
import { occurrences, saveImage } from "./support/image-search.js";

const env = engineEnv();
const engine = env.engine.toLowerCase();
const scratch: string[] = [];
const images: string[] = [];

/** Where the test's stand-in python images sit on the engine's registry, Docker Hub's layout kept. */
const MIRROR = `${env.registry}/pyfront-e2e-mirror-${engine}`;
/** A label only the mirror's copies of the images carry. */
const MIRROR_MARK = "org.pyfront.test.mirror";
const MIRRORED_IMAGES = ["python:3.14", "python:3.14-slim"];

async function ok(args: string[], input?: string): Promise<string> {
  const result = await docker(args, input === undefined ? {} : { input });
  expect(result.code, combined(result)).toBe(0);
  return combined(result);
}

beforeAll(async () => {
  ensureFrontendImage();
  // The mirror serves marked copies of the stand-ins, so an image built from them shows where
  // its base came from. The local tags go again: the build must pull from the registry.
  for (const image of MIRRORED_IMAGES) {
    const mirrored = `${MIRROR}/library/${image}`;
    await ok(["build", "-q", "-t", mirrored, "-"], `FROM ${image}\nLABEL ${MIRROR_MARK}="${MIRROR}"\n`);
    await ok(["push", mirrored]);
    await removeImage(mirrored);
  }
}, 600_000);

afterAll(async () => {
  for (const image of images) await removeImage(image);
  for (const image of MIRRORED_IMAGES) await removeImage(`${MIRROR}/library/${image}`);
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A project as it comes: `[project]` and its dependencies, its code, nothing for pyfront. */
function zeroConfigProject(extra = "", requirement = "click"): string {
  const dir = mkdtempSync(join(tmpdir(), "pyfront-e2e-overrides-"));
  scratch.push(dir);
  writeFileSync(
    join(dir, "pyproject.toml"),
    `[project]\nname = "zc-overrides"\nversion = "0.1.0"\ndependencies = ["${requirement}"]\n${extra}`,
  );
  writeFileSync(join(dir, "main.py"), 'import click\nprint("click", click.__version__)\n');
  return dir;
}

/** `docker build` through pyfront's frontend, chosen by build arg: the project names no frontend. */
async function buildThroughFrontend(
  dir: string,
  tag: string,
  buildArgs: Record<string, string>,
  extra: string[] = [],
) {
  images.push(tag);
  const args = [
    "build",
    "--progress=plain",
    "--network",
    "host",
    "-f",
    join(dir, "pyproject.toml"),
    "-t",
    tag,
  ];
  for (const [key, value] of Object.entries({ BUILDKIT_SYNTAX: FRONTEND_IMAGE, ...buildArgs })) {
    args.push("--build-arg", `${key}=${value}`);
  }
  return docker([...args, ...extra, dir]);
}

/** The venv's python, found on the image's PATH, imports what the index served. */
async function expectRunsClick(tag: string): Promise<void> {
  const out = await run(tag, {
    command: ["python", "-c", "import click; print('click', click.__version__)"],
  });
  expect(out.code, out.stderr).toBe(0);
  expect(out.stdout).toMatch(/^click \d+\.\d+/m);
}

describe(`platform teams' overrides through pyfront's frontend on engine ${env.engine}`, () => {
  it("a zero-config project installs from the index PIP_INDEX_URL names", async () => {
    // A requirement of its own, so the step runs (and asks the index) even with a warm cache.
    const dir = zeroConfigProject("", `click!=0.0.${Date.now()}`);
    const tag = `pyfront-e2e-overrides-index:${engine}`;
    const offset = indexLogOffset();
    const built = await buildThroughFrontend(dir, tag, { PIP_INDEX_URL: env.indexUrl });
    expect(built.code, combined(built)).toBe(0);
    expect(indexLogSince(offset).some((line) => line.includes("/simple/click/"))).toBe(true);
    await expectRunsClick(tag);
    await expectBestPractice(tag);
  });

  it("PIP_INDEX_URL reads its credentials from the build secret pyfront-index-url, and they are nowhere", async () => {
    // Its own requirement again: the install must run, against the index that wants a password.
    const dir = zeroConfigProject("", `click!=0.0.${Date.now()}`);
    const tag = `pyfront-e2e-overrides-auth:${engine}`;
    const password = readFileSync(env.indexPasswordFile, "utf8").trim();
    const secretFile = join(dir, "..", `pyfront-secret-${randomBytes(4).toString("hex")}`);
    writeFileSync(secretFile, `${env.indexUser}:${password}\n`, { mode: 0o600 });
    scratch.push(secretFile);
    const built = await buildThroughFrontend(dir, tag, { PIP_INDEX_URL: env.authIndexUrl }, [
      "--secret",
      `id=pyfront-index-url,src=${secretFile}`,
    ]);
    const log = combined(built);
    expect(built.code, log).toBe(0);
    await expectRunsClick(tag);
    const history = await docker(["history", "--no-trunc", tag]);
    expect(occurrences(log, password)).toBe(0);
    expect(occurrences(combined(history), password)).toBe(0);
    expect(occurrences(await saveImage(tag), password)).toBe(0);
  });

  it("refuses credentials in PIP_INDEX_URL before anything runs, and never prints them", async () => {
    const dir = zeroConfigProject();
    const secret = `Pw${randomBytes(6).toString("hex")}`;
    const built = await buildThroughFrontend(dir, `pyfront-e2e-overrides-refused:${engine}`, {
      PIP_INDEX_URL: `http://${env.indexUser}:${secret}@127.0.0.1:3142/simple`,
    });
    const log = combined(built);
    expect(built.code).not.toBe(0);
    expect(log).toContain(
      "build arg PIP_INDEX_URL: the URL http://***@127.0.0.1:3142/simple holds credentials",
    );
    expect(log).toContain("--secret id=pyfront-index-url,src=FILE");
    expect(occurrences(log, secret)).toBe(0);
  });

  it("PYFRONT_REGISTRY_MIRROR pulls the base images from the mirror", async () => {
    const dir = zeroConfigProject();
    const tag = `pyfront-e2e-overrides-mirror:${engine}`;
    const built = await buildThroughFrontend(dir, tag, {
      PIP_INDEX_URL: env.indexUrl,
      PYFRONT_REGISTRY_MIRROR: MIRROR,
    });
    const log = combined(built);
    expect(built.code, log).toBe(0);
    expect(log).toContain(`[builder] FROM ${MIRROR}/library/python:3.14`);
    expect(log).toContain(`[runtime] FROM ${MIRROR}/library/python:3.14-slim`);
    const info = await imageInspect(tag);
    // Only the mirror's copy of python:3.14-slim carries the mark; the base.name label keeps the spec's name.
    expect(info?.Config.Labels?.[MIRROR_MARK]).toBe(MIRROR);
    expect(info?.Config.Labels?.["org.opencontainers.image.base.name"]).toBe("python:3.14-slim");
    await expectRunsClick(tag);
  });
});

describe(`env PATH = "/x:\${PATH}" on engine ${env.engine}`, () => {
  const PATH_SPEC = '\n[tool.pyfront]\nenv = { PATH = "/x:${PATH}" }\n';

  async function basePath(): Promise<string> {
    const path = (await imageInspect("python:3.14-slim"))?.Config.Env?.find((kv) => kv.startsWith("PATH="));
    expect(path).toBeDefined();
    return path!.slice("PATH=".length);
  }

  it("keeps the venv and the base image's PATH after /x, through the frontend", async () => {
    const dir = zeroConfigProject(PATH_SPEC);
    const tag = `pyfront-e2e-overrides-path:${engine}`;
    const built = await buildThroughFrontend(dir, tag, { PIP_INDEX_URL: env.indexUrl });
    expect(built.code, combined(built)).toBe(0);
    const expected = `/x:/opt/venv/bin:${await basePath()}`;
    expect((await imageInspect(tag))?.Config.Env).toContain(`PATH=${expected}`);
    const echoed = await runShell(tag, 'echo "$PATH"');
    expect(echoed.stdout.trim()).toBe(expected);
    await expectRunsClick(tag);
  });

  it("and through the generated Dockerfile, on Docker's own frontend", async () => {
    const dir = zeroConfigProject(PATH_SPEC);
    const dockerfile = join(dir, "..", `Dockerfile-${randomBytes(4).toString("hex")}`);
    scratch.push(dockerfile);
    writeFileSync(dockerfile, pyfront(["dockerfile", dir, "--build-arg", `PIP_INDEX_URL=${env.indexUrl}`]));
    expect(readFileSync(dockerfile, "utf8")).toContain('ENV PATH="/x:${PATH}"');
    const tag = `pyfront-e2e-overrides-path-df:${engine}`;
    images.push(tag);
    const built = await docker([
      "build",
      "--progress=plain",
      "--network",
      "host",
      "-f",
      dockerfile,
      "-t",
      tag,
      dir,
    ]);
    expect(built.code, combined(built)).toBe(0);
    expect((await imageInspect(tag))?.Config.Env).toContain(`PATH=/x:/opt/venv/bin:${await basePath()}`);
    await expectRunsClick(tag);
  });
});
