import type { SourcePosition } from "../build-spec.js";
import type { DiagnosticList, Problem } from "../diagnostic-list.js";
import { reportReservedKeys } from "../reserved-keys.js";
import type { SourceDocument, SourcePath } from "../source-document.js";
import { type PlainTable, parseTomlDocument } from "../toml-document.js";
import { describeValue } from "../zod-diagnostics.js";
import type { LockedSource, LockGraph } from "./lock-graph.js";
import { type Checked, checkCommit, checkGitUrl, checkRelativePath } from "./lock-value-checks.js";

export function isTable(value: unknown): value is PlainTable {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * Typed reads from a parsed lock file (TOML or JSON, or the pyproject.toml next to it): a value
 * of the wrong type, or a required key that is missing, becomes one diagnostic at its position,
 * and the read gives undefined so the reader goes on and reports every problem at once. Keys nobody asks for are never looked at: tools
 * add keys over time.
 */
export class LockDocument {
  readonly doc: SourceDocument;
  readonly out: DiagnosticList;

  constructor(doc: SourceDocument, out: DiagnosticList) {
    this.doc = doc;
    this.out = out;
  }

  get file(): string {
    return this.doc.file;
  }

  /** Where a table or key was written (a table header, or the key). */
  position(path: SourcePath): SourcePosition {
    return this.doc.keyPosition(path);
  }

  has(path: SourcePath): boolean {
    return this.doc.get(path) !== undefined;
  }

  get(path: SourcePath): unknown {
    return this.doc.get(path);
  }

  error(path: SourcePath, problem: Problem, at: "key" | "value" = "value"): void {
    this.out.error({ doc: this.doc, path, at }, problem);
  }

  warning(path: SourcePath, problem: Problem, at: "key" | "value" = "value"): void {
    this.out.warning({ doc: this.doc, path, at }, problem);
  }

  /** The cleaned value of a check, or undefined after reporting its problem at `path`. */
  check<T>(path: SourcePath, checked: Checked<T>): T | undefined {
    if (checked.ok) return checked.value;
    this.error(path, checked.problem);
    return undefined;
  }

  /** As check, for a name written as a key (a package, group or extra): the problem points at the key. */
  checkKey<T>(path: SourcePath, checked: Checked<T>): T | undefined {
    if (checked.ok) return checked.value;
    this.error(path, checked.problem, "key");
    return undefined;
  }

  missing(path: SourcePath, what: string, hint?: string): void {
    this.error(path, { code: "missing-key", message: `${what} is missing`, ...(hint ? { hint } : {}) });
  }

  #typed<T>(
    path: SourcePath,
    expected: string,
    test: (v: unknown) => v is T,
    required?: string,
  ): T | undefined {
    const value = this.doc.get(path);
    if (value === undefined) {
      if (required !== undefined) this.missing(path, required);
      return undefined;
    }
    if (test(value)) return value;
    this.error(path, { code: "invalid-type", message: `expected ${expected}, got ${describeValue(value)}` });
    return undefined;
  }

  /** `required` names the key in the message when it is missing ("the package name"). */
  string(path: SourcePath, required?: string): string | undefined {
    return this.#typed(path, "a string", (v): v is string => typeof v === "string", required);
  }

  integer(path: SourcePath, required?: string): number | undefined {
    // TOML's 1.0 is a float, though JavaScript sees an integer: the text tells them apart.
    const raw = this.doc.rawText(path);
    if (Number.isInteger(this.doc.get(path)) && raw !== undefined && !/^[+-]?[0-9_]+$/.test(raw)) {
      this.error(path, { code: "invalid-type", message: `expected an integer, got ${raw}` });
      return undefined;
    }
    return this.#typed(path, "an integer", (v): v is number => Number.isInteger(v), required);
  }

  boolean(path: SourcePath): boolean | undefined {
    return this.#typed(path, "true or false", (v): v is boolean => typeof v === "boolean");
  }

  table(path: SourcePath, required?: string): PlainTable | undefined {
    return this.#typed(path, "a table", isTable, required);
  }

  array(path: SourcePath, required?: string): unknown[] | undefined {
    return this.#typed(path, "a list", (v): v is unknown[] => Array.isArray(v), required);
  }

  /** The strings of a list; an item of another type is reported and left out. */
  strings(path: SourcePath): Array<{ value: string; path: SourcePath }> {
    const items = this.array(path) ?? [];
    const strings: Array<{ value: string; path: SourcePath }> = [];
    items.forEach((_, i) => {
      const value = this.string([...path, i]);
      if (value !== undefined) strings.push({ value, path: [...path, i] });
    });
    return strings;
  }

  /** The tables of a list; an item of another type is reported and left out. */
  tables(path: SourcePath, required?: string): Array<{ value: PlainTable; path: SourcePath }> {
    const items = this.array(path, required) ?? [];
    const tables: Array<{ value: PlainTable; path: SourcePath }> = [];
    items.forEach((_, i) => {
      const value = this.table([...path, i]);
      if (value !== undefined) tables.push({ value, path: [...path, i] });
    });
    return tables;
  }

  /** The keys of a table, in the order written. */
  keys(path: SourcePath, required?: string): string[] {
    return Object.keys(this.table(path, required) ?? {});
  }

  /**
   * A git source from its three fields, each checked where it is written: the URL (scp form
   * allowed, as Poetry, PDM and pipenv write it), the locked commit (its text already read, since
   * each format names that key and its message differently) and an optional subdirectory.
   */
  gitSource(
    urlPath: SourcePath,
    rawUrl: string,
    commitPath: SourcePath,
    rawCommit: string | undefined,
    subdirectoryPath: SourcePath,
  ): LockedSource | undefined {
    const url = this.check(urlPath, checkGitUrl(rawUrl, { scpForm: true }));
    const commit = rawCommit === undefined ? undefined : this.check(commitPath, checkCommit(rawCommit));
    const rawSubdirectory = this.string(subdirectoryPath);
    const subdirectory =
      rawSubdirectory === undefined
        ? undefined
        : this.check(subdirectoryPath, checkRelativePath(rawSubdirectory));
    if (
      url === undefined ||
      commit === undefined ||
      (rawSubdirectory !== undefined && subdirectory === undefined)
    )
      return undefined;
    return { kind: "git", url, commit, ...(subdirectory !== undefined ? { subdirectory } : {}) };
  }
}

/**
 * Reads a lock's parsed document with a format's `read`, after refusing reserved keys. The graph
 * is kept only when reading reported no error: a half-read lock is never installed.
 */
export function readLockDocument(
  doc: SourceDocument,
  out: DiagnosticList,
  read: (lock: LockDocument) => LockGraph | undefined,
): LockGraph | undefined {
  if (reportReservedKeys(doc, out)) return undefined;
  const errorsBefore = out.errors.length;
  const graph = read(new LockDocument(doc, out));
  return graph && out.errors.length === errorsBefore ? graph : undefined;
}

/** As readLockDocument, for a TOML lock; its syntax errors are reported at their positions. */
export function readTomlLock(
  file: string,
  text: string,
  out: DiagnosticList,
  read: (lock: LockDocument) => LockGraph | undefined,
): LockGraph | undefined {
  const parsed = parseTomlDocument(file, text);
  if (!parsed.ok) {
    out.items.push(...parsed.diagnostics);
    return undefined;
  }
  return readLockDocument(parsed.doc, out, read);
}
