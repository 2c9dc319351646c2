import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { afterAll } from "vitest";
import { runCli } from "../../../src/cli/main.js";

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A temporary directory holding `files`; removed after the test file. */
export function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "pyfront-cli-"));
  made.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

export interface CliRun {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Text on standard input; absent means none. */
  stdin?: string;
  stdinIsTTY?: boolean;
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
}

/** Runs the CLI in-process with captured streams. */
export async function cli(args: string[], run: CliRun = {}) {
  let stdout = "";
  let stderr = "";
  const sink = (append: (s: string) => void, isTTY: boolean) =>
    Object.assign(
      new Writable({
        write(chunk, _enc, done) {
          append(String(chunk));
          done();
        },
      }),
      { isTTY },
    );
  const stdin =
    run.stdin !== undefined || run.stdinIsTTY
      ? Object.assign(Readable.from([Buffer.from(run.stdin ?? "")]), { isTTY: run.stdinIsTTY === true })
      : undefined;
  const code = await runCli(args, {
    stdout: sink((s) => {
      stdout += s;
    }, run.stdoutIsTTY === true),
    stderr: sink((s) => {
      stderr += s;
    }, run.stderrIsTTY === true),
    env: run.env ?? {},
    ...(run.cwd !== undefined ? { cwd: run.cwd } : {}),
    ...(stdin ? { stdin } : {}),
  });
  return { code, stdout, stderr };
}

export const SCRIPT_PROJECT = {
  "pyproject.toml": '#syntax=pyfront/frontend:dev\n[tool.pyfront]\npython_version = "3.11"\n',
  "main.py": "print('hello')\n",
};
