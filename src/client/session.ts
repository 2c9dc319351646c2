import { createHash, randomBytes } from "node:crypto";
import * as http2 from "node:http2";
import * as net from "node:net";
import { Duplex } from "node:stream";
import { TLSSocket } from "node:tls";
import {
  Code,
  ConnectError,
  type ConnectRouter,
  createContextKey,
  createContextValues,
} from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus } from "../buildkit/gen/grpc/health/v1/health_pb.js";
import { Secrets } from "../buildkit/gen/moby/buildkit/secrets/v1/secrets_pb.js";
import { Auth, FileSync } from "../buildkit/gen/moby/filesync/v1/filesync_pb.js";
import { SSH } from "../buildkit/gen/moby/sshforward/v1/ssh_pb.js";
import { controlSessionStream } from "./control-session.js";
import { dialHijack, dialSocket } from "./dial.js";
import type { EngineAddress } from "./engine-address.js";
import { diffCopySend, syncRequestFromMetadata } from "./filesync.js";
import type { RegistryCredential } from "./registry-auth.js";

/** What the session gives BuildKit: local folders by name and secrets by id. */
export interface SessionAttachables {
  /** "context", "dockerfile" → absolute folder paths. */
  localDirs: Record<string, string>;
  secrets: ReadonlyMap<string, Uint8Array>;
  /** A registry host's login, for BuildKit's pulls and pushes; undefined is anonymous access. */
  credentials?: (host: string) => RegistryCredential | undefined;
  /** `--ssh`: agent id → the agent's Unix socket. */
  sshAgents?: ReadonlyMap<string, string>;
}

export interface ClientSession {
  id: string;
  /** Why the session ended early, if it did (BuildKit then fails the build naming it). */
  closed: Promise<void>;
  close(): void;
}

/** The methods served, listed to BuildKit in X-Docker-Expose-Session-Grpc-Method headers. */
export const SESSION_METHODS = [
  `/${Health.typeName}/Check`,
  `/${FileSync.typeName}/DiffCopy`,
  `/${Auth.typeName}/Credentials`,
  `/${Secrets.typeName}/GetSecret`,
];

/**
 * Listed only when agents are forwarded: BuildKit tells a build that needs one and gets none
 * "no SSH key forwarded", which names the fix, as it does for docker build without --ssh.
 */
export const SSH_METHODS = [`/${SSH.typeName}/CheckAgent`, `/${SSH.typeName}/ForwardAgent`];

/** What a build needing an agent it was not given is told, with the flag that gives it. */
function noAgent(id: string): string {
  return `no SSH agent forwarded for id ${JSON.stringify(id)}: give one with pyfront build --ssh ${id === "default" ? "default" : `${id}=SOCKET`}`;
}

/** The request metadata naming the agent a ForwardAgent stream is for. */
const SSH_ID_HEADER = "buildkit.ssh.id";

/** A session id in BuildKit's own form (identity.NewID: 25 lowercase base-36 characters). */
export function newSessionId(): string {
  const value = BigInt(`0x${randomBytes(16).toString("hex")}`);
  return value.toString(36).padStart(25, "0").slice(-25);
}

/**
 * The session's shared key: BuildKit keeps each local's last copy under it, so an unchanged
 * context is not sent again. Stable for one folder, as buildx's is.
 */
export function sessionSharedKey(contextDir: string): string {
  return createHash("sha256").update(contextDir).digest("hex");
}

/** Raw request headers, one item per header line, for metadata keys with several values. */
const rawHeadersKey = createContextKey<[string, string][]>([]);

function routes(attachables: SessionAttachables) {
  return (router: ConnectRouter) => {
    router.service(Health, {
      check: () => ({ status: HealthCheckResponse_ServingStatus.SERVING }),
    });
    router.service(FileSync, {
      diffCopy(requests, context) {
        const request = syncRequestFromMetadata(context.values.get(rawHeadersKey));
        const root = Object.hasOwn(attachables.localDirs, request.dirName)
          ? attachables.localDirs[request.dirName]
          : undefined;
        if (root === undefined) {
          throw new ConnectError(
            `no access allowed to dir ${JSON.stringify(request.dirName)}`,
            Code.NotFound,
          );
        }
        return diffCopySend(root, request, requests);
      },
    });
    router.service(Auth, {
      // An empty answer is anonymous access, as docker's auth provider gives for an unknown host.
      credentials: (request) => {
        const credential = attachables.credentials?.(request.Host);
        if (!credential) return {};
        return credential.identityToken
          ? { Secret: credential.identityToken }
          : { Username: credential.username ?? "", Secret: credential.password ?? "" };
      },
    });
    router.service(SSH, {
      checkAgent(request) {
        const id = request.ID || "default";
        if (!attachables.sshAgents?.has(id)) throw new ConnectError(noAgent(id), Code.NotFound);
        return {};
      },
      forwardAgent(requests, context) {
        const id =
          context.values.get(rawHeadersKey).find(([name]) => name.toLowerCase() === SSH_ID_HEADER)?.[1] ||
          "default";
        const path = attachables.sshAgents?.get(id);
        if (path === undefined) throw new ConnectError(noAgent(id), Code.NotFound);
        return forwardToAgent(path, requests);
      },
    });
    router.service(Secrets, {
      getSecret(request) {
        const data = attachables.secrets.get(request.ID);
        if (data === undefined) throw new ConnectError(`secret ${request.ID} not found`, Code.NotFound);
        return { data };
      },
    });
  };
}

