import { createHash } from "node:crypto";
import { homedir } from "node:os";
import { join } from "node:path";

/** Where a socket is: a Unix socket path or a TCP host and port. */
export type SocketAddress = { kind: "unix"; path: string } | { kind: "tcp"; host: string; port: number };

/**
 * The engine a build talks to. A Docker daemon serves BuildKit behind its `/grpc` and `/session`
 * endpoints (HTTP upgrades); a standalone BuildKit (buildkitd) serves gRPC on its socket directly.
 */
export interface EngineAddress {
  kind: "docker" | "buildkit";
  socket: SocketAddress;
  /** What chose it, for messages: "DOCKER_HOST", "docker context \"x\"", "--builder", ... */
  source: string;
  /** The address as written, for messages. */
  written: string;
  /** TLS to a tcp:// engine: PEM texts, and the name the server's certificate must carry. */
  tls?: EngineTls;
}

export interface EngineTls {
  ca?: string;
  cert?: string;
  key?: string;
  serverName?: string;
}

/** Where TLS files for a `--builder tcp://` engine are, as buildctl's flags name them. */
export interface BuilderTlsFiles {
  caCert?: string;
  cert?: string;
  key?: string;
  serverName?: string;
}

/** The file reads address resolution needs; tests hand in their own. */
export interface AddressEnvironment {
  env: Readonly<Record<string, string | undefined>>;
  /** The file's text, or undefined when it does not exist. */
  readFile(path: string): string | undefined;
  homeDir?: string;
}

/** A mistake in the engine's address, told to the user (exit code 2). */
export class EngineAddressError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "EngineAddressError";
  }
}

const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

/**
 * The engine to build on, chosen as docker and buildx choose it: `--builder ADDRESS` or
 * BUILDKIT_HOST name a standalone BuildKit; otherwise the Docker daemon of DOCKER_HOST, of the
 * docker context (DOCKER_CONTEXT, or the config's currentContext), or the default socket.
 */
export function resolveEngineAddress(
  builder: string | undefined,
  environment: AddressEnvironment,
  builderTls: BuilderTlsFiles = {},
): EngineAddress {
  const tlsAsked = Object.values(builderTls).some((v) => v !== undefined);
  let address: EngineAddress | undefined;
  if (builder !== undefined && builder !== "") address = buildkitAddress(builder, "--builder");
  else if (environment.env.BUILDKIT_HOST)
    address = buildkitAddress(environment.env.BUILDKIT_HOST, "BUILDKIT_HOST");
  if (address === undefined) {
    if (tlsAsked)
      throw new EngineAddressError(
        "--tlscacert, --tlscert, --tlskey and --tlsservername are for a standalone BuildKit (--builder tcp://…)",
        "for a Docker daemon over TLS, set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH as for the docker command",
      );
    return dockerAddress(environment);
  }
  if (!tlsAsked) return address;
  if (address.socket.kind !== "tcp")
    throw new EngineAddressError(`${address.source} is ${address.written}: TLS needs a tcp:// address`);
  const read = (path: string | undefined, what: string) => {
    if (path === undefined) return undefined;
    const text = environment.readFile(path);
    if (text === undefined) throw new EngineAddressError(`${what} ${path} cannot be read`);
    return text;
  };
  if ((builderTls.cert === undefined) !== (builderTls.key === undefined))
    throw new EngineAddressError("--tlscert and --tlskey go together: the client certificate and its key");
  const tls: EngineTls = {};
  const ca = read(builderTls.caCert, "--tlscacert");
  const cert = read(builderTls.cert, "--tlscert");
  const key = read(builderTls.key, "--tlskey");
  if (ca !== undefined) tls.ca = ca;
  if (cert !== undefined) tls.cert = cert;
  if (key !== undefined) tls.key = key;
  if (builderTls.serverName) tls.serverName = builderTls.serverName;
  return { ...address, tls };
}

function buildkitAddress(written: string, source: string): EngineAddress {
  return { kind: "buildkit", socket: parseSocketUrl(written, source, 1234), source, written };
}

/** The docker CLI's order (cli/command/cli.go resolveContextName): DOCKER_HOST beats any context. */
function dockerAddress(environment: AddressEnvironment): EngineAddress {
  const { env } = environment;
  if (env.DOCKER_HOST) return dockerHost(env.DOCKER_HOST, "DOCKER_HOST", environment);
  const configDir = dockerConfigDir(environment);
  let context = env.DOCKER_CONTEXT;
  let contextSource = "DOCKER_CONTEXT";
  if (!context) {
    const configPath = join(configDir, "config.json");
    const text = environment.readFile(configPath);
    if (text !== undefined) {
      let config: { currentContext?: unknown };
      try {
        config = JSON.parse(text) as { currentContext?: unknown };
      } catch (error) {
        throw new EngineAddressError(`${configPath} is not JSON: ${(error as Error).message}`);
      }
      if (typeof config.currentContext === "string" && config.currentContext !== "") {
        context = config.currentContext;
        contextSource = `currentContext in ${configPath}`;
      }
    }
  }
  if (!context || context === "default")
    return dockerHost(DEFAULT_DOCKER_HOST, "the default socket", environment);
  const endpoint = contextHost(configDir, context, contextSource, environment);
  return dockerHost(endpoint.host, `docker context "${context}"`, environment, endpoint.tlsDir);
}

