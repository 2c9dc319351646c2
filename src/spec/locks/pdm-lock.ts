import type { DiagnosticList } from "../diagnostic-list.js";
import { parseSpecifierSet } from "../pep440.js";
import type { SourceDocument, SourcePath } from "../source-document.js";
import { LockDocument, readTomlLock } from "./lock-document.js";
import type { LockEdge, LockedFile, LockedPackage, LockedSource, LockGraph } from "./lock-graph.js";
import {
  checkCommit,
  checkExtraOrGroupName,
  checkFileName,
  checkFileUrl,
  checkGitUrl,
  checkHashText,
  checkMarker,
  checkPackageName,
  checkRelativePath,
  checkVersion,
  isArchivePath,
  localArchiveProblem,
  orMarkers,
  shown,
  urlFileName,
} from "./lock-value-checks.js";
import {
  dependencyGroups,
  projectDependencies,
  projectOptionalDependencies,
  pyprojectEdge,
} from "./project-roots.js";
import { requirementEdge, splitRequirement } from "./requirement-parts.js";

/**
 * pdm.lock, as PDM writes it (src/pdm/project/lockfile/pdmlock.py, format_lockfile):
 * - lock_version 4.0–4.2 (PDM 2.0–2.7): files in `[metadata.files]`, keyed `"name version"`;
 * - 4.3+ (PDM 2.8): `files = [{file, hash}]` (or `{url, hash}` with static_urls) in each package;
 * - 4.4.1+ (PDM 2.11) with the `inherit_metadata` strategy (the default since): each package
 *   carries the `groups` that pull it in and its cumulative `marker`; 4.5 adds
 *   `[[metadata.targets]]`.
 * A package locked with extras (`foo[bar]`) is an entry of its own whose dependencies are the
 * extra's, plus `foo==<version>`.
 *
 * With inherit_metadata the selection is `flat`, exactly as `pdm sync` evaluates it. Without,
 * PDM resolves again from the pyproject over the locked candidates: a graph walk from the
 * project's requirements, so the reader then needs the pyproject.
 */
const LOCK_MAJOR = "4";

export function readPdmLock(
  file: string,
  text: string,
  pyproject: SourceDocument | undefined,
  out: DiagnosticList,
): LockGraph | undefined {
  return readTomlLock(file, text, out, (d) => readPdmDocument(d, file, pyproject, out));
}

