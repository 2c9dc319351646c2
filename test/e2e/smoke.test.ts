// Smoke test: the selected engine builds examples with hand-written Dockerfiles, installing from the
// local package index, and the images run.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  build,
  engineEnv,
  indexLogOffset,
  indexLogSince,
  removeImage,
  repoRoot,
  run,
} from "./support/engine.js";

const env = engineEnv();
const tag = (name: string) => `pyfront-smoke-${name}:${env.engine.toLowerCase()}`;
const built: string[] = [];

afterAll(async () => {
  for (const image of built) await removeImage(image);
});

describe(`smoke on engine ${env.engine}`, () => {
  it("builds cli-package with its dependency from the local index and runs the console script", async () => {
    const offset = indexLogOffset();
    const result = await build({
      context: join(repoRoot, "examples", "cli-package"),
      dockerfile: "Dockerfile.smoke",
      tag: tag("cli"),
      network: "host",
      noCache: true,
      buildArgs: { PIP_INDEX_URL: env.indexUrl },
    });
    built.push(tag("cli"));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`Looking in indexes: ${env.indexUrl}`);

    const log = indexLogSince(offset);
    expect(log.some((line) => line.includes("GET /simple/click/ 200"))).toBe(true);
    expect(log.some((line) => /GET \/files\/click-[\d.]+-py3-none-any\.whl 200/.test(line))).toBe(true);
    // Build isolation fetched the build backend from our index too.
    expect(log.some((line) => line.includes("GET /simple/setuptools/ 200"))).toBe(true);

    const version = await run(tag("cli"));
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/pfcount, version 0\.2\.0/);

    const count = await run(tag("cli"), { command: ["sh", "-c", "echo one two three | pfcount"] });
    expect(count.stdout.trim()).toBe("3 words");
  });

  it("compiles the yamlfast sdist against libyaml in python:3.11 and runs it on python:3.11-slim", async () => {
    const offset = indexLogOffset();
    const result = await build({
      context: join(repoRoot, "examples", "compiled"),
      dockerfile: "Dockerfile.smoke",
      tag: tag("compiled"),
      network: "host",
      noCache: true,
      buildArgs: { PIP_INDEX_URL: env.indexUrl },
    });
    built.push(tag("compiled"));
    expect(result.code, result.stderr).toBe(0);
    expect(indexLogSince(offset).some((line) => line.includes("GET /files/yamlfast-1.0.0.tar.gz 200"))).toBe(
      true,
    );

    const output = await run(tag("compiled"));
    expect(output.code, output.stderr).toBe(0);
    expect(output.stdout).toMatch(/^scalars=10 libyaml=0\.2\.\d+$/m);

    // The slim runtime has no compiler: the extension was built in the other stage.
    const cc = await run(tag("compiled"), { command: ["sh", "-c", "command -v cc gcc || echo none"] });
    expect(cc.stdout.trim()).toBe("none");
  });
});
