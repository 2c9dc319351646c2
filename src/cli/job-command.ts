import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { EngineUnreachableError } from "../client/dial.js";
import { DockerApiError } from "../client/docker-api.js";
import { EngineAddressError, resolveEngineAddress } from "../client/engine-address.js";
import { credentialFor, RegistryAuthError, registryAuthHeader, registryOf } from "../client/registry-auth.js";
import { JobSpecError } from "../jobs/container-spec.js";
import { runJob } from "../jobs/run-job.js";
import type { DiagnosticReport } from "./diagnostic-report.js";
import type { CliIo } from "./main.js";
import { usageError } from "./project-input.js";

/** The exit code when pyfront could not run the job at all (the daemon failed), as `docker run` uses. */
export const EXIT_JOB_NOT_RUN = 125;

export interface JobCommandContext {
  io: CliIo;
  report: DiagnosticReport;
  exit(code: number): never;
}

interface JobRunFlags {
  image: string;
  outputs?: string;
  input?: string;
  network: string;
  env: string[];
  user?: string;
  tmpSize?: string;
}

const repeatable = (value: string, previous: string[] = []) => [...previous, value];

/** --env KEY=VALUE as a record; a bare KEY takes its value from pyfront's environment, as docker run does. */
function parseEnv(raw: readonly string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const item of raw) {
    const eq = item.indexOf("=");
    const key = eq < 0 ? item : item.slice(0, eq);
    if (key === "") throw usageError(`--env ${JSON.stringify(item)} has no name`, "write --env KEY=VALUE");
    if (eq >= 0) out[key] = item.slice(eq + 1);
    else if (env[key] !== undefined) out[key] = env[key]!;
  }
  return out;
}

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
      const readFile = (p: string) => (existsSync(p) ? readFileSync(p, "utf8") : undefined);
      let address: ReturnType<typeof resolveEngineAddress>;
      try {
        address = resolveEngineAddress(undefined, { env: ctx.io.env, readFile });
      } catch (error) {
        if (error instanceof EngineAddressError) throw usageError(error.message, error.hint);
        throw error;
      }
      const say = (line: string) => ctx.io.stderr.write(`pyfront job: ${line}\n`);
      try {
        const exitCode = await runJob({
          address,
          job: {
            image: flags.image,
            args,
            env: parseEnv(flags.env, ctx.io.env),
            network: flags.network,
            ...(flags.user !== undefined ? { user: flags.user } : {}),
            ...(flags.tmpSize !== undefined ? { tmpSize: flags.tmpSize } : {}),
          },
          ...(codePath !== undefined ? { codePath } : {}),
          ...(flags.input !== undefined ? { inputsPath: resolve(cwd, flags.input) } : {}),
          ...(flags.outputs !== undefined ? { outputsDir: resolve(cwd, flags.outputs) } : {}),
          registryAuth: (reference) => {
            const registry = registryOf(reference);
            return registryAuthHeader(registry, credentialFor(registry, { env: ctx.io.env, readFile }));
          },
          stdout: ctx.io.stdout,
          stderr: ctx.io.stderr,
          say,
        });
        if (exitCode !== 0) ctx.exit(exitCode);
      } catch (error) {
        if (error instanceof JobSpecError) throw usageError(error.message, error.hint);
        if (error instanceof RegistryAuthError) throw usageError(error.message, error.hint);
        if (error instanceof DockerApiError || error instanceof EngineUnreachableError) {
          ctx.report.add([
            { code: "job-not-run", severity: "error", message: `pyfront job: ${error.message}` },
          ]);
          ctx.exit(EXIT_JOB_NOT_RUN);
        }
        throw error;
      }
    });
}
