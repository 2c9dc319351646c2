// The daemons `scripts/engine remote-up` starts in network namespaces of their own: remote A and B
// (a second host of each engine's version) and C (engine B's Docker with the containerd image store).
import { execFile } from "node:child_process";
import { join } from "node:path";
import { expect } from "vitest";
import { type CommandResult, engineEnv, parseExports, repoRoot } from "./engine.js";

/**
 * Runs `scripts/engine ARGS` without blocking the test worker: remote-up on a fresh machine takes
 * minutes (a daemon to start, stand-ins to import), and a worker blocked that long loses its
 * channel to vitest (`Timeout calling "onTaskUpdate"`), and with it every file after its own.
 */
export function engineScript(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      join(repoRoot, "scripts", "engine"),
      [...args],
      { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`scripts/engine ${args.join(" ")} failed: ${error.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

/** Starts (or finds) remote NAME and returns its address, tcp://10.214.N.2:2375. */
export async function remoteUp(name: "A" | "B" | "C"): Promise<string> {
  const host = parseExports(await engineScript(["remote-up", name])).PYFRONT_REMOTE_HOST ?? "";
  expect(host).toMatch(/^tcp:\/\/10\.214\.\d+\.2:2375$/);
  return host;
}

/** The engine's docker client against the daemon at HOST; never throws on a non-zero exit. */
export function dockerAt(
  host: string,
  args: readonly string[],
  stdin?: NodeJS.ReadableStream,
): Promise<CommandResult> {
  const env = engineEnv();
  return new Promise((resolve) => {
    const child = execFile(
      env.client,
      [...args],
      {
        env: { ...process.env, ...env.vars, DOCKER_HOST: host },
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        resolve({ code: typeof error?.code === "number" ? error.code : error ? 1 : 0, stdout, stderr }),
    );
    if (stdin && child.stdin) stdin.pipe(child.stdin);
  });
}

/** Copies an image of this engine's store to the daemon at HOST, as `docker save | docker -H … load`. */
export async function seedRemote(
  host: string,
  image: string,
  options: { replace?: boolean } = {},
): Promise<void> {
  if (!options.replace && (await dockerAt(host, ["image", "inspect", image])).code === 0) return;
  const env = engineEnv();
  const save = execFile(env.client, ["save", image], {
    env: { ...process.env, ...env.vars },
    encoding: "buffer",
    maxBuffer: 2 * 1024 * 1024 * 1024,
  });
  if (!save.stdout) throw new Error("docker save has no output stream");
  const loaded = await dockerAt(host, ["load"], save.stdout);
  expect(loaded.code, loaded.stderr).toBe(0);
}
