/**
 * The floor of any gateway frontend: it connects to the gateway and returns an empty result at
 * once, reading nothing. Bundled and built on the same base as pyfront's frontend by
 * bench/frontend-overhead.ts, its cached "rebuild" costs what every frontend image costs before
 * doing any work: BuildKit resolving and starting the container, Node's start, the gRPC session
 * and one Return.
 */
import { connectGatewayOverStdio } from "../src/buildkit/index.js";
import { atStart } from "../src/frontend/start.js";

// Started as pyfront's frontend is, from a start-up snapshot when the image has one.
atStart(() => {
  connectGatewayOverStdio()
    .return({ ref: "" })
    .then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`floor frontend: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
});
