import type { Dependency, PackageIndex } from "../spec/build-spec.js";
import { trustedHostFor } from "../spec/pip-origins.js";
import type { BindMount, EnvVar, Mount, SecretRequirement } from "./build-plan.js";
import {
  EXTRA_INDEX_URL_ARG,
  extraIndexUrlSecretId,
  INDEX_URL_ARG,
  INDEX_URL_SECRET,
  type IndexOverrides,
  isPypiIndex,
  NO_INDEX_OVERRIDES,
} from "./platform-overrides.js";
import {
  BUILDER_PYTHON,
  CONTEXT_MOUNT_DIR,
  inlineIndexSecretId,
  KNOWN_HOSTS_PATH,
  PIP_CACHE_DIR,
  SECRETS_DIR,
  VENV_PYTHON,
} from "./recipe-constants.js";

/**
 * Runs pip with credentials injected into index URLs at run time only. Arguments: groups of
 * `primary|extra URL SECRET_FILE SECRET_ID` (both "" for an index without credentials), then "--",
 * then pip's own arguments. The credentialed URLs live in this process's environment and die with
 * it; pip masks passwords in what it prints. The secret file holds `user:password` or a single
 * token. A build secret the client did not pass is mounted as optional and reported here, naming
 * the flag to pass: BuildKit's own message for a required one is "secret ID not found: not found".
 * An empty SECRET_ID marks a secret that may be left out (a build arg's index): without the file,
 * the index is used without credentials.
 */
export const PIP_WITH_CREDENTIALS_SCRIPT = [
  "import os, sys, urllib.parse as u",
  "a = sys.argv[1:]",
  "primary, extra = None, []",
  'while a[0] != "--":',
  "    kind, url, secret, sid, a = a[0], a[1], a[2], a[3], a[4:]",
  "    if secret and sid and not os.path.exists(secret):",
  '        sys.exit("pyfront: the build secret %r (credentials for a package index) was not passed to the build; "',
  '                 "pass it with --secret id=%s,src=FILE, where FILE holds user:password or a token" % (sid, sid))',
  "    if secret and os.path.exists(secret):",
  "        with open(secret) as f:",
  '            user, sep, password = f.read().rstrip("\\r\\n").partition(":")',
  '        auth = u.quote(user, safe="") + (":" + u.quote(password, safe="") if sep else "")',
  "        p = u.urlsplit(url)",
  '        url = u.urlunsplit((p.scheme, auth + "@" + p.netloc, p.path, p.query, p.fragment))',
  '    if kind == "primary":',
  "        primary = url",
  "    else:",
  "        extra.append(url)",
  "if primary:",
  '    os.environ["PIP_INDEX_URL"] = primary',
  "if extra:",
  '    os.environ["PIP_EXTRA_INDEX_URL"] = " ".join(extra)',
  'os.execv(sys.executable, [sys.executable, "-m", "pip"] + a[1:])',
].join("\n");

/** The index configuration shared by every pip step of one build. */
export interface PipIndexSetup {
  /** pip options that need no credentials (`--index-url`, `--trusted-host`, ...). */
  options: string[];
  /** When set, pip runs through the credentials script with these leading arguments. */
  credentialArgs?: string[];
  mounts: Mount[];
  secrets: SecretRequirement[];
}

/** Where an index's credentials come from, when it may have some. */
interface IndexSecret {
  id: string;
  /** Mounted at. */
  file: string;
  /** A spec's secret must be passed; a build arg's index may go without one. */
  mustBePassed: boolean;
  source: SecretRequirement["source"];
  purpose: string;
  /** The secret mount is required (BuildKit fails the step without it). */
  mountRequired: boolean;
}

/** One index as the pip steps use it, from the spec or from a build arg. */
interface PipIndex {
  url: string;
  role: "primary" | "extra";
  /** `--trusted-host` for it. */
  trustedHost?: string;
  secret?: IndexSecret;
}

