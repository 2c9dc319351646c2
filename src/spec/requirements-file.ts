import type { SourcePosition } from "./build-spec.js";
import { contextDirname, contextJoin } from "./context-checks.js";
import type { ContextReader } from "./context-reader.js";
import type { DiagnosticList } from "./diagnostic-list.js";
import { isProjectItself, readRequirementsFileFacts } from "./requirements-file-facts.js";
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

/** The project's own directory, as `pip install -r` users write it: `.`, `-e .`, `-e file:.`, `.[extra]`. */
function isSelf(target: string): boolean {
  const bare = target
    .replace(/#egg=.*$/, "")
    .replace(/\[[^\]]*\]$/, "")
    .trim();
  return isProjectItself(bare);
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
    const facts = readRequirementsFileFacts(text);
    const at = (line: number): SourcePosition => ({ file: path, line, column: 1 });
    if (facts.hashed) tree.hashed = true;
    if (!constraint) {
      for (const name of facts.names) names.add(name);
      for (const r of facts.requirements) if (!isSelf(r.text)) tree.requirements.push(r.text);
    }
    const self: SelfReferencingFile = { requirements: [], options: [], includes: [] };
    for (const include of facts.includes) {
      const position = at(include.line);
      const target = includedPath(path, include.target, position, out);
      if (target === undefined) continue;
      if (context.readFile(target) === undefined) {
        out.error(
          { position },
          {
            code: "missing-file",
            message: `${JSON.stringify(include.target)} (${JSON.stringify(target)} in the build context) does not exist`,
            hint: "-r and -c paths are relative to the file that names them",
          },
        );
        continue;
      }
      out.notePath({ position }, target);
      queue.push({ path: target, constraint: include.constraint });
      self.includes.push({ option: include.constraint ? "constraint" : "requirement", path: target });
    }
    const refersToSelf =
      facts.editable.some((e) => isSelf(e.value)) || facts.requirements.some((r) => isSelf(r.text));
    if (!refersToSelf) continue;
    self.requirements = facts.requirements
      .filter((r) => !isSelf(r.text))
      .map((r) => ({ text: r.text, position: at(r.line) }));
    self.options = [
      ...facts.options.map((o) => ({ text: o.text, position: at(o.line) })),
      ...facts.editable.filter((e) => !isSelf(e.value)).map((e) => ({ text: e.text, position: at(e.line) })),
    ];
    tree.selfReferencing.set(path, self);
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
