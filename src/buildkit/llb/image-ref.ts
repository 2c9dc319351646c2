const DEFAULT_DOMAIN = "docker.io";
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const DOMAIN =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;

/** The parts of an image reference as written; `domain` is undefined when the name implies Docker Hub. */
export interface ImageRefParts {
  domain?: string;
  /** The repository path, e.g. "python" or "library/python" or "org/img". */
  path: string;
  tag?: string;
  digest?: string;
}

/**
 * Splits a reference the way Docker reads it: the first component is a registry when it holds a
 * `.` or `:`, is `localhost`, or has uppercase letters; otherwise the name is on Docker Hub.
 * Throws on a bad tag or digest; the name itself is checked by normalizeImageRef.
 */
export function splitImageRef(ref: string): ImageRefParts {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new Error(`invalid image reference "${ref}": bad digest "${digest}"`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new Error(`invalid image reference "${ref}": bad tag "${tag}"`);
  }
  let domain: string | undefined;
  let path = rest;
  const slash = rest.indexOf("/");
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (/[.:]/.test(first) || first === "localhost" || first.toLowerCase() !== first) {
      domain = first;
      path = rest.slice(slash + 1);
    }
  }
  return {
    ...(domain !== undefined ? { domain } : {}),
    path,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/** Whether a reference's registry is Docker Hub, named or implied. */
export function isDockerHubRef(parts: ImageRefParts): boolean {
  return parts.domain === undefined || parts.domain === DEFAULT_DOMAIN || parts.domain === "index.docker.io";
}

/**
 * A Docker Hub reference pulled through a registry mirror (`host[:port][/path]`), with Docker
 * Hub's implicit `library/` written out: `python:3.13` becomes `MIRROR/library/python:3.13`.
 * References that name another registry are returned as written.
 */
export function dockerHubRefViaMirror(ref: string, mirror: string): string {
  const parts = splitImageRef(ref);
  if (!isDockerHubRef(parts)) return ref;
  const path = parts.path.includes("/") ? parts.path : `library/${parts.path}`;
  const tag = parts.tag !== undefined ? `:${parts.tag}` : "";
  const digest = parts.digest !== undefined ? `@${parts.digest}` : "";
  return `${mirror}/${path}${tag}${digest}`;
}

/**
 * Normalizes an image reference like Docker does: "python:3.12" becomes
 * "docker.io/library/python:3.12", a reference without tag or digest gets ":latest".
 * Throws on references Docker would reject, so errors surface before the engine sees them.
 */
export function normalizeImageRef(ref: string): string {
  const parts = splitImageRef(ref);
  const { tag, digest } = parts;
  let domain = parts.domain ?? DEFAULT_DOMAIN;
  let path = parts.path;
  if (domain === "index.docker.io") domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes("/")) path = `library/${path}`;
  if (!DOMAIN.test(domain) || path === "" || !path.split("/").every((c) => COMPONENT.test(c))) {
    throw new Error(`invalid image reference "${ref}": expected [registry/]name[:tag][@digest] in lowercase`);
  }
  const name = `${domain}/${path}`;
  if (digest !== undefined) return tag === undefined ? `${name}@${digest}` : `${name}:${tag}@${digest}`;
  return `${name}:${tag ?? "latest"}`;
}
