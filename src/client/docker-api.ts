import type * as http from "node:http";
import type * as net from "node:net";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CONNECT_TIMEOUT_MS, dialHijack, EngineUnreachableError, engineRequest } from "./dial.js";
import type { EngineAddress } from "./engine-address.js";

/**
 * The Docker Engine API calls pyfront makes besides BuildKit's: pushing a loaded image (what buildx
 * does for `--push` on the docker driver, whose exporter only loads), saving one, and running a
 * job's container (`pyfront job run`: volumes, create, archive copies, attach, start, wait).
 */

/** A Docker API call that the daemon answered with an error. */
export class DockerApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "DockerApiError";
  }
}

type RequestBody = Buffer | Readable | undefined;

function request(
  address: EngineAddress,
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  headers: Record<string, string> = {},
  body: RequestBody = undefined,
  timeoutMs = CONNECT_TIMEOUT_MS,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = engineRequest(address, { method, path, headers: { Host: "docker", ...headers } });
    const timer = setTimeout(() => {
      req.destroy();
      reject(
        new EngineUnreachableError(address, `no answer to ${method} ${path} within ${timeoutMs / 1000} s`),
      );
    }, timeoutMs);
    req.once("response", (response) => {
      clearTimeout(timer);
      resolve(response);
    });
    req.once("error", (error) => {
      clearTimeout(timer);
      reject(new EngineUnreachableError(address, error.message));
    });
    if (body instanceof Readable) {
      // The stream's own failure (a file that cannot be read) ends the request with it.
      pipeline(body, req).catch((error: Error) => {
        clearTimeout(timer);
        req.destroy();
        reject(error);
      });
    } else req.end(body);
  });
}

const JSON_HEADERS = { "Content-Type": "application/json" };

async function jsonCall<T>(
  address: EngineAddress,
  method: "GET" | "POST" | "DELETE",
  path: string,
  what: string,
  body?: unknown,
  okStatuses: readonly number[] = [200, 201, 204],
): Promise<T | undefined> {
  const response = await request(
    address,
    method,
    path,
    body === undefined ? {} : JSON_HEADERS,
    body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
  );
  if (response.statusCode === 404) {
    await bodyText(response);
    return undefined;
  }
  if (!okStatuses.includes(response.statusCode ?? 0)) throw await failure(response, what);
  const text = await bodyText(response);
  return text.trim() === "" ? ({} as T) : (JSON.parse(text) as T);
}

async function bodyText(response: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** The daemon's `{"message": ...}` error body, or the status line. */
async function failure(response: http.IncomingMessage, what: string): Promise<DockerApiError> {
  const text = (await bodyText(response)).trim();
  let message = text;
  try {
    const parsed: unknown = JSON.parse(text);
    if (
      typeof parsed === "object" &&
      parsed !== null &&
      typeof (parsed as { message?: unknown }).message === "string"
    )
      message = (parsed as { message: string }).message;
  } catch {
    // Not JSON: the text as it is.
  }
  return new DockerApiError(
    `${what}: ${message.slice(0, 300) || `status ${response.statusCode}`}`,
    response.statusCode,
  );
}

/** Splits a reference into the repository and tag the push endpoint takes (`latest` by default). */
export function splitTag(reference: string): { repository: string; tag: string } {
  const at = reference.indexOf("@");
  const name = at >= 0 ? reference.slice(0, at) : reference;
  const colon = name.lastIndexOf(":");
  if (colon > name.lastIndexOf("/")) return { repository: name.slice(0, colon), tag: name.slice(colon + 1) };
  return { repository: name, tag: "latest" };
}

/**
 * Pushes one loaded image tag. The daemon streams JSON progress lines and reports a failure in
 * the stream, after a 200; the digest comes in the `aux` line.
 */
export async function pushImage(
  address: EngineAddress,
  reference: string,
  registryAuth: string,
  onStatus: (line: string) => void = () => {},
): Promise<{ digest?: string }> {
  const { repository, tag } = splitTag(reference);
  const path = `/images/${repository.split("/").map(encodeURIComponent).join("/")}/push?tag=${encodeURIComponent(tag)}`;
  const response = await request(address, "POST", path, { "X-Registry-Auth": registryAuth });
  if (response.statusCode !== 200) throw await failure(response, `pushing ${reference}`);
  let digest: string | undefined;
  let pending = "";
  const handle = (line: string) => {
    if (line.trim() === "") return;
    let message: { error?: unknown; status?: unknown; id?: unknown; aux?: { Digest?: unknown } };
    try {
      message = JSON.parse(line);
    } catch {
      return;
    }
    if (typeof message.error === "string") throw new DockerApiError(`pushing ${reference}: ${message.error}`);
    if (typeof message.aux?.Digest === "string") digest = message.aux.Digest;
    if (typeof message.status === "string")
      onStatus(typeof message.id === "string" ? `${message.id}: ${message.status}` : message.status);
  };
  for await (const chunk of response) {
    pending += (chunk as Buffer).toString("utf8");
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) handle(line);
  }
  handle(pending);
  return digest !== undefined ? { digest } : {};
}

