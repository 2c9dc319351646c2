// Issue 10 on a real engine: a locked project installs exactly what its lock selects for the
// target (the image's distributions equal the plan's locked set, the project aside), for every
// lock format; a tampered hash fails the build in pip's hash check, naming the package.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProject } from "../../src/cli/project-input.js";
import { planBuild } from "../../src/plan/plan-build.js";
import { normalizePackageName } from "../../src/spec/locks/lock-graph.js";
import { build, docker, engineEnv, removeImage } from "./support/engine.js";
import { combined } from "./support/examples.js";
import { ensureFrontendImage, FRONTEND_IMAGE } from "./support/frontend.js";

const env = engineEnv();
const engineTag = env.engine.toLowerCase();
const LOCKS = join(import.meta.dirname, "..", "locks");
const roots: string[] = [];
const images: string[] = [];

interface LockCase {
  /** Folder under test/locks/. */
  dir: string;
  /** The file given to `docker build -f`. */
  file: string;
  lock: string;
  /** A `.python-version` written next to the project, as uv and pyenv users keep one. */
  pythonVersion?: string;
  /** `[tool.pyfront]` lines appended to pyproject.toml. */
  settings?: string[];
  /** Tells apart two cases of one folder, in test names and tags. */
  variant?: string;
}

const CASES: LockCase[] = [
  { dir: "uv/markers", file: "pyproject.toml", lock: "uv.lock" },
  { dir: "uv/workspace", file: "pyproject.toml", lock: "uv.lock" },
  // A member built from its own folder installs from the workspace's lock at the root.
  { dir: "uv/workspace", file: "packages/worker/pyproject.toml", lock: "uv.lock", variant: "member" },
  {
    dir: "uv/extras-dev",
    file: "pyproject.toml",
    lock: "uv.lock",
    settings: ['extras = ["async"]', 'groups = ["docs"]'],
  },
  {
    dir: "pylock/pdm-groups",
    file: "pyproject.toml",
    lock: "pylock.toml",
    pythonVersion: "3.13",
  },
  { dir: "pylock/pip-lock", file: "pyproject.toml", lock: "pylock.toml" },
  { dir: "poetry/plain-app-2.0", file: "pyproject.toml", lock: "poetry.lock" },
  {
    dir: "poetry/extras-2.0",
    file: "pyproject.toml",
    lock: "poetry.lock",
    settings: ['extras = ["socks"]'],
  },
  { dir: "poetry/groups-2.1", file: "pyproject.toml", lock: "poetry.lock" },
  { dir: "pdm/groups-4.5", file: "pyproject.toml", lock: "pdm.lock" },
  { dir: "pdm/plain-app-4.0", file: "pyproject.toml", lock: "pdm.lock" },
  { dir: "pipfile/plain-app", file: "Pipfile", lock: "Pipfile.lock" },
  { dir: "pipfile/markers", file: "Pipfile", lock: "Pipfile.lock" },
];

