import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { dockerConfigDir } from "./engine-address.js";

/** A registry login, as the docker config or a credential helper gives it. Never printed. */
export interface RegistryCredential {
  username?: string;
  password?: string;
  /** An OAuth refresh token (a helper answers with the user name `<token>` for these). */
  identityToken?: string;
}

/** A docker config that cannot be used (exit code 2): the user's file or helper is wrong. */
export class RegistryAuthError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "RegistryAuthError";
  }
}

/** What reading credentials needs; tests hand in their own. */
export interface AuthEnvironment {
  env: Readonly<Record<string, string | undefined>>;
  readFile(path: string): string | undefined;
  homeDir?: string;
  /** Runs `docker-credential-NAME get` with the server on stdin; the helper's stdout, or an error text. */
  runHelper?(helper: string, server: string): { ok: true; stdout: string } | { ok: false; detail: string };
}

/** Docker Hub's key in the docker config, as `docker login` writes it. */
export const DOCKER_HUB_AUTH_KEY = "https://index.docker.io/v1/";

/**
 * The registry host of an image reference, as the docker CLI reads it: the first path component
 * when it has a dot or a port or is `localhost`, Docker Hub otherwise.
 */
export function registryOf(reference: string): string {
  const slash = reference.indexOf("/");
  if (slash < 0) return "docker.io";
  const first = reference.slice(0, slash);
  return first.includes(".") || first.includes(":") || first === "localhost" ? first : "docker.io";
}

/** `https://host/v1/` and `host` name the same registry in a docker config. */
function normaliseKey(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "");
  return host === "index.docker.io" || host === "registry-1.docker.io" ? "docker.io" : host;
}

interface DockerConfigAuth {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
  identitytoken?: unknown;
}

function defaultRunHelper(helper: string, server: string) {
  const run = spawnSync(`docker-credential-${helper}`, ["get"], {
    input: server,
    encoding: "utf8",
    timeout: 30_000,
    stdio: ["pipe", "pipe", "pipe"],
  });
  if (run.error) return { ok: false as const, detail: run.error.message };
  if (run.status !== 0)
    return { ok: false as const, detail: (run.stdout || run.stderr).trim().slice(0, 200) };
  return { ok: true as const, stdout: run.stdout };
}

/**
 * The credential for a registry host, found as the docker CLI finds it: the helper named for the
 * host in `credHelpers`, else the `credsStore`, else the `auths` entry; none when nothing is
 * configured for the host (anonymous access).
 */
export function credentialFor(
  registry: string,
  environment: AuthEnvironment,
): RegistryCredential | undefined {
  const configDir = dockerConfigDir(environment);
  const configPath = join(configDir, "config.json");
  const text = environment.readFile(configPath);
  if (text === undefined) return undefined;
  let config: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new Error("not an object");
    config = parsed as Record<string, unknown>;
  } catch (error) {
    throw new RegistryAuthError(
      `${configPath} is not valid JSON (${(error as Error).message})`,
      "fix the file, or point DOCKER_CONFIG at another folder",
    );
  }
  const wanted = normaliseKey(registry);
  const helpers = isRecord(config.credHelpers) ? config.credHelpers : {};
  const helperKey = Object.keys(helpers).find((key) => normaliseKey(key) === wanted);
  const helper = helperKey !== undefined ? helpers[helperKey] : config.credsStore;
  if (typeof helper === "string" && helper !== "") {
    const server = wanted === "docker.io" ? DOCKER_HUB_AUTH_KEY : wanted;
    return fromHelper(helper, server, environment);
  }
  const auths = isRecord(config.auths) ? config.auths : {};
  const authKey = Object.keys(auths).find((key) => normaliseKey(key) === wanted);
  const entry = authKey !== undefined ? auths[authKey] : undefined;
  return isRecord(entry)
    ? fromAuthEntry(entry as DockerConfigAuth, configPath, authKey ?? wanted)
    : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fromAuthEntry(
  entry: DockerConfigAuth,
  configPath: string,
  key: string,
): RegistryCredential | undefined {
  const credential: RegistryCredential = {};
  if (typeof entry.auth === "string" && entry.auth !== "") {
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0)
      throw new RegistryAuthError(
        `${configPath}: the "auth" of ${JSON.stringify(key)} is not base64 of user:password`,
        "log in again with docker login",
      );
    credential.username = decoded.slice(0, colon);
    credential.password = decoded.slice(colon + 1);
  } else {
    if (typeof entry.username === "string") credential.username = entry.username;
    if (typeof entry.password === "string") credential.password = entry.password;
  }
  if (typeof entry.identitytoken === "string" && entry.identitytoken !== "")
    credential.identityToken = entry.identitytoken;
  return Object.keys(credential).length > 0 ? credential : undefined;
}

function fromHelper(
  helper: string,
  server: string,
  environment: AuthEnvironment,
): RegistryCredential | undefined {
  // A helper's name becomes part of a program name: only the characters helpers are named with.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(helper))
    throw new RegistryAuthError(
      `the docker config names the credential helper ${JSON.stringify(helper)}, which is not a helper's name`,
      "helpers are named like desktop, pass, ecr-login",
    );
  const answer = (environment.runHelper ?? defaultRunHelper)(helper, server);
  if (!answer.ok) {
    // The helper's own words for a host it holds nothing for: anonymous, as docker goes on.
    if (/credentials not found/i.test(answer.detail)) return undefined;
    throw new RegistryAuthError(
      `the credential helper docker-credential-${helper} failed for ${server}: ${answer.detail}`,
      `check that docker-credential-${helper} is installed and works: echo ${server} | docker-credential-${helper} get`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.stdout);
  } catch {
    throw new RegistryAuthError(
      `docker-credential-${helper} answered something that is not JSON for ${server}`,
    );
  }
  if (!isRecord(parsed)) return undefined;
  const username = typeof parsed.Username === "string" ? parsed.Username : undefined;
  const secret = typeof parsed.Secret === "string" ? parsed.Secret : undefined;
  if (secret === undefined || secret === "") return undefined;
  return username === "<token>"
    ? { identityToken: secret }
    : { ...(username ? { username } : {}), password: secret };
}

/**
 * The X-Registry-Auth header the Docker API takes for a push: URL-safe base64 of the JSON login. An
 * empty login still goes as `{}`, since Docker 20.10 refuses a push without the header.
 */
export function registryAuthHeader(registry: string, credential: RegistryCredential | undefined): string {
  const login: Record<string, string> = {};
  if (credential?.identityToken) login.identitytoken = credential.identityToken;
  else if (credential) {
    if (credential.username !== undefined) login.username = credential.username;
    if (credential.password !== undefined) login.password = credential.password;
  }
  if (credential) login.serveraddress = registry === "docker.io" ? DOCKER_HUB_AUTH_KEY : registry;
  // Go's base64.URLEncoding, padding included: without it the daemon drops the login silently.
  return Buffer.from(JSON.stringify(login), "utf8")
    .toString("base64")
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
}
