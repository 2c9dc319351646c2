// Runs the real pyfront command, as a user would.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "./engine.js";

export function pyfront(args: readonly string[]): string {
  return execFileSync(process.execPath, [join(repoRoot, "bin", "pyfront.js"), ...args], { encoding: "utf8" });
}
