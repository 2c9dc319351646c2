import type { DiagnosticList } from "../diagnostic-list.js";
import type { SourcePath } from "../source-document.js";
import type { PlainTable } from "../toml-document.js";
import { normalizeContextPath } from "../value-rules.js";
import { type LockDocument, readTomlLock } from "./lock-document.js";
import type { LockedFile, LockedPackage, LockedSource, LockGraph } from "./lock-graph.js";
import {
  checkCommit,
  checkExtraOrGroupName,
  checkFileBelongs,
  checkFileName,
  checkFileUrl,
  checkGitUrl,
  checkHashDigest,
  checkMarker,
  checkPackageName,
  checkRelativePath,
  checkSpecifier,
  checkVersion,
  isSupportedHashAlgorithm,
  pathFileName,
  urlFileName,
} from "./lock-value-checks.js";

/** PEP 751 lock file names: `pylock.toml`, or `pylock.<name>.toml` for a named lock. */
export const PYLOCK_FILE_NAME = /^pylock\.([^.]+\.)?toml$/;

/** Whether a file name (no folder) is a PEP 751 lock file's. */
export function isPylockFileName(name: string): boolean {
  return PYLOCK_FILE_NAME.test(name);
}

/**
 * Reads a PEP 751 lock file (`pylock.toml`, `lock-version = "1.0"`) into a flat LockGraph: every
 * package carries its own marker, which may test `'x' in extras` and `'g' in dependency_groups`,
 * so the selection takes each package whose marker holds. pip (`pip lock`), uv (`uv export
 * --format pylock.toml`) and PDM (`pdm export -f pylock`) write these files.
 */
export function readPylock(file: string, text: string, out: DiagnosticList): LockGraph | undefined {
  return readTomlLock(file, text, out, readDocument);
}

/** The major version of the format this reader knows; a newer minor version only adds keys. */
const SUPPORTED_MAJOR = 1;

function readDocument(lock: LockDocument): LockGraph | undefined {
  const lockVersion = lock.string(["lock-version"], 'the format version `lock-version` (for example "1.0")');
  if (lockVersion === undefined) return undefined;
  const versionMatch = /^(\d+)(?:\.(\d+))?$/.exec(lockVersion);
  if (!versionMatch || Number(versionMatch[1]) !== SUPPORTED_MAJOR) {
    lock.error(["lock-version"], {
      code: "unsupported-lock-version",
      message: `pylock.toml lock-version ${JSON.stringify(lockVersion)} is not supported; pyfront reads version 1.x`,
      hint: 'lock with a tool that writes lock-version = "1.0"',
    });
    return undefined;
  }
  if (Number(versionMatch[2] ?? 0) > 0) {
    lock.warning(["lock-version"], {
      code: "newer-lock-version",
      message: `lock-version ${lockVersion} is newer than 1.0; keys added since are not read`,
    });
  }
  lock.string(["created-by"], "`created-by` (the tool that wrote the lock)");

  const requiresPythonText = lock.string(["requires-python"]);
  const requiresPython =
    requiresPythonText === undefined
      ? undefined
      : lock.check(["requires-python"], checkSpecifier(requiresPythonText));
  const environments = lock.strings(["environments"]).flatMap(({ value, path }) => {
    const marker = lock.check(path, checkMarker(value));
    return marker === undefined ? [] : [marker];
  });
  const names = (path: SourcePath, what: "extra" | "group") =>
    lock.strings(path).flatMap(({ value, path: itemPath }) => {
      const name = lock.check(itemPath, checkExtraOrGroupName(value, what));
      return name === undefined ? [] : [name];
    });
  const extras = names(["extras"], "extra");
  const dependencyGroups = names(["dependency-groups"], "group");
  const defaultGroups = names(["default-groups"], "group");

  const packages: LockedPackage[] = [];
  for (const { value, path } of lock.tables(["packages"], "the package list `packages`")) {
    const pkg = readPackage(lock, value, path);
    if (pkg) packages.push(pkg);
  }
  return {
    format: "pylock",
    file: lock.file,
    formatVersion: lockVersion,
    packages,
    selection: { kind: "flat" },
    defaultGroups,
    groups: [...new Set([...defaultGroups, ...dependencyGroups])],
    extras,
    ...(requiresPython !== undefined ? { requiresPython } : {}),
    ...(lock.has(["environments"]) ? { environments } : {}),
  };
}

