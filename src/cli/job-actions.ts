// What `pyfront job run` does; src/cli/job-command.ts declares it and imports this module only
// when it runs (the Engine API client and the job's packing are not needed for --help).
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { EngineUnreachableError } from "../client/dial.js";
import { DockerApiError } from "../client/docker-api.js";
import { EngineAddressError, resolveEngineAddress } from "../client/engine-address.js";
import { credentialFor, RegistryAuthError, registryAuthHeader, registryOf } from "../client/registry-auth.js";
import { JobSpecError } from "../jobs/container-spec.js";
import { runJob } from "../jobs/run-job.js";
import { EXIT_JOB_NOT_RUN, type JobCommandContext, type JobRunFlags } from "./job-command.js";
import { usageError } from "./usage-error.js";

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

/** Runs the job the command line describes; ends the command with the job's exit code. */
export async function runJobCommand(
  request: { flags: JobRunFlags; args: string[]; cwd: string; codePath?: string },
  ctx: JobCommandContext,
): Promise<void> {
  const { flags, args, cwd, codePath } = request;
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
      ctx.report.add([{ code: "job-not-run", severity: "error", message: `pyfront job: ${error.message}` }]);
      ctx.exit(EXIT_JOB_NOT_RUN);
    }
    throw error;
  }
}
