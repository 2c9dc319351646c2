import type { DiagnosticList } from "../diagnostic-list.js";
import { parseSpecifierSet, satisfies } from "../pep440.js";
import { poetryConstraintToPep440 } from "../poetry-constraints.js";
import type { SourceDocument, SourcePath } from "../source-document.js";
import { isTable, LockDocument, readTomlLock } from "./lock-document.js";
import type { LockEdge, LockedFile, LockedPackage, LockedSource, LockGraph } from "./lock-graph.js";
import { normalizePackageName } from "./lock-graph.js";
import {
  andMarkers,
  checkExtraOrGroupName,
  checkFileName,
  checkFileUrl,
  checkHashText,
  checkMarker,
  checkPackageName,
  checkRelativePath,
  checkVersion,
  groupMarker,
  orMarkers,
  projectExtrasMarker,
  shown,
} from "./lock-value-checks.js";
import { dependencyGroups, projectDependencies, projectOptionalDependencies } from "./project-roots.js";
import { requirementEdge, splitRequirement } from "./requirement-parts.js";

/**
 * poetry.lock, as Poetry writes it (src/poetry/packages/locker.py):
 * - lock-version 1.1 (Poetry 1.1): `category` per package, files in `[metadata.files]` by name;
 * - 2.0 (Poetry 1.2 to 1.8): `files = [{file, hash}]` in each package (`category` until 1.4);
 * - 2.1 (Poetry 2): each package also has `groups` and its cumulative `markers` (a string, or a
 *   table group → marker).
 *
 * Before 2.1 the lock holds no per-package condition, so the packages to install come from a walk
 * of the dependency graph from the project's own requirements, which only pyproject.toml has:
 * the reader takes it. For 2.1 the selection is `flat`: each package's groups and markers are
 * Poetry's own cumulative result, and it is how Poetry ≥ 2.3 installs by default
 * (`installer.re-resolve = false`); it needs nothing from the pyproject.
 */
const LOCK_VERSIONS = ["1.1", "2.0", "2.1"];

/** Poetry's implicit group of `[tool.poetry.dependencies]`, named "default" in a LockGraph. */
function groupName(name: string): string {
  const normalized = normalizePackageName(name);
  return normalized === "main" ? "default" : normalized;
}

export function readPoetryLock(
  file: string,
  text: string,
  pyproject: SourceDocument | undefined,
  out: DiagnosticList,
): LockGraph | undefined {
  return readTomlLock(file, text, out, (d) => readPoetryDocument(d, file, pyproject, out));
}

function readPoetryDocument(
  d: LockDocument,
  file: string,
  pyproject: SourceDocument | undefined,
  out: DiagnosticList,
): LockGraph | undefined {
  const errors = out.errors.length;
  if (!d.table(["metadata"], "the [metadata] table")) return undefined;
  const version = d.string(["metadata", "lock-version"], "the lock-version");
  if (version === undefined) return undefined;
  if (!LOCK_VERSIONS.includes(version)) {
    d.error(["metadata", "lock-version"], {
      code: "unsupported-lock-version",
      message: `lock-version ${shown(version)} is not one pyfront knows (${LOCK_VERSIONS.join(", ")})`,
      hint: "lock again with Poetry 1.1 or later (poetry lock)",
    });
    return undefined;
  }
  const flat = version === "2.1";
  const project = pyproject ? new LockDocument(pyproject, out) : undefined;
  if (!flat && !project) {
    d.error(["metadata", "lock-version"], {
      code: "lock-needs-pyproject",
      message: `a poetry.lock of lock-version ${version} is read together with its pyproject.toml, which names the project's own dependencies`,
      hint: "put the pyproject.toml next to poetry.lock in the build context",
    });
    return undefined;
  }

  // Lock-version 1.1 keeps every package's hashes there; without it nothing could be checked.
  if (version === "1.1") d.table(["metadata", "files"], "the [metadata.files] table (lock-version 1.1)");
  const packages: LockedPackage[] = [];
  const packageGroups = new Set<string>();
  for (const { path } of d.tables(["package"])) {
    const locked = readPackage(d, path, version);
    if (!locked) continue;
    packages.push(locked);
    for (const group of locked.groups ?? []) packageGroups.add(group);
  }
  const lockExtras = d.keys(["extras"]).flatMap((extra) => {
    const name = d.checkKey(["extras", extra], checkExtraOrGroupName(extra, "extra"));
    return name === undefined ? [] : [name];
  });
  const roots = project ? readProjectRoots(project) : undefined;

  const groups = new Set(["default", ...packageGroups, ...Object.keys(roots?.groups ?? {})]);
  const extras = new Set([...lockExtras, ...Object.keys(roots?.extras ?? {})]);
  const pythonVersions = d.string(["metadata", "python-versions"]);
  const requiresPython = pythonVersions === undefined ? undefined : pep440Python(pythonVersions);
  if (out.errors.length > errors) return undefined;

  if (!flat && roots)
    pinDuplicateVersions(packages, [...Object.values(roots.groups), ...Object.values(roots.extras)]);
  return {
    format: "poetry",
    file,
    formatVersion: version,
    packages,
    selection:
      flat || !roots ? { kind: "flat" } : { kind: "graph", roots: roots.groups, extras: roots.extras },
    // `poetry install --only main`: the production install.
    defaultGroups: ["default"],
    groups: [...groups].sort(),
    extras: [...extras].sort(),
    ...(requiresPython ? { requiresPython } : {}),
    ...(roots && Object.keys(roots.includes).length > 0 ? { groupIncludes: roots.includes } : {}),
  };
}

