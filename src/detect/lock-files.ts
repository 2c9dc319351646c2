/**
 * Which lockfile a project is installed from. A lock next to the project's file wins over its
 * declared ranges: the lock is what its team tested. The tools' files, in the order tried when the
 * project does not say which tool manages it; `pyfront plan` shows the rule that chose (decisions).
 */
import type { Decision } from "../spec/build-spec.js";
import { contextJoin } from "../spec/context-checks.js";
import type { ContextReader } from "../spec/context-reader.js";
import type { LockFormat } from "../spec/locks/lock-graph.js";
import type { SourceDocument } from "../spec/source-document.js";

export interface LockFileRule {
  /** File name in the project's folder. */
  file: string;
  format: LockFormat;
  tool: string;
  /** The `[tool.X]` table of pyproject.toml that says this tool manages the project. */
  toolTable?: string;
  /** The lock belongs to a Pipfile, not to pyproject.toml. */
  forPipfile?: true;
}

export const LOCK_FILE_RULES: readonly LockFileRule[] = [
  { file: "uv.lock", format: "uv", tool: "uv", toolTable: "uv" },
  { file: "poetry.lock", format: "poetry", tool: "Poetry", toolTable: "poetry" },
  { file: "pdm.lock", format: "pdm", tool: "PDM", toolTable: "pdm" },
  { file: "pylock.toml", format: "pylock", tool: "a PEP 751 locker (pip lock, uv export)" },
  { file: "Pipfile.lock", format: "pipfile", tool: "pipenv", forPipfile: true },
];

/** PEP 751's named locks, `pylock.<name>.toml`: used only when the spec's `lock` key names one. */
export const NAMED_PYLOCK = /^pylock\.[^./\\]+\.toml$/;

export interface FoundLock {
  path: string;
  format: LockFormat;
  decision: Decision;
  /** Other locks in the folder that were not used, for a warning. */
  passedOver: string[];
}

/**
 * The lock of a project, found in its folder: the one of the tool its pyproject.toml names
 * (`[tool.poetry]` → poetry.lock), else the only one there, else the first by LOCK_FILE_RULES.
 * A Pipfile's lock is Pipfile.lock; a pyproject's never is.
 */
export function findLockFile(
  context: ContextReader,
  projectDir: string,
  source: "pyproject" | "pipfile",
  pyproject: SourceDocument | undefined,
): FoundLock | undefined {
  const present = LOCK_FILE_RULES.filter(
    (rule) =>
      (rule.forPipfile === true) === (source === "pipfile") &&
      context.readFile(contextJoin(projectDir, rule.file)) !== undefined,
  );
  if (present.length === 0) return undefined;
  const tools = pyproject?.get(["tool"]);
  const managing = present.find(
    (rule) =>
      rule.toolTable !== undefined &&
      tools !== null &&
      typeof tools === "object" &&
      Object.hasOwn(tools, rule.toolTable),
  );
  const chosen = managing ?? present[0]!;
  const path = contextJoin(projectDir, chosen.file);
  const reason = managing
    ? `${path}: pyproject.toml has [tool.${managing.toolTable}], so ${managing.tool} manages the project`
    : present.length === 1
      ? `${path}, the lock next to the project`
      : `${path}: the first of the locks next to the project, in pyfront's order (${present.map((r) => r.file).join(", ")})`;
  return {
    path,
    format: chosen.format,
    decision: { choice: path, rule: managing ? "tool-lock-file" : "lock-file", reason },
    passedOver: present.filter((rule) => rule !== chosen).map((rule) => contextJoin(projectDir, rule.file)),
  };
}

/** The format of a lock the spec names by path (`lock = "locks/pylock.prod.toml"`). */
export function lockFormatOf(path: string): LockFormat | undefined {
  const name = path.slice(path.lastIndexOf("/") + 1);
  if (NAMED_PYLOCK.test(name)) return "pylock";
  return LOCK_FILE_RULES.find((rule) => rule.file === name)?.format;
}