function secretTarget(indexPosition: number): string {
  return `${SECRETS_DIR}/pyfront-index-${indexPosition}`;
}

function specIndex(index: PackageIndex, position: number, firstPrimary: number): PipIndex {
  const entry: PipIndex = { url: index.url, role: position === firstPrimary ? "primary" : "extra" };
  if (index.trusted) entry.trustedHost = trustedHostFor(index.url);
  if (index.credentialsSecret || index.inlineCredentials) {
    entry.secret = {
      id: index.credentialsSecret ?? inlineIndexSecretId(position),
      file: secretTarget(position),
      mustBePassed: true,
      source: index.credentialsSecret ? "build-secret" : "spec-inline",
      purpose: `credentials for package index ${index.url}`,
      // Optional so that a missing build secret reaches the script, which names the flag to pass.
      mountRequired: index.credentialsSecret === undefined,
    };
  }
  return entry;
}

function buildArgIndex(url: string, role: PipIndex["role"], secretId: string, arg: string): PipIndex {
  return {
    url,
    role,
    secret: {
      id: secretId,
      file: `${SECRETS_DIR}/${secretId}`,
      mustBePassed: false,
      source: "build-secret",
      purpose: `credentials for package index ${url} (build arg ${arg}), when it needs them`,
      mountRequired: false,
    },
  };
}

/** One index per URL: a trailing slash makes no other index. */
function sameIndex(a: string, b: string): boolean {
  return a.replace(/\/+$/, "") === b.replace(/\/+$/, "");
}

/**
 * The indices of every pip step: the spec's, with the build args' overrides applied. PIP_INDEX_URL
 * takes the primary's place (the spec's primary and any PyPI entry go); the spec's extra indices
 * stay, and PIP_EXTRA_INDEX_URL's come after them; a URL named twice is used once.
 */
function pipIndices(indices: readonly PackageIndex[], overrides: IndexOverrides): PipIndex[] {
  const firstPrimary = indices.findIndex((index) => index.primary);
  let entries = indices.map((index, position) => specIndex(index, position, firstPrimary));
  if (overrides.primary !== undefined) {
    entries = entries.filter((entry, position) => entry.role !== "primary" && !indices[position]!.primary);
    entries = entries.filter((entry) => !isPypiIndex(entry.url));
    entries.unshift(buildArgIndex(overrides.primary, "primary", INDEX_URL_SECRET, INDEX_URL_ARG));
  }
  overrides.extras.forEach((url, position) => {
    entries.push(buildArgIndex(url, "extra", extraIndexUrlSecretId(position), EXTRA_INDEX_URL_ARG));
  });
  return entries.filter(
    (entry, i) => !entries.slice(0, i).some((earlier) => sameIndex(earlier.url, entry.url)),
  );
}

export function pipIndexSetup(
  indices: readonly PackageIndex[],
  overrides: IndexOverrides = NO_INDEX_OVERRIDES,
): PipIndexSetup {
  const entries = pipIndices(indices, overrides);
  const withCredentials = entries.some((entry) => entry.secret !== undefined);
  const options: string[] = [];
  const mounts: Mount[] = [];
  const secrets: SecretRequirement[] = [];
  const credentialArgs: string[] = [];
  const trusted: string[] = [];
  const trust = (host: string) => {
    if (trusted.includes(host)) return;
    trusted.push(host);
    options.push("--trusted-host", host);
  };
  for (const entry of entries) {
    const secret = entry.secret;
    if (secret) {
      mounts.push({ type: "secret", id: secret.id, target: secret.file, required: secret.mountRequired });
      if (!secrets.some((s) => s.id === secret.id)) {
        secrets.push({
          id: secret.id,
          required: secret.mustBePassed,
          source: secret.source,
          purpose: secret.purpose,
        });
      }
    }
    if (withCredentials) {
      credentialArgs.push(entry.role, entry.url, secret?.file ?? "", secret?.mustBePassed ? secret.id : "");
    } else options.push(entry.role === "primary" ? "--index-url" : "--extra-index-url", entry.url);
    if (entry.trustedHost !== undefined) trust(entry.trustedHost);
  }
  for (const host of overrides.trustedHosts) trust(host);
  return withCredentials ? { options, credentialArgs, mounts, secrets } : { options, mounts, secrets };
}