/** A Poetry version constraint as a PEP 440 specifier set; undefined for `*` or one pip cannot express. */
function pep440Python(constraint: string): string | undefined {
  const converted = poetryConstraintToPep440(constraint);
  return typeof converted === "string" && converted !== "" ? converted : undefined;
}

function readPackage(d: LockDocument, path: SourcePath, lockVersion: string): LockedPackage | undefined {
  const rawName = d.string([...path, "name"], "the package name");
  const name = rawName === undefined ? undefined : d.check([...path, "name"], checkPackageName(rawName));
  const rawVersion = d.string([...path, "version"], "the package version");
  const version =
    rawVersion === undefined ? undefined : d.check([...path, "version"], checkVersion(rawVersion));
  const source = readSource(d, path);
  const files =
    source === undefined || source.kind === "git" || source.kind === "directory"
      ? []
      : readFiles(d, path, rawName ?? "", lockVersion);
  if (source?.kind === "url" && files.length === 1) files[0]!.url = source.url;

  const { dependencies, optional } = readDependencies(d, [...path, "dependencies"]);
  const optionalDependencies = readExtras(d, [...path, "extras"], dependencies, optional);
  const pythonVersions = d.string([...path, "python-versions"]);
  const requiresPython = pythonVersions === undefined ? undefined : pep440Python(pythonVersions);
  const groups = lockVersion === "2.1" ? readGroupsAndMarker(d, path) : undefined;
  if (name === undefined || version === undefined || source === undefined) return undefined;
  if (lockVersion === "2.1" && !groups) return undefined;

  const locked: LockedPackage = {
    name,
    version,
    source,
    files,
    ...(requiresPython ? { requiresPython } : {}),
    dependencies,
    optionalDependencies,
    position: d.position(path),
  };
  if (groups) {
    locked.groups = groups.groups;
    if (groups.marker !== undefined) locked.marker = groups.marker;
  }
  return locked;
}

