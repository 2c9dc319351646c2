import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { SourcePosition } from "./build-spec.js";
import { SourceDocument, type SourcePath } from "./source-document.js";
import type { ParsedDocument } from "./toml-document.js";

/** Parses YAML keeping the position of every key and value; syntax errors become diagnostics. */
export function parseYamlDocument(file: string, text: string): ParsedDocument {
  const lineCounter = new LineCounter();
  const parsed = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  if (parsed.errors.length > 0) {
    return {
      ok: false,
      diagnostics: parsed.errors.map((error) => {
        const duplicate = error.code === "DUPLICATE_KEY";
        return {
          code: duplicate ? "duplicate-key" : "yaml-syntax",
          message: duplicate ? "key defined twice" : `YAML syntax error: ${error.message.split("\n")[0]}`,
          position: at(error.pos[0]),
          severity: "error" as const,
          hint: duplicate ? "keep one definition of the key" : "check indentation and quoting",
        };
      }),
    };
  }

  const records: Array<[SourcePath, Parameters<SourceDocument["record"]>[1]]> = [];
  const record = (path: SourcePath, location: Parameters<SourceDocument["record"]>[1]): void => {
    records.push([path, location]);
  };
  const convert = (path: SourcePath, node: unknown, keyPos?: SourcePosition): unknown => {
    const offset = (node as Node | null)?.range?.[0] ?? 0;
    const base = { value: at(offset), ...(keyPos ? { key: keyPos } : {}) };
    if (isMap(node)) {
      record(path, base);
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key;
        const name = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        const keyAt = at((keyNode as Node | null)?.range?.[0] ?? offset);
        out[name] = convert([...path, name], pair.value ?? null, keyAt);
      }
      return out;
    }
    if (isSeq(node)) {
      record(path, base);
      return node.items.map((item, i) => convert([...path, i], item));
    }
    if (isScalar(node)) {
      const range = node.range;
      const raw = range ? text.slice(range[0], range[1]) : undefined;
      record(path, { ...base, ...(raw !== undefined ? { raw } : {}) });
      return node.value;
    }
    if (isAlias(node)) {
      record(path, base);
      return node.resolve(parsed)?.toJSON() ?? null;
    }
    record(path, base);
    return node ?? null;
  };

  const value = convert([], parsed.contents);
  const doc = new SourceDocument(file, value);
  for (const [path, location] of records) doc.record(path, location);
  return { ok: true, doc };
}
