import { resolve } from "node:path";
import type { Command } from "commander";
import type { DiagnosticReport } from "./diagnostic-report.js";
import type { CliIo } from "./main.js";
import { usageError } from "./usage-error.js";

/** The exit code when pyfront could not run the job at all (the daemon failed), as `docker run` uses. */
export const EXIT_JOB_NOT_RUN = 125;

export interface JobCommandContext {
  io: CliIo;
  report: DiagnosticReport;
  exit(code: number): never;
}

export interface JobRunFlags {
  image: string;
  outputs?: string;
  input?: string;
  network: string;
  env: string[];
  user?: string;
  tmpSize?: string;
}

const repeatable = (value: string, previous: string[] = []) => [...previous, value];

/** `pyfront job run`: a job's container on the Docker engine, to try a job before submitting it. */
export function registerJobCommands(program: Command, ctx: JobCommandContext): void {
  const job = program
    .command("job")
    .description("run jobs in pyfront's job images (exec-python, exec-duckdb)");
  job
    .command("run")
    .description(
      "run a job on the Docker engine: the code (a .tgz/.tar.gz or a folder) read-only at /code, /outputs copied back, a read-only root with a writable /tmp, a non-root user; exits with the job's exit code",
    )
    .usage("--image IMAGE [options] [CODE] -- ARGS...")
    .argument("[code]", "the job's code: a gzip tar or a folder")
    .argument("[args...]", "after --: the image's arguments (exec-python: the command, e.g. python main.py)")
    .requiredOption(
      "--image <image>",
      "the job image, e.g. exec-python-3.11:1.0.0 or localhost:5000/jobs/exec-duckdb:1.0.0",
    )
    .option("--outputs <dir>", "where /outputs is copied when the job ends; default a new temporary folder")
    .option("--input <dir>", "a folder mounted read-only at /inputs (data for the job)")
    .option("--network <mode>", "the container's network: default, none, host or a network's name", "default")
    .option(
      "--env <key=value>",
      "an environment variable of the job (repeatable; KEY alone passes pyfront's own)",
      repeatable,
      [],
    )
    .option("--user <uid:gid>", "run as this user instead of the image's (never root)")
    .option("--tmp-size <size>", "size of the tmpfs /tmp (default 2g)")
    .action(async (_code: string | undefined, _args: string[], flags: JobRunFlags, command: Command) => {
      // Commander keeps no trace of `--` in the operands; the raw words it parsed do.
      const raw = (program as unknown as { rawArgs: readonly string[] }).rawArgs ?? [];
      const dashes = raw.indexOf("--");
      if (dashes < 0)
        throw usageError(
          "give the job's arguments after --",
          "e.g. pyfront job run --image exec-python-3.11:1.0.0 ./code.tgz -- python main.py",
        );
      const args = raw.slice(dashes + 1);
      const operands = command.args;
      const before = operands.slice(0, operands.length - args.length);
      if (before.length > 1)
        throw usageError(`one CODE only, before --; got ${before.map((b) => JSON.stringify(b)).join(", ")}`);
      const cwd = ctx.io.cwd ?? process.cwd();
      const codePath = before[0] !== undefined ? resolve(cwd, before[0]) : undefined;
      const { runJobCommand } = await import("./job-actions.js");
      await runJobCommand({ flags, args, cwd, ...(codePath !== undefined ? { codePath } : {}) }, ctx);
    });
}
