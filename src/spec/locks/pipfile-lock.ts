import type { DiagnosticList } from "../diagnostic-list.js";
import { checkSpecSize, positionAt } from "../input-limits.js";
import { SourceDocument, type SourcePath } from "../source-document.js";
import { parseYamlDocument } from "../yaml-document.js";
import { isTable, type LockDocument, readLockDocument } from "./lock-document.js";
import type { LockedFile, LockedPackage, LockedSource, LockGraph } from "./lock-graph.js";
import {
  checkFileName,
  checkFileUrl,
  checkHashText,
  checkMarker,
  checkPackageName,
  checkRelativePath,
  checkVersion,
  groupMarker,
  isArchivePath,
  localArchiveProblem,
  shown,
  urlFileName,
} from "./lock-value-checks.js";

/**
 * Pipfile.lock, as pipenv writes it (JSON, pipfile-spec 6): `_meta` (hash, requires, sources),
 * then one object per category: `default` ([packages]), `develop` ([dev-packages]) and, since
 * pipenv 2022.10, any other Pipfile category by its own name. Each maps a name to
 * `{version: "==x", hashes, markers, index, extras}`, or to a `git`/`ref`, `path`/`editable` or
 * `file` entry. Every entry is already resolved for the lock's environment with its own marker,
 * so the selection is `flat`: a package's groups are the categories naming it.
 */
const PIPFILE_SPEC = 6;

export function readPipfileLock(file: string, text: string, out: DiagnosticList): LockGraph | undefined {
  const size = checkSpecSize(file, text);
  if (size) {
    out.items.push(size);
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const offset = /position (\d+)/.exec(message)?.[1];
    out.items.push({
      code: "json-syntax",
      message: `JSON syntax error: ${message.replace(/ in JSON at position \d+.*$/, "")}`,
      position: offset === undefined ? { file, line: 1, column: 1 } : positionAt(file, text, Number(offset)),
      severity: "error",
      hint: "Pipfile.lock is written by pipenv lock; lock again rather than editing it",
    });
    return undefined;
  }
  // JSON is YAML: the YAML reader gives every key its position (and finds duplicate keys,
  // which JSON.parse silently drops).
  const parsed = parseYamlDocument(file, text);
  let doc: SourceDocument;
  if (parsed.ok) doc = parsed.doc;
  else if (parsed.diagnostics.some((d) => d.code === "duplicate-key" || d.code === "input-too-large")) {
    out.items.push(...parsed.diagnostics);
    return undefined;
  } else {
    doc = new SourceDocument(file, value);
  }
  return readLockDocument(doc, out, (d) => readPipfileDocument(d, file, out));
}