/** The ways a package can be given, at most one of which a package may use. */
const DIRECT_KEYS = ["vcs", "directory", "archive"] as const;

function readPackage(lock: LockDocument, table: PlainTable, path: SourcePath): LockedPackage | undefined {
  const nameText = lock.string([...path, "name"], "the package name `name`");
  const name = nameText === undefined ? undefined : lock.check([...path, "name"], checkPackageName(nameText));
  const versionText = lock.string([...path, "version"]);
  const version =
    versionText === undefined ? undefined : lock.check([...path, "version"], checkVersion(versionText));
  const markerText = lock.string([...path, "marker"]);
  const marker =
    markerText === undefined ? undefined : lock.check([...path, "marker"], checkMarker(markerText));
  const requiresPythonText = lock.string([...path, "requires-python"]);
  const requiresPython =
    requiresPythonText === undefined
      ? undefined
      : lock.check([...path, "requires-python"], checkSpecifier(requiresPythonText));
  if (name === undefined) return undefined;

  const direct = DIRECT_KEYS.filter((key) => table[key] !== undefined);
  const distributions = table.sdist !== undefined || table.wheels !== undefined;
  if (direct.length > 1 || (direct.length === 1 && distributions)) {
    const given = [
      ...direct,
      ...(table.sdist !== undefined ? ["sdist"] : []),
      ...(table.wheels ? ["wheels"] : []),
    ];
    lock.error(
      [...path, direct[direct.length - 1]!],
      {
        code: "conflicting-sources",
        message: `${name} is given by ${given.join(" and ")}; a package has one source (vcs, directory, archive, or sdist and wheels)`,
        hint: "the lock is damaged or was edited by hand; lock again",
      },
      "key",
    );
    return undefined;
  }
  if (direct.length === 0 && !distributions) {
    lock.missing(path, `the source of ${name} (vcs, directory, archive, sdist or wheels)`);
    return undefined;
  }

  let source: LockedSource | undefined;
  let files: LockedFile[] = [];
  const kind = direct[0];
  if (kind === "vcs") source = readVcs(lock, [...path, "vcs"]);
  else if (kind === "directory") source = readDirectory(lock, [...path, "directory"]);
  else if (kind === "archive") {
    const archive = readArchive(lock, [...path, "archive"], name, version);
    source = archive?.source;
    files = archive ? [archive.file] : [];
  } else {
    const indexText = lock.string([...path, "index"]);
    const index =
      indexText === undefined ? undefined : lock.check([...path, "index"], checkFileUrl(indexText));
    if (indexText !== undefined && index === undefined) return undefined;
    source = { kind: "registry", ...(index !== undefined ? { url: index } : {}) };
    const read: Array<LockedFile | undefined> = [];
    if (table.sdist !== undefined) read.push(readFile(lock, [...path, "sdist"], "sdist", name, version));
    for (const { path: wheelPath } of lock.tables([...path, "wheels"])) {
      read.push(readFile(lock, wheelPath, "wheel", name, version));
    }
    if (read.some((file) => file === undefined)) return undefined;
    if (table.wheels !== undefined && !Array.isArray(table.wheels)) return undefined;
    files = read as LockedFile[];
    if (files.length === 0) {
      lock.error([...path, "wheels"], {
        code: "missing-key",
        message: `${name} lists no files`,
        hint: "a package from an index lists its wheels or sdist; lock again",
      });
      return undefined;
    }
  }
  if (source === undefined) return undefined;
  if (
    (versionText !== undefined && version === undefined) ||
    (markerText !== undefined && marker === undefined)
  ) {
    return undefined;
  }
  if (requiresPythonText !== undefined && requiresPython === undefined) return undefined;
  return {
    name,
    // A source tree has no version in the lock (PEP 751 forbids one that may not match the code).
    version: version ?? "",
    source,
    files,
    ...(requiresPython !== undefined ? { requiresPython } : {}),
    ...(marker !== undefined ? { marker } : {}),
    dependencies: [],
    optionalDependencies: Object.create(null),
    position: lock.position(path),
  };
}

