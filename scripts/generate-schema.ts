// Writes schema/pyfront.schema.json (the [tool.pyfront] table) and schema/pyproject-pyfront.schema.json
// (a whole pyproject.toml, checking only that table) from the zod schema, formatted by Biome like
// every other file. test/unit/spec/json-schema.test.ts fails when a committed file is stale.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { pyfrontJsonSchemaText, pyprojectJsonSchemaText } from "../src/spec/pyfront-json-schema.js";

const targets = [
  ["pyfront.schema.json", pyfrontJsonSchemaText()],
  ["pyproject-pyfront.schema.json", pyprojectJsonSchemaText()],
] as const;
for (const [name, text] of targets) {
  const target = fileURLToPath(new URL(`../schema/${name}`, import.meta.url));
  writeFileSync(target, text);
  execFileSync("npx", ["biome", "format", "--write", target], { stdio: "inherit" });
  console.log(`wrote ${target}`);
}