function readPipfileDocument(d: LockDocument, file: string, out: DiagnosticList): LockGraph | undefined {
  const { doc } = d;
  const errors = out.errors.length;
  if (!isTable(doc.value)) {
    d.error([], { code: "invalid-type", message: "expected a JSON object with _meta, default and develop" });
    return undefined;
  }
  if (!d.table(["_meta"], "the _meta object")) return undefined;
  const spec = d.integer(["_meta", "pipfile-spec"], "_meta.pipfile-spec");
  if (spec === undefined) return undefined;
  if (spec !== PIPFILE_SPEC) {
    d.error(["_meta", "pipfile-spec"], {
      code: "unsupported-lock-version",
      message: `pipfile-spec ${spec} is not one pyfront knows (${PIPFILE_SPEC})`,
      hint: "lock again with a current pipenv (pipenv lock)",
    });
    return undefined;
  }
  const indices = readSources(d);
  const requiresPython = readRequires(d);

  const byKey = new Map<string, LockedPackage>();
  const perGroup = new Map<LockedPackage, Array<{ group: string; marker?: string }>>();
  const categories: string[] = [];
  for (const category of Object.keys(doc.value)) {
    if (category === "_meta") continue;
    if (!d.table([category])) continue;
    categories.push(category);
    for (const rawName of d.keys([category])) {
      const entry = readEntry(d, [category, rawName], rawName, indices);
      if (!entry) continue;
      // One name in several categories, at the same version from the same place (any index
      // counts as one: pip looks in all of the build's indices): one package.
      const { source } = entry.locked;
      const key = JSON.stringify([
        entry.locked.name,
        entry.locked.version,
        source.kind === "registry" ? {} : source,
      ]);
      const known = byKey.get(key);
      const locked = known ?? entry.locked;
      if (known) {
        if (known.source.kind === "registry" && source.kind === "registry" && !known.source.url && source.url)
          known.source = source;
        for (const file of entry.locked.files) {
          const same = known.files.find((f) => f.name === file.name);
          if (!same) known.files.push(file);
          else for (const hash of file.hashes) if (!same.hashes.includes(hash)) same.hashes.push(hash);
        }
      } else {
        byKey.set(key, locked);
      }
      const groups = perGroup.get(locked) ?? [];
      groups.push({ group: category, ...(entry.marker !== undefined ? { marker: entry.marker } : {}) });
      perGroup.set(locked, groups);
    }
  }
  const packages = [...byKey.values()];
  for (const locked of packages) {
    const groups = perGroup.get(locked)!;
    locked.groups = groups.map((g) => g.group);
    const marker = groupMarker(groups);
    if (marker !== undefined) locked.marker = marker;
  }
  if (out.errors.length > errors) return undefined;
  return {
    format: "pipfile",
    file,
    formatVersion: String(spec),
    packages,
    selection: { kind: "flat" },
    // `pipenv sync` / `pipenv install --deploy`: [packages] only, no --dev.
    defaultGroups: ["default"],
    groups: [...new Set(["default", "develop", ...categories])].sort(),
    extras: [],
    ...(requiresPython ? { requiresPython } : {}),
  };
}

/** `_meta.sources`: name → URL, for the `index` of each entry; a URL with credentials is not kept. */
function readSources(d: LockDocument): Map<string, string | undefined> {
  const indices = new Map<string, string | undefined>();
  for (const source of d.tables(["_meta", "sources"])) {
    const name = d.string([...source.path, "name"]);
    const url = d.string([...source.path, "url"]);
    if (name === undefined) continue;
    // `${PYPI_TOKEN}` and user info stay out of the graph (the Pipfile's [[source]] reader
    // reports them); pip looks packages up in the build's indices anyway.
    const clean = url !== undefined && !url.includes("${") && checkFileUrl(url).ok ? url : undefined;
    indices.set(name, clean);
  }
  return indices;
}

/** `_meta.requires`: `python_version = "3.11"` → `==3.11.*`, `python_full_version` → `==3.11.4`. */
function readRequires(d: LockDocument): string | undefined {
  const full = d.string(["_meta", "requires", "python_full_version"]);
  const minor = d.string(["_meta", "requires", "python_version"]);
  const version = full ?? minor;
  if (version === undefined) return undefined;
  const path = ["_meta", "requires", full !== undefined ? "python_full_version" : "python_version"];
  if (!/^\d+(\.\d+){0,2}$/.test(version)) {
    d.error(path, {
      code: "invalid-version",
      message: `${shown(version)} is not a Python version`,
      hint: 'write e.g. "3.11" in the Pipfile\'s [requires] and lock again',
    });
    return undefined;
  }
  return full !== undefined ? `==${version}` : `==${version}.*`;
}

