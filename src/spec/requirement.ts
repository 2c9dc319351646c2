import type { Dependency } from "./build-spec.js";
import type { Problem } from "./diagnostic-list.js";
import { CONTROL_CHARACTERS, redactCredentials } from "./value-rules.js";

export interface ParsedRequirement {
  dependency: Dependency;
  warning?: Problem;
}

const REQUIREMENT_START = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?\s*(\[[A-Za-z0-9._,\s-]*\])?/;
const NAMED_URL = /^([A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*@\s*(\S+)\s*$/;

/**
 * Classifies one pip requirement: a PEP 508 requirement, or a git URL (`git+https://…`,
 * `git+ssh://…`, optionally `name @ git+…`). pip options (`-r`, `--index-url`) are refused so a
 * requirement can never change how pip runs.
 */
export function parseRequirement(text: string): ParsedRequirement | Problem {
  const value = text.trim();
  if (value === "") return { code: "invalid-requirement", message: "requirement is empty" };
  if (CONTROL_CHARACTERS.test(value)) {
    return { code: "invalid-requirement", message: "requirement contains control characters" };
  }
  // A credential in a requirement would reach the plan, the build definition and the log.
  // (A git+ssh user name such as git@ is no credential.)
  const withoutSshUser = value.replace(/git\+ssh:\/\/[^:/?#@\s]*@/gi, "git+ssh://");
  if (redactCredentials(withoutSshUser) !== withoutSshUser) {
    return {
      code: "credentials-in-url",
      message: `${JSON.stringify(redactCredentials(value))}: the URL holds credentials, which would end up in the build definition and the log`,
      hint: 'use git+ssh:// with --ssh default, or a package index with secret = "<id>" and --secret id=<id>,src=<file>',
    };
  }
  if (value.startsWith("-")) {
    return {
      code: "pip-option-not-allowed",
      message: `${JSON.stringify(redactCredentials(value))} is a pip option, not a requirement`,
      hint: "use the requirements, indices or dependencies keys instead of pip options",
    };
  }
  const named = NAMED_URL.exec(value);
  const url = named ? named[4]! : value;
  if (/^git\+/i.test(url)) return parseGitUrl(url, named?.[1]);
  if (named) return { dependency: { kind: "index", requirement: value } };
  if (!REQUIREMENT_START.test(value) || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    return {
      code: "invalid-requirement",
      message: `${JSON.stringify(redactCredentials(value))} is not a pip requirement`,
      hint: 'write e.g. "flask>=3", "numpy==1.26.*" or "git+https://host/repo.git@ref"',
    };
  }
  return { dependency: { kind: "index", requirement: value } };
}

function parseGitUrl(url: string, name: string | undefined): ParsedRequirement | Problem {
  // Plain http, as pip and the lock formats take it: a repository on a private network or mirror.
  const transport = url.toLowerCase().startsWith("git+https://")
    ? "https"
    : url.toLowerCase().startsWith("git+http://")
      ? "http"
      : url.toLowerCase().startsWith("git+ssh://")
        ? "ssh"
        : undefined;
  const hint = "use git+https://host/owner/repo.git@ref or git+ssh://git@host/owner/repo.git@ref";
  if (!transport) {
    return {
      code: "invalid-git-url",
      message: `${JSON.stringify(redactCredentials(url))}: only git+https, git+http and git+ssh are supported`,
      hint,
    };
  }
  let parsed: URL;
  try {
    parsed = new URL(url.slice(4));
  } catch {
    return {
      code: "invalid-git-url",
      message: `${JSON.stringify(redactCredentials(url))} is not a valid git URL`,
      hint,
    };
  }
  if (parsed.hostname === "" || parsed.pathname.length <= 1 || /\s/.test(url)) {
    return {
      code: "invalid-git-url",
      message: `${JSON.stringify(redactCredentials(url))} is not a valid git URL`,
      hint,
    };
  }
  const dependency: Dependency = { kind: "git", url, transport, ...(name ? { name } : {}) };
  return { dependency };
}

export function isProblemResult(value: ParsedRequirement | Problem): value is Problem {
  return "code" in value;
}

/** What pip installs from a URL on its own: a wheel or a source archive. */
const ARCHIVE_SUFFIX = /\.(whl|tar\.gz|tgz|tar\.bz2|zip)$/i;
/** A wheel's file name starts with its distribution name, `-` spelt `_` (PEP 427). */
const WHEEL_NAME = /^([A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?)-[^-]+-/;

/**
 * A bare http(s) URL of a wheel or source archive, as mopy's `pip` takes it
 * (`https://host/simple/pkg-1.0-py3-none-any.whl`). Credentials in the URL are refused: they would
 * reach the build definition and the log. A wheel's project name comes from its file name.
 */
export function parseArchiveUrl(text: string): ParsedRequirement | Problem {
  const url = text.trim();
  const shown = JSON.stringify(redactCredentials(url));
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { code: "invalid-url", message: `${shown} is not a URL` };
  }
  if (/\s/.test(url) || CONTROL_CHARACTERS.test(url) || !/^https?:$/.test(parsed.protocol)) {
    return {
      code: "invalid-url",
      message: `${shown} is not an http(s) URL on one line`,
      hint: "write the URL on one line, with spaces percent-encoded as %20",
    };
  }
  if (redactCredentials(url) !== url || parsed.username !== "" || parsed.password !== "") {
    return {
      code: "credentials-in-url",
      message: `${shown}: the URL holds credentials, which would end up in the build definition and the log`,
      hint: "serve the file from a package index with credentials in a build secret (indices)",
    };
  }
  const file = decodeURIComponent(parsed.pathname.slice(parsed.pathname.lastIndexOf("/") + 1));
  if (!ARCHIVE_SUFFIX.test(file)) {
    return {
      code: "invalid-requirement",
      message: `${shown} names neither a wheel (.whl) nor a source archive (.tar.gz, .zip)`,
      hint: "point at the file itself, e.g. https://host/simple/pkg-1.0-py3-none-any.whl",
    };
  }
  const name = /\.whl$/i.test(file) ? WHEEL_NAME.exec(file)?.[1] : undefined;
  return { dependency: { kind: "url", url, ...(name ? { name: name.replace(/_/g, "-") } : {}) } };
}
