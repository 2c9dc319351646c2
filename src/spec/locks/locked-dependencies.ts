import { findLockFile, lockFormatOf } from "../../detect/lock-files.js";
import type { Decision, Dependency, LockedDependencies, SourcePosition } from "../build-spec.js";
import { contextDirname, contextJoin } from "../context-checks.js";
import type { ContextReader } from "../context-reader.js";
import type { DiagnosticList } from "../diagnostic-list.js";
import { parseSpecifierSet, satisfies } from "../pep440.js";
import type { SourceDocument, SourcePath } from "../source-document.js";
import { normalizeContextPath } from "../value-rules.js";
import { type LockFormat, type LockGraph, normalizePackageName } from "./lock-graph.js";
import { readPdmLock } from "./pdm-lock.js";
import { readPipfileLock } from "./pipfile-lock.js";
import { readPoetryLock } from "./poetry-lock.js";
import { readPylock } from "./pylock.js";
import { splitRequirement } from "./requirement-parts.js";
import { readUvLock } from "./uv-lock.js";

export interface LockRequestInput {
  context: ContextReader;
  out: DiagnosticList;
  projectDir: string;
  /** Whose lock to look for: a pyproject's (uv, Poetry, PDM, pylock) or a Pipfile's. */
  source: "pyproject" | "pipfile";
  pyproject: SourceDocument | undefined;
  /** The spec's `lock` key: a path, or false to install without the lock. */
  lock?: string | false;
  lockSite?: { doc: SourceDocument; path: SourcePath };
  groups?: string[];
  groupsSite?: { doc: SourceDocument; path: SourcePath };
  extras: string[];
  /** The dependencies the project declares, to check that the lock still matches them. */
  declared: Array<{ dependency: Dependency; site: { doc: SourceDocument; path: SourcePath } }>;
  /** How the declared dependencies are named in messages: `[project].dependencies`. */
  declaredFrom: string;
}

export interface LockedDependencySource {
  lock: LockedDependencies;
  decision: Decision;
}

/** Reads a lock's text with its format's reader. */
export function readLockFile(
  format: LockFormat,
  file: string,
  text: string,
  out: DiagnosticList,
  pyproject: SourceDocument | undefined,
  /** The project's folder relative to the lock's (a uv workspace member's). */
  projectFolder = ".",
): LockGraph | undefined {
  switch (format) {
    case "uv":
      return readUvLock(file, text, out, projectFolder);
    case "poetry":
      return readPoetryLock(file, text, pyproject, out);
    case "pdm":
      return readPdmLock(file, text, pyproject, out);
    case "pipfile":
      return readPipfileLock(file, text, out);
    case "pylock":
      return readPylock(file, text, out);
  }
}

/**
 * The lock a project installs from, read and checked against what the project declares; none
 * when there is no lock or the spec says `lock = false`.
 */
export function lockedDependencySource(input: LockRequestInput): LockedDependencySource | undefined {
  const { context, out } = input;
  if (input.lock === false) return undefined;
  let path: string;
  let format: LockFormat;
  let decision: Decision;
  if (input.lock !== undefined) {
    path = normalizeContextPath(input.lock);
    const site = input.lockSite ?? { position: { file: path, line: 1, column: 1 } };
    const named = lockFormatOf(path);
    if (!named) {
      out.error(site, {
        code: "unknown-lock-format",
        message: `${JSON.stringify(input.lock)} is not a lockfile pyfront reads`,
        hint: "name a uv.lock, poetry.lock, pdm.lock, Pipfile.lock, pylock.toml or pylock.<name>.toml",
      });
      return undefined;
    }
    if (!context.exists(path)) {
      out.error(site, {
        code: "missing-file",
        message: `${path} is not in the build context`,
        hint: "lock the project first, or set lock = false to install without a lock",
      });
      return undefined;
    }
    format = named;
    decision = { choice: path, rule: "lock-key", reason: "the spec's lock key" };
  } else {
    const found = findLockFile(context, input.projectDir, input.source, input.pyproject);
    if (!found) return undefined;
    path = found.path;
    format = found.format;
    decision = found.decision;
    if (found.passedOver.length > 0) {
      out.warning(
        { position: { file: path, line: 1, column: 1 } },
        {
          code: "several-lock-files",
          message: `${found.passedOver.join(", ")} ${found.passedOver.length === 1 ? "is" : "are"} not used: the project is installed from ${path}`,
          hint: `name the lock with lock = "..." in [tool.pyfront], or remove the one that is out of use`,
        },
      );
    }
  }
  const text = context.readFile(path);
  if (text === undefined) return undefined;
  const before = out.items.length;
  // A lock above the project (a uv workspace's) is read from the project's place in it.
  const lockFolder = contextDirname(path);
  const projectFolder =
    lockFolder === "."
      ? input.projectDir
      : input.projectDir.startsWith(`${lockFolder}/`)
        ? input.projectDir.slice(lockFolder.length + 1)
        : ".";
  const graph = readLockFile(format, path, text, out, input.pyproject, projectFolder);
  if (!graph || out.items.slice(before).some((d) => d.severity === "error")) return undefined;
  checkLockMatchesDeclared(graph, input);
  if (format === "uv") noteUvDefaultGroups(graph, input);
  // The folders the lock installs from are context paths the spec names: a problem with one
  // (found when the Dockerfile is written) points at its package's entry in the lock.
  for (const pkg of graph.packages) {
    if (pkg.source.kind === "directory") {
      out.notePath({ position: pkg.position }, contextJoin(contextDirname(path), pkg.source.path));
    }
  }
  const position: SourcePosition = input.groupsSite
    ? input.groupsSite.doc.valuePosition(input.groupsSite.path)
    : { file: path, line: 1, column: 1 };
  return {
    lock: { graph, ...(input.groups ? { groups: input.groups } : {}), extras: input.extras, position },
    decision: {
      ...decision,
      choice: `${path} (${graph.packages.filter((p) => p.source.kind !== "project").length} locked packages)`,
    },
  };
}

