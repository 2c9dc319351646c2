import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { pyfrontJsonSchema } from "../../../src/spec/pyfront-json-schema.js";

const SCHEMA_FILE = join(import.meta.dirname, "../../../schema/pyfront.schema.json");

describe("schema/pyfront.schema.json", () => {
  test("is generated from the current zod schema (run `npm run schema` after changing it)", () => {
    expect(JSON.parse(readFileSync(SCHEMA_FILE, "utf8"))).toEqual(pyfrontJsonSchema());
  });

  test("describes every key and the patterns the validator uses", () => {
    const schema = pyfrontJsonSchema() as {
      properties: Record<string, { items?: { pattern?: string } }>;
      additionalProperties: boolean;
    };
    expect(Object.keys(schema.properties).sort()).toEqual([
      "add_files",
      "build_deps",
      "builder_image",
      "command",
      "copy_files",
      "dependencies",
      "entrypoint",
      "env",
      "expose",
      "extras",
      "healthcheck",
      "indices",
      "known_hosts",
      "labels",
      "python_version",
      "requirements",
      "runtime_image",
      "system_deps",
      "targets",
      "workdir",
    ]);
    expect(schema.additionalProperties).toBe(false);
    const aptPattern = new RegExp(schema.properties.build_deps?.items?.pattern ?? "^$");
    expect(aptPattern.test("libpq-dev")).toBe(true);
    expect(aptPattern.test("gcc; rm -rf /")).toBe(false);
  });
});
