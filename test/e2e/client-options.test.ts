// Issue 13, item 6, on a real engine: what `docker build` asks of the frontend beyond the spec is
// honoured or refused, never dropped. `--cache-from` reaches the engine's cache import (its
// progress shows the import), and `--build-context NAME=docker-image://REF` replaces the base
// image NAME; a named context with nothing to replace fails with a clear message. buildx 0.13
// (engine B's client) sends named contexts to both daemons; Docker 20.10's client has no flag.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildx,
  type CommandResult,
  docker,
  engineEnv,
  imageInspect,
  removeImage,
} from "./support/engine.js";
import { combined, copyExample, type ExampleCopy } from "./support/examples.js";
import { ensureFrontendImage } from "./support/frontend.js";

const env = engineEnv();
const engineTag = env.engine.toLowerCase();
const images: string[] = [];
const copies: ExampleCopy[] = [];
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

function buildxBuild(args: string[]): Promise<CommandResult> {
  return buildx(["build", ...args]);
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
    const built = await buildxBuild([
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
    // (No check that python:3.11-slim is absent from the log: BuildKit shows the steps of a
    // concurrent build sharing this one's builder stage in both builds' progress.)
    const image = await imageInspect(tag);
    expect(image?.Config.Labels?.["org.opencontainers.image.base.name"]).toBe("python:3.11.2-slim-bookworm");
  });

  it("--build-context with nothing to replace fails, naming it", async () => {
    const copy = scriptCopy();
    const built = await buildxBuild([
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