function readVcs(lock: LockDocument, path: SourcePath): LockedSource | undefined {
  if (!lock.table(path)) return undefined;
  const type = lock.string([...path, "type"], "the version control system `type`");
  if (type === undefined) return undefined;
  if (type !== "git") {
    lock.error([...path, "type"], {
      code: "unsupported-source",
      message: `${JSON.stringify(type)} repositories cannot be installed from a lock; pyfront installs git repositories`,
      hint: "publish the package to an index, or keep it in git",
    });
    return undefined;
  }
  const urlText = lock.string([...path, "url"]);
  if (urlText === undefined) {
    if (lock.has([...path, "path"])) {
      lock.error([...path, "path"], {
        code: "unsupported-source",
        message: "a git repository on the local disk cannot be installed in an image build",
        hint: "lock the dependency from the repository's https:// or ssh:// URL",
      });
    } else lock.missing([...path, "url"], "the repository URL");
    return undefined;
  }
  const url = lock.check([...path, "url"], checkGitUrl(urlText));
  const commitText = lock.string([...path, "commit-id"], "the locked commit `commit-id`");
  const commit =
    commitText === undefined ? undefined : lock.check([...path, "commit-id"], checkCommit(commitText));
  const subdirectoryText = lock.string([...path, "subdirectory"]);
  const subdirectory =
    subdirectoryText === undefined
      ? undefined
      : lock.check([...path, "subdirectory"], checkRelativePath(subdirectoryText));
  if (url === undefined || commit === undefined) return undefined;
  if (subdirectoryText !== undefined && subdirectory === undefined) return undefined;
  return { kind: "git", url, commit, ...(subdirectory !== undefined ? { subdirectory } : {}) };
}

function readDirectory(lock: LockDocument, path: SourcePath): LockedSource | undefined {
  if (!lock.table(path)) return undefined;
  const pathText = lock.string([...path, "path"], "the directory `path`");
  const written =
    pathText === undefined ? undefined : lock.check([...path, "path"], checkRelativePath(pathText));
  const editable = lock.boolean([...path, "editable"]) ?? false;
  const subdirectoryText = lock.string([...path, "subdirectory"]);
  const subdirectory =
    subdirectoryText === undefined
      ? undefined
      : lock.check([...path, "subdirectory"], checkRelativePath(subdirectoryText));
  if (written === undefined || (subdirectoryText !== undefined && subdirectory === undefined))
    return undefined;
  const full = subdirectory === undefined ? written : `${written.replace(/[\\/]+$/, "")}/${subdirectory}`;
  // The lock's own folder is the project the lock belongs to (pip lock ., uv export).
  if (normalizeContextPath(full) === ".") return { kind: "project" };
  return { kind: "directory", path: full, editable };
}

function readArchive(
  lock: LockDocument,
  path: SourcePath,
  name: string,
  version: string | undefined,
): { source: LockedSource; file: LockedFile } | undefined {
  if (!lock.table(path)) return undefined;
  if (lock.has([...path, "subdirectory"])) {
    lock.error(
      [...path, "subdirectory"],
      {
        code: "unsupported-source",
        message: "an archive whose project sits in a subdirectory cannot be installed from a lock yet",
        hint: "depend on a wheel or an sdist with the project at its top level",
      },
      "key",
    );
    return undefined;
  }
  const location = readLocation(lock, path, "archive", name);
  const hashes = readHashes(lock, [...path, "hashes"]);
  if (!location || !hashes) return undefined;
  const fileName = lock.check(path, checkFileName(location.fileName));
  if (fileName === undefined) return undefined;
  const mismatch = checkFileBelongs(fileName, name, version);
  if (mismatch) {
    lock.error(path, mismatch);
    return undefined;
  }
  if (location.url !== undefined) {
    return {
      source: { kind: "url", url: location.url },
      file: { name: fileName, hashes, url: location.url },
    };
  }
  // A local archive: pip installs it from its path in the context, checking the hash.
  return {
    source: { kind: "directory", path: location.path!, editable: false },
    file: { name: fileName, hashes },
  };
}