/**
 * A declared dependency the lock does not hold, or holds at a version outside the declared range,
 * means the project changed after it was locked: fail as `uv sync --locked` and `poetry check
 * --lock` do, naming the package. Dependencies with markers are left to the lock (a platform-bound
 * lock may leave them out on purpose).
 */
function checkLockMatchesDeclared(graph: LockGraph, input: LockRequestInput): void {
  const versions = new Map<string, string[]>();
  for (const pkg of graph.packages) {
    const list = versions.get(pkg.name) ?? [];
    list.push(pkg.version);
    versions.set(pkg.name, list);
  }
  for (const { dependency, site } of input.declared) {
    if (dependency.kind !== "index") continue;
    const split = splitRequirement(dependency.requirement);
    // A requirement the splitter refuses was reported where it was declared, or pip refuses it.
    if (!split.ok || split.value.marker !== undefined || split.value.url !== undefined) continue;
    const { name, specifier } = split.value;
    const locked = versions.get(name);
    if (!locked) {
      input.out.error(site, {
        code: "lock-out-of-date",
        message: `${name} is in ${input.declaredFrom} but not in ${graph.file}: the lock is out of date`,
        hint: `lock again (${lockCommand(graph.format)}) and commit ${graph.file}`,
      });
      continue;
    }
    // A source tree's version may be dynamic: the lock then has none to compare.
    if (specifier === undefined || locked.includes("")) continue;
    const range = parseSpecifierSet(specifier) ?? [];
    if (range.length > 0 && !locked.some((version) => satisfies(version, range))) {
      input.out.error(site, {
        code: "lock-out-of-date",
        message: `${graph.file} locks ${name} ${locked.join(", ")}, outside ${specifier} from ${input.declaredFrom}: the lock is out of date`,
        hint: `lock again (${lockCommand(graph.format)}) and commit ${graph.file}`,
      });
    }
  }
}

/**
 * `uv sync` installs `[tool.uv] default-groups` (the `dev` group when the key is absent); the
 * image has the main dependencies only, as `uv sync --no-default-groups` gives, because groups
 * hold development tools far more often than runtime code. A group the user made a default on
 * purpose is named in a warning rather than dropped without a word.
 */
function noteUvDefaultGroups(graph: LockGraph, input: LockRequestInput): void {
  const doc = input.pyproject;
  const path = ["tool", "uv", "default-groups"];
  const value = doc?.get(path);
  if (!doc || value === undefined) return;
  const requested = new Set((input.groups ?? []).map(normalizePackageName));
  const named =
    value === "all"
      ? graph.groups.filter((group) => group !== "default")
      : Array.isArray(value)
        ? value.filter((item): item is string => typeof item === "string").map(normalizePackageName)
        : [];
  const left = named.filter((group) => group !== "dev" && !requested.has(group));
  if (left.length === 0) return;
  input.out.warning(
    { doc, path },
    {
      code: "default-groups-left-out",
      message: `uv sync installs the default group${left.length === 1 ? "" : "s"} ${left.join(", ")}; the image has the main dependencies only`,
      hint: `to install ${left.length === 1 ? "it" : "them"}, add groups = ${JSON.stringify(left)} to [tool.pyfront]`,
    },
  );
}

function lockCommand(format: LockFormat): string {
  switch (format) {
    case "uv":
      return "uv lock";
    case "poetry":
      return "poetry lock";
    case "pdm":
      return "pdm lock";
    case "pipfile":
      return "pipenv lock";
    case "pylock":
      return "pip lock, or uv export --format pylock.toml";
  }
}
