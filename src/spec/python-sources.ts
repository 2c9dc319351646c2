import type { SourcePosition } from "./build-spec.js";
import { contextJoin } from "./context-checks.js";
import type { ContextReader } from "./context-reader.js";
import type { ProblemSite } from "./diagnostic-list.js";
import { formatKeyPath } from "./key-path.js";
import { type PinnedPython, readPinnedVersion } from "./python-pins.js";
import { NEWEST_PYTHON_SERIES, shownWord } from "./python-versions.js";
import type { SourceDocument, SourcePath } from "./source-document.js";
import { parseTomlDocument } from "./toml-document.js";

/** Stable ids of the rules that pick the Python version, as `decisions.python.rule` names them. */
export type PythonRuleId =
  | "spec-key"
  | "python-version-file"
  | "runtime-txt"
  | "tool-versions"
  | "mise-toml"
  | "pipfile-requires"
  | "inline-script-metadata"
  | "requires-python"
  | "default";

/** What the caller knows before any file is read. */
export interface PythonSourceInput {
  /** The spec file's document. */
  doc: SourceDocument;
  /** The spec's own key (`python_version`, mopy's `python`) and where it was written. */
  specKey?: { requested: string; path: SourcePath };
  /** `requires-python` of a PEP 723 `# /// script` block; the layout reader finds it in the script. */
  inlineScriptRequiresPython?: { text: string; position: SourcePosition };
  /** `[project] requires-python` (or Poetry's `python` constraint, converted). */
  requiresPython?: { text: string; path: SourcePath };
  /** Directory of the spec file inside the context. */
  projectDir: string;
  context: ContextReader;
}

/** A source that names a Python: what it asks for, and where, for messages and the decision. */
export interface PythonSourceFinding {
  rule: PythonRuleId;
  pin: PinnedPython;
  /** Where the version was written; absent for the default. */
  site?: ProblemSite;
  /** The source in a reason: "`.python-version`", "`tool.pyfront.python_version`". */
  label: string;
  /** The file holding a key the label names: "pyproject.toml". */
  file?: string;
  /** The source in a hint: "python_version", ".tool-versions", "requires-python". */
  name: string;
}

interface InputRule {
  id: PythonRuleId;
  kind: "input";
  find(input: PythonSourceInput): PythonSourceFinding | undefined;
}

/** A rule that reads a file, looked for in the project's folder and at the context root. */
interface FileRule {
  id: PythonRuleId;
  kind: "file";
  /** Names the tool reads, first match wins. */
  files: readonly string[];
  /** The file's pin, or undefined when the file pins no Python (a `.tool-versions` for node only). */
  read(text: string, path: string): Omit<PythonSourceFinding, "rule"> | undefined;
}

export type PythonSourceRule = InputRule | FileRule;

/** mise's project config files, in mise's order of precedence (committed files; not `*.local.toml`). */
export const MISE_FILES = [
  "mise.toml",
  ".mise.toml",
  "mise/config.toml",
  ".mise/config.toml",
  ".config/mise.toml",
  ".config/mise/config.toml",
] as const;

/**
 * Where the Python version comes from, first match wins. The file rules form one block: every
 * file in the spec's own folder beats every file at the context root, as each tool itself prefers
 * the nearest file.
 */
export const PYTHON_SOURCE_RULES: readonly PythonSourceRule[] = [
  {
    id: "spec-key",
    kind: "input",
    find: ({ doc, specKey }) => {
      if (!specKey) return undefined;
      return {
        rule: "spec-key",
        pin: readPinnedVersion(specKey.requested, { strict: true }),
        site: { doc, path: specKey.path },
        label: `\`${formatKeyPath(specKey.path)}\``,
        file: doc.file,
        name: String(specKey.path.at(-1)),
      };
    },
  },
  { id: "python-version-file", kind: "file", files: [".python-version"], read: readPythonVersionFile },
  { id: "runtime-txt", kind: "file", files: ["runtime.txt"], read: readRuntimeTxt },
  { id: "tool-versions", kind: "file", files: [".tool-versions"], read: readToolVersions },
  { id: "mise-toml", kind: "file", files: MISE_FILES, read: readMiseToml },
  { id: "pipfile-requires", kind: "file", files: ["Pipfile"], read: readPipfile },
  {
    id: "inline-script-metadata",
    kind: "input",
    find: ({ inlineScriptRequiresPython: inline }) =>
      inline && {
        rule: "inline-script-metadata",
        pin: { kind: "specifier", text: inline.text },
        site: { position: inline.position, key: "requires-python" },
        label: "the inline script metadata's `requires-python`",
        file: inline.position.file,
        name: "the script's requires-python",
      },
  },
  {
    id: "requires-python",
    kind: "input",
    find: ({ doc, requiresPython: requires }) =>
      requires && {
        rule: "requires-python",
        pin: { kind: "specifier", text: requires.text },
        site: { doc, path: requires.path },
        label: `\`${requiresName(requires.path)}\``,
        file: doc.file,
        name: requiresName(requires.path),
      },
  },
  {
    id: "default",
    kind: "input",
    find: () => ({
      rule: "default",
      pin: { kind: "version", python: { requested: NEWEST_PYTHON_SERIES, series: NEWEST_PYTHON_SERIES } },
      label: "the default",
      name: "the default",
    }),
  },
];

