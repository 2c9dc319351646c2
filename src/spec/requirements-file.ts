import type { SourcePosition } from "./build-spec.js";
import { contextDirname, contextJoin } from "./context-checks.js";
import type { ContextReader } from "./context-reader.js";
import type { DiagnosticList } from "./diagnostic-list.js";
import { checkContextPath, normalizeContextPath } from "./value-rules.js";

/**
 * What pyfront needs to know about a pip requirements file without running pip: which files it
 * pulls in (`-r`, `-c`), which projects it names (for start-command detection), whether it pins
 * hashes, and whether it installs the project itself (`-e .`). pip still reads the files itself in
 * the build; this reading only decides what to mount and how to call it.
 */
export interface RequirementsTree {
  /** Every file pip will open, the named one first, each once, as context paths. */
  files: string[];
  /** Files named by `-c`/`--constraint` (also in `files`). */
  constraints: string[];
  /** PEP 503 names of the projects required, across all files, sorted. */
  names: string[];
  /** The requirements themselves, as written, in reading order (`fastapi[standard]==0.115`). */
  requirements: string[];
  /** A `--hash` somewhere: pip checks hashes for the whole install, so nothing else may join it. */
  hashed: boolean;
  /**
   * The files that install the project itself (`-e .`, `.`, `-e file:.`): they cannot be handed
   * to pip before the project's code is there, so their requirements go to pip one by one.
   */
  selfReferencing: Map<string, SelfReferencingFile>;
}

export interface SelfReferencingFile {
  /** The other requirement lines, as written (comments and continuations resolved). */
  requirements: RequirementLine[];
  /** Lines holding pip options other than includes (`--index-url`, `--hash`, ...). */
  options: RequirementLine[];
  /** `-r`/`-c` files it includes, kept as options. */
  includes: Array<{ option: "requirement" | "constraint"; path: string }>;
}

export interface RequirementLine {
  text: string;
  position: SourcePosition;
}

/** Includes followed before giving up: a real project nests two or three. */
const MAX_FILES = 64;

interface LogicalLine {
  text: string;
  line: number;
}

/** Joins `\` continuations and drops comments (` #` or a whole-line `#`), as pip does. */
function logicalLines(text: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  const raw = text.split(/\r?\n/);
  for (let i = 0; i < raw.length; i++) {
    const start = i;
    let joined = raw[i] ?? "";
    while (joined.endsWith("\\") && i + 1 < raw.length) {
      joined = joined.slice(0, -1) + (raw[++i] ?? "");
    }
    const stripped = joined.replace(/(^|\s)#.*$/, "").trim();
    if (stripped !== "") out.push({ text: stripped, line: start + 1 });
  }
  return out;
}

const INCLUDE = /^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(\S+)$/;
const EDITABLE = /^(-e|--editable)(?:\s*=\s*|\s+)(.+)$/;
/** The project's own directory, as `pip install -r` users write it. */
const SELF = /^(?:file:)?\.(?:\/)?(?:\[[^\]]*\])?$/;

function isSelf(target: string): boolean {
  return SELF.test(target.replace(/#egg=.*$/, "").trim());
}

function normalizedName(requirement: string): string | undefined {
  const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(requirement);
  return match?.[1]?.toLowerCase().replace(/[-_.]+/g, "-");
}

/**
 * Reads a requirements file and every file it includes. Problems (an include leaving the context,
 * a missing include) are reported at the line that names them.
 */
export function readRequirementsTree(
  context: ContextReader,
  root: string,
  out: DiagnosticList,
): RequirementsTree {
  const tree: RequirementsTree = {
    files: [],
    constraints: [],
    names: [],
    requirements: [],
    hashed: false,
    selfReferencing: new Map(),
  };
  const names = new Set<string>();
  const queue: Array<{ path: string; constraint: boolean }> = [{ path: root, constraint: false }];
  while (queue.length > 0) {
    const { path, constraint } = queue.shift()!;
    if (tree.files.includes(path)) continue;
    if (tree.files.length >= MAX_FILES) {
      out.error(
        { position: { file: path, line: 1, column: 1 } },
        {
          code: "too-many-requirements-files",
          message: `requirements files include more than ${MAX_FILES} files`,
          hint: "check the -r and -c lines for a loop through generated files",
        },
      );
      break;
    }
    tree.files.push(path);
    if (constraint) tree.constraints.push(path);
    const text = context.readFile(path);
    if (text === undefined) continue; // the caller reports the named file; includes below
    const self: SelfReferencingFile = { requirements: [], options: [], includes: [] };
    let refersToSelf = false;
    for (const { text: entry, line } of logicalLines(text)) {
      const position: SourcePosition = { file: path, line, column: 1 };
      const include = INCLUDE.exec(entry);
      if (include) {
        const isConstraint = include[1] === "-c" || include[1] === "--constraint";
        const target = includedPath(path, include[2]!, position, out);
        if (target === undefined) continue;
        if (context.readFile(target) === undefined) {
          out.error(
            { position },
            {
              code: "missing-file",
              message: `${JSON.stringify(include[2])} (${JSON.stringify(target)} in the build context) does not exist`,
              hint: "-r and -c paths are relative to the file that names them",
            },
          );
          continue;
        }
        out.notePath({ position }, target);
        queue.push({ path: target, constraint: isConstraint });
        self.includes.push({ option: isConstraint ? "constraint" : "requirement", path: target });
        continue;
      }
      const editable = EDITABLE.exec(entry);
      if (editable && isSelf(editable[2]!)) {
        refersToSelf = true;
        continue;
      }
      if (isSelf(entry)) {
        refersToSelf = true;
        continue;
      }
      if (/--hash[=\s]/.test(entry)) tree.hashed = true;
      if (entry.startsWith("-") || /\s--?[a-z]/.test(entry)) {
        self.options.push({ text: entry, position });
        if (entry.startsWith("-")) continue;
      }
      const name = normalizedName(entry);
      if (name !== undefined && !constraint) {
        names.add(name);
        tree.requirements.push(entry);
      }
      self.requirements.push({ text: entry, position });
    }
    if (refersToSelf) tree.selfReferencing.set(path, self);
  }
  tree.names = [...names].sort();
  return tree;
}

function includedPath(
  from: string,
  target: string,
  position: SourcePosition,
  out: DiagnosticList,
): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    out.error(
      { position },
      {
        code: "remote-requirements-file",
        message: `${JSON.stringify(target)}: requirements files from URLs are not read`,
        hint: "put the file in the build context and include it by path",
      },
    );
    return undefined;
  }
  const joined = contextJoin(contextDirname(from), target);
  const problem = checkContextPath(joined);
  if (problem) {
    out.error({ position }, problem);
    return undefined;
  }
  return normalizeContextPath(joined);
}
