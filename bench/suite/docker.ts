/** The suite's only contact with the engine: docker commands as argv (never a shell string), timed. */
import { execFileSync, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type SavedLayer, savedLayers } from "./layers.js";

export interface DockerClient {
  /** Path of the docker client (PYFRONT_DOCKER). */
  bin: string;
  env: NodeJS.ProcessEnv;
}

export interface Completed {
  code: number;
  stdout: string;
  stderr: string;
}

export function docker(client: DockerClient, args: readonly string[]): Promise<Completed> {
  return new Promise((resolve, reject) => {
    const child = spawn(client.bin, args, { env: client.env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
  });
}

/** Runs a docker command that must succeed; the error carries the tail of its output. */
export async function dockerOk(client: DockerClient, args: readonly string[]): Promise<string> {
  const result = await docker(client, args);
  if (result.code !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split("\n").slice(-30).join("\n");
    throw new Error(`docker ${args.join(" ")} exited with ${result.code}:\n${tail}`);
  }
  return result.stdout;
}

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

/** Builds with `--iidfile` and returns the wall time and the image id. */
export async function timedBuild(
  client: DockerClient,
  args: readonly string[],
  iidFile: string,
): Promise<{ seconds: number; imageId: string }> {
  const start = process.hrtime.bigint();
  await dockerOk(client, ["build", "--progress=plain", "--iidfile", iidFile, ...args]);
  const elapsed = seconds(start);
  return { seconds: elapsed, imageId: (await readFile(iidFile, "utf8")).trim() };
}

/**
 * `pyfront build ARGS` with the bundled CLI (`cli`, one file as an installed package runs it, not
 * the checkout's tsx): its whole time, Node's start-up included, as a user waits for it.
 */
export async function timedClientBuild(
  client: DockerClient,
  cli: string,
  args: readonly string[],
  tag: string,
): Promise<{ seconds: number; imageId: string }> {
  const start = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, "build", "--progress", "plain", "-t", tag, ...args], {
      env: client.env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    const err: Buffer[] = [];
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(
            new Error(
              `pyfront build ${args.join(" ")}: exit ${code}\n${Buffer.concat(err).toString("utf8").slice(-2000)}`,
            ),
          ),
    );
  });
  const elapsed = seconds(start);
  const imageId = (await dockerOk(client, ["image", "inspect", "--format", "{{.Id}}", tag])).trim();
  return { seconds: elapsed, imageId };
}

export interface ImageFacts {
  sizeBytes: number;
  layers: number;
}

export async function inspectImage(client: DockerClient, image: string): Promise<ImageFacts> {
  const raw = await dockerOk(client, ["image", "inspect", "--format", "{{json .}}", image]);
  const parsed = JSON.parse(raw) as { Size?: number; RootFS?: { Layers?: string[] } };
  if (typeof parsed.Size !== "number") throw new Error(`docker image inspect ${image}: no Size`);
  return { sizeBytes: parsed.Size, layers: parsed.RootFS?.Layers?.length ?? 0 };
}

/** `RootFS.Layers` of an image. */
export async function layerDigests(client: DockerClient, image: string): Promise<string[]> {
  const raw = await dockerOk(client, ["image", "inspect", "--format", "{{json .RootFS.Layers}}", image]);
  return JSON.parse(raw) as string[];
}

/** The image's layers with their sizes, from `docker save` (Docker 20.10's layout and 26's OCI one). */
export async function imageLayers(client: DockerClient, image: string): Promise<SavedLayer[]> {
  const dir = await mkdtemp(join(tmpdir(), "pyfront-bench-layers-"));
  try {
    const archive = join(dir, "image.tar");
    await dockerOk(client, ["save", "-o", archive, image]);
    await new Promise<void>((resolve, reject) => {
      const tar = spawn("tar", ["-xf", archive, "-C", dir], { stdio: "ignore" });
      tar.on("error", reject);
      tar.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`tar -xf exited with ${code}`))));
    });
    const [manifest] = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as Array<{
      Config: string;
      Layers: string[];
    }>;
    if (!manifest) throw new Error(`docker save ${image}: no manifest`);
    const config = JSON.parse(await readFile(join(dir, manifest.Config), "utf8")) as {
      rootfs: { diff_ids: string[] };
    };
    const sizes = new Map<string, number>();
    for (const file of manifest.Layers) sizes.set(file, (await stat(join(dir, file))).size);
    return savedLayers(
      { layerFiles: manifest.Layers, diffIds: config.rootfs.diff_ids },
      (file) => sizes.get(file)!,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** From `docker run` to the container's first line on stdout. */
export function timeToFirstLine(client: DockerClient, image: string, timeoutMs = 60_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(client.bin, ["run", "--rm", image], {
      env: client.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let firstLine: number | undefined;
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      if (firstLine === undefined && stdout.includes("\n")) firstLine = seconds(start);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0 && firstLine !== undefined) resolve(firstLine);
      else
        reject(
          new Error(
            `docker run ${image} exited with ${code} (stdout: ${stdout.trim()}; stderr: ${stderr.trim()})`,
          ),
        );
    });
  });
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/** From `docker run -d` (port published on 127.0.0.1) to the first 200 answer on the path. */
export async function timeToHealthyAnswer(
  client: DockerClient,
  image: string,
  containerPort: number,
  path: string,
  timeoutMs = 60_000,
): Promise<number> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}${path}`;
  const start = process.hrtime.bigint();
  const started = docker(client, ["run", "-d", "--rm", "-p", `127.0.0.1:${port}:${containerPort}`, image]);
  let answered: number | undefined;
  // Poll while `docker run -d` is still returning: the server may be up before the client exits.
  while (answered === undefined && seconds(start) * 1000 < timeoutMs) {
    if (await httpOk(url)) answered = seconds(start);
    else await new Promise((r) => setTimeout(r, 20));
  }
  const run = await started;
  const id = run.stdout.trim();
  if (id) await docker(client, ["rm", "-f", id]);
  if (run.code !== 0) throw new Error(`docker run -d ${image} exited with ${run.code}: ${run.stderr.trim()}`);
  if (answered === undefined) throw new Error(`${image} gave no 200 on ${path} within ${timeoutMs} ms`);
  return answered;
}

/**
 * pyfront's frontend image built from the checkout at `repoRoot` under `tag`, as
 * `npm run frontend:image -- --tag TAG` builds it, with the engine's client.
 */
export function buildCheckoutFrontendImage(repoRoot: string, client: DockerClient, tag: string): void {
  execFileSync(
    process.execPath,
    [join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/frontend-image.ts", "--tag", tag],
    { cwd: repoRoot, env: client.env, stdio: ["ignore", "ignore", "pipe"] },
  );
}
