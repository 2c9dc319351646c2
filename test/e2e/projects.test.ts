// Issue 20's promise on a real engine: every corpus project (test/projects/), unchanged, builds
// through `docker build -f FILE` with pyfront chosen by --build-arg BUILDKIT_SYNTAX and the index
// given as --build-arg PIP_INDEX_URL (as a platform team would pass it), runs on the Python its
// files ask for, and does what it is for: prints its output or answers over HTTP on the port the
// image exposes (8000 when it exposes none), from outside the container.
//
// Projects build a few at a time within the one engine (PYFRONT_PROJECTS_CONCURRENCY, default 3);
// the file prints each project's build and check time, and the whole run's, when it ends.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CorpusProject,
  copyProject,
  corpusProjects,
  type HttpCheck,
  type RunCheck,
} from "../support/project-corpus.js";
import { build, type CommandResult, docker, engineEnv, imageInspect, removeImage } from "./support/engine.js";
import { ensureFrontendImage, FRONTEND_IMAGE } from "./support/frontend.js";

const env = engineEnv();
const PROJECTS = corpusProjects();
const CONCURRENCY = Number(process.env.PYFRONT_PROJECTS_CONCURRENCY || 3);
/** Per project, waiting for a build slot included. */
const PROJECT_TIMEOUT_MS = 30 * 60_000;
/** A command that has not finished by then is taken for a server started where a command was expected. */
const RUN_TIMEOUT_MS = 120_000;
/** How long a server may take to answer its first request. */
// Generous: on a loaded 2-core machine an ASGI app once needed more than 60 s to answer.
const HTTP_READY_MS = 120_000;
const DEFAULT_PORT = 8000;

interface Timing {
  project: string;
  buildSeconds: number;
  checkSeconds: number;
  outcome: string;
}
const timings: Timing[] = [];
let fileStart = 0;

beforeAll(() => {
  fileStart = Date.now();
  ensureFrontendImage();
});

afterAll(() => {
  const rows = [...timings]
    .sort((a, b) => a.project.localeCompare(b.project))
    .map(
      (t) =>
        `  ${t.project.padEnd(24)} build ${seconds(t.buildSeconds)}  check ${seconds(t.checkSeconds)}  ${t.outcome}`,
    );
  console.log(
    `corpus on engine ${env.engine}, ${CONCURRENCY} at a time: ${seconds((Date.now() - fileStart) / 1000)} in all (frontend image included)\n${rows.join("\n")}`,
  );
});

const inPool = pool(CONCURRENCY);

describe.concurrent(`corpus projects through docker build on engine ${env.engine}`, () => {
  for (const project of PROJECTS) {
    const check = project.expect.check;
    const promise =
      "run" in check
        ? "runs and prints what it should"
        : `answers GET ${check.http.path} with ${check.http.status}`;
    it(
      `${project.name}: docker build -f ${project.expect.file} builds, and the image ${promise}`,
      () => inPool(() => buildAndCheck(project)),
      PROJECT_TIMEOUT_MS,
    );
  }
});

async function buildAndCheck(project: CorpusProject): Promise<void> {
  const copy = copyProject(project);
  const tag = `pyfront-e2e-project-${project.name}:${env.engine.toLowerCase()}`;
  const timing: Timing = { project: project.name, buildSeconds: 0, checkSeconds: 0, outcome: "build failed" };
  const buildStart = Date.now();
  try {
    const built = await build({
      context: copy.dir,
      dockerfile: project.expect.file,
      tag,
      network: "host",
      buildArgs: {
        BUILDKIT_SYNTAX: FRONTEND_IMAGE,
        PIP_INDEX_URL: env.indexUrl,
        ...project.expect.buildArgs,
      },
    });
    timing.buildSeconds = (Date.now() - buildStart) / 1000;
    expect(built.code, `docker build failed; its steps' output:\n${stepOutput(combined(built))}`).toBe(0);

    timing.outcome = "check failed";
    const checkStart = Date.now();
    try {
      await expectPythonSeries(tag, project.expect.python);
      const { check } = project.expect;
      if ("run" in check) await expectRunOutput(tag, check.run);
      else await expectHttpAnswer(tag, check.http);
    } finally {
      timing.checkSeconds = (Date.now() - checkStart) / 1000;
    }
    timing.outcome = "passed";
  } finally {
    timings.push(timing);
    await removeImage(tag);
    copy.dispose();
  }
}

/** The interpreter the image runs is the series the project's files ask for. */
async function expectPythonSeries(tag: string, series: string): Promise<void> {
  const result = await docker([
    "run",
    "--rm",
    "--entrypoint",
    "python",
    tag,
    "-c",
    "import sys; print('%d.%d' % sys.version_info[:2])",
  ]);
  expect(result.code, `python in the image: ${combined(result)}`).toBe(0);
  expect(result.stdout.trim(), "the Python series in the image").toBe(series);
}

/**
 * Runs the image (its own command unless the check gives arguments) to the end, attached, and
 * reads its output. Attached, not `run -d` then `logs`: Docker 20.10's `wait` can return before
 * the log copier has the output, which then reads as empty.
 */
