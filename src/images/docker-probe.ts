import { execFile } from "node:child_process";
import type { ContainerConfigJson } from "../render/llb-image-config.js";
import type { ExecResult, ImageProbe, PathInfo } from "./checks.js";

/** The docker client checks use: PYFRONT_DOCKER, else `docker` on PATH; DOCKER_HOST etc. come from env. */
export interface DockerCli {
  command: string;
  env: NodeJS.ProcessEnv;
}

export function dockerCliFrom(env: NodeJS.ProcessEnv): DockerCli {
  return { command: env.PYFRONT_DOCKER || "docker", env };
}

function runDocker(
  cli: DockerCli,
  args: readonly string[],
): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      cli.command,
      [...args],
      { env: cli.env, encoding: "buffer", maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(new Error(`cannot run ${cli.command}: ${error.message}`));
          return;
        }
        resolve({
          code: typeof error?.code === "number" ? error.code : 0,
          stdout,
          stderr: stderr.toString("utf8"),
        });
      },
    );
  });
}

/** The first regular entry of a tar stream (pax headers skipped): its header fields and data. */
export function firstTarEntry(tar: Buffer): { info: PathInfo; data: Buffer } | undefined {
  let at = 0;
  while (at + 512 <= tar.length) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) return undefined;
    const field = (from: number, length: number) =>
      header
        .subarray(from, from + length)
        .toString("latin1")
        .replace(/\0.*$/s, "")
        .trim();
    const size = Number.parseInt(field(124, 12) || "0", 8);
    const type = field(156, 1) || "0";
    const dataStart = at + 512;
    if (type === "x" || type === "g" || type === "L" || type === "K") {
      at = dataStart + Math.ceil(size / 512) * 512;
      continue;
    }
    const kind: PathInfo["type"] =
      type === "0" || type === "7" ? "file" : type === "5" ? "directory" : type === "2" ? "symlink" : "other";
    return {
      info: {
        type: kind,
        mode: Number.parseInt(field(100, 8), 8) & 0o7777,
        uid: Number.parseInt(field(108, 8) || "0", 8),
        gid: Number.parseInt(field(116, 8) || "0", 8),
      },
      data: tar.subarray(dataStart, dataStart + size),
    };
  }
  return undefined;
}

/**
 * Checks over the docker CLI: commands by `docker run --rm --entrypoint`, files by `docker cp`
 * out of a created (never started) container, so they work on images without a shell.
 */
export class DockerImageProbe implements ImageProbe {
  readonly reference: string;
  readonly #cli: DockerCli;
  #container: Promise<string> | undefined;

  constructor(reference: string, cli: DockerCli) {
    this.reference = reference;
    this.#cli = cli;
  }

  async exec(
    command: string,
    args: readonly string[] = [],
    env: Readonly<Record<string, string>> = {},
  ): Promise<ExecResult> {
    const envArgs = Object.entries(env).flatMap(([k, v]) => ["--env", `${k}=${v}`]);
    const result = await runDocker(this.#cli, [
      "run",
      "--rm",
      "--entrypoint",
      command,
      ...envArgs,
      this.reference,
      ...args,
    ]);
    return { exitCode: result.code, stdout: result.stdout.toString("utf8"), stderr: result.stderr };
  }

  #created(): Promise<string> {
    this.#container ??= runDocker(this.#cli, [
      "create",
      "--entrypoint",
      "/pyfront-never-started",
      this.reference,
    ]).then((r) => {
      if (r.code !== 0) throw new Error(`docker create ${this.reference}: ${r.stderr.trim()}`);
      return r.stdout.toString("utf8").trim();
    });
    return this.#container;
  }

  async #copyOut(path: string, follow: boolean): Promise<{ info: PathInfo; data: Buffer } | undefined> {
    const container = await this.#created();
    const result = await runDocker(this.#cli, ["cp", ...(follow ? ["-L"] : []), `${container}:${path}`, "-"]);
    if (result.code !== 0) {
      if (/no such file|no such container:path|not found|could not find/i.test(result.stderr))
        return undefined;
      throw new Error(`docker cp ${path}: ${result.stderr.trim()}`);
    }
    return firstTarEntry(result.stdout);
  }

  async stat(path: string): Promise<PathInfo | undefined> {
    return (await this.#copyOut(path, false))?.info;
  }

  async readFile(path: string): Promise<string | undefined> {
    const entry = await this.#copyOut(path, true);
    return entry?.info.type === "file" ? entry.data.toString("utf8") : undefined;
  }

  async config(): Promise<ContainerConfigJson> {
    const result = await runDocker(this.#cli, ["image", "inspect", this.reference]);
    if (result.code !== 0) throw new Error(`docker image inspect ${this.reference}: ${result.stderr.trim()}`);
    const [info] = JSON.parse(result.stdout.toString("utf8")) as { Config: ContainerConfigJson }[];
    return info?.Config ?? {};
  }

  /** Removes the container files were copied from. */
  async close(): Promise<void> {
    if (this.#container === undefined) return;
    const id = await this.#container.catch(() => undefined);
    if (id) await runDocker(this.#cli, ["rm", "--force", id]);
  }
}
