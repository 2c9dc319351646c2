import type { Diagnostic } from "../spec/index.js";
import type { Style } from "./terminal-style.js";

/** How problems are reported: `text` for people, `json` for editors and CI annotations. */
export type ReportFormat = "text" | "json";
export const REPORT_FORMATS: readonly ReportFormat[] = ["text", "json"];

/** One problem as `--format json` prints it; positions are relative to the current directory. */
export interface DiagnosticJson {
  severity: "error" | "warning";
  code: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  key?: string;
  hint?: string;
}

/**
 * Collects a command's diagnostics. Text is written as each arrives, `file:line:column: message`
 * then an indented hint; JSON is one document, `{"diagnostics": [...]}`, written when the command
 * ends, so a tool reading stderr parses it whole.
 */
export class DiagnosticReport {
  private readonly collected: Diagnostic[] = [];

  constructor(
    private readonly stderr: NodeJS.WritableStream,
    private readonly style: Style,
    public format: ReportFormat = "text",
  ) {}

  add(diagnostics: readonly Diagnostic[]): void {
    if (this.format === "json") {
      this.collected.push(...diagnostics);
      return;
    }
    for (const d of diagnostics) this.stderr.write(`${formatStyled(d, this.style)}\n`);
  }

  /** The closing line after errors, in text; JSON carries the count in its document. */
  summarise(errorCount: number): void {
    if (this.format === "text") {
      this.stderr.write(`${this.style.red(`pyfront: ${errorCount} error${errorCount === 1 ? "" : "s"}`)}\n`);
    }
  }

  finish(): void {
    if (this.format !== "json" || this.collected.length === 0) return;
    this.stderr.write(`${JSON.stringify({ diagnostics: this.collected.map(toJson) })}\n`);
    this.collected.length = 0;
  }
}

export function toJson(d: Diagnostic): DiagnosticJson {
  return {
    severity: d.severity,
    code: d.code,
    message: d.message,
    ...(d.position ? { file: d.position.file, line: d.position.line, column: d.position.column } : {}),
    ...(d.key !== undefined ? { key: d.key } : {}),
    ...(d.hint !== undefined ? { hint: d.hint } : {}),
  };
}

/** formatDiagnostic's layout, with the location bold, the level coloured and the hint set off. */
export function formatStyled(d: Diagnostic, style: Style): string {
  const where = d.position
    ? `${style.bold(`${d.position.file}:${d.position.line}:${d.position.column}:`)} `
    : "";
  const level = d.severity === "warning" ? `${style.yellow("warning:")} ` : "";
  const message = d.severity === "error" ? style.red(d.message) : d.message;
  const hint = d.hint ? `\n  ${style.cyan("hint:")} ${d.hint}` : "";
  return `${where}${level}${message}${hint}`;
}