/**
 * How long a save may take to answer: the daemon may gather the image's layers before its first
 * byte (Docker 20.10 on a busy machine took more than 10 s for a 250 MB image), and that is work,
 * not an unreachable engine.
 */
const SAVE_ANSWER_TIMEOUT_MS = 300_000;

/** `docker save` of the named images: a tar stream (Docker's archive; an OCI layout too from Docker 25). */
export async function saveImages(address: EngineAddress, references: readonly string[]): Promise<Readable> {
  const query = references.map((r) => `names=${encodeURIComponent(r)}`).join("&");
  const response = await request(
    address,
    "GET",
    `/images/get?${query}`,
    {},
    undefined,
    SAVE_ANSWER_TIMEOUT_MS,
  );
  if (response.statusCode !== 200) throw await failure(response, `saving ${references.join(", ")}`);
  return response;
}

/** An image's config as the daemon holds it; undefined when the daemon has no such image. */
export async function inspectImage(
  address: EngineAddress,
  reference: string,
): Promise<{ Config?: { User?: string; Entrypoint?: string[] | null } } | undefined> {
  return jsonCall(address, "GET", `/images/${encodeURIComponent(reference)}/json`, `inspecting ${reference}`);
}

/** Pulls an image (as `docker pull`); a failure the daemon reports in its stream is thrown. */
export async function pullImage(
  address: EngineAddress,
  reference: string,
  registryAuth: string,
): Promise<void> {
  const { repository, tag } = splitTag(reference);
  const at = reference.indexOf("@");
  const query = `fromImage=${encodeURIComponent(repository)}&tag=${encodeURIComponent(at >= 0 ? reference.slice(at + 1) : tag)}`;
  const response = await request(address, "POST", `/images/create?${query}`, {
    "X-Registry-Auth": registryAuth,
  });
  if (response.statusCode !== 200) throw await failure(response, `pulling ${reference}`);
  for (const line of (await bodyText(response)).split("\n")) {
    if (line.trim() === "") continue;
    let message: { error?: unknown };
    try {
      message = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof message.error === "string") throw new DockerApiError(`pulling ${reference}: ${message.error}`);
  }
}

export async function createVolume(
  address: EngineAddress,
  name: string,
  labels: Readonly<Record<string, string>>,
): Promise<void> {
  await jsonCall(address, "POST", "/volumes/create", `creating volume ${name}`, {
    Name: name,
    Labels: labels,
  });
}

/** Removes a volume; one that is already gone is fine. */
export async function removeVolume(address: EngineAddress, name: string): Promise<void> {
  await jsonCall(
    address,
    "DELETE",
    `/volumes/${encodeURIComponent(name)}?force=true`,
    `removing volume ${name}`,
  );
}

