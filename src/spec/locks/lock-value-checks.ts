import type { Problem } from "../diagnostic-list.js";
import { compareVersions, parseSpecifierSet, parseVersion } from "../pep440.js";
import { CONTROL_CHARACTERS, PYTHON_NAME, redactCredentials, urlHasCredentials } from "../value-rules.js";
import { isMarkerProblem, parseMarker } from "./environment-markers.js";
import { normalizePackageName } from "./lock-graph.js";

/**
 * Checks on the values a lock file holds, shared by every lock reader. Everything a lock says
 * ends up in a pip requirements file or a pip command line, so each value is held to the form pip
 * expects: a line break, a leading `-` or a credential must never get through. Each check returns
 * a Problem or the cleaned value.
 */

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: Problem };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const bad = (problem: Problem): Checked<never> => ({ ok: false, problem });

/** A value as shown in a message: cut when long, credentials hidden. */
export function shown(value: string): string {
  const cut = value.length > 120 ? `${value.slice(0, 120)}…` : value;
  return JSON.stringify(redactCredentials(cut));
}

/** A PEP 508 distribution name, returned PEP 503-normalized. */
export function checkPackageName(name: string): Checked<string> {
  if (PYTHON_NAME.test(name)) return ok(normalizePackageName(name));
  return bad({
    code: "invalid-package-name",
    message: `${shown(name)} is not a package name`,
    hint: "package names are letters, digits and . _ -, starting and ending with a letter or digit",
  });
}

/** An extra or dependency-group name (same rule as package names), returned normalized. */
export function checkExtraOrGroupName(name: string, what: "extra" | "group"): Checked<string> {
  if (PYTHON_NAME.test(name)) return ok(normalizePackageName(name));
  return bad({
    code: what === "extra" ? "invalid-extra-name" : "invalid-group-name",
    message: `${shown(name)} is not a valid ${what} name`,
    hint: "use letters, digits and . _ -, starting and ending with a letter or digit",
  });
}

/** A PEP 440 version, with an optional epoch (`1!2.0`) and local label (`2.1.0+cpu`), as written. */
export function checkVersion(version: string): Checked<string> {
  // parseVersion trims; a version with spaces around it is not one pip would take in `name==v`.
  if (version === version.trim() && parseVersion(version) !== undefined) return ok(version);
  return bad({
    code: "invalid-version",
    message: `${shown(version)} is not a PEP 440 version`,
    hint: 'a version looks like "3.1.1", "2.0.0rc1", "1.0.post1" or "2.1.0+cpu"',
  });
}

/**
 * The form of one clause, on top of what parseSpecifierSet checks: a version starts with a digit
 * (no `v` prefix), `===` takes any token.
 */
const SPECIFIER_CLAUSE =
  /^(~=|==|!=|<=|>=|<|>)\s*(?:\d+!)?[0-9][A-Za-z0-9._-]*(\.\*|\+[A-Za-z0-9._-]+)?$|^===\s*\S+$/;

/** A non-empty version specifier set such as `>=3.9` or `>=3.7, <4`, returned without spaces (`>=3.7,<4`). */
export function checkSpecifier(text: string): Checked<string> {
  const clauses = text.split(",").map((c) => c.trim());
  if (
    !CONTROL_CHARACTERS.test(text) &&
    clauses.every((c) => SPECIFIER_CLAUSE.test(c)) &&
    parseSpecifierSet(text) !== undefined
  ) {
    return ok(clauses.map((c) => c.replace(/\s+/g, "")).join(","));
  }
  return bad({
    code: "invalid-specifier",
    message: `${shown(text)} is not a version specifier`,
    hint: 'write e.g. ">=3.9" or ">=3.9,<3.13"',
  });
}

/**
 * An environment marker, returned trimmed: checked against the PEP 508 grammar, as the selection
 * will parse it, and free of every control character (parseMarker lets some through in quoted text).
 */
export function checkMarker(marker: string): Checked<string> {
  const trimmed = marker.trim();
  if (trimmed === "" || CONTROL_CHARACTERS.test(marker)) {
    return bad({
      code: "invalid-marker",
      message:
        trimmed === ""
          ? "the environment marker is empty"
          : `${shown(marker)} holds control characters, which no environment marker has`,
      hint: "write a PEP 508 marker such as \"python_full_version < '3.11'\"",
    });
  }
  const parsed = parseMarker(trimmed);
  return isMarkerProblem(parsed) ? bad(parsed) : ok(trimmed);
}

