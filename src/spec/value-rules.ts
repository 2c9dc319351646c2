// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} build-arg references are literal text here.
import type { Problem } from "./diagnostic-list.js";

/**
 * Checks on single values the user wrote. Each returns a Problem or undefined; the regexes are
 * shared with the zod schemas so the generated JSON Schema carries the same patterns.
 */

/** Debian policy package name, optionally pinned `=version`; nothing a shell could act on. */
export const APT_PACKAGE = /^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+~:-]+)?$/;
/** Alpine package names (apk): like Debian's, plus `_`; optionally `=version`. */
export const APK_PACKAGE = /^[a-z0-9][a-z0-9+._-]*(=[A-Za-z0-9.+_~-]+)?$/;
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** OCI/Docker label keys: reverse-DNS style, letters, digits, dots, dashes, slashes, underscores. */
export const LABEL_KEY = /^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$/;
export const CHECKSUM = /^sha256:[0-9a-f]{64}$/;
export const SECRET_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
export const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** A PEP 508 extra / project name. */
export const PYTHON_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;
export const IMAGE_REFERENCE =
  /^[a-z0-9][a-z0-9._/:-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?(@sha256:[0-9a-f]{64})?$/;
export const PORT = /^[0-9]+(\/(tcp|udp))?$/;
export const DURATION = /^([0-9]+h)?([0-9]+m)?([0-9]+s)?$/;

export function checkAptPackage(name: string): Problem | undefined {
  if (APT_PACKAGE.test(name)) return undefined;
  return {
    code: "invalid-apt-package",
    message: `${JSON.stringify(name)} is not a Debian package name`,
    hint: "use lowercase letters, digits and + . - (optionally =version), e.g. libpq-dev or curl=7.88.1-10",
  };
}

export function checkApkPackage(name: string): Problem | undefined {
  if (APK_PACKAGE.test(name)) return undefined;
  return {
    code: "invalid-apk-package",
    message: `${JSON.stringify(name)} is not an Alpine package name`,
    hint: "use lowercase letters, digits and + . _ - (optionally =version), e.g. musl-dev or libpq=16.4-r0",
  };
}

export function checkTargetName(name: string): Problem | undefined {
  if (TARGET_NAME.test(name)) return undefined;
  return {
    code: "invalid-target-name",
    message: `${JSON.stringify(name)} is not a valid target name`,
    hint: "start with a letter or digit, then letters, digits, _ . -",
  };
}

export function checkEnvName(name: string): Problem | undefined {
  if (ENV_NAME.test(name)) return undefined;
  return {
    code: "invalid-env-name",
    message: `${JSON.stringify(name)} is not a valid environment variable name`,
    hint: "start with a letter or _, then letters, digits or _",
  };
}

export function checkLabelKey(name: string): Problem | undefined {
  if (LABEL_KEY.test(name)) return undefined;
  return {
    code: "invalid-label-key",
    message: `${JSON.stringify(name)} is not a valid label key`,
    hint: 'use reverse-DNS style keys such as "org.example.team"',
  };
}

const REFERENCE = /\$\{([^}]*)\}/g;
const REFERENCE_BODY = /^[A-Za-z_][A-Za-z0-9_]*(:[-+].*)?$/;

/** Values may hold `${VAR}`, `${VAR:-default}` or `${VAR:+alt}`; they stay raw, only the syntax is checked. */
export function checkSubstitution(value: string): Problem | undefined {
  const hint = "write ${NAME}, ${NAME:-default} or ${NAME:+alternative}; build args fill them in";
  for (const match of value.matchAll(REFERENCE)) {
    if (!REFERENCE_BODY.test(match[1] ?? "")) {
      return { code: "invalid-substitution", message: `invalid build-arg reference ${match[0]}`, hint };
    }
  }
  const withoutRefs = value.replace(REFERENCE, "");
  if (withoutRefs.includes("${")) {
    return { code: "invalid-substitution", message: 'unclosed "${" in value', hint };
  }
  return undefined;
}

