// Issue 3's size promise: for microb's minimal example, pyfront's image is no larger than the one
// built from the Dockerfile microb's README prints (FROM lines on the same stand-in images), apart
// from the precompiled bytecode pyfront keeps on purpose: the code is read-only for the user the
// app runs as, so without it every start would compile every module again. microb deletes it.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, engineEnv, imageInspect, removeImage, repoRoot, run } from "./support/engine.js";
import { combined, retargetSyntaxLines } from "./support/examples.js";
import { ensureFrontendImage } from "./support/frontend.js";

const env = engineEnv();
const scratch = mkdtempSync(join(tmpdir(), "pyfront-e2e-microb-"));
const fixture = join(scratch, "context");
cpSync(join(repoRoot, "test", "e2e", "fixtures", "microb-minimal"), fixture, { recursive: true });
retargetSyntaxLines(fixture);
const pyfrontTag = `pyfront-e2e-microb-pyfront:${env.engine.toLowerCase()}`;
const microbTag = `pyfront-e2e-microb-dockerfile:${env.engine.toLowerCase()}`;

beforeAll(() => ensureFrontendImage());
afterAll(async () => {
  await removeImage(pyfrontTag);
  await removeImage(microbTag);
  rmSync(scratch, { recursive: true, force: true });
});

/** What the venv's .pyc files take in a layer tar: 512-byte header plus content padded to 512. */
async function bytecodeTarBytes(image: string): Promise<number> {
  const listed = await run(image, {
    entrypoint: "find",
    command: ["/opt/venv", "-name", "*.pyc", "-printf", "%s\\n"],
  });
  expect(listed.code, listed.stderr).toBe(0);
  return listed.stdout
    .split("\n")
    .filter((line) => line !== "")
    .reduce((sum, line) => sum + 512 + Math.ceil(Number(line) / 512) * 512, 0);
}

describe(`microb's minimal example on engine ${env.engine}`, () => {
  it("builds through pyfront from [tool.microb] into an image no larger than microb's Dockerfile gives, bytecode aside", async () => {
    const viaPyfront = await docker([
      "build",
      "--progress=plain",
      "--network",
      "host",
      "-f",
      join(fixture, "pyproject.toml"),
      "-t",
      pyfrontTag,
      fixture,
    ]);
    expect(viaPyfront.code, combined(viaPyfront)).toBe(0);
    const viaMicrob = await docker([
      "build",
      "--progress=plain",
      "--network",
      "host",
      "-f",
      join(fixture, "Dockerfile.microb"),
      "-t",
      microbTag,
      fixture,
    ]);
    expect(viaMicrob.code, combined(viaMicrob)).toBe(0);

    // Both run the same way, except that microb's Dockerfile drops the documented `env` key (a
    // known microb defect) and pyfront keeps it.
    const ourRun = await run(pyfrontTag);
    expect(ourRun.code, ourRun.stderr).toBe(0);
    expect(ourRun.stdout).toContain("example ['setup'] FOO=bar click=click itsdangerous");
    const theirRun = await run(microbTag);
    expect(theirRun.code, theirRun.stderr).toBe(0);
    expect(theirRun.stdout).toContain("example ['setup'] FOO=None click=click itsdangerous");
    const ours = await imageInspect(pyfrontTag);
    const theirs = await imageInspect(microbTag);
    expect(ours?.Size).toBeGreaterThan(0);
    const bytecode = await bytecodeTarBytes(pyfrontTag);
    expect(bytecode).toBeGreaterThan(0);
    console.log(
      `microb minimal example: pyfront ${ours?.Size} bytes (${bytecode} of them bytecode), microb's Dockerfile ${theirs?.Size} bytes`,
    );
    expect((ours?.Size ?? 0) - bytecode).toBeLessThanOrEqual(theirs?.Size ?? 0);
  });
});
