import type { Dependency } from "./build-spec.js";

/**
 * What pyfront needs to know about a requirements file it hands to pip, read without running
 * anything: which lines are editable installs (microb leaves them out), whether pip will need the
 * SSH agent, whether the file is hash-pinned, and which projects it names. pip itself reads the
 * file in the build; nothing here ever reaches a command line.
 */
export interface RequirementsFileFacts {
  /** `-e`/`--editable` lines, with the 1-based line where each starts. */
  editable: Array<{ line: number; text: string; value: string }>;
  /** Some line names a git+ssh URL. */
  gitSsh: boolean;
  /** Some requirement carries `--hash` (pip then checks every requirement of the call). */
  hashed: boolean;
  /** PEP 503 names of the requirements the file lists itself (not those of `-r` includes). */
  names: string[];
  /** `-r`/`--requirement` and `-c`/`--constraint` lines, with the path as written. */
  includes: Array<{ line: number; constraint: boolean; target: string }>;
  /** Requirement lines, as written (comments and continuations resolved). */
  requirements: Array<{ line: number; text: string }>;
  /** Lines holding pip options other than includes and editables (`--index-url`, `--hash`, ...). */
  options: Array<{ line: number; text: string }>;
}

/** A logical line: physical lines joined where one ends with a backslash. */
interface LogicalLine {
  line: number;
  text: string;
}

function logicalLines(text: string): LogicalLine[] {
  const result: LogicalLine[] = [];
  let current: LogicalLine | undefined;
  text.split(/\r?\n/).forEach((physical, i) => {
    const continued = physical.endsWith("\\");
    const part = continued ? physical.slice(0, -1) : physical;
    // Joined as pip joins them: the backslash goes, nothing is added.
    if (current) current.text += part;
    else current = { line: i + 1, text: part };
    if (!continued) {
      result.push(current);
      current = undefined;
    }
  });
  if (current) result.push(current);
  return result;
}

/** Comments start at a `#` at the start of a line or after whitespace, as pip reads them. */
function withoutComment(text: string): string {
  return text.replace(/(^|\s)#.*$/, "").trim();
}

const EDITABLE = /^(-e|--editable)(?:\s*=\s*|\s+|(?=[^\s=]))(.*)$/;
/** pip's optparse also takes a short option's value glued on: `-rbase.txt`, `-cconstraints.txt`. */
const INCLUDE = /^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?<=^-[rc])(?=[^\s=-]))(\S+)$/;
const NAME = /^([A-Za-z0-9][A-Za-z0-9._-]*)/;

/** PEP 503 normalized form. */
export function normalizedProjectName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

export function readRequirementsFileFacts(text: string): RequirementsFileFacts {
  const facts: RequirementsFileFacts = {
    editable: [],
    gitSsh: false,
    hashed: false,
    names: [],
    includes: [],
    requirements: [],
    options: [],
  };
  for (const { line, text: raw } of logicalLines(text)) {
    const content = withoutComment(raw);
    if (content === "") continue;
    if (/git\+ssh:\/\//i.test(content)) facts.gitSsh = true;
    const include = INCLUDE.exec(content);
    if (include) {
      facts.includes.push({
        line,
        constraint: include[1] === "-c" || include[1] === "--constraint",
        target: include[2]!,
      });
      continue;
    }
    const editable = EDITABLE.exec(content);
    if (editable) {
      facts.editable.push({ line, text: content, value: editable[2]!.trim() });
      continue;
    }
    if (/(^|\s)--hash[=\s]/.test(content)) facts.hashed = true;
    if (content.startsWith("-") || /\s--?[a-z]/.test(content)) facts.options.push({ line, text: content });
    if (content.startsWith("-")) continue; // --index-url and other options
    facts.requirements.push({ line, text: content });
    const name = NAME.exec(content)?.[1];
    if (name && !/^[a-z][a-z0-9+.-]*:/i.test(content)) facts.names.push(normalizedProjectName(name));
  }
  return facts;
}

/** An editable line that names the project itself (`-e file:.` from rye, `-e .`). */
export function isProjectItself(value: string): boolean {
  return ["file:.", "file:./", ".", "./"].includes(value);
}

/** The PEP 503 name a dependency installs, when the spec says it. */
export function dependencyName(dependency: Dependency): string | undefined {
  if (dependency.kind === "index") {
    const name = NAME.exec(dependency.requirement)?.[1];
    return name === undefined ? undefined : normalizedProjectName(name);
  }
  if ((dependency.kind === "git" || dependency.kind === "url") && dependency.name)
    return normalizedProjectName(dependency.name);
  return undefined;
}
