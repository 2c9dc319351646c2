import type { Problem } from "../diagnostic-list.js";
import { parseSpecifierSet, parseVersion } from "../pep440.js";
import { CONTROL_CHARACTERS, PYTHON_NAME, redactCredentials, urlHasCredentials } from "../value-rules.js";
import { isMarkerProblem, parseMarker } from "./environment-markers.js";
import { normalizePackageName } from "./lock-graph.js";

/**
 * Checks on the values a lock file holds. Everything a lock says ends up in a pip requirements
 * file or a pip command line, so each value is held to the form pip expects: a line break, a
 * leading `--` or a credential must never get through. Each check returns a Problem or the
 * cleaned value.
 */

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: Problem };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const bad = (problem: Problem): Checked<never> => ({ ok: false, problem });

/** Shown in messages: long values are cut, credentials hidden. */
function shown(value: string): string {
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

/** PEP 440 local version label: `+cpu`, `+cu121`, `+ubuntu.1`. */
const LOCAL_LABEL = /^[a-z0-9]+([-_.][a-z0-9]+)*$/i;

/** A PEP 440 version, with an optional epoch (`1!2.0`) and local label (`2.1.0+cpu`), as written. */
export function checkVersion(version: string): Checked<string> {
  let rest = version;
  const epoch = /^(\d+)!/.exec(rest);
  if (epoch) rest = rest.slice(epoch[0].length);
  const plus = rest.indexOf("+");
  const local = plus === -1 ? undefined : rest.slice(plus + 1);
  const publicPart = plus === -1 ? rest : rest.slice(0, plus);
  // parseVersion trims; a version with spaces around it is not one pip would take in `name==v`.
  const wellFormed =
    publicPart === publicPart.trim() &&
    parseVersion(publicPart) !== undefined &&
    (local === undefined || LOCAL_LABEL.test(local));
  if (wellFormed) return ok(version);
  return bad({
    code: "invalid-version",
    message: `${shown(version)} is not a PEP 440 version`,
    hint: 'a version looks like "3.1.1", "2.0.0rc1", "1.0.post1" or "2.1.0+cpu"',
  });
}

/** A version specifier set such as `>=3.9` or `>=3.7, <4`, as written. */
export function checkSpecifier(text: string): Checked<string> {
  if (!CONTROL_CHARACTERS.test(text) && parseSpecifierSet(text) !== undefined) return ok(text);
  return bad({
    code: "invalid-specifier",
    message: `${shown(text)} is not a version specifier`,
    hint: 'write e.g. ">=3.9" or ">=3.9,<3.13"',
  });
}

/** An environment marker as written: checked against the PEP 508 grammar, as the selection will parse it. */
export function checkMarker(marker: string): Checked<string> {
  if (marker.trim() === "") {
    return bad({
      code: "invalid-marker",
      message: "the environment marker is empty",
      hint: "write a PEP 508 marker such as \"python_full_version < '3.11'\"",
    });
  }
  const parsed = parseMarker(marker);
  return isMarkerProblem(parsed) ? bad(parsed) : ok(marker);
}

/** Hash algorithms pip checks with `--require-hashes`, with their hex digest lengths. */
const HASH_LENGTHS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

export function isSupportedHashAlgorithm(algorithm: string): boolean {
  return Object.hasOwn(HASH_LENGTHS, algorithm.toLowerCase());
}

/** A digest for a known algorithm, returned as `algorithm:hex`, lowercase. */
export function checkHashDigest(algorithm: string, digest: string): Checked<string> {
  const name = algorithm.toLowerCase();
  const length = HASH_LENGTHS[name];
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

/** A hash written as `sha256:<hex>` (uv's form), returned lowercase. */
export function checkHashText(text: string): Checked<string> {
  const colon = text.indexOf(":");
  if (colon <= 0) {
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
  if (urlHasCredentials(url)) {
    return bad({
      code: "credentials-in-url",
      message: `${shown(url)}: the URL holds credentials, which would end up in the build definition and the log`,
      hint: "lock without credentials in URLs; give the index credentials to pyfront as a build secret",
    });
  }
  return ok(url);
}

/**
 * A git repository URL: https or http, or ssh with at most a user name (`ssh://git@host/repo`),
 * never a password or token.
 */
export function checkGitUrl(url: string): Checked<string> {
  if (/\s/.test(url) || CONTROL_CHARACTERS.test(url)) {
    return bad({
      code: "invalid-url",
      message: `${shown(url)} holds whitespace or control characters`,
      hint: "URLs in a lock are written on one line",
    });
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
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
  if (parsed.password !== "" || (scheme !== "ssh" && parsed.username !== "")) {
    return bad({
      code: "credentials-in-url",
      message: `${shown(url)}: the URL holds credentials, which would end up in the build definition and the log`,
      hint: "use ssh:// with --ssh default for private repositories",
    });
  }
  return ok(url);
}

/** A git commit id: the full 40 (SHA-1) or 64 (SHA-256) hex digits, returned lowercase. */
export function checkCommit(commit: string): Checked<string> {
  if (/^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/.test(commit)) return ok(commit.toLowerCase());
  return bad({
    code: "invalid-commit",
    message: `${shown(commit)} is not a full git commit id`,
    hint: "a locked git dependency names its commit with all 40 hexadecimal digits",
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
  if (path.startsWith("/") || path.startsWith("\\") || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith("~")) {
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
  const publicPart = (v: string) => v.replace(/^\d+!/, "").split("+")[0]!;
  const pa = parseVersion(publicPart(a));
  const pb = parseVersion(publicPart(b));
  if (!pa || !pb) return a === b;
  const length = Math.max(pa.release.length, pb.release.length);
  for (let i = 0; i < length; i++) if ((pa.release[i] ?? 0) !== (pb.release[i] ?? 0)) return false;
  const epoch = (v: string) => /^(\d+)!/.exec(v)?.[1] ?? "0";
  const localOf = (v: string) => v.split("+")[1]?.toLowerCase();
  const la = localOf(a);
  const lb = localOf(b);
  return (
    Number(epoch(a)) === Number(epoch(b)) &&
    pa.pre?.[0] === pb.pre?.[0] &&
    pa.pre?.[1] === pb.pre?.[1] &&
    pa.post === pb.post &&
    pa.dev === pb.dev &&
    (la === undefined || lb === undefined || la === lb)
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