/**
 * argv for `pip install OPTIONS -- REQUIREMENTS` into the venv, run by the builder's pip (pip ≥ 22.3
 * for `--python`), through the credentials script when needed.
 */
export function pipInstallArgv(setup: PipIndexSetup, options: string[], requirements: string[]): string[] {
  const pipArgs = ["--python", VENV_PYTHON, "install", ...setup.options, ...options, "--", ...requirements];
  if (setup.credentialArgs) {
    return [BUILDER_PYTHON, "-c", PIP_WITH_CREDENTIALS_SCRIPT, ...setup.credentialArgs, "--", ...pipArgs];
  }
  return [BUILDER_PYTHON, "-m", "pip", ...pipArgs];
}

export function pipCacheMount(series: string): Mount {
  return { type: "cache", id: `pyfront-pip-${series}`, target: PIP_CACHE_DIR, sharing: "shared" };
}

/** Where a context path appears inside the builder while a step runs. */
export function contextMountTarget(path: string): string {
  return path === "." ? CONTEXT_MOUNT_DIR : `${CONTEXT_MOUNT_DIR}/${path}`;
}

export function contextBind(path: string, readWrite: boolean): BindMount {
  return {
    type: "bind",
    from: { kind: "context" },
    source: path,
    target: contextMountTarget(path),
    readWrite,
  };
}

/** Host keys are checked against the project's known_hosts; an unknown host fails the build. */
export function gitSshSetup(knownHosts: string | undefined): { mounts: Mount[]; env: EnvVar[] } {
  const mounts: Mount[] = [{ type: "ssh", id: "default", required: true }];
  let command = "ssh -o StrictHostKeyChecking=yes";
  if (knownHosts !== undefined) {
    mounts.push({
      type: "bind",
      from: { kind: "context" },
      source: knownHosts,
      target: KNOWN_HOSTS_PATH,
      readWrite: false,
    });
    command = `ssh -o UserKnownHostsFile=${KNOWN_HOSTS_PATH} -o StrictHostKeyChecking=yes`;
  }
  return { mounts, env: [{ name: "GIT_SSH_COMMAND", value: command, mode: "set" }] };
}

/** The requirement pip is given for one dependency, and the options/mounts it needs. */
export interface DependencyArgs {
  options: string[];
  requirements: string[];
  mounts: BindMount[];
  needsSsh: boolean;
}

export function dependencyArgs(dependencies: Dependency[]): DependencyArgs {
  const result: DependencyArgs = { options: [], requirements: [], mounts: [], needsSsh: false };
  const bound = new Set<string>();
  const bind = (path: string) => {
    if (bound.has(path)) return;
    bound.add(path);
    // rw: builds of local projects write build/ and *.egg-info next to the sources.
    result.mounts.push(contextBind(path, true));
  };
  for (const dependency of dependencies) {
    switch (dependency.kind) {
      case "index":
        result.requirements.push(dependency.requirement);
        break;
      case "git":
        result.requirements.push(dependency.name ? `${dependency.name} @ ${dependency.url}` : dependency.url);
        if (dependency.transport === "ssh") result.needsSsh = true;
        break;
      case "local":
        bind(dependency.path);
        result.requirements.push(contextMountTarget(dependency.path));
        break;
      case "requirements-file":
        bind(dependency.path);
        // An option, so it goes before "--"; the path is ours, under a fixed prefix.
        result.options.push("--requirement", contextMountTarget(dependency.path));
        break;
    }
  }
  return result;
}