/** Hash algorithms pip checks with `--require-hashes`, with their hex digest lengths. */
const HASH_LENGTHS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

export function isSupportedHashAlgorithm(algorithm: string): boolean {
  return Object.hasOwn(HASH_LENGTHS, algorithm.toLowerCase());
}

/** Hash algorithm names as hashlib spells them; anything else in front of the colon is no hash. */
const ALGORITHM_NAME = /^[A-Za-z0-9_]+$/;

/** A digest for a known algorithm, returned as `algorithm:hex`, lowercase. */
export function checkHashDigest(algorithm: string, digest: string): Checked<string> {
  const name = algorithm.toLowerCase();
  const length = isSupportedHashAlgorithm(name) ? HASH_LENGTHS[name] : undefined;
  if (length === undefined) {
    return bad({
      code: "unsupported-hash",
      message: `${shown(algorithm)} hashes cannot be checked by pip`,
      hint: "lock with sha256 hashes (pip checks sha256, sha384 and sha512)",
    });
  }
  if (new RegExp(`^[0-9a-fA-F]{${length}}$`).test(digest)) return ok(`${name}:${digest.toLowerCase()}`);
  return bad({
    code: "invalid-hash",
    message: `${shown(digest)} is not a ${name} digest`,
    hint: `a ${name} digest is ${length} hexadecimal digits`,
  });
}

/** A hash written as `sha256:<hex>` (uv's, Poetry's, pdm's and Pipfile.lock's form), returned lowercase. */
export function checkHashText(text: string): Checked<string> {
  const colon = text.indexOf(":");
  if (colon <= 0 || !ALGORITHM_NAME.test(text.slice(0, colon))) {
    return bad({
      code: "invalid-hash",
      message: `${shown(text)} is not a hash`,
      hint: "a hash looks like sha256:<64 hexadecimal digits>",
    });
  }
  return checkHashDigest(text.slice(0, colon), text.slice(colon + 1));
}

/** The name of a distribution file: one path segment, nothing a shell or pip would split. */
export function checkFileName(name: string): Checked<string> {
  if (
    name !== "" &&
    name !== "." &&
    name !== ".." &&
    !/[/\\\s]/.test(name) &&
    !CONTROL_CHARACTERS.test(name)
  ) {
    return ok(name);
  }
  return bad({
    code: "invalid-file-name",
    message: `${shown(name)} is not a distribution file name`,
    hint: "a file name has no slashes, spaces or control characters, e.g. flask-3.1.1-py3-none-any.whl",
  });
}

/** An http(s) URL of a file or index, without credentials, whitespace or control characters. */
export function checkFileUrl(url: string): Checked<string> {
  if (/\s/.test(url) || CONTROL_CHARACTERS.test(url)) {
    return bad({
      code: "invalid-url",
      message: `${shown(url)} holds whitespace or control characters`,
      hint: "URLs in a lock are written on one line, spaces percent-encoded as %20",
    });
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return bad({ code: "invalid-url", message: `${shown(url)} is not a URL` });
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    return bad({
      code: "unsupported-url",
      message: `${shown(url)}: only http and https URLs can be installed from a lock`,
      hint: "lock against an index or file server reached over https",
    });
  }
  if (urlHasCredentials(url) || redactCredentials(url) !== url) {
    return bad({
      code: "credentials-in-url",
      message: `${shown(url)}: the URL holds credentials, which would end up in the build definition and the log`,
      hint: "lock without credentials in URLs; give the index credentials to pyfront as a build secret",
    });
  }
  return ok(url);
}

/**
 * A git repository URL, a `git+` prefix taken off: https, http or ssh (a user name is allowed for
 * ssh, never a password or token). With `scpForm` (Poetry, pdm and Pipfile.lock keep the URL the
 * user wrote), `git@host:owner/repo.git` is taken too and becomes `ssh://git@host/owner/repo.git`,
 * the form pip takes; uv and PEP 751 locks always write a URL.
 */
