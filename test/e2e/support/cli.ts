// Runs the real pyfront command, as a user would.
import { execFile, execFileSync } from "node:child_process";
import { join } from "node:path";
import { type CommandResult, engineEnv, repoRoot } from "./engine.js";

export function pyfront(args: readonly string[]): string {
  return execFileSync(process.execPath, [join(repoRoot, "bin", "pyfront.js"), ...args], { encoding: "utf8" });
}

/** `pyfront ARGS` against the selected engine, with its exit code and both streams; never throws on a failure. */
export function pyfrontOnEngine(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
  cwd?: string,
): Promise<CommandResult & { seconds: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(repoRoot, "bin", "pyfront.js"), ...args],
      {
        env: { ...process.env, ...engineEnv().vars, ...env },
        ...(cwd ? { cwd } : {}),
        maxBuffer: 64 * 1024 * 1024,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(error);
          return;
        }
        const code = typeof error?.code === "number" ? error.code : 0;
        resolve({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 });
      },
    );
  });
}
