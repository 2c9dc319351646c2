// Issue 11 on a real engine: the byte-wise flag reading that the unit tests model is BuildKit's
// (a 0xA0 byte inside "à" cuts a --mount flag and the rest runs as shell), pyfront no longer
// writes such a Dockerfile, and the frontend builds the same hostile path as it is.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findLeaks, leakNeedles } from "../unit/hostile/leak-search.js";
import { docker, engineEnv, removeImage, repoRoot, run } from "./support/engine.js";
import { combined, copyExample, type ExampleCopy, useCredentialsInIndexUrl } from "./support/examples.js";
import { ensureFrontendImage } from "./support/frontend.js";
import {
  expectSecretNotInBuildRecord,
  occurrences,
  recordMarker,
  saveImage,
} from "./support/image-search.js";

const env = engineEnv();
const images: string[] = [];
const copies: ExampleCopy[] = [];
// A step's output line ending in PWNED: what the injected echo prints. The shell's error on the
// same step goes to stderr and may land on that line first ("#4 0.25 /bin/sh: 1: PWNED").
const ECHOED = /^#\d+ [\d.]+ (.*: )?PWNED$/m;
const INJECTION = "à:;echo${IFS}PWNED;#/r.txt";

beforeAll(() => ensureFrontendImage());

afterAll(async () => {
  for (const image of images) await removeImage(image);
  for (const copy of copies) copy.dispose();
});

