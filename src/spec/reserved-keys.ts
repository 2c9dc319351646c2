import type { DiagnosticList } from "./diagnostic-list.js";
import type { SourceDocument } from "./source-document.js";

/**
 * `__proto__` means something to JavaScript, and to every library that copies objects; no format
 * has a use for it, so it is refused wherever it is written, before any schema copies a table.
 */
export function reportReservedKeys(doc: SourceDocument, out: DiagnosticList): boolean {
  let found = false;
  const walk = (value: unknown, path: Array<string | number>): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        walk(item, [...path, i]);
      });
      return;
    }
    if (typeof value !== "object" || value === null || value instanceof Date) return;
    for (const key of Object.keys(value)) {
      if (key === "__proto__") {
        found = true;
        out.error(
          { doc, path: [...path, key], at: "key" },
          { code: "reserved-key", message: "this key name is reserved", hint: "remove or rename the key" },
        );
        continue;
      }
      walk((value as Record<string, unknown>)[key], [...path, key]);
    }
  };
  walk(doc.value, []);
  return found;
}
