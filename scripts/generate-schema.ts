// Writes schema/pyfront.schema.json from the zod schema, formatted by Biome like every other file.
// test/unit/spec/json-schema.test.ts fails when the committed file is stale.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { pyfrontJsonSchemaText } from "../src/spec/pyfront-json-schema.js";

const target = fileURLToPath(new URL("../schema/pyfront.schema.json", import.meta.url));
writeFileSync(target, pyfrontJsonSchemaText());
execFileSync("npx", ["biome", "format", "--write", target], { stdio: "inherit" });
console.log(`wrote ${target}`);