function readPdmDocument(
  d: LockDocument,
  file: string,
  pyproject: SourceDocument | undefined,
  out: DiagnosticList,
): LockGraph | undefined {
  const errors = out.errors.length;
  if (!d.table(["metadata"], "the [metadata] table")) return undefined;
  const version = d.string(["metadata", "lock_version"], "the lock_version");
  if (version === undefined) return undefined;
  if (!new RegExp(`^${LOCK_MAJOR}\\.\\d+(\\.\\d+)?$`).test(version)) {
    d.error(["metadata", "lock_version"], {
      code: "unsupported-lock-version",
      message: `lock_version ${shown(version)} is not one pyfront knows (4.x)`,
      hint: "lock again with PDM 2 (pdm lock)",
    });
    return undefined;
  }
  const strategy = d.strings(["metadata", "strategy"]).map((s) => s.value);
  const flat = strategy.includes("inherit_metadata");
  const project = pyproject ? new LockDocument(pyproject, out) : undefined;
  if (!flat && !project) {
    d.error(["metadata", "lock_version"], {
      code: "lock-needs-pyproject",
      message:
        "this pdm.lock has no groups or markers per package (no inherit_metadata strategy), so it is read together with its pyproject.toml, which names the project's own dependencies",
      hint: "put the pyproject.toml next to pdm.lock in the build context, or lock again with PDM 2.11 or later",
    });
    return undefined;
  }
  const lockGroups: string[] = [];
  for (const item of d.strings(["metadata", "groups"])) {
    const group = d.check(item.path, checkExtraOrGroupName(item.value, "group"));
    if (group !== undefined) lockGroups.push(group);
  }
  const targets = readTargets(d);

  const entries: Array<{ locked: LockedPackage; extras: string[] }> = [];
  for (const { path } of d.tables(["package"])) {
    const entry = readPackage(d, path, lockGroups, flat);
    if (entry) entries.push(entry);
  }
  const packages = mergeExtrasEntries(entries, flat);

  let selection: LockGraph["selection"] = { kind: "flat" };
  const groups = new Set(["default", ...lockGroups]);
  for (const p of packages) for (const g of p.groups ?? []) groups.add(g);
  let extras: string[] = [];
  if (project) {
    const directories = new Map(
      packages.flatMap((p) =>
        p.source.kind === "directory" ? [[normalizeLocalPath(p.source.path), p.name] as const] : [],
      ),
    );
    // `-e ./packages/mylib` or `file:///${PROJECT_ROOT}/packages/mylib` names no package: the lock says which.
    const resolveUnnamed = (requirement: string) => directories.get(normalizeLocalPath(requirement));
    const optional = projectOptionalDependencies(project, resolveUnnamed);
    extras = Object.keys(optional);
    for (const extra of extras) groups.add(extra);
    if (!flat) {
      const roots: Record<string, LockEdge[]> = Object.create(null);
      roots.default = projectDependencies(project, resolveUnnamed) ?? [];
      const dev: SourcePath = ["tool", "pdm", "dev-dependencies"];
      for (const rawGroup of project.keys(dev)) {
        const group = project.checkKey([...dev, rawGroup], checkExtraOrGroupName(rawGroup, "group"));
        if (group === undefined) continue;
        roots[group] = [...(roots[group] ?? [])];
        for (const item of project.strings([...dev, rawGroup])) {
          const edge = pyprojectEdge(project, item.path, item.value, resolveUnnamed);
          if (edge) roots[group].push(edge);
        }
      }
      for (const [group, edges] of Object.entries(dependencyGroups(project, resolveUnnamed))) {
        roots[group] = [...(roots[group] ?? []), ...edges];
      }
      // `pdm sync -G socks` installs an extra as a group: the same edges under both names.
      for (const [extra, edges] of Object.entries(optional))
        roots[extra] = [...(roots[extra] ?? []), ...edges];
      for (const group of Object.keys(roots)) groups.add(group);
      selection = { kind: "graph", roots, extras: optional };
    }
  }
  if (out.errors.length > errors) return undefined;
  return {
    format: "pdm",
    file,
    formatVersion: version,
    packages,
    selection,
    // `pdm sync --prod`: the production install.
    defaultGroups: ["default"],
    groups: [...groups].sort(),
    extras: extras.sort(),
    ...(targets.requiresPython ? { requiresPython: targets.requiresPython } : {}),
    ...(targets.environments ? { environments: targets.environments } : {}),
  };
}

/** `./packages/mylib`, `packages/mylib/`, `file:///${PROJECT_ROOT}/packages/mylib` → `packages/mylib`. */
function normalizeLocalPath(path: string): string {
  return path
    .replace(/^file:\/\/\/?\$\{PROJECT_ROOT\}\/?/, "")
    .replace(/\\/g, "/")
    .split("/")
    .filter((part) => part !== "" && part !== ".")
    .join("/");
}

/**
 * `[[metadata.targets]]` (PDM 2.17+, `pdm lock --platform/--python/--implementation`): the
 * environments the lock was resolved for, as markers the build's target must meet, as pdm itself
 * refuses to install a lock on a target it was not made for. pyfront builds glibc Linux images,
 * so targets for Windows, macOS or musl count for nothing; a lock with no other target is
 * refused here. One target's `requires_python` is also the lock's.
 */
