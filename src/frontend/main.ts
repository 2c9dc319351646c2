/**
 * The frontend image's entry point. BuildKit starts it with the gateway on stdin/stdout and its
 * options in the environment; it must exit once it has returned a result, or the build hangs.
 */
import { performance } from "node:perf_hooks";
import { connectGatewayOverStdio, readGatewayEnv } from "../buildkit/index.js";
import { runFrontend } from "./frontend.js";
import { atStart } from "./start.js";
import { FrontendTrace, processCpuMs, traceRequested } from "./trace.js";
import { warmUp } from "./warm-up.js";

async function main(): Promise<number> {
  const env = readGatewayEnv(process.env);
  const trace = traceRequested(env.opts, process.env)
    ? new FrontendTrace((line) => process.stderr.write(line), {
        now: () => performance.now(),
        cpu: processCpuMs,
      })
    : undefined;
  const startup = { bootstrapComplete: performance.nodeTiming.bootstrapComplete };
  trace?.startup(startup);
  const client = connectGatewayOverStdio();
  const gateway = trace ? trace.gateway(client) : client;
  const result = await runFrontend(gateway, env);
  await gateway.return(result);
  trace?.finish(startup);
  return 0;
}

atStart(
  () =>
    main().then(
      (code) => process.exit(code),
      (error: unknown) => {
        // Only the daemon's log sees stderr; the build reports the gateway's own failure.
        process.stderr.write(
          `pyfront frontend: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        );
        process.exit(1);
      },
    ),
  warmUp,
);
