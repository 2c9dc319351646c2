import { type AST, ParseError, parseTOML } from "toml-eslint-parser";
import type { SourcePosition } from "./build-spec.js";
import type { Diagnostic } from "./diagnostics.js";
import { checkSpecSize, checkTomlLimits, parserFailure } from "./input-limits.js";
import { SourceDocument, type SourcePath } from "./source-document.js";

export type ParsedDocument = { ok: true; doc: SourceDocument } | { ok: false; diagnostics: Diagnostic[] };

/** A table of parsed data: no prototype, so no key (`__proto__`, `toString`) is ever inherited. */
export type PlainTable = Record<string, unknown>;

export function plainTable(): PlainTable {
  return Object.create(null) as PlainTable;
}

/**
 * Parses TOML 1.0 (as Python's tomllib reads it) keeping the position of every key and value;
 * syntax errors and inputs beyond the limits become diagnostics. Tables come out as
 * null-prototype objects. `columnOffset` places TOML taken out of another file (a script's
 * `# ` comment block): the columns its lines lost.
 */
export function parseTomlDocument(
  file: string,
  text: string,
  columnOffset: (line: number) => number = () => 0,
): ParsedDocument {
  const limit = checkSpecSize(file, text) ?? checkTomlLimits(file, text);
  if (limit) return { ok: false, diagnostics: [limit] };
  let program: AST.TOMLProgram;
  try {
    program = parseTOML(text, { tomlVersion: "1.0.0" });
  } catch (error) {
    const failure = parserFailure(file, error);
    if (failure) return { ok: false, diagnostics: [failure] };
    if (error instanceof ParseError) {
      const duplicate = /multiple times/.test(error.message);
      return {
        ok: false,
        diagnostics: [
          {
            code: duplicate ? "duplicate-key" : "toml-syntax",
            message: duplicate ? duplicateMessage(text, error.index) : `TOML syntax error: ${error.message}`,
            position: {
              file,
              line: error.lineNumber,
              column: error.column + 1 + columnOffset(error.lineNumber),
            },
            severity: "error",
            hint: duplicate
              ? "keep one definition of the key or table"
              : "see https://toml.io for the syntax",
          },
        ],
      };
    }
    throw error;
  }
  const doc = new SourceDocument(file, tomlValue(program));
  const at = (node: AST.HasLocs): SourcePosition => ({
    file,
    line: node.loc.start.line,
    column: node.loc.start.column + 1 + columnOffset(node.loc.start.line),
  });
  doc.record([], { value: { file, line: 1, column: 1 } });

  const walkValue = (path: SourcePath, node: AST.TOMLContentNode, keyPos?: SourcePosition): void => {
    const raw = node.type === "TOMLValue" ? text.slice(node.range[0], node.range[1]) : undefined;
    doc.record(path, { value: at(node), ...(keyPos ? { key: keyPos } : {}), ...(raw ? { raw } : {}) });
    if (node.type === "TOMLArray") {
      node.elements.forEach((element, i) => {
        walkValue([...path, i], element);
      });
    } else if (node.type === "TOMLInlineTable") {
      for (const kv of node.body) walkKeyValue(path, kv);
    }
  };
  const walkKeyValue = (base: SourcePath, kv: AST.TOMLKeyValue): void => {
    const names = kv.key.keys.map((k) => (k.type === "TOMLBare" ? k.name : k.value));
    // Dotted keys (`a.b = 1`) also define the intermediate tables `a`.
    kv.key.keys.forEach((k, i) => {
      if (i < names.length - 1) doc.record([...base, ...names.slice(0, i + 1)], { key: at(k), value: at(k) });
    });
    const last = kv.key.keys[kv.key.keys.length - 1]!;
    walkValue([...base, ...names], kv.value, at(last));
  };

  for (const item of program.body[0].body) {
    if (item.type === "TOMLKeyValue") {
      walkKeyValue([], item);
    } else {
      const path = item.resolvedKey;
      // Parent tables of `[a.b.c]` point at the header when not defined elsewhere.
      for (let i = 1; i < path.length; i++) doc.record(path.slice(0, i), { key: at(item), value: at(item) });
      doc.record(path, { key: at(item), value: at(item) });
      for (const kv of item.body) walkKeyValue(path, kv);
    }
  }
  return { ok: true, doc };
}

/** The document's plain value, built from the syntax tree with null-prototype tables. */
function tomlValue(program: AST.TOMLProgram): PlainTable {
  const root = plainTable();
  const child = (parent: unknown, key: string | number, arrayNext: boolean): unknown => {
    const holder = parent as Record<string | number, unknown>;
    if (!Object.hasOwn(holder, key)) {
      Object.defineProperty(holder, key, {
        value: arrayNext ? [] : plainTable(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return holder[key];
  };
  const tableAt = (path: ReadonlyArray<string | number>): unknown => {
    let node: unknown = root;
    path.forEach((key, i) => {
      node = child(node, key, typeof path[i + 1] === "number");
    });
    return node;
  };
  const assign = (table: unknown, kv: AST.TOMLKeyValue): void => {
    const names = kv.key.keys.map((k) => (k.type === "TOMLBare" ? k.name : k.value));
    let node = table;
    for (const name of names.slice(0, -1)) node = child(node, name, false);
    Object.defineProperty(node, names[names.length - 1]!, {
      value: contentValue(kv.value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  };
  const contentValue = (node: AST.TOMLContentNode): unknown => {
    if (node.type === "TOMLArray") return node.elements.map(contentValue);
    if (node.type === "TOMLInlineTable") {
      const table = plainTable();
      for (const kv of node.body) assign(table, kv);
      return table;
    }
    return node.value;
  };
  for (const item of program.body[0].body) {
    if (item.type === "TOMLKeyValue") assign(root, item);
    else {
      const table = tableAt(item.resolvedKey);
      for (const kv of item.body) assign(table, kv);
    }
  }
  return root;
}

/** Names the duplicated key when the parser's offset points at it. */
function duplicateMessage(text: string, offset: number): string {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  const header = /^\s*\[\[?\s*([^\]]+?)\s*\]/.exec(text.slice(lineStart).split("\n")[0] ?? "");
  if (header) return `table [${header[1]}] is defined twice`;
  const key = /^[A-Za-z0-9_.-]+/.exec(text.slice(offset))?.[0];
  return key ? `${JSON.stringify(key)} is defined twice` : "key defined twice";
}
