import type { SourcePosition } from "./build-spec.js";
import type { Diagnostic } from "./diagnostics.js";
import { formatKeyPath } from "./key-path.js";
import type { SourceDocument, SourcePath } from "./source-document.js";

/** What a check found, before it is placed in a file. */
export interface Problem {
  code: string;
  message: string;
  hint?: string;
}

/** Where a problem points: a document path (at its key or its value) or a plain position. */
export type ProblemSite =
  | { doc: SourceDocument; path: SourcePath; at?: "key" | "value" }
  | { position: SourcePosition; key?: string };

/**
 * Collects every problem found while reading a spec, so the user sees all of them at once.
 * Messages start with the dotted key so they read the same in every edge.
 */
export class DiagnosticList {
  readonly items: Diagnostic[] = [];
  /** Where each context path the spec names was written, for problems found after loading. */
  readonly pathSites: Record<string, { position: SourcePosition; key?: string }> = Object.create(null);

  /** Records where a context path was written (the first mention wins). */
  notePath(site: ProblemSite, path: string): void {
    if (Object.hasOwn(this.pathSites, path)) return;
    if ("doc" in site) {
      const position =
        site.at === "key" ? site.doc.keyPosition(site.path) : site.doc.valuePosition(site.path);
      this.pathSites[path] = { position, ...(site.path.length > 0 ? { key: formatKeyPath(site.path) } : {}) };
    } else {
      this.pathSites[path] = { position: site.position, ...(site.key ? { key: site.key } : {}) };
    }
  }

  error(site: ProblemSite, problem: Problem): void {
    this.add(site, problem, "error");
  }

  warning(site: ProblemSite, problem: Problem): void {
    this.add(site, problem, "warning");
  }

  add(site: ProblemSite, problem: Problem, severity: Diagnostic["severity"]): void {
    let position: SourcePosition;
    let key: string | undefined;
    if ("doc" in site) {
      position = site.at === "key" ? site.doc.keyPosition(site.path) : site.doc.valuePosition(site.path);
      key = site.path.length > 0 ? formatKeyPath(site.path) : undefined;
    } else {
      position = site.position;
      key = site.key;
    }
    const diagnostic: Diagnostic = {
      code: problem.code,
      message: key ? `${key}: ${problem.message}` : problem.message,
      position,
      severity,
    };
    if (key) diagnostic.key = key;
    if (problem.hint) diagnostic.hint = problem.hint;
    this.items.push(diagnostic);
  }

  get errors(): Diagnostic[] {
    return this.items.filter((d) => d.severity === "error");
  }

  get warnings(): Diagnostic[] {
    return this.items.filter((d) => d.severity === "warning");
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === "error");
  }
}
