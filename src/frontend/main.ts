/**
 * The frontend image's entry point. BuildKit starts it with the gateway on stdin/stdout and its
 * options in the environment; it must exit once it has returned a result, or the build hangs.
 */
import { connectGatewayOverStdio, readGatewayEnv } from "../buildkit/index.js";
import { runFrontend } from "./frontend.js";

async function main(): Promise<number> {
  const gateway = connectGatewayOverStdio();
  const result = await runFrontend(gateway, readGatewayEnv(process.env));
  await gateway.return(result);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Only the daemon's log sees stderr; the build reports the gateway's own failure.
    process.stderr.write(
      `pyfront frontend: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
