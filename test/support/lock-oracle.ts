// The lock oracles: the real Poetry, PDM and pipenv lock a project against the local index, export
// the lock as requirements, and python3-packaging evaluates the exported markers for a target. The
// packages left are what the tool itself installs from that lock on that target: the answer
// pyfront's lock reading and selection must give. Everything runs in pyfront-test/lock-oracles:sid
// (scripts/lib/images.sh), made by `scripts/engine up` from Debian sid's packages of the tools.
//
// The projects live in test/locks/oracle/<tool>/<case>/, each with an oracle.json (ours, not the
// project's: never copied to the tool) naming the installs to ask about and facts to check.
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { docker } from "../e2e/support/engine.js";

export const ORACLE_IMAGE = "pyfront-test/lock-oracles:sid";
export const ORACLE_ROOT = fileURLToPath(new URL("../locks/oracle/", import.meta.url));
export const ORACLE_CASE_FILE = "oracle.json";
const DRIVER_DIR = fileURLToPath(new URL("./lock-oracle/", import.meta.url));

export type OracleTool = "poetry" | "pdm" | "pipenv";
export const ORACLE_TOOLS: readonly OracleTool[] = ["poetry", "pdm", "pipenv"];

export interface OracleTarget {
  /** Names the target in results and test titles, e.g. `cp311-x86_64`. */
  id: string;
  /** The CPython release, X.Y.Z: markers on `python_full_version` need the patch level. */
  pythonFullVersion: string;
  machine: "x86_64" | "aarch64";
}

/** The releases of the stand-in python:3.11 and python:3.13 images (docs/engine.md), on both machines. */
export const ORACLE_TARGETS: readonly OracleTarget[] = [
  { id: "cp311-x86_64", pythonFullVersion: "3.11.2", machine: "x86_64" },
  { id: "cp313-x86_64", pythonFullVersion: "3.13.5", machine: "x86_64" },
  { id: "cp313-aarch64", pythonFullVersion: "3.13.5", machine: "aarch64" },
  // The stand-ins' newest Python, which pipenv (3.14 in the oracle image) locks for.
  { id: "cp314-x86_64", pythonFullVersion: "3.14.10", machine: "x86_64" },
];

const names = z.array(z.string().min(1));

const requestSchema = z.strictObject({
  /** Names the install in results and test titles. */
  name: z.string().regex(/^[a-z0-9-]+$/),
  /**
   * Groups besides the main dependencies, as the lock names them: Poetry's and PDM's group names,
   * pipenv's lock sections (`develop` for `[dev-packages]`, a custom category by its name).
   */
  groups: names.default([]),
  /** The project's extras (Poetry's `[tool.poetry.extras]` or `[project.optional-dependencies]`). */
  extras: names.default([]),
});

const factSchema = z.strictObject({
  /** Must be in the oracle's answer, as `name` or `name==version`. */
  includes: names.default([]),
  /** Must not be in it (names). */
  excludes: names.default([]),
  /** The whole answer, `name==version` sorted by name, worked out by hand from the index's metadata. */
  exactly: names.optional(),
});

const caseSchema = z.strictObject({
  /** What the project stands for and which lock features it exercises, in a sentence or two. */
  about: z.string().min(1),
  requests: z.array(requestSchema).min(1),
  /**
   * Hand-checked facts about the answers, by request name then target id: they prove the oracle
   * (and the case) says what the case is there to test, independently of pyfront.
   */
  facts: z.record(z.string(), z.record(z.string(), factSchema)).default({}),
  /**
   * The commands that lock the project, when not the tool's plain lock (lockArgv): e.g. PDM's
   * lock targets, one `pdm lock --python ...` per Python line with `--append`. Each starts with
   * the tool's own name.
   */
  lock: z
    .array(z.array(z.string().min(1)).min(2))
    .min(1)
    .optional(),
});

export type OracleRequest = z.infer<typeof requestSchema>;
export type OracleFact = z.infer<typeof factSchema>;

export interface OracleCase {
  tool: OracleTool;
  name: string;
  /** `<tool>/<case>`, for titles. */
  id: string;
  dir: string;
  about: string;
  requests: OracleRequest[];
  facts: Record<string, Record<string, OracleFact>>;
  /** The commands that lock the project, in order. */
  lock: string[][];
}