export function checkGitUrl(url: string, options: { scpForm?: boolean } = {}): Checked<string> {
  let text = url.replace(/^git\+/i, "");
  const scp = /^([A-Za-z0-9._-]+@[A-Za-z0-9.-]+):(.+)$/.exec(text);
  if (options.scpForm && scp && !text.includes("://")) text = `ssh://${scp[1]}/${scp[2]}`;
  if (/\s/.test(text) || CONTROL_CHARACTERS.test(text)) {
    return bad({
      code: "invalid-url",
      message: `${shown(url)} holds whitespace or control characters`,
      hint: "URLs in a lock are written on one line",
    });
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return bad({ code: "invalid-url", message: `${shown(url)} is not a repository URL` });
  }
  const scheme = parsed.protocol.slice(0, -1);
  if (scheme !== "https" && scheme !== "http" && scheme !== "ssh") {
    return bad({
      code: "unsupported-url",
      message: `${shown(url)}: git repositories are fetched over https or ssh, not ${JSON.stringify(scheme)}`,
      hint: "lock the dependency from an https:// or ssh:// repository URL",
    });
  }
  if (parsed.hostname === "") {
    return bad({
      code: "invalid-url",
      message: `${shown(url)} names no host`,
      hint: "lock the dependency from an https:// or ssh:// repository URL",
    });
  }
  if (parsed.password !== "" || (scheme !== "ssh" && parsed.username !== "")) {
    return bad({
      code: "credentials-in-url",
      message: `${shown(url)}: the URL holds credentials, which would end up in the build definition and the log`,
      hint: "use ssh:// with --ssh default for private repositories",
    });
  }
  return ok(text);
}

/** A git commit id: the full 40 (SHA-1) or 64 (SHA-256) hex digits, returned lowercase. */
export function checkCommit(commit: string): Checked<string> {
  if (/^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/.test(commit)) return ok(commit.toLowerCase());
  return bad({
    code: "invalid-commit",
    message: `${shown(commit)} is not a full git commit id`,
    hint: "a locked git dependency names its commit with all 40 hexadecimal digits; lock again",
  });
}

/**
 * A path relative to the lock file's folder, as written. `..` is allowed (a monorepo's
 * `../shared`); whether it stays inside the build context is checked where the context is known.
 */
export function checkRelativePath(path: string): Checked<string> {
  if (path === "" || CONTROL_CHARACTERS.test(path)) {
    return bad({
      code: "invalid-path",
      message: path === "" ? "the path is empty" : `${shown(path)} holds control characters`,
      hint: 'use a relative path such as "packages/core"',
    });
  }
  if (/^([/\\~]|[A-Za-z]:[\\/])/.test(path)) {
    return bad({
      code: "absolute-path",
      message: `${shown(path)} is absolute, so it only exists on the machine that wrote the lock`,
      hint: "keep path dependencies inside the project and lock again; the lock then holds relative paths",
    });
  }
  if (path.startsWith("-")) {
    return bad({
      code: "invalid-path",
      message: `${shown(path)} starts with "-", which pip would read as an option`,
      hint: `write the path as "./${path.slice(0, 40)}"`,
    });
  }
  return ok(path);
}