function readTargets(d: LockDocument): { requiresPython?: string; environments?: string[] } {
  const targets = d.tables(["metadata", "targets"]);
  if (targets.length === 0) return {};
  const environments: string[] = [];
  const elsewhere: string[] = [];
  let requiresPython: string | undefined;
  for (const target of targets) {
    const clauses: string[] = [];
    const platformPath = [...target.path, "platform"];
    const platform = d.string(platformPath);
    if (platform !== undefined && platform !== "") {
      const linux = linuxMachine(platform);
      if (linux === "unknown") {
        d.error(platformPath, {
          code: "unsupported-lock-target",
          message: `${shown(platform)} is not a platform pdm locks for`,
          hint: "lock again with pdm lock --platform linux (or manylinux_2_28_aarch64, ...)",
        });
        continue;
      }
      if (linux === undefined) {
        elsewhere.push(platform);
        continue;
      }
      clauses.push("sys_platform == 'linux'", `platform_machine == '${linux}'`);
    }
    const implementationPath = [...target.path, "implementation"];
    const implementation = d.string(implementationPath);
    if (implementation !== undefined && implementation !== "") {
      const name = IMPLEMENTATIONS[implementation.toLowerCase()];
      if (name === undefined) {
        d.error(implementationPath, {
          code: "unsupported-lock-target",
          message: `${shown(implementation)} is not a Python implementation pdm locks for`,
          hint: "lock again with pdm lock --implementation cpython",
        });
        continue;
      }
      clauses.push(`platform_python_implementation == '${name}'`);
    }
    const pythonPath = [...target.path, "requires_python"];
    const python = d.string(pythonPath);
    if (python !== undefined && python !== "") {
      const range = parseSpecifierSet(python);
      if (!range) {
        d.error(pythonPath, {
          code: "invalid-specifier",
          message: `${shown(python)} is not a version specifier`,
          hint: 'write e.g. ">=3.9" or ">=3.9,<3.13"',
        });
        continue;
      }
      // One target's range is the lock's (checked, and named, as the lock's requires-python).
      if (targets.length === 1) requiresPython = python;
      else
        for (const clause of python.split(",")) {
          const [, operator, version] = /^\s*(===|==|!=|<=|>=|~=|<|>)\s*(\S+)\s*$/.exec(clause) ?? [];
          if (operator && version) clauses.push(`python_full_version ${operator} '${version}'`);
        }
    }
    environments.push(clauses.length === 0 ? "" : clauses.join(" and "));
  }
  if (environments.length === 0 && elsewhere.length > 0) {
    d.error(["metadata", "targets"], {
      code: "lock-target-mismatch",
      message: `the lock was made for ${elsewhere.map(shown).join(", ")} only, not for Linux with glibc`,
      hint: "lock again for Linux as well, e.g. pdm lock --platform linux --append",
    });
  }
  // A target with no criteria holds everywhere: the lock then restricts nothing.
  if (environments.includes("")) return requiresPython ? { requiresPython } : {};
  return { ...(requiresPython ? { requiresPython } : {}), environments };
}

const IMPLEMENTATIONS: Record<string, string> = Object.assign(Object.create(null), {
  cpython: "CPython",
  pypy: "PyPy",
  pyston: "Pyston",
});

/**
 * The machine of a pdm lock target's platform when it is glibc Linux (`linux` is pdm's name for
 * manylinux x86_64); undefined for Windows, macOS and musl platforms; "unknown" for a name pdm
 * does not write.
 */
function linuxMachine(platform: string): string | undefined {
  if (platform === "linux") return "x86_64";
  const manylinux = /^manylinux_\d+_\d+_(x86_64|aarch64|i686|armv7l|ppc64le|s390x)$/.exec(platform);
  if (manylinux) return manylinux[1];
  if (/^(windows|macos|alpine|musllinux)(_|$)/.test(platform)) return undefined;
  return "unknown";
}

