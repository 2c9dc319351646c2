// Issue 13, item 6, on a real engine: what `docker build` asks of the frontend beyond the spec is
// honoured or refused, never dropped. `--cache-from` reaches the engine's cache import (its
// progress shows the import), and `--build-context NAME=docker-image://REF` replaces the base
// image NAME; a named context with nothing to replace fails with a clear message. buildx 0.13
// (engine B's client) sends named contexts to both daemons; Docker 20.10's client has no flag.
import { execFile, execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CommandResult,
  docker,
  engineEnv,
  imageInspect,
  parseExports,
  removeImage,
  repoRoot,
} from "./support/engine.js";
import { combined, copyExample, type ExampleCopy } from "./support/examples.js";
import { ensureFrontendImage } from "./support/frontend.js";

const env = engineEnv();
const engineTag = env.engine.toLowerCase();
const images: string[] = [];
const copies: ExampleCopy[] = [];
const buildxClient = parseExports(
  execFileSync(join(repoRoot, "scripts", "engine"), ["env", "B"], { encoding: "utf8" }),
);

beforeAll(() => ensureFrontendImage());
afterAll(async () => {
  for (const image of images) await removeImage(image);
  for (const copy of copies) copy.dispose();
});

function scriptCopy(): ExampleCopy {
  const copy = copyExample("script");
  copies.push(copy);
  return copy;
}

function buildx(args: string[]): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      buildxClient.PYFRONT_DOCKER!,
      ["buildx", "build", ...args],
      {
        env: {
          ...process.env,
          DOCKER_CONFIG: buildxClient.DOCKER_CONFIG!,
          DOCKER_HOST: env.vars.DOCKER_HOST!,
        },
        encoding: "utf8",
        maxBuffer: 16 * 1024 * 1024,
        timeout: 300_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: typeof error?.code === "number" ? error.code : error ? 1 : 0, stdout, stderr }),
    );
  });
}

describe.concurrent(`docker build options through pyfront's frontend on engine ${env.engine}`, () => {
  it("--cache-from: the engine imports the named cache", async () => {
    const copy = scriptCopy();
    const tag = `pyfront-e2e-opt-cachefrom:${engineTag}`;
    images.push(tag);
    // A cache that is not there: the import is tried, reported, and the build goes on without it.
    const cache = `${env.registry}/pyfront-e2e-no-such-cache:${engineTag}`;
    const built = await docker([
      "build",
      "--progress=plain",
      "--network",
      "host",
      "--cache-from",
      cache,
      "-f",
      join(copy.dir, "pyproject.toml"),
      "-t",
      tag,
      copy.dir,
    ]);
    expect(built.code, combined(built)).toBe(0);
    expect(combined(built)).toContain(`importing cache manifest from ${cache}`);
  });

  it("--build-context NAME=docker-image://REF replaces the base image NAME", async () => {
    const copy = scriptCopy();
    const tag = `pyfront-e2e-opt-context:${engineTag}`;
    images.push(tag);
    const built = await buildx([
      "--progress=plain",
      "--network",
      "host",
      "--load",
      "--build-context",
      "python:3.11-slim=docker-image://python:3.11.2-slim-bookworm",
      "-f",
      join(copy.dir, "pyproject.toml"),
      "-t",
      tag,
      copy.dir,
    ]);
    const log = combined(built);
    expect(built.code, log).toBe(0);
    expect(log).toMatch(/\[runtime\] FROM python:3\.11\.2-slim-bookworm/);
    expect(log).not.toMatch(/\[runtime\] FROM python:3\.11-slim\b/);
    const image = await imageInspect(tag);
    expect(image?.Config.Labels?.["org.opencontainers.image.base.name"]).toBe("python:3.11.2-slim-bookworm");
  });

  it("--build-context with nothing to replace fails, naming it", async () => {
    const copy = scriptCopy();
    const built = await buildx([
      "--progress=plain",
      "--build-context",
      "assets=./",
      "-f",
      join(copy.dir, "pyproject.toml"),
      copy.dir,
    ]);
    expect(built.code).not.toBe(0);
    expect(combined(built)).toContain(
      'the build context "assets" (--build-context) names no base image of this build',
    );
  });
});