function readEntry(
  d: LockDocument,
  path: SourcePath,
  rawName: string,
  indices: Map<string, string | undefined>,
): { locked: LockedPackage; marker?: string } | undefined {
  const name = d.checkKey(path, checkPackageName(rawName));
  if (!d.table(path)) return undefined;
  const source = readSource(d, path, indices);
  let version: string | undefined;
  const rawVersion = d.string([...path, "version"]);
  const unpinned = rawVersion === "*";
  if (rawVersion !== undefined && !unpinned) {
    const pinned = /^===?(.*)$/.exec(rawVersion)?.[1];
    if (pinned === undefined) {
      d.error([...path, "version"], {
        code: "invalid-version",
        message: `${shown(rawVersion)} is not a pinned version (==x.y)`,
        hint: "lock again with pipenv lock",
      });
      return undefined;
    }
    version = d.check([...path, "version"], checkVersion(pinned.trim()));
    if (version === undefined) return undefined;
  } else if (!unpinned && (source?.kind === "registry" || source?.kind === "url")) {
    d.missing([...path, "version"], "the locked version", "lock again with pipenv lock");
    return undefined;
  }
  const rawMarker = d.string([...path, "markers"]);
  const marker = rawMarker === undefined ? undefined : d.check([...path, "markers"], checkMarker(rawMarker));
  if (name === undefined || source === undefined || (rawMarker !== undefined && marker === undefined))
    return undefined;
  const files =
    !unpinned && (source.kind === "registry" || source.kind === "url") ? readHashes(d, path, source) : [];
  const locked: LockedPackage = {
    name,
    // A git or path entry names no version: the checkout's own metadata says it.
    version: version ?? "",
    source,
    files,
    dependencies: [],
    optionalDependencies: Object.create(null),
    position: d.position(path),
    ...(unpinned ? { unpinned: true as const } : {}),
  };
  return { locked, ...(marker !== undefined ? { marker } : {}) };
}

function readSource(
  d: LockDocument,
  path: SourcePath,
  indices: Map<string, string | undefined>,
): LockedSource | undefined {
  for (const vcs of ["hg", "svn", "bzr"]) {
    if (d.get([...path, vcs]) !== undefined) {
      d.error([...path, vcs], {
        code: "unsupported-source",
        message: `${vcs} repositories are not installed from a lock; only git is`,
        hint: "depend on a git repository, or publish the package to an index",
      });
      return undefined;
    }
  }
  const git = d.string([...path, "git"]);
  if (git !== undefined) {
    const ref = d.string([...path, "ref"], "the locked commit (ref)");
    return d.gitSource([...path, "git"], git, [...path, "ref"], ref, [...path, "subdirectory"]);
  }
  const local = d.string([...path, "path"]);
  if (local !== undefined) {
    if (isArchivePath(local)) {
      d.error([...path, "path"], localArchiveProblem(local));
      return undefined;
    }
    const dir = d.check([...path, "path"], checkRelativePath(local));
    return dir === undefined
      ? undefined
      : { kind: "directory", path: dir, editable: d.boolean([...path, "editable"]) === true };
  }
  const fileValue = d.string([...path, "file"]);
  if (fileValue !== undefined) {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(fileValue)) {
      d.error([...path, "file"], localArchiveProblem(fileValue));
      return undefined;
    }
    const url = d.check([...path, "file"], checkFileUrl(fileValue));
    return url === undefined ? undefined : { kind: "url", url };
  }
  if (d.boolean([...path, "editable"]) === true) {
    d.error([...path, "editable"], {
      code: "unsupported-source",
      message: "an editable entry needs a path or a git repository",
      hint: "lock again with pipenv lock",
    });
    return undefined;
  }
  const index = d.string([...path, "index"]);
  if (index !== undefined && !indices.has(index)) {
    d.error([...path, "index"], {
      code: "unknown-index",
      message: `no source named ${shown(index)} in _meta.sources`,
      hint: "lock again with pipenv lock",
    });
    return undefined;
  }
  const url = index === undefined ? undefined : indices.get(index);
  return { kind: "registry", ...(url !== undefined ? { url } : {}) };
}

/**
 * pipenv records hashes without file names. pip checks a downloaded file against all of a
 * requirement's hashes, so they go on one entry with no name; a `file` URL names its archive.
 */
function readHashes(d: LockDocument, path: SourcePath, source: LockedSource): LockedFile[] {
  const hashes: string[] = [];
  for (const item of d.strings([...path, "hashes"])) {
    const hash = d.check(item.path, checkHashText(item.value));
    if (hash !== undefined && !hashes.includes(hash)) hashes.push(hash);
  }
  if (hashes.length === 0) return [];
  if (source.kind === "url") {
    const name = d.check([...path, "file"], checkFileName(urlFileName(source.url)));
    return name === undefined ? [] : [{ name, hashes, url: source.url }];
  }
  return [{ hashes }];
}