function readPackage(
  d: LockDocument,
  path: SourcePath,
  lockGroups: string[],
  flat: boolean,
): { locked: LockedPackage; extras: string[] } | undefined {
  const rawName = d.string([...path, "name"], "the package name");
  const name = rawName === undefined ? undefined : d.check([...path, "name"], checkPackageName(rawName));
  const rawVersion = d.string([...path, "version"], "the package version");
  const version =
    rawVersion === undefined ? undefined : d.check([...path, "version"], checkVersion(rawVersion));
  const extras: string[] = [];
  for (const item of d.strings([...path, "extras"])) {
    const extra = d.check(item.path, checkExtraOrGroupName(item.value, "extra"));
    if (extra !== undefined) extras.push(extra);
  }
  const source = readSource(d, path);
  const files =
    source?.kind === "registry" || source?.kind === "url"
      ? readFiles(d, path, rawName ?? "", rawVersion ?? "")
      : [];
  const dependencies: LockEdge[] = [];
  for (const item of d.strings([...path, "dependencies"])) {
    const parts = splitRequirement(item.value);
    if (parts.ok) dependencies.push(requirementEdge(parts.value));
    else d.error(item.path, parts.problem);
  }
  const requiresPython = d.string([...path, "requires_python"]);
  const rawMarker = flat ? d.string([...path, "marker"]) : undefined;
  const marker = rawMarker === undefined ? undefined : d.check([...path, "marker"], checkMarker(rawMarker));
  if (name === undefined || version === undefined || source === undefined) return undefined;
  const locked: LockedPackage = {
    name,
    version,
    source,
    files,
    ...(requiresPython && parseSpecifierSet(requiresPython) ? { requiresPython } : {}),
    dependencies,
    optionalDependencies: Object.create(null),
    position: d.position(path),
  };
  if (flat) {
    const groups: string[] = [];
    for (const item of d.strings([...path, "groups"])) {
      const group = d.check(item.path, checkExtraOrGroupName(item.value, "group"));
      if (group !== undefined) groups.push(group);
    }
    // pdm installs a package that names no groups whatever groups are asked for.
    locked.groups = d.get([...path, "groups"]) === undefined ? [...lockGroups] : groups;
    if (marker !== undefined) locked.marker = marker;
  }
  return { locked, extras };
}

function readSource(d: LockDocument, path: SourcePath): LockedSource | undefined {
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
  const subdirectoryOf = (): string | undefined | null => {
    const raw = d.string([...path, "subdirectory"]);
    if (raw === undefined) return undefined;
    return d.check([...path, "subdirectory"], checkRelativePath(raw)) ?? null;
  };
  const git = d.string([...path, "git"]);
  if (git !== undefined) {
    const url = d.check([...path, "git"], checkGitUrl(git, { scpForm: true }));
    const revision = d.string([...path, "revision"]);
    if (revision === undefined) {
      d.error([...path, "git"], {
        code: "missing-key",
        message: "the locked commit (revision) is missing",
        hint:
          d.boolean([...path, "editable"]) === true
            ? "an editable git dependency is not locked to a commit; make it non-editable and lock again"
            : "lock again",
      });
      return undefined;
    }
    const commit = d.check([...path, "revision"], checkCommit(revision));
    const subdirectory = subdirectoryOf();
    if (url === undefined || commit === undefined || subdirectory === null) return undefined;
    return { kind: "git", url, commit, ...(subdirectory !== undefined ? { subdirectory } : {}) };
  }
  const local = d.string([...path, "path"]);
  if (local !== undefined) {
    if (isArchivePath(local)) {
      d.error([...path, "path"], localArchiveProblem(local));
      return undefined;
    }
    const dir = d.check([...path, "path"], checkRelativePath(local));
    if (subdirectoryOf() !== undefined) {
      d.error([...path, "subdirectory"], {
        code: "unsupported-source",
        message: "a subdirectory of a path dependency is not supported; name the directory itself",
      });
      return undefined;
    }
    return dir === undefined
      ? undefined
      : { kind: "directory", path: dir, editable: d.boolean([...path, "editable"]) === true };
  }
  const rawUrl = d.string([...path, "url"]);
  if (rawUrl !== undefined) {
    const url = d.check([...path, "url"], checkFileUrl(rawUrl));
    if (subdirectoryOf() !== undefined) {
      d.error([...path, "subdirectory"], {
        code: "unsupported-source",
        message: "a project in a subdirectory of a downloaded archive cannot be installed from a lock",
        hint: "publish the project to an index, or depend on it from git with a subdirectory",
      });
      return undefined;
    }
    return url === undefined ? undefined : { kind: "url", url };
  }
  return { kind: "registry" };
}