/** The pyfront command with its exit code, for refusals. */
function pyfrontStatus(args: readonly string[]): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(process.execPath, [join(repoRoot, "bin", "pyfront.js"), ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { code: 0, stdout, stderr: "" };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { code: e.status, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The script example with a requirements file at `path` (holding flask) from the local index. */
function projectWithRequirements(path: string): ExampleCopy {
  const copy = copyExample("script");
  copies.push(copy);
  mkdirSync(join(copy.dir, path, ".."), { recursive: true });
  writeFileSync(join(copy.dir, path), "flask\n");
  copy.write(
    "pyproject.toml",
    `${copy.read("pyproject.toml")}indices = [{ url = "http://127.0.0.1:3141/simple", primary = true, trust = true }]\nrequirements = [${JSON.stringify(path)}]\n`,
  );
  return copy;
}

describe(`hostile input on engine ${env.engine}`, () => {
  it("BuildKit cuts a --mount flag at the 0xA0 byte of 'à' and runs the rest as shell (what the model says)", async () => {
    const copy = copyExample("script");
    copies.push(copy);
    const dockerfile = copy.outside("Dockerfile.model");
    writeFileSync(
      dockerfile,
      'FROM python:3.11-slim\nRUN --mount=type=cache,target=/càche;echo${IFS}PWNED;# ["true"]\n',
    );
    const tag = `pyfront-e2e-model:${env.engine.toLowerCase()}`;
    images.push(tag);
    const built = await docker([
      "build",
      "--progress=plain",
      "--no-cache",
      "-f",
      dockerfile,
      "-t",
      tag,
      copy.dir,
    ]);
    expect(combined(built)).toMatch(ECHOED);
  });

  it("pyfront dockerfile refuses the hostile requirements path with a clear message", () => {
    const copy = projectWithRequirements(INJECTION);
    const result = pyfrontStatus(["dockerfile", copy.dir]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("into a Dockerfile --mount source");
  });

  it("the frontend installs from the hostile requirements path as it is, and nothing runs", async () => {
    const copy = projectWithRequirements(INJECTION);
    const tag = `pyfront-e2e-hostile-fe:${env.engine.toLowerCase()}`;
    images.push(tag);
    const built = await docker([
      "build",
      "--progress=plain",
      "--network",
      "host",
      "-f",
      join(copy.dir, "pyproject.toml"),
      "-t",
      tag,
      copy.dir,
    ]);
    const log = combined(built);
    expect(built.code, log).toBe(0);
    expect(log).not.toMatch(ECHOED);
    const flask = await run(tag, {
      entrypoint: "python",
      command: ["-c", "import flask; print('flask ok')"],
    });
    expect(flask.stdout).toContain("flask ok");
  });

  it("a generated Dockerfile with a tricky but safe mount path builds and installs from it", async () => {
    const copy = projectWithRequirements("my reqs/a,b=c;d.txt");
    const dockerfile = copy.outside("Dockerfile.pyfront");
    const result = pyfrontStatus(["dockerfile", copy.dir]);
    expect(result.code, result.stderr).toBe(0);
    writeFileSync(dockerfile, result.stdout);
    const tag = `pyfront-e2e-hostile-df:${env.engine.toLowerCase()}`;
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
      copy.dir,
    ]);
    expect(built.code, combined(built)).toBe(0);
    const flask = await run(tag, {
      entrypoint: "python",
      command: ["-c", "import flask; print('flask ok')"],
    });
    expect(flask.stdout).toContain("flask ok");
  });

  it("credentials in the index URL travel only as the build secret pyfront-index-0: in no log, history, layer or build record", async () => {
    const copy = copyExample("webapp");
    copies.push(copy);
    const { password, secretFile } = useCredentialsInIndexUrl(copy);
    const tag = `pyfront-e2e-hostile-url-creds:${env.engine.toLowerCase()}`;
    images.push(tag);
    const marker = recordMarker();
    const built = await docker([
      "build",
      "--progress=plain",
      "--network",
      "host",
      "--secret",
      `id=pyfront-index-0,src=${secretFile}`,
      ...marker.args,
      "-f",
      join(copy.dir, "pyproject.toml"),
      "-t",
      tag,
      copy.dir,
    ]);
    const log = combined(built);
    expect(built.code, log).toBe(0);
    const history = await docker(["history", "--no-trunc", tag]);
    const inspect = await docker(["image", "inspect", tag]);
    const saved = await saveImage(tag);
    const plan = pyfrontStatus(["plan", copy.dir]).stdout;
    const llb = pyfrontStatus(["llb", "--json", copy.dir]).stdout;
    for (const needle of leakNeedles(password)) {
      for (const [name, haystack] of Object.entries({
        log,
        history: history.stdout,
        inspect: inspect.stdout,
        saved,
        plan,
        llb,
      })) {
        expect(occurrences(haystack, needle), `${name} holds ${needle}`).toBe(0);
      }
    }
    await expectSecretNotInBuildRecord(password, marker.value, {
      logs: "install dependencies",
      provenance: true,
    });
  });

  it("a spec refused for credentials in its index URL: the error, its source lines and the build record hold no password", async () => {
    const copy = copyExample("webapp");
    copies.push(copy);
    const password = readFileSync(env.indexPasswordFile, "utf8").trim();
    const withCredentials = env.authIndexUrl.replace(/^(https?:\/\/)/, `$1${env.indexUser}:${password}@`);
    copy.write(
      "pyproject.toml",
      copy
        .read("pyproject.toml")
        .replace(
          /indices = \[[^\n]*\]/,
          `indices = [{ url = "${withCredentials}", primary = true, secret = "pypi" }]`,
        ),
    );
    expect(copy.read("pyproject.toml")).toContain(password);
    const marker = recordMarker();
    const built = await docker([
      "build",
      "--progress=plain",
      "--network",
      "host",
      ...marker.args,
      "-f",
      join(copy.dir, "pyproject.toml"),
      "-t",
      `pyfront-e2e-hostile-refused-creds:${env.engine.toLowerCase()}`,
      copy.dir,
    ]);
    const log = combined(built);
    expect(built.code).not.toBe(0);
    expect(log).toContain("the URL holds credentials and the index has a secret");
    expect(findLeaks(password, { log })).toEqual([]);
    await expectSecretNotInBuildRecord(password, marker.value, {
      logs: "load build definition",
      error: "the URL holds credentials and the index has a secret",
      errorSource: "[tool.pyfront]",
    });
  });
});
