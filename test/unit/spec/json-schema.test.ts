import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { pyfrontJsonSchema, pyprojectJsonSchema } from "../../../src/spec/pyfront-json-schema.js";

const SCHEMA_FILE = join(import.meta.dirname, "../../../schema/pyfront.schema.json");

describe("schema/pyfront.schema.json", () => {
  test("is generated from the current zod schema (run `npm run schema` after changing it)", () => {
    expect(JSON.parse(readFileSync(SCHEMA_FILE, "utf8"))).toEqual(pyfrontJsonSchema());
    const pyprojectFile = join(import.meta.dirname, "../../../schema/pyproject-pyfront.schema.json");
    expect(JSON.parse(readFileSync(pyprojectFile, "utf8"))).toEqual(pyprojectJsonSchema());
  });

  test("is draft-07, which Taplo and SchemaStore read best", () => {
    expect(pyfrontJsonSchema().$schema).toBe("http://json-schema.org/draft-07/schema#");
  });

  test("describes every key, at every depth, with where its docs are", () => {
    const undocumented: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (node === null || typeof node !== "object") return;
      const schema = node as Record<string, unknown>;
      const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
      for (const [key, property] of Object.entries(properties ?? {})) {
        const description = property.description;
        if (typeof description !== "string" || !description.includes("Docs: docs/formats/pyfront.md")) {
          undocumented.push(`${path}.${key}`);
        }
        walk(property, `${path}.${key}`);
      }
      for (const child of ["items", "additionalProperties"]) walk(schema[child], `${path}[]`);
    };
    walk(pyfrontJsonSchema(), "tool.pyfront");
    expect(undocumented).toEqual([]);
    const props = pyfrontJsonSchema().properties as Record<
      string,
      { default?: unknown; description: string }
    >;
    expect(props.workdir?.default).toBe("/app");
    expect(props.python_version?.description).toContain("Default: .python-version");
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
      "groups",
      "healthcheck",
      "indices",
      "known_hosts",
      "labels",
      "lock",
      "python_version",
      "remove_test_suites",
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