/** The last segment of a URL's path, percent-decoded: the file name pip sees. */
export function urlFileName(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return "";
  }
  const last = path.slice(path.lastIndexOf("/") + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** The last segment of a path written with `/` or `\`. */
export function pathFileName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
}

/** A path that names an archive (a wheel or an sdist) rather than a project directory. */
export function isArchivePath(path: string): boolean {
  return /\.(whl|tar\.gz|tgz|tar\.bz2|tar\.xz|zip|tar)$/i.test(path);
}

/** The distribution name and version a wheel or sdist file name declares, when it follows the standard form. */
export function distributionFileParts(fileName: string): { name: string; version: string } | undefined {
  const wheel = /^([^-]+)-([^-]+)(-\d[^-]*)?-[^-]+-[^-]+-[^-]+\.whl$/i.exec(fileName);
  if (wheel) return { name: normalizePackageName(wheel[1]!), version: wheel[2]! };
  const sdist = /^(.+)-([^-]+)\.(tar\.gz|zip|tar\.bz2|tar\.xz|tgz|tar)$/i.exec(fileName);
  if (sdist) return { name: normalizePackageName(sdist[1]!), version: sdist[2]! };
  return undefined;
}

/** Whether two versions are the same PEP 440 version (`1.0` and `1.0.0`; a local label on one side is ignored). */
export function sameVersion(a: string, b: string): boolean {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) return a === b;
  return (
    compareVersions(pa, pb) === 0 &&
    (pa.local === undefined || pb.local === undefined || pa.local === pb.local)
  );
}

/**
 * Checks that a file of a package is one of its files: the name and version in a standard wheel
 * or sdist file name match the package's. A file from another package would install the wrong code.
 */
export function checkFileBelongs(
  fileName: string,
  name: string,
  version: string | undefined,
): Problem | undefined {
  const parts = distributionFileParts(fileName);
  if (!parts) {
    if (/\.whl$/i.test(fileName)) {
      return {
        code: "invalid-file-name",
        message: `${shown(fileName)} is not a wheel file name`,
        hint: "wheel names are {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl",
      };
    }
    return undefined; // an archive of another form: pip reads its metadata, the hash pins it
  }
  if (parts.name !== name) {
    return {
      code: "inconsistent-file",
      message: `the file ${shown(fileName)} belongs to ${JSON.stringify(parts.name)}, not to ${JSON.stringify(name)}`,
      hint: "the lock was edited by hand or is damaged; lock again",
    };
  }
  if (version !== undefined && version !== "" && !sameVersion(parts.version, version)) {
    return {
      code: "inconsistent-file",
      message: `the file ${shown(fileName)} is version ${parts.version}, but the lock pins ${name} ${version}`,
      hint: "the lock was edited by hand or is damaged; lock again",
    };
  }
  return undefined;
}

/** The refusal of a local archive file (a wheel or sdist on disk) as a locked source. */
export function localArchiveProblem(path: string): Problem {
  return {
    code: "unsupported-source",
    message: `${shown(path)} is a local archive file, which pyfront does not install from a lock`,
    hint: "depend on the project's directory instead, or serve the archive from an index",
  };
}

/** `a and b`, each side in parentheses; an absent side drops out. */
export function andMarkers(...markers: Array<string | undefined>): string | undefined {
  const present = markers.filter((m): m is string => m !== undefined && m !== "");
  if (present.length <= 1) return present[0];
  return present.map((m) => `(${m})`).join(" and ");
}

/** `a or b`, each side in parentheses; any absent side (no condition) makes the whole unconditional. */
export function orMarkers(markers: Array<string | undefined>): string | undefined {
  if (markers.length === 0 || markers.some((m) => m === undefined || m === "")) return undefined;
  const unique = [...new Set(markers as string[])];
  return unique.length === 1 ? unique[0] : unique.map((m) => `(${m})`).join(" or ");
}

/**
 * One marker for a package that holds under a different marker in each group (Poetry 2.1's
 * `markers = {main = "..."}`, one name in several Pipfile.lock categories): for each group,
 * `"<group>" in dependency_groups` (PEP 751's variable, the groups selected for the build) and
 * that group's marker, any of them. Undefined when every group has no condition.
 */
export function groupMarker(perGroup: Array<{ group: string; marker?: string }>): string | undefined {
  if (perGroup.every((g) => g.marker === undefined)) return undefined;
  const markers = new Set(perGroup.map((g) => g.marker));
  if (markers.size === 1) return perGroup[0]!.marker;
  return perGroup
    .map(({ group, marker }) => {
      const member = `${JSON.stringify(group)} in dependency_groups`;
      return marker === undefined ? member : `(${member} and (${marker}))`;
    })
    .join(" or ");
}

/**
 * A marker whose `extra == "x"` tests the project's selected extras (Poetry 2.1 evaluates its
 * flattened markers with `extra` set to the requested extras), written with PEP 751's `extras`
 * variable (`"x" in extras`), so that a flattened marker never means "the depending package's
 * extras". Quoted text is left as it is.
 */
export function projectExtrasMarker(marker: string): string {
  const literal = `("[^"]*"|'[^']*')`;
  const pattern = new RegExp(
    String.raw`(?<before>${literal})\s*(?<op1>==|!=)\s*extra\b|\bextra\s*(?<op2>==|!=)\s*(?<after>${literal})|${literal}`,
    "g",
  );
  return marker.replace(pattern, (whole: string, ...args: unknown[]) => {
    const groups = args[args.length - 1] as Record<string, string | undefined>;
    const value = groups.before ?? groups.after;
    if (value === undefined) return whole;
    const name = JSON.stringify(normalizePackageName(value.slice(1, -1)));
    return (groups.op1 ?? groups.op2) === "==" ? `${name} in extras` : `${name} not in extras`;
  });
}