function readSource(d: LockDocument, path: SourcePath): LockedSource | undefined {
  const sourcePath = [...path, "source"];
  const table = d.table(sourcePath);
  if (!table) return d.get(sourcePath) === undefined ? { kind: "registry" } : undefined;
  const type = d.string([...sourcePath, "type"]);
  const rawUrl = d.string([...sourcePath, "url"], "the source url");
  if (rawUrl === undefined) return undefined;
  const urlPath = [...sourcePath, "url"];
  switch (type) {
    case undefined:
    case "legacy": {
      // An index named in [[tool.poetry.source]]; pip looks the package up in the build's indices.
      const url = d.check(urlPath, checkFileUrl(rawUrl));
      return url === undefined ? undefined : { kind: "registry", url };
    }
    case "git": {
      const resolved = d.string(
        [...sourcePath, "resolved_reference"],
        "the resolved_reference (the locked commit)",
      );
      return d.gitSource(urlPath, rawUrl, [...sourcePath, "resolved_reference"], resolved, [
        ...sourcePath,
        "subdirectory",
      ]);
    }
    case "directory": {
      const dir = d.check(urlPath, checkRelativePath(rawUrl));
      const develop = d.boolean([...path, "develop"]);
      return dir === undefined ? undefined : { kind: "directory", path: dir, editable: develop === true };
    }
    case "url": {
      if (d.get([...sourcePath, "subdirectory"]) !== undefined) {
        d.error([...sourcePath, "subdirectory"], {
          code: "unsupported-source",
          message: "a project in a subdirectory of a downloaded archive cannot be installed from a lock",
          hint: "publish the project to an index, or depend on it from git with a subdirectory",
        });
        return undefined;
      }
      const url = d.check(urlPath, checkFileUrl(rawUrl));
      return url === undefined ? undefined : { kind: "url", url };
    }
    case "file":
      d.error([...sourcePath, "type"], {
        code: "unsupported-source",
        message: `${shown(rawUrl)} is a local archive file, which pyfront does not install from a lock`,
        hint: "depend on the project's directory ({path = ..., develop = false}), or serve the archive from an index",
      });
      return undefined;
    default:
      d.error([...sourcePath, "type"], {
        code: "unsupported-source",
        message: `source type ${shown(String(type))} is not one pyfront installs (legacy, git, directory, url)`,
        hint: "lock again with a supported Poetry source",
      });
      return undefined;
  }
}

/** The files and hashes of a package: its own `files` (2.x) or `[metadata.files]` by name (1.1). */
function readFiles(d: LockDocument, path: SourcePath, rawName: string, lockVersion: string): LockedFile[] {
  let filesPath: SourcePath = [...path, "files"];
  if (lockVersion === "1.1") {
    const byName = d.table(["metadata", "files"]) ?? {};
    const key = Object.hasOwn(byName, rawName)
      ? rawName
      : Object.keys(byName).find((k) => normalizePackageName(k) === normalizePackageName(rawName));
    if (key === undefined) return [];
    filesPath = ["metadata", "files", key];
  }
  const files = new Map<string, LockedFile>();
  for (const entry of d.tables(filesPath)) {
    const rawFile = d.string([...entry.path, "file"], "the file name");
    const rawHash = d.string([...entry.path, "hash"], "the file's hash");
    const name = rawFile === undefined ? undefined : d.check([...entry.path, "file"], checkFileName(rawFile));
    const hash = rawHash === undefined ? undefined : d.check([...entry.path, "hash"], checkHashText(rawHash));
    if (name === undefined || hash === undefined) continue;
    const file = files.get(name) ?? { name, hashes: [] };
    if (!file.hashes.includes(hash)) file.hashes.push(hash);
    files.set(name, file);
  }
  return [...files.values()];
}

interface ConstraintEdge {
  edge: LockEdge;
  optional: boolean;
}

/**
 * One Poetry dependency value, in a lock's `[package.dependencies]` or a pyproject's
 * `[tool.poetry.dependencies]`: `"constraint"`, a table (`version`, `markers`, `python`,
 * `platform`, `extras`, `optional`, or a `git`/`path`/`url` source), or a list of those
 * (multiple constraints, each with its own markers).
 */
export function poetryDependencyEdges(d: LockDocument, path: SourcePath, rawName: string): ConstraintEdge[] {
  const name = d.checkKey(path, checkPackageName(rawName));
  if (name === undefined) return [];
  const value = d.get(path);
  const items: Array<{ value: unknown; path: SourcePath }> = Array.isArray(value)
    ? value.map((item, i) => ({ value: item, path: [...path, i] }))
    : [{ value, path }];
  const edges: ConstraintEdge[] = [];
  for (const item of items) {
    if (typeof item.value === "string") {
      edges.push({ edge: withSpecifier({ name }, item.value), optional: false });
      continue;
    }
    if (!isTable(item.value)) {
      d.error(item.path, {
        code: "invalid-type",
        message: "expected a version constraint, a table or a list of them",
      });
      continue;
    }
    const edge = tableEdge(d, item.path, name);
    if (edge) edges.push({ edge, optional: d.boolean([...item.path, "optional"]) === true });
  }
  return edges;
}

function withSpecifier(edge: LockEdge, constraint: string): LockEdge {
  // As a PEP 440 set, for the freshness check; `||` (no pip equivalent) leaves it out.
  const specifier = pep440Python(constraint);
  return specifier === undefined ? edge : { ...edge, specifier };
}

