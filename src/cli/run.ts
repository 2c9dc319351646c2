/** Process entry of the pyfront command: wires runCli to the real streams and exit code. */
import { runCli } from "./main.js";

const code = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
process.exitCode = code;