/**
 * Characters no path, URL or name may hold: C0 and C1 controls, DEL and the Unicode line and
 * paragraph separators. Each breaks a line somewhere (a Dockerfile, a log, a terminal).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A path inside the build context: relative, and never leaving it through `..`. */
export function checkContextPath(path: string): Problem | undefined {
  if (path === "")
    return { code: "invalid-path", message: "path is empty", hint: 'use "." for the context root' };
  if (CONTROL_CHARACTERS.test(path)) {
    return {
      code: "invalid-path",
      message: `${JSON.stringify(path)} contains control characters`,
      hint: "rename the file or folder without line breaks, tabs or other control characters",
    };
  }
  if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path)) {
    return {
      code: "absolute-path",
      message: `${JSON.stringify(path)} is absolute`,
      hint: "paths are relative to the build context, e.g. ./requirements.txt",
    };
  }
  let depth = 0;
  for (const part of path.split(/[\\/]+/)) {
    if (part === "..") depth--;
    else if (part !== "." && part !== "") depth++;
    if (depth < 0) {
      return {
        code: "path-escapes-context",
        message: `${JSON.stringify(path)} leaves the build context`,
        hint: "only files inside the build context can be used; move the file into it",
      };
    }
  }
  return undefined;
}

/** Normalizes a checked context path: no `./`, no trailing slash, "." for the root. */
export function normalizeContextPath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split(/[\\/]+/)) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return parts.length === 0 ? "." : parts.join("/");
}

/** A path inside the image (destinations, workdir): no control characters; absolute when required. */
export function checkImagePath(path: string, mustBeAbsolute: boolean): Problem | undefined {
  if (path === "" || CONTROL_CHARACTERS.test(path)) {
    return { code: "invalid-path", message: "path is empty or contains control characters" };
  }
  if (mustBeAbsolute && !path.startsWith("/")) {
    return {
      code: "relative-path",
      message: `${JSON.stringify(path)} must be absolute`,
      hint: 'e.g. "/app"',
    };
  }
  return undefined;
}

// The lookbehind keeps the scan linear: a long run of letters is tried as a scheme once, not at
// every position (that took minutes on a 70,000-letter value).
const URL_TOKEN = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/)([^\s"'<>]*)/gi;

/**
 * The text with the user-info part of every URL in it replaced by `***`, for messages. Generous on
 * purpose, so that a password with a raw `/` or `@` is hidden too: the user info ends at the last
 * `@` before the first `/`; when a `/` comes first, a `:` before the next `@` still marks
 * credentials, which then end at the last `@`, unless that `:` is a port (`host:8443/`).
 * `host/repo.git@v1` and `host:8443/repo.git@v1` stay as written.
 */
export function redactCredentials(text: string): string {
  return text.replace(URL_TOKEN, (whole, scheme: string, rest: string) => {
    const slash = rest.indexOf("/");
    const authority = slash === -1 ? rest : rest.slice(0, slash);
    let end = authority.lastIndexOf("@");
    if (end === -1) {
      const at = rest.indexOf("@");
      // `host:8443/repo.git@v1`: a port, then a revision, as git and pip read it.
      if (at === -1 || !rest.slice(0, at).includes(":") || /^[^:]*:\d*$/.test(authority)) return whole;
      end = rest.lastIndexOf("@");
    }
    return `${scheme}***${rest.slice(end)}`;
  });
}

/**
 * The spec text as it may be shown in a build log (BuildKit prints the source lines a warning or
 * error points at): URL user info, anything before an `@` in a word, and the values of
 * username/password keys replaced by `***`, line for line, so positions still hold.
 */
export function redactSpecText(text: string): string {
  // Also whatever precedes an `@` inside a word: a broken spec may hold user info outside any
  // well-formed URL, and this copy is only for display (an e-mail shows as ***@example.org).
  return redactBeforeAt(redactCredentials(text)).replace(
    /(["']?(?:username|password)["']?\s*[=:]\s*)("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s,}\]#]+)/gi,
    "$1***",
  );
}

const WORD_STOP = new Set([..." \t\r\n\"'<>@=[]{},/"]);

/** Replaces the word part before each `@` by `***`, in one linear pass (no regex backtracking). */
function redactBeforeAt(text: string): string {
  let out = "";
  let copied = 0;
  for (let at = text.indexOf("@"); at !== -1; at = text.indexOf("@", at + 1)) {
    let start = at;
    while (start > copied && !WORD_STOP.has(text[start - 1]!)) start--;
    if (start === at || text.slice(start, at) === "***") continue;
    out += `${text.slice(copied, start)}***`;
    copied = at;
  }
  return out + text.slice(copied);
}

/**
 * Takes `user:password@` (or `token@`) out of a URL, exactly as written otherwise. The parts are
 * percent-decoded, as pip would send them.
 */
export function splitUrlCredentials(url: string): { url: string; username?: string; password?: string } {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*)@/i.exec(url);
  if (!match) return { url };
  const userinfo = match[2]!;
  const colon = userinfo.indexOf(":");
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  const stripped = match[1]! + url.slice(match[0].length);
  if (colon === -1) return { url: stripped, username: decode(userinfo) };
  return {
    url: stripped,
    username: decode(userinfo.slice(0, colon)),
    password: decode(userinfo.slice(colon + 1)),
  };
}

export function checkIndexUrl(url: string): Problem | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return {
      code: "invalid-url",
      message: `${JSON.stringify(redactCredentials(url))} is not a URL`,
      hint: "e.g. https://pypi.example.com/simple",
    };
  }
  // The URL parser silently drops tabs and line breaks; pip would get them raw.
  if (/\s/.test(url) || CONTROL_CHARACTERS.test(url)) {
    return {
      code: "invalid-url",
      message: `${JSON.stringify(redactCredentials(url))} holds whitespace or control characters`,
      hint: "write the URL on one line, with spaces percent-encoded as %20",
    };
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    return {
      code: "invalid-url",
      message: `index URL must use https or http, not ${JSON.stringify(parsed.protocol.slice(0, -1))}`,
    };
  }
  return undefined;
}

export function urlHasCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== "" || parsed.password !== "";
  } catch {
    return false;
  }
}

