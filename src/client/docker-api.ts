import type * as http from "node:http";
import type { Readable } from "node:stream";
import { CONNECT_TIMEOUT_MS, EngineUnreachableError, engineRequest } from "./dial.js";
import type { EngineAddress } from "./engine-address.js";

/**
 * The few Docker Engine API calls a build needs after BuildKit is done: pushing a loaded image
 * (what buildx does for `--push` on the docker driver, whose exporter only loads) and saving one.
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

function request(
  address: EngineAddress,
  method: "GET" | "POST",
  path: string,
  headers: Record<string, string> = {},
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = engineRequest(address, { method, path, headers: { Host: "docker", ...headers } });
    const timer = setTimeout(() => {
      req.destroy();
      reject(
        new EngineUnreachableError(
          address,
          `no answer to ${method} ${path} within ${CONNECT_TIMEOUT_MS / 1000} s`,
        ),
      );
    }, CONNECT_TIMEOUT_MS);
    req.once("response", (response) => {
      clearTimeout(timer);
      resolve(response);
    });
    req.once("error", (error) => {
      clearTimeout(timer);
      reject(new EngineUnreachableError(address, error.message));
    });
    req.end();
  });
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

/** `docker save` of the named images: a tar stream (Docker's archive; an OCI layout too from Docker 25). */
export async function saveImages(address: EngineAddress, references: readonly string[]): Promise<Readable> {
  const query = references.map((r) => `names=${encodeURIComponent(r)}`).join("&");
  const response = await request(address, "GET", `/images/get?${query}`);
  if (response.statusCode !== 200) throw await failure(response, `saving ${references.join(", ")}`);
  return response;
}
