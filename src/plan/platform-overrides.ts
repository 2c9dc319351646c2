import { dockerHubRefViaMirror } from "../buildkit/llb/image-ref.js";
import type { BuildDecisions, PackageIndex } from "../spec/build-spec.js";
import type { Diagnostic } from "../spec/diagnostics.js";
import { pipAcceptsIndexUrl, trustedHostFor, urlOrigin } from "../spec/pip-origins.js";
import {
  CONTROL_CHARACTERS,
  checkIndexUrl,
  redactCredentials,
  splitUrlCredentials,
} from "../spec/value-rules.js";
import type { BuildPlan, CopySource, Stage, Step } from "./build-plan.js";

/*
 * Build args a platform team passes to every build, without editing the projects: pip's own
 * variables for the package indices, and a registry mirror for Docker Hub images. Each is checked
 * here, once, for both edges (the frontend reads them from BuildKit's `build-arg:` options, the CLI
 * from --build-arg); an empty value counts as not given, so `--build-arg PIP_INDEX_URL=$MIRROR`
 * with MIRROR unset changes nothing.
 */

export const INDEX_URL_ARG = "PIP_INDEX_URL";
export const EXTRA_INDEX_URL_ARG = "PIP_EXTRA_INDEX_URL";
export const TRUSTED_HOST_ARG = "PIP_TRUSTED_HOST";
export const REGISTRY_MIRROR_ARG = "PYFRONT_REGISTRY_MIRROR";

/** The build secret read (when passed) for credentials of the PIP_INDEX_URL index. */
export const INDEX_URL_SECRET = "pyfront-index-url";

/** The build secret read (when passed) for the PIP_EXTRA_INDEX_URL index at `position` (from 0). */
export function extraIndexUrlSecretId(position: number): string {
  return `pyfront-extra-index-url-${position}`;
}

/** Whether a secret is one of those the PIP_INDEX_URL and PIP_EXTRA_INDEX_URL indices read. */
export function isIndexOverrideSecret(id: string): boolean {
  return id === INDEX_URL_SECRET || /^pyfront-extra-index-url-\d+$/.test(id);
}

export interface IndexOverrides {
  /** PIP_INDEX_URL: the primary index, in place of the spec's primary index and of PyPI. */
  primary?: string;
  /** PIP_EXTRA_INDEX_URL, in order: added after the spec's extra indices. */
  extras: string[];
  /** PIP_TRUSTED_HOST, in order: `host` or `host:port`, trusted on every pip step. */
  trustedHosts: string[];
}

export interface PlatformOverrides {
  indices: IndexOverrides;
  /** PYFRONT_REGISTRY_MIRROR: `host[:port][/path]` in front of every Docker Hub image. */
  registryMirror?: string;
}

export const NO_INDEX_OVERRIDES: IndexOverrides = { extras: [], trustedHosts: [] };

/** The hosts of PyPI's own simple index. */
const PYPI_INDEX_HOSTS = ["pypi.org", "pypi.python.org"] as const;

/**
 * Whether a spec's index is PyPI itself. PIP_INDEX_URL replaces PyPI (pip's default index), so a
 * spec's extra index that is PyPI goes with it.
 */
