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
import { parseTomlDocument } from "../spec/toml-document.js";

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
  if (present.length === 0)
    return source === "pyproject" ? findWorkspaceLock(context, projectDir) : undefined;
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

/**
 * A uv workspace member has no lock of its own: the workspace's `uv.lock` sits at its root, the
 * nearest folder above whose pyproject.toml has `[tool.uv.workspace]`. uv looks for that root as
 * this does (the first such folder up; the project must match one of its `members` globs and none
 * of its `exclude` globs), and `uv sync` in the member's folder installs the member's own
 * dependencies from it.
 */
function findWorkspaceLock(context: ContextReader, projectDir: string): FoundLock | undefined {
  if (projectDir === ".") return undefined;
  const segments = projectDir.split("/");
  for (let depth = segments.length - 1; depth >= 0; depth--) {
    const root = depth === 0 ? "." : segments.slice(0, depth).join("/");
    const workspace = workspaceGlobs(context, contextJoin(root, "pyproject.toml"));
    if (!workspace) continue;
    const member = segments.slice(depth).join("/");
    const matches = (globs: string[]) => globs.some((glob) => matchesMemberGlob(glob, member));
    if (!matches(workspace.members) || matches(workspace.exclude)) return undefined;
    const path = contextJoin(root, "uv.lock");
    if (context.readFile(path) === undefined) return undefined;
    return {
      path,
      format: "uv",
      decision: {
        choice: path,
        rule: "workspace-lock-file",
        reason: `${path}: ${projectDir} is a member of the uv workspace at ${root === "." ? "the context's root" : root}, whose lock it is`,
      },
      passedOver: [],
    };
  }
  return undefined;
}

/** `[tool.uv.workspace]` of a pyproject.toml, when the file has one. */
function workspaceGlobs(
  context: ContextReader,
  pyprojectPath: string,
): { members: string[]; exclude: string[] } | undefined {
  const text = context.readFile(pyprojectPath);
  if (text === undefined) return undefined;
  // A pyproject.toml that does not parse is no workspace root uv would use either.
  const parsed = parseTomlDocument(pyprojectPath, text);
  if (!parsed.ok) return undefined;
  const workspace = parsed.doc.get(["tool", "uv", "workspace"]);
  if (workspace === null || typeof workspace !== "object") return undefined;
  const strings = (key: string): string[] => {
    const value = (workspace as Record<string, unknown>)[key];
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
  };
  return { members: strings("members"), exclude: strings("exclude") };
}

/** One piece of a workspace glob: a character test, or a run of `*` (one folder) or `**` (any). */
type GlobToken = { test: (char: string) => boolean } | { star: "one-folder" | "any" };

/**
 * Whether a member folder matches a workspace glob (`packages/*`, `libs/**`): `*` and `?` stay
 * inside one folder name, `**` spans folders, `[...]` is a class, a trailing `/` is dropped.
 * Matched by dynamic programming over the path, never by a backtracking regular expression, so
 * no glob a user writes can make the search slow.
 */
export function matchesMemberGlob(glob: string, member: string): boolean {
  const tokens = globTokens(glob.replace(/^\.\//, "").replace(/\/+$/, ""));
  // reachable[i]: the tokens so far can match the first i characters of the member.
  let reachable = new Array<boolean>(member.length + 1).fill(false);
  reachable[0] = true;
  for (const token of tokens) {
    const next = new Array<boolean>(member.length + 1).fill(false);
    for (let i = 0; i <= member.length; i++) {
      if ("star" in token) {
        // A star matches nothing, or extends a match by one more character it may span.
        const spanned = i > 0 && next[i - 1] === true && (token.star === "any" || member[i - 1] !== "/");
        next[i] = reachable[i] === true || spanned;
      } else next[i] = i > 0 && reachable[i - 1] === true && token.test(member[i - 1]!);
    }
    reachable = next;
  }
  return reachable[member.length] === true;
}

function globTokens(text: string): GlobToken[] {
  const tokens: GlobToken[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === "*") {
      const any = text[i + 1] === "*";
      if (any) i++;
      tokens.push({ star: any ? "any" : "one-folder" });
    } else if (char === "?") tokens.push({ test: (c) => c !== "/" });
    else if (char === "[" && text.indexOf("]", i + 2) !== -1) {
      const end = text.indexOf("]", i + 2);
      const body = text.slice(i + 1, end);
      tokens.push({ test: classTest(body) });
      i = end;
    } else tokens.push({ test: (c) => c === char });
  }
  return tokens;
}

/** A `[...]` class (`[abc]`, `[a-z]`, `[!x]`) as a test of one character. */
function classTest(body: string): (char: string) => boolean {
  const negated = body.startsWith("!") || body.startsWith("^");
  const items = negated ? body.slice(1) : body;
  const ranges: Array<[string, string]> = [];
  for (let i = 0; i < items.length; i++) {
    if (items[i + 1] === "-" && i + 2 < items.length) {
      ranges.push([items[i]!, items[i + 2]!]);
      i += 2;
    } else ranges.push([items[i]!, items[i]!]);
  }
  return (char) => char !== "/" && ranges.some(([low, high]) => low <= char && char <= high) !== negated;
}

/** The format of a lock the spec names by path (`lock = "locks/pylock.prod.toml"`). */
export function lockFormatOf(path: string): LockFormat | undefined {
  const name = path.slice(path.lastIndexOf("/") + 1);
  if (NAMED_PYLOCK.test(name)) return "pylock";
  return LOCK_FILE_RULES.find((rule) => rule.file === name)?.format;
}