/** `files = [{file, hash}]` or `[{url, hash}]` (4.3+), else `[metadata.files]."name version"` (4.0–4.2). */
function readFiles(d: LockDocument, path: SourcePath, rawName: string, rawVersion: string): LockedFile[] {
  let filesPath: SourcePath = [...path, "files"];
  if (d.get(filesPath) === undefined) {
    const key = `${rawName} ${rawVersion}`;
    const byKey = d.table(["metadata", "files"]);
    if (!byKey || !Object.hasOwn(byKey, key)) return [];
    filesPath = ["metadata", "files", key];
  }
  const files = new Map<string, LockedFile>();
  for (const entry of d.tables(filesPath)) {
    const rawFile = d.string([...entry.path, "file"]);
    const rawUrl = d.string([...entry.path, "url"]);
    const rawHash = d.string([...entry.path, "hash"], "the file's hash");
    const url = rawUrl === undefined ? undefined : d.check([...entry.path, "url"], checkFileUrl(rawUrl));
    if (rawFile === undefined && rawUrl === undefined) {
      d.missing([...entry.path, "file"], "the file name (file or url)");
      continue;
    }
    const written = rawFile ?? (url === undefined ? undefined : urlFileName(url));
    const name =
      written === undefined
        ? undefined
        : d.check([...entry.path, rawFile ? "file" : "url"], checkFileName(written));
    const hash = rawHash === undefined ? undefined : d.check([...entry.path, "hash"], checkHashText(rawHash));
    if (name === undefined || hash === undefined || (rawUrl !== undefined && url === undefined)) continue;
    const file = files.get(name) ?? { name, hashes: [], ...(url !== undefined ? { url } : {}) };
    if (!file.hashes.includes(hash)) file.hashes.push(hash);
    files.set(name, file);
  }
  return [...files.values()];
}

/**
 * Folds each `foo[bar]` entry into the plain `foo` entry of the same version: its dependencies
 * (less the pin on `foo` itself) become the extra's edges. A flat lock needs nothing more (the
 * plain entry's groups and marker already cover it, since the extras entry depends on it); with
 * no plain entry, the extras entry stands for the package.
 */
function mergeExtrasEntries(
  entries: Array<{ locked: LockedPackage; extras: string[] }>,
  flat: boolean,
): LockedPackage[] {
  const key = (p: LockedPackage) => `${p.name} ${p.version}`;
  const plain = new Map<string, LockedPackage>();
  for (const { locked, extras } of entries) if (extras.length === 0) plain.set(key(locked), locked);
  const packages = entries.filter((e) => e.extras.length === 0).map((e) => e.locked);
  for (const { locked, extras } of entries) {
    if (extras.length === 0) continue;
    const base = plain.get(key(locked));
    const own = locked.dependencies.filter((e) => e.name !== locked.name);
    if (!base) {
      locked.dependencies = own;
      plain.set(key(locked), locked);
      packages.push(locked);
      continue;
    }
    for (const extra of extras) {
      base.optionalDependencies[extra] = [...(base.optionalDependencies[extra] ?? []), ...own];
    }
    if (flat && locked.groups) {
      // Defensive: a hand-edited lock could give the extras entry groups the plain one lacks.
      const missing = locked.groups.filter((g) => !(base.groups ?? []).includes(g));
      if (missing.length > 0) {
        base.groups = [...(base.groups ?? []), ...missing];
        const marker = orMarkers([base.marker, locked.marker]);
        if (marker === undefined) delete base.marker;
        else base.marker = marker;
      }
    }
  }
  return packages;
}