/**
 * One ForwardAgent stream: the agent protocol's bytes, copied both ways between BuildKit's stream
 * and a fresh connection to the agent's socket, until either side ends.
 */
async function* forwardToAgent(path: string, requests: AsyncIterable<{ data: Uint8Array }>) {
  const agent = net.connect(path);
  await new Promise<void>((resolve, reject) => {
    agent.once("connect", resolve);
    agent.once("error", (error) =>
      reject(new ConnectError(`cannot reach the SSH agent at ${path}: ${error.message}`, Code.Unavailable)),
    );
  });
  const upstream = (async () => {
    try {
      for await (const message of requests) agent.write(message.data);
    } finally {
      agent.end();
    }
  })();
  upstream.catch(() => agent.destroy());
  try {
    for await (const chunk of agent) yield { data: chunk as Buffer };
  } finally {
    agent.destroy();
  }
}

function pairs(raw: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] as string, raw[i + 1] as string]);
  return out;
}

/**
 * Serves the session on a socket where BuildKit is the gRPC client and we are the HTTP/2 server
 * (the daemon's `/session` upgrade).
 */
export function serveSession(socket: Duplex, attachables: SessionAttachables): Promise<void> {
  const handler = connectNodeAdapter({
    routes: routes(attachables),
    contextValues: (req) => createContextValues().set(rawHeadersKey, pairs(req.rawHeaders)),
  });
  const server = http2.createServer(handler);
  const closed = new Promise<void>((resolve) => {
    socket.once("close", () => resolve());
  });
  // The server never listens: it serves this one connection. A session upgraded inside TLS (a
  // Docker daemon with DOCKER_TLS_VERIFY) is h2c within it: Node's HTTP/2 server answers a TLS
  // socket that negotiated no ALPN with an HTTP/1.0 403, so it is handed a plain duplex of it.
  server.emit(
    "connection",
    socket instanceof TLSSocket ? Duplex.from({ readable: socket, writable: socket }) : socket,
  );
  return closed;
}

export interface SessionOptions {
  name: string;
  sharedKey: string;
  attachables: SessionAttachables;
}

/** The headers BuildKit's session manager reads, for either way of opening a session. */
function sessionHeaders(id: string, options: SessionOptions): Record<string, string | string[]> {
  return {
    "X-Docker-Expose-Session-Uuid": id,
    "X-Docker-Expose-Session-Name": options.name,
    "X-Docker-Expose-Session-Sharedkey": options.sharedKey,
    "X-Docker-Expose-Session-Grpc-Method": [
      ...SESSION_METHODS,
      ...(options.attachables.sshAgents?.size ? SSH_METHODS : []),
    ],
  };
}

/** Opens the session on a Docker daemon: `POST /session` with the headers BuildKit's session manager reads. */
export async function startDockerSession(
  address: EngineAddress,
  options: SessionOptions,
): Promise<ClientSession> {
  const id = newSessionId();
  const socket = await dialHijack(address, "/session", sessionHeaders(id, options));
  const closed = serveSession(socket, options.attachables);
  return { id, closed, close: () => socket.destroy() };
}

/**
 * Opens the session over Control.Session, the way to a standalone BuildKit (buildctl's and
 * buildx's grpchijack), on a connection of its own: the engine's socket, or a Docker daemon's
 * `/grpc` upgrade, whose Control API has the same method.
 */
export async function startControlSession(
  address: EngineAddress,
  options: SessionOptions,
): Promise<ClientSession> {
  const id = newSessionId();
  const socket = address.kind === "docker" ? await dialHijack(address, "/grpc") : await dialSocket(address);
  const stream = controlSessionStream(socket, sessionHeaders(id, options));
  const closed = serveSession(stream, options.attachables);
  return { id, closed, close: () => stream.destroy() };
}