/** Creates a container from a Docker API body; its id. A missing image is a DockerApiError with status 404. */
export async function createContainer(
  address: EngineAddress,
  body: Record<string, unknown>,
): Promise<string> {
  const response = await request(
    address,
    "POST",
    "/containers/create",
    JSON_HEADERS,
    Buffer.from(JSON.stringify(body)),
  );
  if (response.statusCode !== 201) throw await failure(response, "creating the container");
  return (JSON.parse(await bodyText(response)) as { Id: string }).Id;
}

/** Removes a container (running or not) with its anonymous volumes; one already gone is fine. */
export async function removeContainer(address: EngineAddress, id: string): Promise<void> {
  await jsonCall(
    address,
    "DELETE",
    `/containers/${id}?force=true&v=true`,
    `removing container ${id.slice(0, 12)}`,
  );
}

/** Extracts a tar stream into a path of a container (a created one too), as `docker cp` does. */
export async function putArchive(
  address: EngineAddress,
  id: string,
  path: string,
  tar: Readable,
): Promise<void> {
  const response = await request(
    address,
    "PUT",
    `/containers/${id}/archive?path=${encodeURIComponent(path)}`,
    { "Content-Type": "application/x-tar" },
    tar,
    10 * 60_000,
  );
  if (response.statusCode !== 200) throw await failure(response, `copying into ${path}`);
  await bodyText(response);
}

/** A path of a container (a stopped one too) as a tar stream whose first entry is the path itself. */
export async function getArchive(address: EngineAddress, id: string, path: string): Promise<Readable> {
  const response = await request(
    address,
    "GET",
    `/containers/${id}/archive?path=${encodeURIComponent(path)}`,
  );
  if (response.statusCode !== 200) throw await failure(response, `copying ${path} out`);
  return response;
}

/**
 * Attaches to a created container's stdout and stderr before it starts, as `docker run` does:
 * the raw stream after the 101, frames of [stream, 0, 0, 0, size (big-endian)] then the bytes.
 */
export async function attachContainer(address: EngineAddress, id: string): Promise<net.Socket> {
  return dialHijack(address, `/containers/${id}/attach?stream=1&stdout=1&stderr=1`);
}

/** Splits Docker's multiplexed stream into stdout and stderr chunks. */
export class StreamDemultiplexer {
  #pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (stream: "stdout" | "stderr", data: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    while (this.#pending.length >= 8) {
      const size = this.#pending.readUInt32BE(4);
      if (this.#pending.length < 8 + size) return;
      const kind = this.#pending[0];
      const data = this.#pending.subarray(8, 8 + size);
      this.#pending = this.#pending.subarray(8 + size);
      this.onFrame(kind === 2 ? "stderr" : "stdout", data);
    }
  }
}

export async function startContainer(address: EngineAddress, id: string): Promise<void> {
  const response = await request(address, "POST", `/containers/${id}/start`);
  if (response.statusCode !== 204 && response.statusCode !== 304)
    throw await failure(response, "starting the container");
  await bodyText(response);
}

/** Waits for the container to stop; its exit code. No time limit: a job runs as long as it runs. */
export async function waitContainer(address: EngineAddress, id: string): Promise<number> {
  const response = await request(
    address,
    "POST",
    `/containers/${id}/wait?condition=not-running`,
    {},
    undefined,
    2 ** 31 - 1,
  );
  if (response.statusCode !== 200) throw await failure(response, "waiting for the container");
  const result = JSON.parse(await bodyText(response)) as {
    StatusCode: number;
    Error?: { Message?: string } | null;
  };
  if (result.Error?.Message) throw new DockerApiError(`waiting for the container: ${result.Error.Message}`);
  return result.StatusCode;
}

/** Sends a signal to a running container; one that already stopped is fine. */
export async function killContainer(address: EngineAddress, id: string, signal: string): Promise<void> {
  const response = await request(
    address,
    "POST",
    `/containers/${id}/kill?signal=${encodeURIComponent(signal)}`,
  );
  await bodyText(response);
}
