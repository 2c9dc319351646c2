import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { SourcePosition } from "./build-spec.js";
import type { Diagnostic } from "./diagnostics.js";
import {
  checkSpecSize,
  checkYamlLimits,
  MAX_NESTING_DEPTH,
  MAX_YAML_NODES,
  parserFailure,
} from "./input-limits.js";
import { SourceDocument, type SourcePath } from "./source-document.js";
import { type ParsedDocument, plainTable } from "./toml-document.js";

/**
 * Parses YAML keeping the position of every key and value; syntax errors and inputs beyond the
 * limits become diagnostics. Maps come out as null-prototype objects; aliases are expanded by
 * this module in one pass (each anchor looked up in a table, never by walking the document).
 */
export function parseYamlDocument(file: string, text: string): ParsedDocument {
  const limit = checkSpecSize(file, text) ?? checkYamlLimits(file, text);
  if (limit) return { ok: false, diagnostics: [limit] };
  try {
    return parseChecked(file, text);
  } catch (error) {
    const failure = parserFailure(file, error);
    if (failure) return { ok: false, diagnostics: [failure] };
    if (error instanceof YamlLimitError) {
      return {
        ok: false,
        diagnostics: [
          {
            code: "input-too-large",
            message: error.message,
            position: error.position,
            severity: "error",
            hint: "flatten the structure and use fewer aliases",
          },
        ],
      };
    }
    throw error;
  }
}

class YamlLimitError extends Error {
  readonly position: SourcePosition;
  constructor(message: string, position: SourcePosition) {
    super(message);
    this.position = position;
  }
}

function parseChecked(file: string, text: string): ParsedDocument {
  const lineCounter = new LineCounter();
  // uniqueKeys compares each key with every other (quadratic); duplicates are found below instead.
  const parsed = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
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
          message: duplicate
            ? duplicateMessage(text, error.pos[0])
            : `YAML syntax error: ${error.message.split("\n")[0]}`,
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
  // Anchors in document order: an alias names the closest anchor before it.
  const anchors = new Map<string, Node>();
  const duplicates: Diagnostic[] = [];
  let produced = 0;
  const convert = (
    path: SourcePath,
    node: unknown,
    keyPos?: SourcePosition,
    depth = 0,
    aliasAt?: SourcePosition,
  ): unknown => {
    const offset = (node as Node | null)?.range?.[0] ?? 0;
    const here = aliasAt ?? at(offset);
    const base = { value: here, ...(keyPos ? { key: keyPos } : {}) };
    produced++;
    if (produced > MAX_YAML_NODES)
      throw new YamlLimitError(`more than ${MAX_YAML_NODES} values once aliases are expanded`, here);
    if (depth > MAX_NESTING_DEPTH)
      throw new YamlLimitError(`lists and maps nested deeper than ${MAX_NESTING_DEPTH} levels`, here);
    const value = convertNode(path, node, base, depth, aliasAt);
    const anchor = (node as { anchor?: string } | null)?.anchor;
    if (anchor && aliasAt === undefined && !isAlias(node)) anchors.set(anchor, node as Node);
    return value;
  };
  const convertNode = (
    path: SourcePath,
    node: unknown,
    base: { value: SourcePosition; key?: SourcePosition },
    depth: number,
    aliasAt: SourcePosition | undefined,
  ): unknown => {
    const keyAtOf = (keyNode: unknown, fallback: number) =>
      aliasAt ?? at((keyNode as Node | null)?.range?.[0] ?? fallback);
    const offset = (node as Node | null)?.range?.[0] ?? 0;
    if (isMap(node)) {
      record(path, base);
      const out = plainTable();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key;
        const name = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        const keyAt = keyAtOf(keyNode, offset);
        if (Object.hasOwn(out, name)) {
          if (aliasAt === undefined) {
            duplicates.push({
              code: "duplicate-key",
              message: `${JSON.stringify(name)} is defined twice`,
              position: keyAt,
              severity: "error",
              hint: "keep one definition of the key",
            });
          }
          continue;
        }
        // defineProperty keeps a `__proto__` key an ordinary own key.
        Object.defineProperty(out, name, {
          value: convert([...path, name], pair.value ?? null, keyAt, depth + 1, aliasAt),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    if (isSeq(node)) {
      record(path, base);
      return node.items.map((item, i) => convert([...path, i], item, undefined, depth + 1, aliasAt));
    }
    if (isScalar(node)) {
      const range = node.range;
      const raw = range ? text.slice(range[0], range[1]) : undefined;
      record(path, { ...base, ...(raw !== undefined ? { raw } : {}) });
      return node.value;
    }
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      // Unknown anchors are a syntax error the parser has already reported.
      if (target === undefined) return null;
      // Everything under an alias points at the alias, where the user wrote it.
      return convert(path, target, base.key, depth, aliasAt ?? base.value);
    }
    record(path, base);
    return node ?? null;
  };

  const value = convert([], parsed.contents);
  if (duplicates.length > 0) return { ok: false, diagnostics: duplicates };
  const doc = new SourceDocument(file, value);
  for (const [path, location] of records) doc.record(path, location);
  return { ok: true, doc };
}

/** Names the duplicated key when the error offset points at it. */
function duplicateMessage(text: string, offset: number): string {
  const key = /^[A-Za-z0-9_.-]+/.exec(text.slice(offset))?.[0];
  return key ? `${JSON.stringify(key)} is defined twice` : "key defined twice";
}