/** Every oracle project under test/locks/oracle/, sorted by tool then name. */
export function loadOracleCases(root: string = ORACLE_ROOT): OracleCase[] {
  const cases: OracleCase[] = [];
  for (const tool of ORACLE_TOOLS) {
    const toolDir = join(root, tool);
    if (!existsSync(toolDir)) continue;
    for (const name of readdirSync(toolDir).sort()) {
      const dir = join(toolDir, name);
      if (!statSync(dir).isDirectory()) continue;
      const file = join(dir, ORACLE_CASE_FILE);
      const parsed = caseSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
      if (!parsed.success) throw new Error(`${file}: ${z.prettifyError(parsed.error)}`);
      const { lock, ...rest } = parsed.data;
      if (lock?.some((argv) => argv[0] !== tool)) throw new Error(`${file}: lock commands must run ${tool}`);
      cases.push({ tool, name, id: `${tool}/${name}`, dir, ...rest, lock: lock ?? [lockArgv(tool)] });
    }
  }
  return cases;
}

/** The file each tool writes. */
export const LOCK_FILES: Record<OracleTool, string> = {
  poetry: "poetry.lock",
  pdm: "pdm.lock",
  pipenv: "Pipfile.lock",
};

/**
 * The command that locks a whole project, every group and extra: Poetry and pipenv lock
 * everything anyway; `pdm lock` alone leaves the optional groups (the extras) out.
 */
export function lockArgv(tool: OracleTool): string[] {
  switch (tool) {
    case "poetry":
      return ["poetry", "lock", "--no-ansi", "--no-interaction"];
    case "pdm":
      return ["pdm", "lock", "--group", ":all"];
    case "pipenv":
      return ["pipenv", "lock"];
  }
}

/** The tool's own export of the lock for one install: requirements lines with markers, no hashes. */
export function exportArgv(tool: OracleTool, request: OracleRequest): string[] {
  switch (tool) {
    case "poetry":
      // `--only main,dev`: the main group and the named ones, as `poetry install --only` does.
      return [
        "poetry",
        "export",
        "--no-ansi",
        "--no-interaction",
        "-f",
        "requirements.txt",
        "--without-hashes",
        "--only",
        ["main", ...request.groups].join(","),
        ...request.extras.flatMap((extra) => ["--extras", extra]),
      ];
    case "pdm": {
      // Extras are PDM's optional groups; dependency groups need -d (--dev), none is --prod.
      const groups = [...request.groups, ...request.extras].flatMap((group) => ["-G", group]);
      return ["pdm", "export", "--no-hashes", request.groups.length > 0 ? "--dev" : "--prod", ...groups];
    }
    case "pipenv": {
      if (request.extras.length > 0) throw new Error("a Pipfile has no extras of its own");
      // Pipfile sections by their lock names: [packages] is "default", [dev-packages] "develop".
      const categories = [
        "packages",
        ...request.groups.map((group) => (group === "develop" ? "dev-packages" : group)),
      ];
      return ["pipenv", "requirements", "--categories", categories.join(" ")];
    }
  }
}

/** The tools' settings for a container that reaches nothing but the local index. */
const TOOL_ENV: Record<string, string> = {
  HOME: "/tmp/oracle-home",
  PYTHON_KEYRING_BACKEND: "keyring.backends.null.Keyring",
  POETRY_NO_INTERACTION: "1",
  PDM_CHECK_UPDATE: "false",
  PDM_NON_INTERACTIVE: "1",
  PIPENV_YES: "1",
  PIPENV_NOSPIN: "1",
  PIPENV_IGNORE_VIRTUALENVS: "1",
  PIP_DISABLE_PIP_VERSION_CHECK: "1",
};

export interface OracleAnswer {
  name: string;
  /** null: pipenv's `name; marker` line for a package it could not resolve on its own Python. */
  version: string | null;
}

export interface OracleExport {
  argv: string[];
  ok: boolean;
  /** The tool's requirements output, as it printed it. */
  text: string;
  /** Target id → the packages whose markers hold there, sorted by name. */
  selected: Record<string, OracleAnswer[]>;
  problems: string[];
}

export interface OracleRun {
  case: OracleCase;
  /** The lock file's name and text, as the tool wrote it. */
  lockFile: string;
  lockText: string;
  /** File name → text of the project files the tool saw (pyproject.toml or Pipfile). */
  projectFiles: Record<string, string>;
  /** Request name → the tool's export and the oracle's answers. */
  exports: Record<string, OracleExport>;
  /** Versions of the tools that answered (poetry, poetry-plugin-export, pdm, pipenv, packaging, python). */
  tools: Record<string, string | null>;
  /** Seconds the lock and each export took, and the whole container run. */
  seconds: Record<string, number>;
}