function tableEdge(d: LockDocument, path: SourcePath, name: string): LockEdge | undefined {
  const conditions: Array<string | undefined> = [];
  const markers = d.string([...path, "markers"]);
  if (markers !== undefined) {
    const checked = d.check([...path, "markers"], checkMarker(markers));
    if (checked === undefined) return undefined;
    conditions.push(checked);
  }
  const python = d.string([...path, "python"]);
  if (python !== undefined) {
    const marker = pythonMarker(python);
    if (marker === null) {
      d.error([...path, "python"], {
        code: "invalid-constraint",
        message: `${shown(python)} is not a Poetry version constraint`,
        hint: 'write e.g. "^3.9" or ">=3.9,<3.13"',
      });
      return undefined;
    }
    conditions.push(marker);
  }
  const platform = d.string([...path, "platform"]);
  if (platform !== undefined) {
    if (!/^[A-Za-z0-9_.-]+$/.test(platform)) {
      d.error([...path, "platform"], {
        code: "invalid-marker",
        message: `${shown(platform)} is not a platform name`,
        hint: 'write a sys.platform value such as "linux", "darwin" or "win32"',
      });
      return undefined;
    }
    conditions.push(`sys_platform == ${JSON.stringify(platform)}`);
  }
  const extras: string[] = [];
  for (const extra of d.strings([...path, "extras"])) {
    const checked = d.check(extra.path, checkExtraOrGroupName(extra.value, "extra"));
    if (checked !== undefined) extras.push(checked);
  }
  const marker = andMarkers(...conditions);
  let edge: LockEdge = {
    name,
    ...(marker !== undefined ? { marker } : {}),
    ...(extras.length > 0 ? { extras } : {}),
  };
  const version = d.string([...path, "version"]);
  if (version !== undefined) edge = withSpecifier(edge, version);
  return edge;
}

/**
 * A Poetry `python` constraint as a marker: `^3.9` → `python_version >= "3.9" and python_version
 * < "4.0"`, patch-level bounds with `python_full_version`. Undefined: any Python; null: invalid.
 */
export function pythonMarker(constraint: string): string | undefined | null {
  const alternatives: Array<string | undefined> = [];
  for (const part of constraint.split("||")) {
    const converted = poetryConstraintToPep440(part);
    if (typeof converted !== "string") return null;
    if (converted === "") return undefined;
    const clauses: string[] = [];
    for (const clause of converted.split(",")) {
      const match = /^(~=|===|==|!=|<=|>=|<|>)(.+)$/.exec(clause);
      if (!match) return null;
      const [, op, rawVersion] = match;
      const wildcard = rawVersion!.endsWith(".*");
      const version = wildcard ? rawVersion!.slice(0, -2) : rawVersion!;
      const parts = version.split(".").length;
      if (wildcard && parts === 2 && (op === "==" || op === "!=")) {
        clauses.push(`python_version ${op} ${JSON.stringify(version)}`);
        continue;
      }
      const variable = parts >= 3 || wildcard ? "python_full_version" : "python_version";
      clauses.push(`${variable} ${op} ${JSON.stringify(rawVersion)}`);
    }
    alternatives.push(clauses.join(" and "));
  }
  return orMarkers(alternatives);
}

function readDependencies(
  d: LockDocument,
  path: SourcePath,
): { dependencies: LockEdge[]; optional: Map<string, LockEdge[]> } {
  const dependencies: LockEdge[] = [];
  const optional = new Map<string, LockEdge[]>();
  for (const rawName of d.keys(path)) {
    for (const { edge, optional: isOptional } of poetryDependencyEdges(d, [...path, rawName], rawName)) {
      if (isOptional) optional.set(edge.name, [...(optional.get(edge.name) ?? []), edge]);
      else dependencies.push(edge);
    }
  }
  return { dependencies, optional };
}

/**
 * `[package.extras]`: extra → requirement strings. As Poetry's solver does, an extra names the
 * optional dependencies it turns on; their constraints and markers come from
 * `[package.dependencies]`. A name with no optional entry there is taken from the string itself.
 */