export function isPypiIndex(url: string): boolean {
  const origin = urlOrigin(url);
  const path = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(\/[^?#]*)?/i.exec(url)?.[1] ?? "";
  return (
    origin !== undefined &&
    (PYPI_INDEX_HOSTS as readonly string[]).includes(origin.host) &&
    /^\/simple\/?$/.test(path)
  );
}

function buildArg(buildArgs: Readonly<Record<string, string>>, name: string): string | undefined {
  const value = Object.hasOwn(buildArgs, name) ? buildArgs[name] : undefined;
  return value === undefined || value.trim() === "" ? undefined : value;
}

function problem(name: string, message: string, hint?: string): Diagnostic {
  return {
    code: "invalid-build-arg",
    message: `build arg ${name}: ${message}`,
    key: name,
    ...(hint ? { hint } : {}),
    severity: "error",
  };
}

/** Reads the overrides from the build args; every problem goes to `diagnostics`. */
export function readPlatformOverrides(
  buildArgs: Readonly<Record<string, string>>,
  diagnostics: Diagnostic[],
): PlatformOverrides {
  const trustedHosts = readTrustedHosts(buildArgs, diagnostics);
  const indices: IndexOverrides = { extras: [], trustedHosts };
  const primary = buildArg(buildArgs, INDEX_URL_ARG);
  if (primary !== undefined) {
    const urls = primary.trim().split(/\s+/);
    if (urls.length > 1) {
      diagnostics.push(
        problem(
          INDEX_URL_ARG,
          `it names ${urls.length} URLs; it is the one primary index`,
          `put the others in ${EXTRA_INDEX_URL_ARG}, separated by spaces`,
        ),
      );
    } else if (checkOverrideUrl(INDEX_URL_ARG, urls[0]!, INDEX_URL_SECRET, trustedHosts, diagnostics)) {
      indices.primary = urls[0]!;
    }
  }
  const extras = buildArg(buildArgs, EXTRA_INDEX_URL_ARG);
  if (extras !== undefined) {
    // pip splits PIP_EXTRA_INDEX_URL on whitespace.
    extras
      .trim()
      .split(/\s+/)
      .forEach((url, position) => {
        const secret = extraIndexUrlSecretId(position);
        if (checkOverrideUrl(EXTRA_INDEX_URL_ARG, url, secret, trustedHosts, diagnostics)) {
          indices.extras.push(url);
        }
      });
  }
  const mirror = buildArg(buildArgs, REGISTRY_MIRROR_ARG);
  const registryMirror = mirror === undefined ? undefined : checkRegistryMirror(mirror, diagnostics);
  return { indices, ...(registryMirror !== undefined ? { registryMirror } : {}) };
}

/** Checks one index URL of a build arg; never repeats credentials it holds. */
function checkOverrideUrl(
  name: string,
  url: string,
  secretId: string,
  trustedHosts: readonly string[],
  diagnostics: Diagnostic[],
): boolean {
  const split = splitUrlCredentials(url);
  if (split.username !== undefined) {
    diagnostics.push(
      problem(
        name,
        `the URL ${redactCredentials(url)} holds credentials; a build arg is no place for them, as the index URL becomes part of the build definition and of the image's history`,
        `give the URL without them, and the credentials as a build secret: a file holding user:password (or a token), passed with --secret id=${secretId},src=FILE`,
      ),
    );
    return false;
  }
  const invalid = checkIndexUrl(url);
  if (invalid) {
    diagnostics.push(problem(name, invalid.message, invalid.hint ?? "e.g. https://pypi.example.com/simple"));
    return false;
  }
  if (!pipAcceptsIndexUrl(url, trustedHosts)) {
    // The host as pip compares it, not as WHATWG's URL rewrites it (127.1 stays 127.1).
    const host = trustedHostFor(url);
    diagnostics.push(
      problem(
        name,
        `pip ignores the plain http index ${url}: its host is not trusted (only localhost, 127.0.0.0/8 and ::1 need no trust)`,
        `use https, or add --build-arg ${TRUSTED_HOST_ARG}=${host}`,
      ),
    );
    return false;
  }
  return true;
}

/** A DNS name or IPv4 address, with an optional port: what pip's --trusted-host takes. */
const TRUSTED_HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)(?::[0-9]{1,5})?$/;

function readTrustedHosts(buildArgs: Readonly<Record<string, string>>, diagnostics: Diagnostic[]): string[] {
  const value = buildArg(buildArgs, TRUSTED_HOST_ARG);
  if (value === undefined) return [];
  const hosts: string[] = [];
  for (const entry of value.trim().split(/\s+/)) {
    if (entry.includes("@")) {
      diagnostics.push(
        problem(
          TRUSTED_HOST_ARG,
          "an entry holds an @, as credentials do; it takes host names only",
          "write host or host:port, separated by spaces; index credentials are build secrets",
        ),
      );
    } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry)) {
      const host = entry.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/[/?#].*$/, "");
      diagnostics.push(
        problem(
          TRUSTED_HOST_ARG,
          `${JSON.stringify(entry)} is a URL, not a host`,
          `write the host alone: ${host}`,
        ),
      );
    } else if (!TRUSTED_HOST.test(entry)) {
      diagnostics.push(
        problem(
          TRUSTED_HOST_ARG,
          `${JSON.stringify(entry)} is not a host or host:port`,
          `separate hosts with spaces, e.g. ${TRUSTED_HOST_ARG}="pypi.internal mirror.example:8080"`,
        ),
      );
    } else if (!hosts.includes(entry)) hosts.push(entry);
  }
  return hosts;
}