/** Builds at a time: each is a cold pip install on a 2-core machine shared with the other engine. */
const CONCURRENCY = 3;
let running = 0;
const waiting: Array<() => void> = [];
async function inPool<T>(task: () => Promise<T>): Promise<T> {
  if (running < CONCURRENCY) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await task();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

beforeAll(() => ensureFrontendImage());

afterAll(async () => {
  for (const image of images) await removeImage(image);
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function copyCase(lockCase: LockCase): string {
  const root = mkdtempSync(join(tmpdir(), "pyfront-e2e-lock-"));
  roots.push(root);
  cpSync(join(LOCKS, lockCase.dir), root, { recursive: true });
  if (lockCase.pythonVersion) writeFileSync(join(root, ".python-version"), `${lockCase.pythonVersion}\n`);
  if (lockCase.settings) {
    const pyproject = join(root, "pyproject.toml");
    writeFileSync(
      pyproject,
      `${readFileSync(pyproject, "utf8")}\n[tool.pyfront]\n${lockCase.settings.join("\n")}\n`,
    );
  }
  return root;
}

/** name==version of every distribution in the image's venv. */
async function installed(tag: string): Promise<string[]> {
  const listed = await docker([
    "run",
    "--rm",
    "--entrypoint",
    "/opt/venv/bin/python",
    tag,
    "-c",
    "import importlib.metadata as m, json; print(json.dumps(sorted(d.metadata['Name'] + '==' + d.version for d in m.distributions())))",
  ]);
  expect(listed.code, combined(listed)).toBe(0);
  return (JSON.parse(listed.stdout) as string[])
    .map((entry) => {
      const [name, version] = entry.split("==");
      return `${normalizePackageName(name!)}==${version}`;
    })
    .sort();
}

async function buildCase(dir: string, lockCase: LockCase, tag: string) {
  return build({
    context: dir,
    dockerfile: lockCase.file,
    tag,
    network: "host",
    buildArgs: { BUILDKIT_SYNTAX: FRONTEND_IMAGE, PIP_INDEX_URL: env.indexUrl },
  });
}

describe.concurrent(`locked projects through pyfront's frontend on engine ${env.engine}`, () => {
  for (const lockCase of CASES) {
    const name = lockCase.variant ? `${lockCase.dir} (${lockCase.variant})` : lockCase.dir;
    it(`${name}: installs exactly what ${lockCase.lock} selects, and nothing else`, () =>
      inPool(async () => {
        const dir = copyCase(lockCase);
        const { spec } = loadProject({ dir, file: join(dir, lockCase.file), buildArgs: {} });
        const plan = planBuild(spec, { buildArgs: {} });
        // A package's own distribution comes from its code, after the lock.
        const project = spec.project.kind === "package" ? spec.metadata.name : undefined;
        expect(plan.locked?.file).toBe(lockCase.lock);
        const expected = plan.locked!.packages.map((p) => `${p.name}==${p.version}`);
        expect(expected.length).toBeGreaterThan(0);

        const tag = `pyfront-e2e-lock-${lockCase.dir.replace("/", "-")}${lockCase.variant ? `-${lockCase.variant}` : ""}:${engineTag}`;
        images.push(tag);
        const built = await buildCase(dir, lockCase, tag);
        expect(built.code, combined(built)).toBe(0);
        // (Not read from the build log: BuildKit 0.8 shows a step that two concurrent builds
        // share in one build's progress only.)
        const steps = plan.stages.flatMap((stage) => stage.steps);
        expect(steps.some((step) => step.kind === "run" && step.argv.includes("--require-hashes"))).toBe(
          true,
        );

        const inImage = (await installed(tag)).filter(
          (entry) => !project || !entry.startsWith(`${normalizePackageName(project)}==`),
        );
        expect(inImage).toEqual([...expected].sort());
      }));
  }

  // One case per format: every sha256 digest of the lock (`sha256:hex`, pylock's `sha256 = "hex"`) changed in its last digit.
  const tamperedCases = [
    "uv/markers",
    "pylock/pip-lock",
    "poetry/plain-app-2.0",
    "pdm/plain-app-4.0",
    "pipfile/plain-app",
  ];
  for (const caseDir of tamperedCases) {
    it(`${caseDir}: fails in pip's hash check when the lock's hashes were changed, naming the package`, () =>
      inPool(async () => {
        const lockCase = CASES.find((c) => c.dir === caseDir)!;
        const dir = copyCase(lockCase);
        const { spec } = loadProject({ dir, file: join(dir, lockCase.file), buildArgs: {} });
        const locked = planBuild(spec, { buildArgs: {} }).locked!.packages.map(
          (p) => `${p.name}==${p.version}`,
        );
        const lockPath = join(dir, lockCase.lock);
        const text = readFileSync(lockPath, "utf8");
        const tampered = text.replace(
          /((?:sha256:|sha256 = ")[0-9a-f]{63})([0-9a-f])/g,
          (_, head: string, last: string) => `${head}${last === "0" ? "1" : "0"}`,
        );
        expect(tampered).not.toBe(text);
        writeFileSync(lockPath, tampered);

        const tag = `pyfront-e2e-lock-tampered-${caseDir.replace("/", "-")}:${engineTag}`;
        images.push(tag);
        const built = await buildCase(dir, lockCase, tag);
        expect(built.code).not.toBe(0);
        const output = combined(built);
        expect(output).toMatch(/DO NOT MATCH THE HASHES/i);
        // pip names the distribution it refused, as `name==version from URL`.
        const named = /(\S+==\S+) from \S+/.exec(output)?.[1];
        expect(named, output.slice(-3000)).toBeDefined();
        expect(locked.map((entry) => entry.toLowerCase())).toContain(
          `${normalizePackageName(named!.split("==")[0]!)}==${named!.split("==")[1]}`,
        );
      }));
  }
});