function readExtras(
  d: LockDocument,
  path: SourcePath,
  dependencies: LockEdge[],
  optional: Map<string, LockEdge[]>,
): Record<string, LockEdge[]> {
  const extras: Record<string, LockEdge[]> = Object.create(null);
  for (const rawExtra of d.keys(path)) {
    const extra = d.checkKey([...path, rawExtra], checkExtraOrGroupName(rawExtra, "extra"));
    if (extra === undefined) continue;
    const edges: LockEdge[] = [];
    for (const item of d.strings([...path, rawExtra])) {
      const parts = splitRequirement(item.value);
      if (!parts.ok) {
        d.error(item.path, parts.problem);
        continue;
      }
      const turnedOn = optional.get(parts.value.name);
      if (turnedOn) edges.push(...turnedOn);
      else if (!dependencies.some((e) => e.name === parts.value.name))
        edges.push(requirementEdge(parts.value));
    }
    extras[extra] = [...(extras[extra] ?? []), ...edges];
  }
  return extras;
}

/** Lock-version 2.1: `groups` and `markers` (a string, or group → marker; a group left out has none). */
function readGroupsAndMarker(
  d: LockDocument,
  path: SourcePath,
): { groups: string[]; marker?: string } | undefined {
  if (d.array([...path, "groups"], "the package's groups (lock-version 2.1)") === undefined) return undefined;
  const groups: Array<{ written: string; name: string }> = [];
  for (const item of d.strings([...path, "groups"])) {
    const checked = d.check(item.path, checkExtraOrGroupName(item.value, "group"));
    if (checked !== undefined) groups.push({ written: item.value, name: groupName(item.value) });
  }
  const markersPath = [...path, "markers"];
  const markers = d.get(markersPath);
  const checkedMarker = (markerPath: SourcePath, text: unknown): string | undefined | null => {
    if (typeof text !== "string") {
      d.error(markerPath, { code: "invalid-type", message: "expected a marker string" });
      return null;
    }
    const checked = d.check(markerPath, checkMarker(text));
    return checked === undefined ? null : projectExtrasMarker(checked);
  };
  const perGroup: Array<{ group: string; marker?: string }> = [];
  if (markers === undefined || typeof markers === "string") {
    const marker = markers === undefined ? undefined : checkedMarker(markersPath, markers);
    if (marker === null) return undefined;
    for (const g of groups) perGroup.push({ group: g.name, ...(marker !== undefined ? { marker } : {}) });
  } else if (isTable(markers)) {
    const byGroup = new Map<string, string>();
    for (const key of Object.keys(markers)) {
      const marker = checkedMarker([...markersPath, key], markers[key]);
      if (marker === null) return undefined;
      if (marker !== undefined) byGroup.set(groupName(key), marker);
    }
    for (const g of groups) {
      const marker = byGroup.get(g.name);
      perGroup.push({ group: g.name, ...(marker !== undefined ? { marker } : {}) });
    }
  } else {
    d.error(markersPath, {
      code: "invalid-type",
      message: "expected a marker string or a table group → marker",
    });
    return undefined;
  }
  const marker = groupMarker(perGroup);
  return { groups: [...new Set(groups.map((g) => g.name))], ...(marker !== undefined ? { marker } : {}) };
}

interface ProjectRoots {
  groups: Record<string, LockEdge[]>;
  extras: Record<string, LockEdge[]>;
  /** Group → the groups its `include-groups` names. */
  includes: Record<string, string[]>;
}

/**
 * The project's own requirements in pyproject.toml, per group: `[project].dependencies` (Poetry 2)
 * or `[tool.poetry.dependencies]` (minus `python`) as "default"; `[tool.poetry.group.<g>]`,
 * legacy `[tool.poetry.dev-dependencies]` ("dev") and PEP 735 `[dependency-groups]`; extras from
 * `[project.optional-dependencies]` or `[tool.poetry.extras]` (which names optional dependencies).
 */
