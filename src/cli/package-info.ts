import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where a user finds every key of the spec formats (help texts, init's comments). */
export const FORMAT_DOCS_URL = "docs/formats/pyfront.md in the pyfront package";

/**
 * pyfront's own package.json: the nearest one above this module named "pyfront", wherever the
 * module sits (src/cli/ in a checkout, dist/cli/ compiled, dist/cli/bundle/ or its chunks/ bundled).
 */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < 6; level++) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        name?: string;
        version: string;
      };
      if (manifest.name === "pyfront") return manifest.version;
    } catch {
      // No package.json here (or not JSON): look one folder up.
    }
    dir = dirname(dir);
  }
  throw new Error("pyfront's package.json was not found above its own code");
}