export function isPlainHttp(url: string): boolean {
  return url.startsWith("http://");
}

export function checkChecksum(value: string): Problem | undefined {
  if (CHECKSUM.test(value)) return undefined;
  return {
    code: "invalid-checksum",
    message: `${JSON.stringify(value)} is not a sha256 checksum`,
    hint: "write sha256:<64 lowercase hex digits>",
  };
}

export function checkPort(value: number | string): Problem | undefined {
  const text = String(value);
  const match = /^([0-9]+)(\/(tcp|udp))?$/.exec(text);
  const port = match ? Number(match[1]) : Number.NaN;
  if (match && Number.isInteger(port) && port >= 1 && port <= 65535) return undefined;
  return {
    code: "invalid-port",
    message: `${JSON.stringify(value)} is not a port`,
    hint: 'use a number from 1 to 65535, optionally with "/tcp" or "/udp"',
  };
}

export function checkSecretId(value: string): Problem | undefined {
  if (SECRET_ID.test(value)) return undefined;
  return {
    code: "invalid-secret-id",
    message: `${JSON.stringify(value)} is not a valid secret id`,
    hint: "use letters, digits, _ . -; pass it with --secret id=NAME,src=FILE",
  };
}

export function checkImageReference(value: string): Problem | undefined {
  if (IMAGE_REFERENCE.test(value)) return undefined;
  return {
    code: "invalid-image",
    message: `${JSON.stringify(value)} is not an image reference`,
    hint: "e.g. registry.example.com/python:3.12-slim",
  };
}

export function isUrl(value: string): boolean {
  return /^https?:\/\//.test(value);
}

/** Parses `30`, `"30s"`, `"1m30s"`, `"2h"` into seconds. */
export function parseDurationSeconds(value: number | string): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? value : undefined;
  const match = DURATION.exec(value);
  if (!match || value === "") return undefined;
  const [, h, m, s] = match;
  return (
    (h ? Number.parseInt(h, 10) * 3600 : 0) +
    (m ? Number.parseInt(m, 10) * 60 : 0) +
    (s ? Number.parseInt(s, 10) : 0)
  );
}
