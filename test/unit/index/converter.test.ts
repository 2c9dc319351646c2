import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../..", import.meta.url));

// The package index converter (scripts/index) is Python; its unit tests run with the host's python3.
describe("scripts/index converter", () => {
  it("passes its Python unit tests", { timeout: 60_000 }, () => {
    const run = spawnSync(
      "python3",
      ["-m", "unittest", "discover", "-s", "scripts/index/tests", "-p", "test_*.py"],
      {
        cwd: root,
        encoding: "utf8",
      },
    );
    expect(run.error).toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
  });
});
