import type { BuildPlan } from "./build-plan.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function sortKeys(value: unknown): Json {
  if (
    value === null ||
    typeof value === "boolean" ||
    typeof value === "number" ||
    typeof value === "string"
  ) {
    return value;
  }
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === "object") {
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) out[key] = sortKeys(item);
    }
    return out;
  }
  throw new TypeError(`not plain data: ${typeof value}`);
}

/** The plan as stable JSON: object keys sorted, arrays in plan order, two-space indent, final newline. */
export function formatPlanJson(plan: BuildPlan): string {
  return `${JSON.stringify(sortKeys(plan), null, 2)}\n`;
}
