// microb files as their users write them, through the frontend: a string `requirements` naming a
// hash-pinned lock (with rye's `-e file:.` line) builds and runs with exactly the lock's versions,
// a wrong hash fails in pip's hash check, username_secret/password_secret open the test world's
// basic-auth index, and `flavor = "alpine"` on an engine without Alpine images fails with a
// message naming the image and the key that chose it.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build, docker, engineEnv, removeImage, repoRoot, run } from "./support/engine.js";
import { combined, retargetSyntaxLines } from "./support/examples.js";
import { ensureFrontendImage } from "./support/frontend.js";
import { occurrences, saveImage } from "./support/image-search.js";

const env = engineEnv();
const engine = env.engine.toLowerCase();
const scratch = mkdtempSync(join(tmpdir(), "pyfront-e2e-microb-formats-"));
const lockTag = `pyfront-e2e-microb-lock:${engine}`;
const badHashTag = `pyfront-e2e-microb-bad-hash:${engine}`;
const alpineTag = `pyfront-e2e-microb-alpine:${engine}`;
const secretsTag = `pyfront-e2e-microb-secrets:${engine}`;

/** A scratch copy of the lock fixture, its #syntax line naming the frontend under test. */
function lockProject(name: string): string {
  const dir = join(scratch, name);
  cpSync(join(repoRoot, "test", "e2e", "fixtures", "microb-lock"), dir, { recursive: true });
  retargetSyntaxLines(dir);
  return dir;
}

beforeAll(() => ensureFrontendImage());
afterAll(async () => {
  for (const tag of [lockTag, badHashTag, alpineTag, secretsTag]) await removeImage(tag);
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

  it("reads index credentials from username_secret and password_secret, and the password is nowhere", async () => {
    const context = lockProject("secrets");
    const spec = join(context, "pyproject.toml");
    const text = readFileSync(spec, "utf8").replace(
      /indices = \[[^\n]*\]/,
      `indices = [{ url = "${env.authIndexUrl}", trust = true, username_secret = "feed_user", password_secret = "feed_token" }]`,
    );
    expect(text).toContain('password_secret = "feed_token"');
    writeFileSync(spec, text);
    const password = readFileSync(env.indexPasswordFile, "utf8").trim();
    const user = join(scratch, "feed-user");
    const token = join(scratch, "feed-token");
    writeFileSync(user, `${env.indexUser}\n`, { mode: 0o600 });
    writeFileSync(token, `${password}\n`, { mode: 0o600 });
    const built = await docker([
      "build",
      "--progress=plain",
      "--network",
      "host",
      "--secret",
      `id=feed_user,src=${user}`,
      "--secret",
      `id=feed_token,src=${token}`,
      "-f",
      spec,
      "-t",
      secretsTag,
      context,
    ]);
    expect(built.code, combined(built)).toBe(0);
    const ran = await run(secretsTag);
    expect(ran.stdout.trim()).toBe("lockdemo click=8.1.8 itsdangerous=2.2.0");
    const history = await docker(["history", "--no-trunc", secretsTag]);
    expect(occurrences(combined(built), password)).toBe(0);
    expect(occurrences(history.stdout, password)).toBe(0);
    expect(occurrences(await saveImage(secretsTag), password)).toBe(0);
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
