import type { SourcePosition } from "./build-spec.js";

/** One problem in what the user wrote, with where it is and how to fix it. */
export interface Diagnostic {
  /** Stable machine-readable code, e.g. "unknown-key", "invalid-type". */
  code: string;
  message: string;
  position?: SourcePosition;
  /** The dotted key the problem is about, e.g. "tool.pyfront.indices[0].url". */
  key?: string;
  hint?: string;
  severity: "error" | "warning";
}

/** Formats a diagnostic as `file:line:column: message (hint)`, the form every edge prints. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.position ? `${d.position.file}:${d.position.line}:${d.position.column}: ` : "";
  const level = d.severity === "warning" ? "warning: " : "";
  const hint = d.hint ? `\n  hint: ${d.hint}` : "";
  return `${where}${level}${d.message}${hint}`;
}

/** Thrown when the user's input has errors; carries all of them, never a stack trace for the user. */
export class SpecError extends Error {
  readonly diagnostics: Diagnostic[];

  constructor(diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join("\n"));
    this.name = "SpecError";
    this.diagnostics = diagnostics;
  }
}
