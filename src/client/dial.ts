import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as tls from "node:tls";
import { describeSocket, type EngineAddress, type SocketAddress } from "./engine-address.js";

/** How long reaching the engine may take before the build gives up with a message. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** The engine could not be reached or did not answer as BuildKit does (exit code 1, never a hang). */
export class EngineUnreachableError extends Error {
  constructor(
    readonly address: EngineAddress,
    detail: string,
  ) {
    super(
      `cannot reach the ${address.kind === "docker" ? "Docker daemon" : "BuildKit daemon"} at ${describeSocket(address.socket)} (from ${address.source}): ${detail}`,
    );
    this.name = "EngineUnreachableError";
  }
}

function connectOptions(socket: SocketAddress): net.NetConnectOpts {
  return socket.kind === "unix" ? { path: socket.path } : { host: socket.host, port: socket.port };
}

/** Node's TLS options for the engine's files: its CA replaces the system's, as docker's does. */
export function tlsOptions(address: EngineAddress): tls.ConnectionOptions {
  const files = address.tls ?? {};
  const host = address.socket.kind === "tcp" ? address.socket.host : undefined;
  const serverName = files.serverName ?? (host && net.isIP(host) === 0 ? host : undefined);
  return {
    ...(files.ca !== undefined ? { ca: files.ca } : {}),
    ...(files.cert !== undefined ? { cert: files.cert } : {}),
    ...(files.key !== undefined ? { key: files.key } : {}),
    ...(serverName ? { servername: serverName } : {}),
  };
}

/** A socket to the engine, for a standalone BuildKit's gRPC: h2c, or HTTP/2 over TLS (ALPN h2). */
export function dialSocket(address: EngineAddress, timeoutMs = CONNECT_TIMEOUT_MS): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const secure = address.tls !== undefined && address.socket.kind === "tcp";
    const socket = secure
      ? tls.connect({ ...connectOptions(address.socket), ...tlsOptions(address), ALPNProtocols: ["h2"] })
      : net.connect(connectOptions(address.socket));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new EngineUnreachableError(address, `no connection within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    socket.once(secure ? "secureConnect" : "connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(new EngineUnreachableError(address, error.message));
    });
  });
}

/** An HTTP request to a Docker daemon: its Unix socket, TCP, or TCP with TLS (DOCKER_TLS_VERIFY). */
export function engineRequest(address: EngineAddress, options: http.RequestOptions): http.ClientRequest {
  if (address.socket.kind === "unix") return http.request({ ...options, socketPath: address.socket.path });
  const target = { ...options, host: address.socket.host, port: address.socket.port };
  return address.tls
    ? https.request({ ...target, ...tlsOptions(address), agent: false })
    : http.request(target);
}

/**
 * An HTTP/1.1 upgrade to h2c on one of the Docker daemon's hijacking endpoints (`/grpc`, `/session`),
 * as the docker CLI's DialHijack does: after the 101 the socket is a raw byte stream for HTTP/2.
 * Headers with several values are sent as several header lines.
 */
export function dialHijack(
  address: EngineAddress,
  path: "/grpc" | "/session" | `/containers/${string}/attach?${string}`,
  headers: Record<string, string | string[]> = {},
  timeoutMs = CONNECT_TIMEOUT_MS,
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (detail: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      reject(new EngineUnreachableError(address, detail));
    };
    const request = engineRequest(address, {
      method: "POST",
      path,
      // The attach endpoint streams the container's raw output after the 101, as the docker CLI asks.
      headers: {
        ...headers,
        Connection: "Upgrade",
        Upgrade: path.startsWith("/containers/") ? "tcp" : "h2c",
      },
    });
    const timer = setTimeout(() => fail(`no answer to POST ${path} within ${timeoutMs / 1000} s`), timeoutMs);
    request.once("upgrade", (response, socket, head) => {
      if (settled) {
        socket.destroy();
        return;
      }
      settled = true;
      clearTimeout(timer);
      if (response.statusCode !== 101) {
        socket.destroy();
        reject(new EngineUnreachableError(address, `POST ${path} answered ${response.statusCode}`));
        return;
      }
      // Bytes the server sent right after the 101 belong to HTTP/2.
      if (head.length > 0) socket.unshift(head);
      socket.setTimeout(0);
      resolve(socket);
    });
    request.once("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8").trim().slice(0, 300);
        fail(
          `POST ${path} answered ${response.statusCode}${body ? `: ${body}` : ""} (is this a Docker daemon with BuildKit?)`,
        );
      });
    });
    request.once("error", (error) => fail(error.message));
    request.end();
  });
}

/** How long the `--builder` probe waits for a Docker daemon's answer before taking a BuildKit. */
const PROBE_TIMEOUT_MS = 3_000;

/**
 * `--builder ADDRESS` (or BUILDKIT_HOST) may name a Docker daemon as well as a BuildKit: the daemon
 * answers `GET /_ping` over HTTP/1.1 with an `Api-Version` header, which BuildKit's gRPC server
 * never does (it closes a connection that does not open with HTTP/2's preface). Anything else,
 * an unreachable address included, stays a BuildKit, for the build's own connection to report.
 */
export async function identifyEngine(address: EngineAddress): Promise<EngineAddress> {
  if (address.kind !== "buildkit") return address;
  const isDocker = await new Promise<boolean>((resolve) => {
    const request = engineRequest(address, {
      method: "GET",
      path: "/_ping",
      headers: { Host: "docker" },
      agent: false,
    });
    const timer = setTimeout(() => {
      request.destroy();
      resolve(false);
    }, PROBE_TIMEOUT_MS);
    request.once("response", (response) => {
      clearTimeout(timer);
      response.resume();
      resolve(response.headers["api-version"] !== undefined);
    });
    request.once("error", () => {
      clearTimeout(timer);
      resolve(false);
    });
    request.end();
  });
  return isDocker ? { ...address, kind: "docker" } : address;
}