function requiresName(path: SourcePath): string {
  return path.at(-1) === "requires-python" ? "requires-python" : formatKeyPath(path);
}

/** The first source that names a Python, by PYTHON_SOURCE_RULES; the default always does. */
export function findPythonSource(input: PythonSourceInput): PythonSourceFinding {
  const rules = PYTHON_SOURCE_RULES;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    if (rule.kind === "input") {
      const found = rule.find(input);
      if (found) return found;
      continue;
    }
    let end = i;
    while (end < rules.length && rules[end]!.kind === "file") end++;
    const found = findInFiles(rules.slice(i, end) as FileRule[], input);
    if (found) return found;
    i = end - 1;
  }
  throw new Error("the default Python rule always applies");
}

function findInFiles(rules: readonly FileRule[], input: PythonSourceInput): PythonSourceFinding | undefined {
  const directories = input.projectDir === "." ? ["."] : [input.projectDir, "."];
  for (const dir of directories) {
    for (const rule of rules) {
      for (const name of rule.files) {
        const path = contextJoin(dir, name);
        const text = input.context.readFile(path);
        if (text === undefined) continue;
        const found = rule.read(text, path);
        if (found) return { rule: rule.id, ...found };
      }
    }
  }
  return undefined;
}

/** The lines of a text file that say something: not blank, not a `#` comment (a BOM is no text). */
function meaningfulLines(text: string): Array<{ line: number; text: string }> {
  return text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .map((line, i) => ({ line: i + 1, text: line }))
    .filter(({ text: t }) => t.trim() !== "" && !t.trim().startsWith("#"));
}

/** The first whitespace-separated word of a line, and its 1-based column. */
function firstWord(line: string, from = 0): { word: string; column: number } | undefined {
  const match = /\S+/.exec(line.slice(from));
  return match ? { word: match[0], column: from + match.index + 1 } : undefined;
}

/**
 * pyenv's and uv's `.python-version`: the first line that is not a comment, its first word
 * (pyenv lists several versions, one per line, the first being the main one). uv also takes a
 * version range there (`>=3.12`).
 */
function readPythonVersionFile(text: string, path: string): Omit<PythonSourceFinding, "rule"> {
  const label = `\`${path}\``;
  const [first] = meaningfulLines(text);
  const word = first && firstWord(first.text);
  if (!first || !word) {
    return {
      pin: {
        kind: "problem",
        problem: {
          code: "invalid-python-version",
          message: `${path} names no Python version`,
          hint: 'write a version on its first line, e.g. "3.13"',
        },
      },
      site: { position: { file: path, line: 1, column: 1 } },
      label,
      name: path,
    };
  }
  return {
    pin: readPinnedVersion(word.word, { allowSpecifier: true }),
    site: { position: { file: path, line: first.line, column: word.column } },
    label,
    name: path,
  };
}

/**
 * Heroku's (and repo2docker's) `runtime.txt`: `python-3.12.4`. A runtime.txt naming another
 * runtime (repo2docker's `r-4.3-2024-01-01`) pins no Python.
 */
function readRuntimeTxt(text: string, path: string): Omit<PythonSourceFinding, "rule"> | undefined {
  const [first] = meaningfulLines(text);
  const word = first && firstWord(first.text);
  if (!first || !word) return undefined;
  const label = `\`${path}\``;
  const prefix = /^python-/i.exec(word.word);
  if (!prefix) {
    if (!/^(python|\d)/i.test(word.word)) return undefined;
    return {
      pin: {
        kind: "problem",
        problem: {
          code: "invalid-python-version",
          message: `${JSON.stringify(shownWord(word.word))} is not a runtime.txt Python version`,
          hint: 'write "python-" and the version, e.g. "python-3.12.4"',
        },
      },
      site: { position: { file: path, line: first.line, column: word.column } },
      label,
      name: path,
    };
  }
  return {
    pin: readPinnedVersion(word.word.slice(prefix[0].length), { strict: true }),
    site: { position: { file: path, line: first.line, column: word.column + prefix[0].length } },
    label,
    name: path,
  };
}