/** Where a file is: `url` and/or `path`, and the file name (`name`, else the last segment). */
function readLocation(
  lock: LockDocument,
  path: SourcePath,
  what: string,
  packageName: string,
): { url?: string; path?: string; fileName: string } | undefined {
  const urlText = lock.string([...path, "url"]);
  const pathText = lock.string([...path, "path"]);
  const nameText = lock.string([...path, "name"]);
  if (urlText === undefined && pathText === undefined) {
    if (!lock.has([...path, "url"]) && !lock.has([...path, "path"])) {
      lock.missing([...path, "url"], `the location (url or path) of the ${what} of ${packageName}`);
    }
    return undefined;
  }
  const url = urlText === undefined ? undefined : lock.check([...path, "url"], checkFileUrl(urlText));
  const written =
    pathText === undefined ? undefined : lock.check([...path, "path"], checkRelativePath(pathText));
  if ((urlText !== undefined && url === undefined) || (pathText !== undefined && written === undefined)) {
    return undefined;
  }
  // The file name is `name`, else the path's (which PEP 751 puts before the URL's).
  const fileName = nameText ?? (written !== undefined ? pathFileName(written) : urlFileName(url!));
  return {
    fileName,
    ...(url !== undefined ? { url } : {}),
    ...(written !== undefined ? { path: written } : {}),
  };
}

/** An sdist or a wheel of a package from an index. */
function readFile(
  lock: LockDocument,
  path: SourcePath,
  kind: "sdist" | "wheel",
  name: string,
  version: string | undefined,
): LockedFile | undefined {
  if (!lock.table(path)) return undefined;
  const location = readLocation(lock, path, kind, name);
  const hashes = readHashes(lock, [...path, "hashes"]);
  if (!location || !hashes) return undefined;
  const fileName = lock.check(
    lock.has([...path, "name"]) ? [...path, "name"] : path,
    checkFileName(location.fileName),
  );
  if (fileName === undefined) return undefined;
  const mismatch = checkFileBelongs(fileName, name, version);
  if (mismatch) {
    lock.error(path, mismatch);
    return undefined;
  }
  if (location.url === undefined) {
    // pip would install the file from the disk; pyfront installs index files by name and hash.
    lock.error([...path, "path"], {
      code: "unsupported-source",
      message: `the ${kind} ${fileName} is given by a local path only, which pyfront cannot install from yet`,
      hint: "lock against an index, so the lock records each file's URL",
    });
    return undefined;
  }
  return { name: fileName, hashes, url: location.url };
}

/** `hashes = { sha256 = "…" }`: at least one, in algorithms pip checks; others are left out. */
function readHashes(lock: LockDocument, path: SourcePath): string[] | undefined {
  const table = lock.table(path, "the file's `hashes`");
  if (!table) return undefined;
  const hashes: string[] = [];
  let valid = true;
  const algorithms = Object.keys(table);
  for (const algorithm of algorithms) {
    const digest = lock.string([...path, algorithm]);
    if (digest === undefined) {
      valid = false;
      continue;
    }
    if (!isSupportedHashAlgorithm(algorithm)) continue;
    const hash = lock.check([...path, algorithm], checkHashDigest(algorithm, digest));
    if (hash === undefined) valid = false;
    else hashes.push(hash);
  }
  if (!valid) return undefined;
  if (hashes.length === 0) {
    lock.error(path, {
      code: algorithms.length === 0 ? "missing-key" : "unsupported-hash",
      message:
        algorithms.length === 0
          ? "the file has no hash"
          : `pip checks none of the hash algorithms given (${algorithms.join(", ")})`,
      hint: "lock with sha256 hashes",
    });
    return undefined;
  }
  return hashes;
}
