// Issue 19 on a real engine: astro's `PYENV <python-version> <venv-name> [<reqs-file>]` in a
// Dockerfile whose `# syntax=` names pyfront. The PYENV lines are expanded and the rest of the
// file is built by the engine's own Dockerfile frontend; venvs belong to the stage's user, one
// requirements file's change rebuilds only its venv, and errors keep the user's line numbers.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pyfront } from "./support/cli.js";
import { docker, engineEnv, removeImage, run } from "./support/engine.js";
import { combined, vertexLines, wasCached } from "./support/examples.js";
import { ensureFrontendImage, FRONTEND_IMAGE } from "./support/frontend.js";

const env = engineEnv();
const scratch: string[] = [];
const images: string[] = [];

beforeAll(() => ensureFrontendImage());

afterAll(async () => {
  for (const image of images) await removeImage(image);
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A build context holding `Dockerfile` (its lines, after the syntax line) and other files. */
function context(dockerfile: readonly string[], files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "pyfront-e2e-pyenv-"));
  scratch.push(dir);
  writeFileSync(join(dir, "Dockerfile"), [`# syntax=${FRONTEND_IMAGE}`, ...dockerfile, ""].join("\n"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** `docker build` of the context's Dockerfile through pyfront, with the local index for pip. */
async function build(dir: string, tag: string) {
  images.push(tag);
  const result = await docker([
    "build",
    "--progress=plain",
    "--network",
    "host",
    "--build-arg",
    `PIP_INDEX_URL=${env.indexUrl}`,
    "-t",
    tag,
    dir,
  ]);
  return { ...result, log: combined(result) };
}

/** Differs on every run, so the steps that print run again instead of coming from the engine's cache. */
const RUN_TOKEN = `run-${Date.now()}`;
const PRINT_BOTH = [
  `RUN echo ${RUN_TOKEN} && "$ASTRO_PYENV_first" -c "import click, sys; print('first', sys.version.split()[0], click.__name__)"`,
  `RUN echo ${RUN_TOKEN} && "$ASTRO_PYENV_second" -c "import sys; print('second', sys.version.split()[0])" && id -u -n`,
];

describe(`PYENV Dockerfiles on engine ${env.engine}`, () => {
  const trixie = () =>
    context(
      [
        "FROM debian:trixie-slim",
        "RUN useradd --create-home --uid 1234 app",
        "USER app",
        "PYENV 3.13 first reqs/first.txt",
        "PYENV 3.14 second",
        ...PRINT_BOTH,
      ],
      { "reqs/first.txt": "click\n" },
    );

  it("builds two venvs of two Python versions on debian:trixie-slim, owned by and usable as the non-root user", async () => {
    const dir = trixie();
    const tag = `pyfront-e2e-pyenv-trixie:${env.engine.toLowerCase()}`;
    const result = await build(dir, tag);
    expect(result.code, result.log).toBe(0);
    // The interpreters come from the python images of the stage's own Debian release.
    expect(result.log).toMatch(/FROM (docker\.io\/library\/)?python:3\.13-slim-trixie/);
    expect(result.log).toMatch(/FROM (docker\.io\/library\/)?python:3\.14-slim-trixie/);
    expect(result.log).toMatch(/first 3\.13\.\d+ click/);
    expect(result.log).toMatch(/second 3\.14\.\d+/);
    expect(result.log).toMatch(/\bapp\b/);

    const inImage = await run(tag, {
      command: [
        "sh",
        "-c",
        [
          'echo "user=$(id -u)"',
          'echo "owner=$(stat -c %U /home/astro/.venv/first /home/astro/.venv/second | sort -u)"',
          '"$ASTRO_PYENV_first" -c "import click; print(\'click-ok\')"',
          '"$ASTRO_PYENV_second" -m pip --version',
          // The stage's user can install into its own venv: the venv is writable.
          'touch /home/astro/.venv/second/lib/writable && echo "writable=yes"',
          // The base keeps its own names: no python3 on PATH came with the venvs.
          'command -v python3 || echo "no-python3"',
        ].join(" && "),
      ],
    });
    expect(inImage.code, combined(inImage)).toBe(0);
    expect(inImage.stdout).toContain("user=1234");
    expect(inImage.stdout).toContain("owner=app");
    expect(inImage.stdout).toContain("click-ok");
    expect(inImage.stdout).toMatch(/pip \S+ from \/home\/astro\/\.venv\/second\/.*python 3\.14/);
    expect(inImage.stdout).toContain("writable=yes");
    expect(inImage.stdout).toContain("no-python3");
  });

  it("rebuilds only the venv whose requirements file changed", async () => {
    const dir = trixie();
    const tag = `pyfront-e2e-pyenv-cache:${env.engine.toLowerCase()}`;
    const first = await build(dir, tag);
    expect(first.code, first.log).toBe(0);
    // A line no earlier run wrote, so the engine's cache cannot already hold the changed venv.
    writeFileSync(join(dir, "reqs", "first.txt"), `click\nrequests  # changed at ${Date.now()}\n`);
    const second = await build(dir, tag);
    expect(second.code, second.log).toBe(0);
    const firstPip = /\[pyfront-pyenv-venv-1 \d+\/\d+\] RUN --mount/;
    const otherVenv = /\[pyfront-pyenv-venv-2 \d+\/\d+\] RUN/;
    expect(vertexLines(second.log, firstPip).length, second.log).toBeGreaterThan(0);
    expect(wasCached(second.log, firstPip), second.log).toBe(false);
    expect(second.log).toMatch(/Successfully installed .*requests/);
    expect(vertexLines(second.log, otherVenv).length, second.log).toBeGreaterThan(0);
    expect(wasCached(second.log, otherVenv), second.log).toBe(true);
  });

  it("builds PYENV 3.11 on debian:bookworm-slim from python:3.11-slim-bookworm", async () => {
    const dir = context(
      [
        "FROM debian:bookworm-slim",
        "RUN useradd --create-home app",
        "USER app",
        "PYENV 3.11 first reqs/first.txt",
        PRINT_BOTH[0]!,
      ],
      { "reqs/first.txt": "click\n" },
    );
    const tag = `pyfront-e2e-pyenv-bookworm:${env.engine.toLowerCase()}`;
    const result = await build(dir, tag);
    expect(result.code, result.log).toBe(0);
    expect(result.log).toMatch(/FROM (docker\.io\/library\/)?python:3\.11-slim-bookworm/);
    expect(result.log).toMatch(/first 3\.11\.\d+ click/);
    const inImage = await run(tag, { command: ["sh", "-c", 'id -un && "$ASTRO_PYENV_first" -V'] });
    expect(inImage.stdout).toMatch(/^app\nPython 3\.11\.\d+$/m);
  });

  it("passes the build's options through: target, build args and labels", async () => {
    const dir = context(
      [
        "FROM debian:trixie-slim AS tools",
        "ARG GREETING=unset",
        "PYENV 3.13 first reqs/first.txt",
        `RUN echo ${RUN_TOKEN} "greeting=$GREETING" && "$ASTRO_PYENV_first" -c "import click"`,
        "FROM tools AS final",
        "RUN false",
      ],
      { "reqs/first.txt": "click\n" },
    );
    const tag = `pyfront-e2e-pyenv-options:${env.engine.toLowerCase()}`;
    images.push(tag);
    const result = await docker([
      "build",
      "--progress=plain",
      "--network",
      "host",
      "--build-arg",
      `PIP_INDEX_URL=${env.indexUrl}`,
      "--build-arg",
      "GREETING=hello-from-args",
      "--label",
      "org.example.team=data",
      "--target",
      "tools",
      "-t",
      tag,
      dir,
    ]);
    const log = combined(result);
    // The target leaves out the stage that fails.
    expect(result.code, log).toBe(0);
    expect(log).toContain("greeting=hello-from-args");
    const labels = await docker(["image", "inspect", "--format", "{{json .Config.Labels}}", tag]);
    expect(JSON.parse(labels.stdout)).toMatchObject({ "org.example.team": "data" });
  });

  it("renders astro's README example and fails only for the image the engine lacks, at its line", async () => {
    const dir = context(
      [
        "FROM python:3.13-slim",
        "PYENV 3.8 snowpark-env reqs/snowpark-reqs.txt",
        'RUN "/home/astro/.venv/snowpark-env/bin/python" -V',
      ],
      { "reqs/snowpark-reqs.txt": "click\n" },
    );
    const rendered = pyfront(["dockerfile", "-f", join(dir, "Dockerfile"), dir]);
    expect(rendered).toContain("FROM python:3.8-slim AS pyfront-pyenv-python-1");
    expect(rendered).toContain("--mount=type=bind,source=reqs/snowpark-reqs.txt,");
    expect(rendered).toContain("ENV ASTRO_PYENV_snowpark-env=/home/astro/.venv/snowpark-env/bin/python");
    const result = await build(dir, `pyfront-e2e-pyenv-astro:${env.engine.toLowerCase()}`);
    expect(result.code).not.toBe(0);
    expect(result.log).toMatch(
      /Dockerfile:3:1: PYENV 3\.8 needs the image "python:3\.8-slim", which is not available to this engine/,
    );
    expect(result.log).toContain("PYFRONT_PYENV_RELEASE");
  });

  it("reports a syntax error elsewhere in the file at its own line", async () => {
    const dir = trixie();
    // Line 9 of the file (after the syntax line and the eight of trixie()).
    writeFileSync(
      join(dir, "Dockerfile"),
      [
        `# syntax=${FRONTEND_IMAGE}`,
        "FROM debian:trixie-slim",
        "RUN useradd --create-home app",
        "USER app",
        "PYENV 3.13 first reqs/first.txt",
        "PYENV 3.14 second",
        ...PRINT_BOTH,
        "RUN --not-a-flag=1 echo never",
        "",
      ].join("\n"),
    );
    const result = await build(dir, `pyfront-e2e-pyenv-syntax:${env.engine.toLowerCase()}`);
    expect(result.code).not.toBe(0);
    expect(result.log).toMatch(/parse error (on )?line 9: unknown flag: not-a-flag/i);
  });

  it("reports a bad PYENV line and a missing requirements file at their lines", async () => {
    const dir = context(["FROM debian:trixie-slim", "PYENV 3.13 first missing/reqs.txt", "PYENV 3.14"]);
    const result = await build(dir, `pyfront-e2e-pyenv-bad:${env.engine.toLowerCase()}`);
    expect(result.code).not.toBe(0);
    expect(result.log).toMatch(/Dockerfile:3:1: .*missing\/reqs\.txt/);
    expect(result.log).toMatch(/Dockerfile:4:1: PYENV: expected 2 or 3 arguments, got 1/);
  });
});
