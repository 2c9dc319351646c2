import type * as z from "zod";
import type { DiagnosticList } from "./diagnostic-list.js";
import { closestMatch } from "./did-you-mean.js";
import type { SourceDocument, SourcePath } from "./source-document.js";

type AnySchema = z.core.$ZodType;
type Issue = z.core.$ZodIssue;

/**
 * How every spec schema parses: without zod's JIT, which compiles each object schema into a
 * function (`new Function`) on its first parse. A process validates a spec once, so compiling costs
 * more than the faster later parses save (bench/cli-start.ts); the issues found are the same.
 */
export const SPEC_PARSE: z.core.ParseContext<Issue> = { jitless: true };

/**
 * Turns zod issues into positioned diagnostics. `base` is where the validated section sits in
 * the document (e.g. ["tool", "pyfront"]), so zod's relative paths map back to line and column.
 */
export function reportZodIssues(
  issues: readonly Issue[],
  schema: AnySchema,
  doc: SourceDocument,
  base: SourcePath,
  out: DiagnosticList,
): void {
  for (const issue of issues) reportIssue(issue, schema, doc, base, out);
}

function reportIssue(
  issue: Issue,
  schema: AnySchema,
  doc: SourceDocument,
  base: SourcePath,
  out: DiagnosticList,
) {
  const path: SourcePath = [...base, ...(issue.path as Array<string | number>)];
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = objectKeysAt(schema, issue.path as Array<string | number>);
      for (const key of issue.keys) {
        const suggestion = closestMatch(key, known);
        const hint = suggestion
          ? `did you mean "${suggestion}"?`
          : known.length > 0
            ? `known keys: ${[...known].sort().join(", ")}`
            : undefined;
        out.error(
          { doc, path: [...path, key], at: "key" },
          { code: "unknown-key", message: "unknown key", ...(hint ? { hint } : {}) },
        );
      }
      return;
    }
    case "invalid_type": {
      const actual = doc.get(path);
      if (actual === undefined) {
        out.error({ doc, path, at: "key" }, { code: "missing-key", message: "required key is missing" });
        return;
      }
      const raw = doc.rawText(path);
      const hint =
        issue.expected === "string" && typeof actual === "number" && raw
          ? `quote the value: "${raw}"`
          : issue.expected === "boolean"
            ? "write true or false, without quotes"
            : undefined;
      out.error(
        { doc, path },
        {
          code: "invalid-type",
          message: `expected ${describeExpected(issue.expected)}, got ${describeValue(actual)}`,
          ...(hint ? { hint } : {}),
        },
      );
      return;
    }
    case "invalid_union": {
      const actual = doc.get(path);
      if (actual === undefined) {
        out.error({ doc, path, at: "key" }, { code: "missing-key", message: "required key is missing" });
        return;
      }
      // A branch whose problems all lie inside the value took its type (a list, not a string):
      // its own problems say what is wrong, e.g. `requirements = [5]` at requirements[0].
      const matched = issue.errors.find(
        (branch) => branch.length > 0 && branch.every((s) => s.path.length > 0),
      );
      if (matched) {
        for (const sub of matched) reportIssue(sub, schema, doc, path, out);
        return;
      }
      const expected = new Set<string>();
      for (const branch of issue.errors) {
        for (const sub of branch)
          if (sub.code === "invalid_type") expected.add(describeExpected(sub.expected));
      }
      const names = [...expected];
      const wanted =
        names.length > 1
          ? `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`
          : (names[0] ?? "another value");
      out.error(
        { doc, path },
        { code: "invalid-type", message: `expected ${wanted}, got ${describeValue(actual)}` },
      );
      return;
    }
    case "invalid_value": {
      const allowed = issue.values.map((v) => JSON.stringify(v)).join(", ");
      out.error(
        { doc, path },
        {
          code: "invalid-value",
          message: `${JSON.stringify(doc.get(path))} is not allowed`,
          hint: `expected one of: ${allowed}`,
        },
      );
      return;
    }
    case "custom": {
      const params = (issue.params ?? {}) as { code?: string; hint?: string; severity?: "warning" };
      out.add(
        { doc, path },
        {
          code: params.code ?? "invalid-value",
          message: issue.message,
          ...(params.hint ? { hint: params.hint } : {}),
        },
        params.severity ?? "error",
      );
      return;
    }
    default:
      out.error({ doc, path }, { code: "invalid-value", message: issue.message });
  }
}

function describeExpected(expected: string): string {
  if (expected === "object") return "a table";
  if (expected === "array") return "a list";
  if (expected === "int") return "an integer";
  return `a ${expected}`;
}

export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (value instanceof Date) return "a date";
  if (typeof value === "object") return "a table";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a float";
  return `a ${typeof value}`;
}

interface DefLike {
  type: string;
  shape?: Record<string, AnySchema>;
  innerType?: AnySchema;
  element?: AnySchema;
  valueType?: AnySchema;
  in?: AnySchema;
  options?: AnySchema[];
}

function defOf(schema: AnySchema): DefLike {
  return schema._zod.def as unknown as DefLike;
}

/** The keys an object schema allows at `path`, looking through optional, arrays and records. */
export function objectKeysAt(schema: AnySchema, path: ReadonlyArray<string | number>): string[] {
  const candidates = schemasAt(schema, path);
  const keys = new Set<string>();
  for (const candidate of candidates) {
    for (const key of Object.keys(unwrap(candidate).shape ?? {})) keys.add(key);
  }
  return [...keys];
}

function unwrap(schema: AnySchema): DefLike {
  let def = defOf(schema);
  while (def.innerType || (def.type === "pipe" && def.in)) {
    def = defOf((def.innerType ?? def.in)!);
  }
  return def;
}

function schemasAt(schema: AnySchema, path: ReadonlyArray<string | number>): AnySchema[] {
  if (path.length === 0) return [schema];
  const def = unwrap(schema);
  const [head, ...rest] = path;
  const next: AnySchema[] = [];
  if (def.type === "object" && typeof head === "string" && def.shape?.[head]) next.push(def.shape[head]);
  if (def.type === "array" && typeof head === "number" && def.element) next.push(def.element);
  if (def.type === "record" && def.valueType) next.push(def.valueType);
  if (def.type === "union") for (const option of def.options ?? []) next.push(...schemasAt(option, path));
  if (def.type === "union") return next;
  return next.flatMap((s) => schemasAt(s, rest));
}
