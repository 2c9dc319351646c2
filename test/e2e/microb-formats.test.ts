// microb files as their users write them, through the frontend: a string `requirements` naming a
// hash-pinned lock (with rye's `-e file:.` line) builds and runs with exactly the lock's versions,
// a wrong hash fails in pip's hash check, and `flavor = "alpine"` on an engine without Alpine
// images fails with a message naming the image and the key that chose it.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build, engineEnv, removeImage, repoRoot, run } from "./support/engine.js";
import { combined, retargetSyntaxLines } from "./support/examples.js";
import { ensureFrontendImage } from "./support/frontend.js";

const env = engineEnv();
const engine = env.engine.toLowerCase();
const scratch = mkdtempSync(join(tmpdir(), "pyfront-e2e-microb-formats-"));
const lockTag = `pyfront-e2e-microb-lock:${engine}`;
const badHashTag = `pyfront-e2e-microb-bad-hash:${engine}`;
const alpineTag = `pyfront-e2e-microb-alpine:${engine}`;

/** A scratch copy of the lock fixture, its #syntax line naming the frontend under test. */
function lockProject(name: string): string {
  const dir = join(scratch, name);
  cpSync(join(repoRoot, "test", "e2e", "fixtures", "microb-lock"), dir, { recursive: true });
  retargetSyntaxLines(dir);
  return dir;
}

beforeAll(() => ensureFrontendImage());
afterAll(async () => {
  for (const tag of [lockTag, badHashTag, alpineTag]) await removeImage(tag);
  rmSync(scratch, { recursive: true, force: true });
});

describe(`microb files through the frontend on engine ${env.engine}`, () => {
  it("installs a string requirements lock alone, in hash-checking mode, and the project without dependencies", async () => {
    const context = lockProject("lock");
    const built = await build({ context, dockerfile: "pyproject.toml", tag: lockTag, network: "host" });
    expect(built.code, combined(built)).toBe(0);
    // The lock's own step. That it succeeds says the `-e file:.` line was left out: pip refuses
    // an editable requirement in hash-checking mode.
    expect(combined(built)).toContain("install the requirements lock on its own");
    const ran = await run(lockTag);
    expect(ran.code, ran.stderr).toBe(0);
    // The lock's pins, not the newest click the unpinned [project].dependencies would have pulled.
    expect(ran.stdout.trim()).toBe("lockdemo click=8.1.8 itsdangerous=2.2.0");
  });

  it("fails in pip's hash check when a hash in the lock is wrong", async () => {
    const context = lockProject("bad-hash");
    const lock = join(context, "requirements.lock");
    const wrong = "0".repeat(64);
    writeFileSync(lock, readFileSync(lock, "utf8").replace(/sha256:9b70c48e[0-9a-f]{56}/, `sha256:${wrong}`));
    const built = await build({ context, dockerfile: "pyproject.toml", tag: badHashTag, network: "host" });
    expect(built.code).not.toBe(0);
    expect(combined(built)).toContain("THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE");
    expect(combined(built)).toContain(wrong);
  });

  it('names the missing base image of flavor = "alpine" and the key that chose it', async () => {
    const context = join(scratch, "alpine");
    cpSync(join(repoRoot, "test", "e2e", "fixtures", "microb-lock"), context, { recursive: true });
    const spec = join(context, "pyproject.toml");
    writeFileSync(
      spec,
      readFileSync(spec, "utf8").replace(
        'python_version = "3.13"',
        'python_version = "3.13"\nflavor = "alpine"',
      ),
    );
    retargetSyntaxLines(context);
    const built = await build({ context, dockerfile: "pyproject.toml", tag: alpineTag, network: "host" });
    expect(built.code).not.toBe(0);
    const output = combined(built);
    const line = readFileSync(spec, "utf8").split("\n").indexOf('flavor = "alpine"') + 1;
    expect(output).toContain(
      `pyproject.toml:${line}:1: the base image "python:3.13-alpine" (from flavor) is not available to this engine: `,
    );
    expect(output).toContain(
      "hint: pull or load it into the engine (docker pull python:3.13-alpine), or choose an image the engine can reach",
    );
  });
});