async function expectRunOutput(tag: string, check: RunCheck): Promise<void> {
  const name = `pyfront-e2e-run-${randomBytes(6).toString("hex")}`;
  try {
    const ran = await withTimeout(docker(["run", "--name", name, tag, ...check.args]), RUN_TIMEOUT_MS);
    const state = await docker([
      "inspect",
      "-f",
      "exit={{.State.ExitCode}} image={{.Image}} argv={{json .Path}} {{json .Args}}",
      name,
    ]);
    const files = ran?.stdout.trim() === "" ? await appFiles(tag) : "";
    const output = ran
      ? `${files}container ${state.stdout.trim()}\nstdout:\n${tail(ran.stdout, 40)}\nstderr:\n${tail(ran.stderr, 40)}`
      : "";
    expect(ran, `still running after ${RUN_TIMEOUT_MS / 1000} s`).toBeDefined();
    expect(ran?.code, `exit status\n${output}`).toBe(0);
    for (const text of check.stdout) expect(ran?.stdout, output).toContain(text);
    for (const text of check.absent) expect(`${ran?.stdout}\n${ran?.stderr}`, output).not.toContain(text);
  } finally {
    await docker(["rm", "-f", name]);
  }
}

/** Starts the image, publishes the port it serves on to loopback, and asks it for the check's path. */
async function expectHttpAnswer(tag: string, check: HttpCheck): Promise<void> {
  const info = await imageInspect(tag);
  const exposed = Object.keys(info?.Config.ExposedPorts ?? {})
    .filter((key) => key.endsWith("/tcp"))
    .map((key) => Number.parseInt(key, 10));
  expect(exposed.length, `more than one exposed port: ${exposed.join(", ")}`).toBeLessThan(2);
  const port = exposed[0] ?? DEFAULT_PORT;

  const started = await docker(["run", "-d", "-p", `127.0.0.1::${port}`, tag]);
  expect(started.code, `docker run: ${combined(started)}`).toBe(0);
  const container = started.stdout.trim();
  try {
    const published = await docker(["port", container, `${port}/tcp`]);
    const address = published.stdout.trim().split("\n")[0] ?? "";
    const answer = await firstAnswer(`http://${address}${check.path}`, container);
    const logs = await docker(["logs", container]);
    const state = await docker([
      "inspect",
      "-f",
      "{{.State.Status}} exit={{.State.ExitCode}} image={{.Image}} argv={{json .Path}} {{json .Args}}",
      container,
    ]);
    const files = answer ? "" : await appFiles(tag);
    const output = `${files}container ${state.stdout.trim()}\ncontainer stdout:\n${tail(logs.stdout, 30)}\ncontainer stderr:\n${tail(logs.stderr, 30)}`;
    expect(
      answer,
      `no answer from port ${port} on ${check.path} within ${HTTP_READY_MS / 1000} s\n${output}`,
    ).toBeDefined();
    const context = `GET ${check.path}: ${answer?.status}\n${tail(answer?.body ?? "", 20)}\n${output}`;
    expect(answer?.status, context).toBe(check.status);
    for (const text of check.body) expect(answer?.body, context).toContain(text);
    for (const text of check.absent) expect(answer?.body, context).not.toContain(text);
  } finally {
    await docker(["rm", "-f", container]);
  }
}

/** What the image holds in /app, for a check that saw no output at all. */
async function appFiles(tag: string): Promise<string> {
  const listed = await docker([
    "run",
    "--rm",
    "--entrypoint",
    "/bin/sh",
    tag,
    "-c",
    "cd /app && find . -type f | sort | head -40 | xargs -r md5sum; head -c 300 ./*.py",
  ]);
  return `the image's /app:\n${listed.stdout}${listed.stderr}\n`;
}

/** Polls until the server answers at all; stops early when the container has exited. */
async function firstAnswer(
  url: string,
  container: string,
): Promise<{ status: number; body: string } | undefined> {
  const deadline = Date.now() + HTTP_READY_MS;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(3000) });
      return { status: response.status, body: await response.text() };
    } catch {
      const state = await docker(["inspect", "--format", "{{.State.Running}}", container]);
      if (state.stdout.trim() !== "true") return undefined;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return undefined;
}

/** Runs tasks at most `size` at a time; a finished task hands its slot straight to the next one. */
function pool(size: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (active < size) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function combined(result: CommandResult): string {
  return `${result.stdout}\n${result.stderr}`;
}

/**
 * What the build's steps printed (`#N 1.23 ...` lines), last 80: the error line that follows a
 * failed step repeats its whole argv, fixed scripts included, and hides pip's own message.
 */
function stepOutput(log: string): string {
  return tail(
    log
      .split("\n")
      .filter((line) => /^#\d+ (\d+\.\d+ |ERROR)/.test(line))
      .join("\n"),
    80,
  );
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

function seconds(value: number): string {
  return `${value.toFixed(0).padStart(4)} s`;
}