/** asdf's `.tool-versions`: the `python` line's first version (`python 3.12.4 3.11.0`). */
function readToolVersions(text: string, path: string): Omit<PythonSourceFinding, "rule"> | undefined {
  for (const { line, text: raw } of meaningfulLines(text)) {
    const content = raw.replace(/\s#.*$/, "");
    const tool = firstWord(content);
    if (tool?.word !== "python") continue;
    const version = firstWord(content, tool.column - 1 + tool.word.length);
    const label = `\`${path}\``;
    if (!version) {
      return {
        pin: {
          kind: "problem",
          problem: {
            code: "invalid-python-version",
            message: "python is listed without a version",
            hint: 'write the version after the tool, e.g. "python 3.12.4"',
          },
        },
        site: { position: { file: path, line, column: tool.column } },
        label,
        name: path,
      };
    }
    return {
      pin: readPinnedVersion(version.word),
      site: { position: { file: path, line, column: version.column } },
      label,
      name: path,
    };
  }
  return undefined;
}

/**
 * A TOML file a tool reads; a file that does not parse is an error, since which Python it pins
 * cannot be told.
 */
function readToml(
  text: string,
  path: string,
): { doc: SourceDocument } | { failure: Omit<PythonSourceFinding, "rule"> } {
  const parsed = parseTomlDocument(path, text);
  if (parsed.ok) return { doc: parsed.doc };
  const [diagnostic] = parsed.diagnostics;
  return {
    failure: {
      pin: {
        kind: "problem",
        problem: {
          code: diagnostic?.code ?? "toml-syntax",
          message: diagnostic?.message ?? "TOML syntax error",
          ...(diagnostic?.hint ? { hint: diagnostic.hint } : {}),
        },
      },
      site: { position: diagnostic?.position ?? { file: path, line: 1, column: 1 } },
      label: `\`${path}\``,
      name: path,
    },
  };
}

/** A version-ish TOML scalar: a string, or a number read from its source text (`3.10`, not 3.1). */
function versionScalar(doc: SourceDocument, path: SourcePath): string | undefined {
  const value = doc.get(path);
  if (typeof value === "string") return value;
  if (typeof value === "number") return doc.rawText(path) ?? String(value);
  return undefined;
}

/**
 * mise's `[tools] python`: a version (`"3.12"`, several separated by spaces), a list (the first
 * is the default), or a table with `version`.
 */
function readMiseToml(text: string, path: string): Omit<PythonSourceFinding, "rule"> | undefined {
  const parsed = readToml(text, path);
  if ("failure" in parsed) return parsed.failure;
  const { doc } = parsed;
  const key = ["python", "core:python"].find((k) => doc.get(["tools", k]) !== undefined);
  if (key === undefined) return undefined;
  let valuePath: SourcePath = ["tools", key];
  if (Array.isArray(doc.get(valuePath))) valuePath = [...valuePath, 0];
  const entry = doc.get(valuePath);
  if (entry !== null && typeof entry === "object") valuePath = [...valuePath, "version"];
  const label = `\`${formatKeyPath(valuePath)}\``;
  const scalar = versionScalar(doc, valuePath);
  const word = scalar === undefined ? undefined : firstWord(scalar);
  if (!word) {
    return {
      pin: {
        kind: "problem",
        problem: {
          code: "invalid-python-version",
          message: `${formatKeyPath(valuePath)}: expected a Python version`,
          hint: 'write e.g. python = "3.13"',
        },
      },
      site: { position: doc.valuePosition(valuePath) },
      label,
      file: path,
      name: path,
    };
  }
  return {
    pin: readPinnedVersion(word.word),
    site: { doc, path: valuePath },
    label,
    file: path,
    name: path,
  };
}

/** Pipenv's `[requires]`: `python_full_version` (a patch release) wins over `python_version`. */
function readPipfile(text: string, path: string): Omit<PythonSourceFinding, "rule"> | undefined {
  const parsed = readToml(text, path);
  if ("failure" in parsed) return parsed.failure;
  const { doc } = parsed;
  const key = ["python_full_version", "python_version"].find((k) => doc.get(["requires", k]) !== undefined);
  if (key === undefined) return undefined;
  const valuePath = ["requires", key];
  const label = `\`${formatKeyPath(valuePath)}\``;
  const scalar = versionScalar(doc, valuePath);
  return {
    pin:
      scalar === undefined
        ? {
            kind: "problem",
            problem: {
              code: "invalid-python-version",
              message: `${formatKeyPath(valuePath)}: expected a Python version`,
              hint: `write e.g. ${key} = "3.13"`,
            },
          }
        : readPinnedVersion(scalar.trim(), { strict: true }),
    site: { doc, path: valuePath },
    label,
    file: path,
    name: path,
  };
}