/** The docker endpoint of a named context: contexts/meta/<sha256 of the name>/meta.json. */
function contextHost(
  configDir: string,
  name: string,
  source: string,
  environment: AddressEnvironment,
): { host: string; tlsDir?: string } {
  const metaPath = join(
    configDir,
    "contexts",
    "meta",
    createHash("sha256").update(name).digest("hex"),
    "meta.json",
  );
  const text = environment.readFile(metaPath);
  if (text === undefined) {
    throw new EngineAddressError(
      `the docker context "${name}" (from ${source}) does not exist: no ${metaPath}`,
      "list the contexts with `docker context ls`, or choose one with DOCKER_CONTEXT",
    );
  }
  let meta: { Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } };
  try {
    meta = JSON.parse(text) as typeof meta;
  } catch (error) {
    throw new EngineAddressError(`${metaPath} is not JSON: ${(error as Error).message}`);
  }
  const host = meta.Endpoints?.docker?.Host;
  if (typeof host !== "string" || host === "") {
    throw new EngineAddressError(
      `the docker context "${name}" has no docker endpoint (Endpoints.docker.Host in ${metaPath})`,
    );
  }
  const tlsDir = join(
    configDir,
    "contexts",
    "tls",
    createHash("sha256").update(name).digest("hex"),
    "docker",
  );
  const usesTls =
    environment.readFile(join(tlsDir, "ca.pem")) !== undefined ||
    environment.readFile(join(tlsDir, "cert.pem")) !== undefined;
  return usesTls ? { host, tlsDir } : { host };
}

/**
 * A Docker daemon's address; over tcp:// with DOCKER_TLS_VERIFY, TLS with the docker CLI's
 * files: ca.pem, cert.pem and key.pem in DOCKER_CERT_PATH (default: the config folder).
 */
function dockerHost(
  written: string,
  source: string,
  environment: AddressEnvironment,
  tlsDir?: string,
): EngineAddress {
  const { env } = environment;
  const socket = parseSocketUrl(written, source, env.DOCKER_TLS_VERIFY ? 2376 : 2375);
  const address: EngineAddress = { kind: "docker", socket, source, written };
  const certDir =
    tlsDir ?? (env.DOCKER_TLS_VERIFY ? env.DOCKER_CERT_PATH || dockerConfigDir(environment) : undefined);
  if (socket.kind !== "tcp" || certDir === undefined) return address;
  const files = {
    ca: environment.readFile(join(certDir, "ca.pem")),
    cert: environment.readFile(join(certDir, "cert.pem")),
    key: environment.readFile(join(certDir, "key.pem")),
  };
  if (tlsDir === undefined && files.ca === undefined)
    throw new EngineAddressError(
      `${source} is ${written} with DOCKER_TLS_VERIFY set, and ${join(certDir, "ca.pem")} cannot be read`,
      "point DOCKER_CERT_PATH at the folder with ca.pem, cert.pem and key.pem",
    );
  if ((files.cert === undefined) !== (files.key === undefined))
    throw new EngineAddressError(
      `${certDir} has only one of cert.pem and key.pem`,
      "a client certificate needs its key",
    );
  const tls: EngineTls = {};
  if (files.ca !== undefined) tls.ca = files.ca;
  if (files.cert !== undefined) tls.cert = files.cert;
  if (files.key !== undefined) tls.key = files.key;
  return { ...address, tls };
}

/** The docker CLI's config folder: DOCKER_CONFIG, else ~/.docker. */
export function dockerConfigDir(environment: Pick<AddressEnvironment, "env" | "homeDir">): string {
  return environment.env.DOCKER_CONFIG || join(environment.homeDir ?? homedir(), ".docker");
}

/** `unix:///path` or `tcp://host:port`; anything else is refused by name. */
export function parseSocketUrl(written: string, source: string, defaultPort: number): SocketAddress {
  if (written.startsWith("unix://")) {
    const path = written.slice("unix://".length);
    if (!path.startsWith("/")) {
      throw new EngineAddressError(
        `${source}: ${JSON.stringify(written)} needs an absolute socket path (unix:///path)`,
      );
    }
    return { kind: "unix", path };
  }
  if (written.startsWith("tcp://")) {
    let url: URL;
    try {
      url = new URL(`http://${written.slice("tcp://".length)}`);
    } catch {
      throw new EngineAddressError(`${source}: ${JSON.stringify(written)} is not a tcp://host:port address`);
    }
    if (url.pathname !== "/" || url.search || url.username) {
      throw new EngineAddressError(`${source}: ${JSON.stringify(written)} is not a tcp://host:port address`);
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    return { kind: "tcp", host, port: url.port ? Number(url.port) : defaultPort };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(written)?.[1];
  throw new EngineAddressError(
    scheme
      ? `${source}: the ${scheme}:// engine address is not supported by pyfront build`
      : `${source}: ${JSON.stringify(written)} is not an engine address`,
    "give unix:///path/to/socket or tcp://host:port",
  );
}

export function describeSocket(socket: SocketAddress): string {
  return socket.kind === "unix" ? `unix://${socket.path}` : `tcp://${socket.host}:${socket.port}`;
}