/** One path component of a repository name (the distribution spec's grammar). */
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** The mirror as written when it is a registry `host[:port][/path]`; otherwise a problem is recorded. */
function checkRegistryMirror(mirror: string, diagnostics: Diagnostic[]): string | undefined {
  const refuse = (message: string, hint: string) => {
    diagnostics.push(problem(REGISTRY_MIRROR_ARG, message, hint));
    return undefined;
  };
  const example = "e.g. registry.example.com/dockerhub or mirror.internal:5000";
  if (mirror.includes("@")) {
    return refuse(
      "it holds an @, as credentials do; it takes a registry host[:port][/path] only",
      "the engine logs in to the mirror (docker login) as to any registry; never put credentials in a build arg",
    );
  }
  if (/\s/.test(mirror) || CONTROL_CHARACTERS.test(mirror)) {
    return refuse(
      "it holds whitespace or control characters",
      `write one registry host[:port][/path], ${example}`,
    );
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(mirror);
  if (scheme) {
    return refuse(
      `${JSON.stringify(mirror)} starts with ${scheme[0]}; image references name a registry without a scheme`,
      `write ${JSON.stringify(mirror.slice(scheme[0].length).replace(/\/+$/, ""))}`,
    );
  }
  if (mirror.endsWith("/")) {
    return refuse(
      `${JSON.stringify(mirror)} ends with "/"`,
      `write ${JSON.stringify(mirror.replace(/\/+$/, ""))}`,
    );
  }
  if (mirror !== mirror.toLowerCase()) {
    return refuse(
      `${JSON.stringify(mirror)} has uppercase letters`,
      `write ${JSON.stringify(mirror.toLowerCase())}: repository paths must be lowercase`,
    );
  }
  const [authority = "", ...path] = mirror.split("/");
  const hostPort = /^([^:]*)(?::([0-9]+))?$/.exec(authority);
  const host = hostPort?.[1] ?? "";
  const port = hostPort?.[2];
  const hostIsValid = host !== "" && host.split(".").every((label) => HOST_LABEL.test(label));
  const portIsValid = port === undefined || (Number(port) >= 1 && Number(port) <= 65535 && !/^0/.test(port));
  if (!hostPort || !hostIsValid || !portIsValid) {
    return refuse(`${JSON.stringify(mirror)} does not start with a registry host[:port]`, example);
  }
  if (!host.includes(".") && port === undefined && host !== "localhost") {
    return refuse(
      `Docker would read ${JSON.stringify(host)} as a Docker Hub account, not as a registry`,
      `name the registry by a host with a dot or a port, ${example}`,
    );
  }
  const badComponent = path.find((component) => !PATH_COMPONENT.test(component));
  if (badComponent !== undefined) {
    return refuse(
      `${JSON.stringify(badComponent)} is not a repository path component`,
      "path components are lowercase letters and digits, separated by . _ __ or -",
    );
  }
  return mirror;
}

function mirroredSource(source: CopySource, mirror: string): CopySource {
  return source.kind === "image" ? { kind: "image", ref: dockerHubRefViaMirror(source.ref, mirror) } : source;
}

function mirroredStep(step: Step, mirror: string): Step {
  if (step.kind === "copy") return { ...step, from: mirroredSource(step.from, mirror) };
  if (step.kind === "run") {
    return {
      ...step,
      mounts: step.mounts.map((m) =>
        m.type === "bind" ? { ...m, from: mirroredSource(m.from, mirror) } : m,
      ),
    };
  }
  return step;
}

function mirroredStage(stage: Stage, mirror: string): Stage {
  const base =
    stage.base.kind === "image"
      ? { kind: "image" as const, ref: dockerHubRefViaMirror(stage.base.ref, mirror) }
      : stage.base;
  return { ...stage, base, steps: stage.steps.map((step) => mirroredStep(step, mirror)) };
}

/** Every image a plan pulls (stage bases, copies and mounts from images), in plan order. */
export function planImageRefs(plan: BuildPlan): string[] {
  const refs: string[] = [];
  const add = (ref: string) => {
    if (!refs.includes(ref)) refs.push(ref);
  };
  for (const stage of plan.stages) {
    if (stage.base.kind === "image") add(stage.base.ref);
    for (const step of stage.steps) {
      if (step.kind === "copy" && step.from.kind === "image") add(step.from.ref);
      if (step.kind === "run")
        for (const m of step.mounts) if (m.type === "bind" && m.from.kind === "image") add(m.from.ref);
    }
  }
  return refs;
}

/**
 * The plan with the overrides' effect on images and its decisions recorded. Only image
 * references change: the labels (`base.name`) and cache ids keep the names the spec wrote, since
 * a mirror serves the same images.
 */
export function withPlatformOverrides(
  plan: BuildPlan,
  overrides: PlatformOverrides,
  specIndices: readonly PackageIndex[],
): BuildPlan {
  const decisions: BuildDecisions = { ...plan.decisions };
  const indices = indexDecision(specIndices, overrides.indices);
  if (indices) decisions.indices = indices;
  const mirror = overrides.registryMirror;
  if (mirror === undefined) return { ...plan, decisions };
  const refs = planImageRefs(plan);
  const rewritten = refs.map((ref) => [ref, dockerHubRefViaMirror(ref, mirror)] as const);
  const via = rewritten.filter(([from, to]) => from !== to).map(([from, to]) => `${from} as ${to}`);
  const kept = rewritten.filter(([from, to]) => from === to).map(([from]) => from);
  decisions.images = {
    choice: mirror,
    rule: "registry-mirror-build-arg",
    reason:
      `${REGISTRY_MIRROR_ARG} pulls the Docker Hub images through the mirror: ${via.length > 0 ? via.join(", ") : "none in this build"}` +
      (kept.length > 0
        ? `; ${kept.join(", ")} name${kept.length === 1 ? "s" : ""} another registry and stay`
        : ""),
  };
  return { ...plan, stages: plan.stages.map((stage) => mirroredStage(stage, mirror)), decisions };
}

function indexDecision(specIndices: readonly PackageIndex[], o: IndexOverrides): BuildDecisions["indices"] {
  if (o.primary === undefined && o.extras.length === 0 && o.trustedHosts.length === 0) return undefined;
  const reasons: string[] = [];
  const specPrimary = specIndices.find((index) => index.primary);
  if (o.primary !== undefined) {
    const replaced = specPrimary ? `the spec's primary index ${specPrimary.url}` : "PyPI";
    const pypiExtras = specIndices.filter((index) => !index.primary && isPypiIndex(index.url));
    reasons.push(
      `${INDEX_URL_ARG} replaces ${replaced}` +
        (pypiExtras.length > 0
          ? ` and the spec's PyPI entry ${pypiExtras.map((i) => i.url).join(", ")}`
          : ""),
    );
  }
  const keptExtras = specIndices.filter(
    (index) => !index.primary && !(o.primary !== undefined && isPypiIndex(index.url)),
  );
  if (keptExtras.length > 0)
    reasons.push(`the spec's extra indices stay: ${keptExtras.map((i) => i.url).join(", ")}`);
  if (o.extras.length > 0) reasons.push(`${EXTRA_INDEX_URL_ARG} adds ${o.extras.join(", ")}`);
  if (o.trustedHosts.length > 0) reasons.push(`${TRUSTED_HOST_ARG} trusts ${o.trustedHosts.join(", ")}`);
  const primary = o.primary ?? specPrimary?.url ?? "PyPI";
  return { choice: primary, rule: "index-build-args", reason: reasons.join("; ") };
}
