import type { SourcePosition } from "./build-spec.js";
import type { Diagnostic } from "./diagnostics.js";

/**
 * Limits checked before a parser library sees the text. The libraries recurse per nesting level
 * and spread a string's characters into one call, so deep nesting or a huge string ends in a stack
 * overflow instead of an error; no real spec comes near these limits.
 */
export const MAX_SPEC_CHARS = 4 * 1024 * 1024;
export const MAX_NESTING_DEPTH = 64;
export const MAX_STRING_CHARS = 64 * 1024;
/** Values produced from one YAML document, aliases expanded (a "billion laughs" guard). */
export const MAX_YAML_NODES = 200_000;

function limitDiagnostic(position: SourcePosition, message: string, hint: string): Diagnostic {
  return { code: "input-too-large", message, position, severity: "error", hint };
}

/** Where an offset is, as 1-based line and column (columns count UTF-16 units, like the parsers). */
export function positionAt(file: string, text: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { file, line, column: offset - lineStart + 1 };
}

/** The size limit of a whole spec file; also stops the scanners below from running long. */
export function checkSpecSize(file: string, text: string): Diagnostic | undefined {
  if (text.length <= MAX_SPEC_CHARS) return undefined;
  return limitDiagnostic(
    { file, line: 1, column: 1 },
    `the spec file is larger than ${MAX_SPEC_CHARS / (1024 * 1024)} MiB`,
    "a spec file describes a build; move large data into files of the context",
  );
}

/**
 * One linear pass over TOML text that knows strings and comments: brackets nested deeper than
 * MAX_NESTING_DEPTH and strings longer than MAX_STRING_CHARS are reported at their position.
 */
export function checkTomlLimits(file: string, text: string): Diagnostic | undefined {
  let depth = 0;
  let i = 0;
  const n = text.length;
  const tooLong = (start: number) =>
    limitDiagnostic(
      positionAt(file, text, start),
      `string longer than ${MAX_STRING_CHARS} characters`,
      "keep long text in a file of the build context",
    );
  while (i < n) {
    const c = text[i]!;
    if (c === "#") {
      const end = text.indexOf("\n", i);
      i = end === -1 ? n : end;
      continue;
    }
    if (c === '"' || c === "'") {
      const start = i;
      const multi = text.startsWith(c.repeat(3), i);
      i += multi ? 3 : 1;
      const basic = c === '"';
      for (;;) {
        if (i >= n) return undefined; // unterminated: the parser reports it
        const ch = text[i]!;
        if (basic && ch === "\\") {
          i += 2;
          continue;
        }
        if (!multi && ch === "\n") break; // the parser reports it
        if (ch === c && (!multi || text.startsWith(c.repeat(3), i))) {
          i += multi ? 3 : 1;
          while (multi && text[i] === c) i++; // up to two quotes may close a multi-line string
          break;
        }
        i++;
      }
      if (i - start > MAX_STRING_CHARS) return tooLong(start);
      continue;
    }
    if (c === "[" || c === "{") {
      depth++;
      if (depth > MAX_NESTING_DEPTH) {
        return limitDiagnostic(
          positionAt(file, text, i),
          `arrays and tables nested deeper than ${MAX_NESTING_DEPTH} levels`,
          "flatten the structure",
        );
      }
    } else if (c === "]" || c === "}") {
      depth = Math.max(0, depth - 1);
    }
    i++;
  }
  return undefined;
}

/**
 * The YAML counterpart: flow collections (`[`, `{`) and block indentation both nest, so depth is
 * bounded by counting open flow brackets outside quotes and by the indentation of each line.
 */
export function checkYamlLimits(file: string, text: string): Diagnostic | undefined {
  let depth = 0;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\n") {
      lineStart = i + 1;
      continue;
    }
    if (c === "#" && (i === lineStart || /\s/.test(text[i - 1]!))) {
      const end = text.indexOf("\n", i);
      if (end === -1) break;
      i = end - 1;
      continue;
    }
    if ((c === '"' || c === "'") && (i === lineStart || /[\s,[{:]/.test(text[i - 1]!))) {
      const start = i;
      for (i++; i < text.length; i++) {
        if (c === '"' && text[i] === "\\") {
          i++;
          continue;
        }
        if (text[i] === c) {
          if (c === "'" && text[i + 1] === "'") {
            i++;
            continue;
          }
          break;
        }
      }
      if (i - start > MAX_STRING_CHARS) {
        return limitDiagnostic(
          positionAt(file, text, start),
          `string longer than ${MAX_STRING_CHARS} characters`,
          "keep long text in a file of the build context",
        );
      }
      continue;
    }
    if (c === "[" || c === "{") {
      depth++;
      if (depth > MAX_NESTING_DEPTH) {
        return limitDiagnostic(
          positionAt(file, text, i),
          `lists and maps nested deeper than ${MAX_NESTING_DEPTH} levels`,
          "flatten the structure",
        );
      }
    } else if ((c === "]" || c === "}") && depth > 0) {
      depth--;
    }
  }
  return undefined;
}

/** A library failure that escaped the checks above, as a user error at the file's start. */
export function parserFailure(file: string, error: unknown): Diagnostic | undefined {
  if (!(error instanceof RangeError)) return undefined;
  return limitDiagnostic(
    { file, line: 1, column: 1 },
    "the spec file is too deeply nested or too large to read",
    `keep nesting under ${MAX_NESTING_DEPTH} levels and strings under ${MAX_STRING_CHARS} characters`,
  );
}