const resultSchema = z.object({
  tools: z.record(z.string(), z.string().nullable()),
  lock: z.object({ ok: z.boolean(), file: z.string().optional(), error: z.string().optional() }),
  exports: z.record(
    z.string(),
    z.object({
      argv: z.array(z.string()),
      ok: z.boolean(),
      text: z.string(),
      selected: z.record(z.string(), z.array(z.object({ name: z.string(), version: z.string().nullable() }))),
      problems: z.array(z.string()),
    }),
  ),
  seconds: z.record(z.string(), z.number()),
});

/**
 * Locks one oracle project with its real tool, exports each request and answers for each target.
 * Works in a fresh copy (the tool writes its lock, a venv and caches there and in the container's
 * home), removed afterwards: nothing carries over from one run to the next.
 */
export async function runLockOracle(
  oracleCase: OracleCase,
  targets: readonly OracleTarget[] = ORACLE_TARGETS,
): Promise<OracleRun> {
  const work = mkdtempSync(join(tmpdir(), `pyfront-oracle-${oracleCase.tool}-${oracleCase.name}-`));
  try {
    const project = join(work, "project");
    cpSync(oracleCase.dir, project, {
      recursive: true,
      filter: (source) => !source.endsWith(`/${ORACLE_CASE_FILE}`),
    });
    const projectFiles: Record<string, string> = {};
    for (const name of readdirSync(project).sort()) {
      if (statSync(join(project, name)).isFile())
        projectFiles[name] = readFileSync(join(project, name), "utf8");
    }
    const lockFile = LOCK_FILES[oracleCase.tool];
    if (existsSync(join(project, lockFile))) {
      throw new Error(`${oracleCase.id}: ${lockFile} is committed; the oracle makes it fresh on every run`);
    }
    const plan = {
      workdir: "/work",
      project: "/work/project",
      lock: oracleCase.lock,
      lockFile,
      exports: oracleCase.requests.map((request) => ({
        name: request.name,
        argv: exportArgv(oracleCase.tool, request),
      })),
      targets,
    };
    writeFileSync(join(work, "plan.json"), JSON.stringify(plan, null, 2));
    const user =
      typeof process.getuid === "function" ? `${process.getuid()}:${process.getgid?.() ?? 0}` : "0:0";
    const started = performance.now();
    const result = await docker([
      "run",
      "--rm",
      "--network",
      "host",
      "--user",
      user,
      ...Object.entries(TOOL_ENV).flatMap(([key, value]) => ["--env", `${key}=${value}`]),
      "--volume",
      `${work}:/work`,
      "--volume",
      `${DRIVER_DIR}:/oracle:ro`,
      "--workdir",
      "/work/project",
      ORACLE_IMAGE,
      "python3",
      "/oracle/driver.py",
      "/work/plan.json",
    ]);
    const wall = (performance.now() - started) / 1000;
    const resultFile = join(work, "oracle-result.json");
    if (!existsSync(resultFile)) {
      throw new Error(
        `${oracleCase.id}: the oracle container gave no result (exit ${result.code}):\n${result.stderr.slice(-3000)}`,
      );
    }
    const parsed = resultSchema.parse(JSON.parse(readFileSync(resultFile, "utf8")));
    if (!parsed.lock.ok) {
      throw new Error(`${oracleCase.id}: locking failed:\n${parsed.lock.error ?? ""}`);
    }
    const failed = Object.entries(parsed.exports).filter(([, answer]) => !answer.ok);
    if (failed.length > 0 || result.code !== 0) {
      const why = failed.map(
        ([name, answer]) => `${name}: ${answer.argv.join(" ")}\n${answer.problems.join("\n")}`,
      );
      throw new Error(`${oracleCase.id}: an export failed (exit ${result.code}):\n${why.join("\n")}`);
    }
    return {
      case: oracleCase,
      lockFile,
      lockText: readFileSync(join(project, lockFile), "utf8"),
      projectFiles,
      exports: parsed.exports,
      tools: parsed.tools,
      seconds: { ...parsed.seconds, container: Math.round(wall * 10) / 10 },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Runs `task` on every item, at most `limit` at a time; results in the items' order, failures kept. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      const item = items[index] as T;
      try {
        results[index] = { status: "fulfilled", value: await task(item) };
      } catch (reason) {
        results[index] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
