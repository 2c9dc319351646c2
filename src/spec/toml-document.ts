import { type AST, getStaticTOMLValue, ParseError, parseTOML } from "toml-eslint-parser";
import type { SourcePosition } from "./build-spec.js";
import type { Diagnostic } from "./diagnostics.js";
import { SourceDocument, type SourcePath } from "./source-document.js";

export type ParsedDocument = { ok: true; doc: SourceDocument } | { ok: false; diagnostics: Diagnostic[] };

/** Parses TOML keeping the position of every key and value; syntax errors become diagnostics. */
export function parseTomlDocument(file: string, text: string): ParsedDocument {
  let program: AST.TOMLProgram;
  try {
    program = parseTOML(text);
  } catch (error) {
    if (error instanceof ParseError) {
      const duplicate = /multiple times/.test(error.message);
      return {
        ok: false,
        diagnostics: [
          {
            code: duplicate ? "duplicate-key" : "toml-syntax",
            message: duplicate ? "key defined twice" : `TOML syntax error: ${error.message}`,
            position: { file, line: error.lineNumber, column: error.column + 1 },
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
  const doc = new SourceDocument(file, getStaticTOMLValue(program));
  const at = (node: AST.HasLocs): SourcePosition => ({
    file,
    line: node.loc.start.line,
    column: node.loc.start.column + 1,
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
