import { z } from "zod";
import { pyfrontSchema } from "./pyfront-schema.js";

export const PYFRONT_JSON_SCHEMA_ID = "https://pyfront.dev/schema/pyfront.schema.json";

/**
 * JSON Schema of `[tool.pyfront]`, generated from the same zod schema that validates it, for
 * editors (Taplo / Even Better TOML, SchemaStore). Checks that need the build context are not in it.
 */
export function pyfrontJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(pyfrontSchema, { io: "input", unrepresentable: "any" });
  return { ...generated, $id: PYFRONT_JSON_SCHEMA_ID };
}

/** The schema file's exact text: stable key order from the zod schema, two-space indent. */
export function pyfrontJsonSchemaText(): string {
  return `${JSON.stringify(pyfrontJsonSchema(), null, 2)}\n`;
}
