import type { BuildSpec, Decision } from "../spec/build-spec.js";
import type { Diagnostic } from "../spec/diagnostics.js";
import { invalidPatterns, parseDockerignore } from "./dockerignore.js";

/**
 * What is left out of the build context when the project has no .dockerignore (nor a
 * `<spec>.dockerignore`): VCS data, virtual environments and tool caches, at any depth. None of it
 * belongs in an image, and a `.venv` alone can be hundreds of megabytes. `pyfront init` writes
 * these same lines into the .dockerignore it creates.
 */
export const DEFAULT_CONTEXT_EXCLUDES: readonly string[] = [
  "**/.git",
  "**/.venv",
  "**/venv",
  "**/__pycache__",
  "**/*.pyc",
  "**/.mypy_cache",
  "**/.pytest_cache",
  "**/.tox",
  "**/node_modules",
];

/** An ignore file one of the edges found, as Docker looks for them. */
export interface FoundIgnoreFile {
  /**
   * `spec-dockerignore`: `<spec>.dockerignore` next to the spec file, which Docker reads instead of
   * the context's own; `dockerignore`: the context's `.dockerignore`.
   */
  kind: "spec-dockerignore" | "dockerignore";
  /** Its name as the user knows it, e.g. "services/api/pyproject.toml.dockerignore". */
  file: string;
  text: string;
}

/** The patterns that leave paths out of the build context, and where they came from. */
export interface ContextExcludes {
  patterns: readonly string[];
  /** The ignore file read; absent when there was none and the defaults apply. */
  from?: Omit<FoundIgnoreFile, "text">;
}

/**
 * The excludes both edges apply: the ignore file's patterns, or the defaults when there is none.
 * One function, so the CLI and the frontend cannot differ.
 */
export function contextExcludes(found: FoundIgnoreFile | undefined): ContextExcludes {
  if (found === undefined) return { patterns: DEFAULT_CONTEXT_EXCLUDES };
  return { patterns: parseDockerignore(found.text), from: { kind: found.kind, file: found.file } };
}

/**
 * The patterns of an ignore file that BuildKit's file sync would refuse (the build then fails
 * with an obscure message), as one diagnostic; `shown` is the file's name as the user reads it.
 */
export function invalidIgnoreFile(found: FoundIgnoreFile, shown: string): Diagnostic | undefined {
  const invalid = invalidPatterns(parseDockerignore(found.text));
  if (invalid.length === 0) return undefined;
  const quoted = invalid.map((pattern) => JSON.stringify(pattern)).join(", ");
  return {
    code: "invalid-dockerignore",
    message: `${JSON.stringify(shown)}: ${quoted} ${invalid.length === 1 ? "is not a valid pattern" : "are not valid patterns"}`,
    hint: "close every [ of a character class, and write ranges low to high, as for docker build",
    severity: "error",
  };
}

/** The default excludes as people write them (".venv", "*.pyc"), for messages. */
export function defaultExcludeNames(): string[] {
  return DEFAULT_CONTEXT_EXCLUDES.map((pattern) => pattern.replace(/^\*\*\//, ""));
}

function listed(names: readonly string[]): string {
  return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/** What `pyfront plan` shows under decisions.context. */
export function contextDecision(excludes: ContextExcludes): Decision {
  const from = excludes.from;
  if (from === undefined) {
    return {
      choice: "default excludes",
      rule: "no-dockerignore",
      reason: `no .dockerignore: left out ${listed(defaultExcludeNames())}, in every folder`,
    };
  }
  const count = `${excludes.patterns.length} pattern${excludes.patterns.length === 1 ? "" : "s"}`;
  if (from.kind === "spec-dockerignore") {
    return {
      choice: from.file,
      rule: "spec-dockerignore",
      reason: `${from.file} (${count}) is read instead of .dockerignore, as docker build does; no defaults added`,
    };
  }
  return {
    choice: "the project's .dockerignore",
    rule: "dockerignore",
    reason: `.dockerignore (${count}) says what is left out; no defaults added`,
  };
}

/** The spec with the context decision filled in; the edges know which ignore file exists, the loader does not. */
export function withContextDecision(spec: BuildSpec, excludes: ContextExcludes): BuildSpec {
  return { ...spec, decisions: { ...spec.decisions, context: contextDecision(excludes) } };
}
