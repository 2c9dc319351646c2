import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { runCli } from "../../../src/cli/main.js";

/** Temporary project directories for CLI tests; `cleanUp` removes them. */
export function tempProjects() {
  const made: string[] = [];
  return {
    project(files: Record<string, string>): string {
      const dir = mkdtempSync(join(tmpdir(), "pyfront-hostile-"));
      made.push(dir);
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(join(dir, path, ".."), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      return dir;
    },
    cleanUp(): void {
      for (const dir of made) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs the CLI in-process with a time limit: a hang fails the test instead of stalling it. */
export async function cli(args: string[], timeoutMs = 10_000) {
  let stdout = "";
  let stderr = "";
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        append(String(chunk));
        done();
      },
    });
  const run = runCli(args, {
    stdout: sink((s) => {
      stdout += s;
    }),
    stderr: sink((s) => {
      stderr += s;
    }),
    env: {},
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<number>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`pyfront ${args.join(" ")} took over ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    const code = await Promise.race([run, timeout]);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}