function readProjectRoots(p: LockDocument): ProjectRoots {
  const groups: Record<string, LockEdge[]> = Object.create(null);
  const add = (group: string, edges: LockEdge[]) => {
    groups[group] = [...(groups[group] ?? []), ...edges];
  };
  const includedBy = new Map<string, Array<{ value: string; path: SourcePath }>>();
  const optional = new Map<string, LockEdge[]>();
  const fromProject = projectDependencies(p);
  const toolDependencies: SourcePath = ["tool", "poetry", "dependencies"];
  add("default", fromProject ?? []);
  for (const rawName of p.keys(toolDependencies)) {
    if (rawName.toLowerCase() === "python") continue;
    for (const { edge, optional: isOptional } of poetryDependencyEdges(
      p,
      [...toolDependencies, rawName],
      rawName,
    )) {
      if (isOptional) optional.set(edge.name, [...(optional.get(edge.name) ?? []), edge]);
      // With [project].dependencies, [tool.poetry.dependencies] only adds details (a source) to them.
      else if (fromProject === undefined) add("default", [edge]);
    }
  }
  for (const rawGroup of p.keys(["tool", "poetry", "group"])) {
    const path: SourcePath = ["tool", "poetry", "group", rawGroup, "dependencies"];
    const group = p.checkKey(["tool", "poetry", "group", rawGroup], checkExtraOrGroupName(rawGroup, "group"));
    if (group === undefined) continue;
    add(groupName(rawGroup), []);
    const includes = p.strings(["tool", "poetry", "group", rawGroup, "include-groups"]);
    if (includes.length > 0) includedBy.set(groupName(rawGroup), includes);
    for (const rawName of p.keys(path)) {
      add(
        groupName(rawGroup),
        poetryDependencyEdges(p, [...path, rawName], rawName).map((e) => e.edge),
      );
    }
  }
  const dev: SourcePath = ["tool", "poetry", "dev-dependencies"];
  for (const rawName of p.keys(dev)) {
    add(
      "dev",
      poetryDependencyEdges(p, [...dev, rawName], rawName).map((e) => e.edge),
    );
  }
  for (const [group, edges] of Object.entries(dependencyGroups(p))) add(groupName(group), edges);
  // `include-groups` (Poetry 2.2) may only name groups the project has, as Poetry checks.
  const includes: Record<string, string[]> = Object.create(null);
  for (const [group, items] of includedBy) {
    includes[group] = [];
    for (const item of items) {
      const name = groupName(item.value);
      if (!(name in groups)) {
        p.error(item.path, {
          code: "unknown-group",
          message: `the group ${shown(item.value)} that ${group} includes is not a group of the project`,
          hint: `its groups: ${
            Object.keys(groups)
              .filter((g) => g !== "default")
              .join(", ") || "none"
          }`,
        });
      } else if (name !== group) includes[group].push(name);
    }
  }

  let extras: Record<string, LockEdge[]> = Object.create(null);
  if (p.get(["project", "optional-dependencies"]) !== undefined) {
    extras = projectOptionalDependencies(p);
  } else {
    for (const rawExtra of p.keys(["tool", "poetry", "extras"])) {
      const path: SourcePath = ["tool", "poetry", "extras", rawExtra];
      const extra = p.checkKey(path, checkExtraOrGroupName(rawExtra, "extra"));
      if (extra === undefined) continue;
      const edges: LockEdge[] = [];
      for (const item of p.strings(path)) {
        const name = normalizePackageName(item.value);
        const turnedOn = optional.get(name);
        if (turnedOn) edges.push(...turnedOn);
        else
          p.error(item.path, {
            code: "unknown-dependency",
            message: `${shown(item.value)} is not an optional dependency in [tool.poetry.dependencies]`,
            hint: 'an extra names dependencies declared with optional = true, e.g. pysocks = {version = "^1.7", optional = true}',
          });
      }
      extras[extra] = [...(extras[extra] ?? []), ...edges];
    }
  }
  return { groups, extras, includes };
}

/**
 * Where the lock holds several versions of one name (Poetry locks one per marker range), an edge
 * is pinned to the one version its specifier allows, so the walk takes the right one.
 */
function pinDuplicateVersions(packages: LockedPackage[], rootEdges: LockEdge[][]): void {
  const versions = new Map<string, string[]>();
  for (const p of packages) versions.set(p.name, [...(versions.get(p.name) ?? []), p.version]);
  const pin = (edge: LockEdge) => {
    const candidates = versions.get(edge.name);
    if (!candidates || candidates.length < 2 || edge.specifier === undefined) return;
    const specifiers = parseSpecifierSet(edge.specifier);
    if (!specifiers) return;
    const allowed = candidates.filter((v) => satisfies(v, specifiers));
    if (allowed.length === 1) edge.version = allowed[0]!;
  };
  for (const p of packages) {
    p.dependencies.forEach(pin);
    for (const edges of Object.values(p.optionalDependencies)) edges.forEach(pin);
  }
  for (const edges of rootEdges) edges.forEach(pin);
}
