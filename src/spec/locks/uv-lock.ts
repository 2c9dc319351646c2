import type { DiagnosticList } from "../diagnostic-list.js";
import { parseSpecifierSet, satisfies } from "../pep440.js";
import type { SourcePath } from "../source-document.js";
import type { PlainTable } from "../toml-document.js";
import { normalizeContextPath, redactCredentials } from "../value-rules.js";
import { type LockDocument, readTomlLock } from "./lock-document.js";
import type { LockEdge, LockedFile, LockedPackage, LockedSource, LockGraph } from "./lock-graph.js";
import {
  checkCommit,
  checkExtraOrGroupName,
  checkFileBelongs,
  checkFileName,
  checkFileUrl,
  checkGitUrl,
  checkHashText,
  checkMarker,
  checkPackageName,
  checkRelativePath,
  checkSpecifier,
  checkVersion,
  pathFileName,
  sameVersion,
  urlFileName,
} from "./lock-value-checks.js";

/**
 * Reads uv's `uv.lock` (format `version = 1`, any revision) into a LockGraph: a dependency graph
 * rooted at the project, whose main dependencies are the group "default", its
 * `[dependency-groups]` the other groups and its optional dependencies the extras. The shape
 * follows what uv writes (crates/uv-resolver/src/lock in uv's source): one `[[package]]` table
 * per locked distribution, dependency edges that name a version and source only when several
 * packages share a name (a forked resolution), and edge markers simplified against the lock's
 * `requires-python`, so they hold only for targets that meet it.
 */
export function readUvLock(
  file: string,
  text: string,
  out: DiagnosticList,
  projectFolder = ".",
): LockGraph | undefined {
  return readTomlLock(file, text, out, (lock) => new UvLockReader(lock, projectFolder).read());
}

/** The one uv.lock format version this reader knows; uv itself refuses any other. */
const SUPPORTED_VERSION = 1;

/** What a dependency edge says before it is matched to a package. */
interface RawEdge {
  path: SourcePath;
  name: string;
  version?: string;
  /** The edge's `source`, as an identity to compare with the packages' (see sourceIdentity). */
  source?: string;
  marker?: string;
  extras: string[];
}

/** A requirement as `[package.metadata]` and `[manifest]` record it (what the user asked for). */
interface Requirement {
  path: SourcePath;
  name: string;
  specifier?: string;
  marker?: string;
  extras: string[];
}

interface RawPackage {
  path: SourcePath;
  name: string;
  /** Empty when uv left it out: a source tree with a dynamic version. */
  version: string;
  source: LockedSource;
  sourceIdentity: string;
  /** The source was `editable`/`virtual` at the project's folder: the project itself. */
  isRoot: boolean;
  /** A `virtual` workspace member elsewhere: never installed, only its dependencies are. */
  isVirtualMember: boolean;
  files: LockedFile[];
  /** The forks of the resolution this package belongs to (`resolution-markers`). */
  forkMarkers: string[];
  dependencies: RawEdge[];
  optionalDependencies: Map<string, RawEdge[]>;
  groupDependencies: Map<string, RawEdge[]>;
  requiresDist: Requirement[];
  /** `[package.metadata] provides-extras`: every extra, also those that lock nothing. */
  providesExtras: string[];
  /** `[package.metadata.requires-dev]`, empty groups included. */
  requiresDev: Map<string, Requirement[]>;
}

/** The source kinds uv writes, in the order its reader tries them. */
const SOURCE_KEYS = ["registry", "git", "url", "path", "directory", "editable", "virtual"] as const;

class UvLockReader {
  readonly #lock: LockDocument;
  readonly #packages: RawPackage[] = [];
  readonly #byName = new Map<string, RawPackage[]>();
  /** Each edge is matched once, so a bad edge is reported once however often it is used. */
  readonly #targets = new Map<RawEdge, RawPackage | undefined>();
  /** Names of packages whose entry was refused: edges to them are not reported again. */
  readonly #refused = new Set<string>();
  /**
   * The folder of the project being built, relative to the lock's: "." for the lock's own
   * project, a member's folder when a workspace member is built with the workspace's lock
   * (`uv sync` run in the member's folder syncs that member).
   */
  readonly #projectFolder: string;

  constructor(lock: LockDocument, projectFolder: string) {
    this.#lock = lock;
    this.#projectFolder = normalizeContextPath(projectFolder);
  }

  read(): LockGraph | undefined {
    const lock = this.#lock;
    const version = lock.integer(["version"], "the lock format version (`version = 1`)");
    if (version === undefined) return undefined;
    if (version !== SUPPORTED_VERSION) {
      lock.error(["version"], {
        code: "unsupported-lock-version",
        message: `uv.lock format version ${version} is not supported; pyfront reads version ${SUPPORTED_VERSION}`,
        hint: "lock with a uv release that writes `version = 1`, or tell pyfront's maintainers about the new format",
      });
      return undefined;
    }
    lock.integer(["revision"]);
    const requiresPythonText = lock.string(["requires-python"]);
    const requiresPython =
      requiresPythonText === undefined
        ? undefined
        : lock.check(["requires-python"], checkSpecifier(requiresPythonText));
    this.#markers(["resolution-markers"]);
    const environments = this.#markers(["supported-markers"]);
    this.#refuseConflicts();

    const packagesKey = lock.has(["package"]) || !lock.has(["distribution"]) ? "package" : "distribution";
    for (const { value, path } of lock.tables([packagesKey])) {
      const pkg = this.#package(value, path);
      if (!pkg) {
        const name = typeof value.name === "string" ? checkPackageName(value.name) : undefined;
        if (name?.ok) this.#refused.add(name.value);
        continue;
      }
      this.#packages.push(pkg);
      const same = this.#byName.get(pkg.name);
      if (same) same.push(pkg);
      else this.#byName.set(pkg.name, [pkg]);
    }
    this.#checkDistinct();

    // Edges to virtual members stand for the members' own edges (see #edgeList), so the members
    // themselves are left out: nothing installs them.
    const packages = this.#packages
      .filter((pkg) => !pkg.isVirtualMember)
      .map((pkg) => this.#lockedPackage(pkg));
    const selection = this.#selection();
    if (!selection) return undefined;

    return {
      format: "uv",
      file: lock.file,
      formatVersion: String(version),
      packages,
      selection: { kind: "graph", roots: selection.roots, extras: selection.extras },
      // uv syncs the `dev` group by default; a production image leaves every group out (`--no-dev`).
      defaultGroups: ["default"],
      groups: ["default", ...selection.groups.filter((g) => g !== "default")],
      extras: selection.extraNames,
      ...(requiresPython !== undefined ? { requiresPython } : {}),
      ...(environments.length > 0 ? { environments } : {}),
    };
  }

  #markers(path: SourcePath): string[] {
    const markers: string[] = [];
    for (const { value, path: itemPath } of this.#lock.strings(path)) {
      const marker = this.#lock.check(itemPath, checkMarker(value));
      if (marker !== undefined) markers.push(marker);
    }
    return markers;
  }

  /**
   * `conflicts` (from `[tool.uv] conflicts`) makes uv encode the chosen extras and groups into
   * markers of its own (`extra == 'extra-7-project-cpu'`) that only uv's installer understands.
   */
  #refuseConflicts(): void {
    const conflicts = this.#lock.array(["conflicts"]);
    if (conflicts && conflicts.length > 0) {
      this.#lock.error(
        ["conflicts"],
        {
          code: "unsupported-lock-feature",
          message:
            "the lock declares conflicting extras or groups ([tool.uv] conflicts); pyfront cannot install from such a lock yet",
          hint: "remove [tool.uv] conflicts (for example by moving the variants into separate projects) and run uv lock",
        },
        "key",
      );
    }
  }

  #package(table: PlainTable, path: SourcePath): RawPackage | undefined {
    const lock = this.#lock;
    const nameText = lock.string([...path, "name"], "the package name `name`");
    const name =
      nameText === undefined ? undefined : lock.check([...path, "name"], checkPackageName(nameText));
    const versionText = lock.string([...path, "version"]);
    const version =
      versionText === undefined ? undefined : lock.check([...path, "version"], checkVersion(versionText));
    const source = this.#source([...path, "source"]);
    if (name === undefined || source === undefined) return undefined;
    if (versionText !== undefined && version === undefined) return undefined;
    if (version === undefined && source.locked.kind === "registry") {
      lock.missing([...path, "version"], `the version of ${name}, which comes from an index,`);
      return undefined;
    }
    const files = this.#files(path, table, name, version);
    const edges = (edgesPath: SourcePath) =>
      this.#lock.tables(edgesPath).flatMap(({ value, path: edgePath }) => {
        const edge = this.#rawEdge(value, edgePath);
        return edge ? [edge] : [];
      });
    const edgeGroups = (groupsPath: SourcePath, what: "extra" | "group") => {
      const groups = new Map<string, RawEdge[]>();
      const groupTable = lock.table(groupsPath);
      for (const key of Object.keys(groupTable ?? {})) {
        const group = lock.check([...groupsPath, key], checkExtraOrGroupName(key, what));
        if (group !== undefined)
          groups.set(group, [...(groups.get(group) ?? []), ...edges([...groupsPath, key])]);
      }
      return groups;
    };
    const devKey = lock.has([...path, "dev-dependencies"]) ? "dev-dependencies" : "dependency-groups";
    const metadata = lock.table([...path, "metadata"]);
    const requiresDev = new Map<string, Requirement[]>();
    const requiresDevKey = metadata && "requires-dev" in metadata ? "requires-dev" : "dependency-groups";
    const requiresDevTable = metadata ? lock.table([...path, "metadata", requiresDevKey]) : undefined;
    for (const key of Object.keys(requiresDevTable ?? {})) {
      const group = lock.check(
        [...path, "metadata", requiresDevKey, key],
        checkExtraOrGroupName(key, "group"),
      );
      if (group !== undefined)
        requiresDev.set(group, this.#requirements([...path, "metadata", requiresDevKey, key]));
    }
    return {
      path,
      name,
      version: version ?? "",
      source: source.locked,
      sourceIdentity: source.identity,
      isRoot: source.isRoot,
      isVirtualMember: source.locked.kind === "project" && !source.isRoot,
      files,
      forkMarkers: this.#markers([...path, "resolution-markers"]),
      dependencies: edges([...path, "dependencies"]),
      optionalDependencies: edgeGroups([...path, "optional-dependencies"], "extra"),
      groupDependencies: edgeGroups([...path, devKey], "group"),
      requiresDist: metadata ? this.#requirements([...path, "metadata", "requires-dist"]) : [],
      providesExtras: metadata
        ? this.#lock.strings([...path, "metadata", "provides-extras"]).flatMap(({ value, path: p }) => {
            const extra = lock.check(p, checkExtraOrGroupName(value, "extra"));
            return extra === undefined ? [] : [extra];
          })
        : [],
      requiresDev,
    };
  }

  /** The package's `source`: where uv got it, as pyfront installs it. */
  #source(path: SourcePath): { locked: LockedSource; identity: string; isRoot: boolean } | undefined {
    const lock = this.#lock;
    const table = lock.table(path, "the package source `source`");
    if (!table) return undefined;
    const kind = SOURCE_KEYS.find((key) => key in table);
    if (kind === undefined) {
      lock.error(path, {
        code: "unsupported-source",
        message: `the source names none of ${SOURCE_KEYS.join(", ")}`,
        hint: "the lock was written by a uv pyfront does not know, or edited by hand; run uv lock",
      });
      return undefined;
    }
    const valuePath = [...path, kind];
    const value = lock.string(valuePath);
    if (value === undefined) return undefined;
    const identity = sourceIdentity(kind, value);
    switch (kind) {
      case "registry": {
        if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
          lock.error(valuePath, {
            code: "unsupported-source",
            message: `${JSON.stringify(value)} is a local folder of distributions (a find-links registry), which pyfront cannot install from`,
            hint: "publish the distributions to a package index, or depend on the files by path",
          });
          return undefined;
        }
        const url = lock.check(valuePath, checkFileUrl(value));
        return url === undefined ? undefined : { locked: { kind: "registry", url }, identity, isRoot: false };
      }
      case "git": {
        const git = this.#gitSource(valuePath, value);
        return git ? { locked: git, identity, isRoot: false } : undefined;
      }
      case "url": {
        const url = lock.check(valuePath, checkFileUrl(value));
        if (url === undefined) return undefined;
        if (table.subdirectory !== undefined) {
          lock.error([...path, "subdirectory"], {
            code: "unsupported-source",
            message: "an archive whose project sits in a subdirectory cannot be installed from a lock yet",
            hint: "depend on a wheel or an sdist with the project at its top level",
          });
          return undefined;
        }
        return { locked: { kind: "url", url }, identity, isRoot: false };
      }
      case "path":
      case "directory":
      case "editable":
      case "virtual": {
        const written = lock.check(valuePath, checkRelativePath(value));
        if (written === undefined) return undefined;
        const atProject = normalizeContextPath(written) === this.#projectFolder;
        // The project itself is never installed as a dependency, nor are uv's virtual packages
        // (no build system: only their dependencies are installed).
        if (kind === "virtual" || ((kind === "editable" || kind === "directory") && atProject)) {
          return { locked: { kind: "project" }, identity, isRoot: atProject };
        }
        // A path source is a local archive or folder; pip installs either from its path.
        return {
          locked: { kind: "directory", path: written, editable: kind === "editable" },
          identity,
          isRoot: false,
        };
      }
    }
  }

  /** `git = "https://host/repo.git?rev=v1&subdirectory=pkg#<commit>"`, as uv writes it. */
  #gitSource(path: SourcePath, value: string): LockedSource | undefined {
    const lock = this.#lock;
    const text = value.replace(/^git\+/i, "");
    const hash = text.indexOf("#");
    if (hash === -1) {
      lock.error(path, {
        code: "invalid-commit",
        message: `${JSON.stringify(redactCredentials(value))} names no commit (the part after #)`,
        hint: "the lock is damaged; run uv lock",
      });
      return undefined;
    }
    const commit = lock.check(path, checkCommit(text.slice(hash + 1)));
    const beforeFragment = text.slice(0, hash);
    const query = beforeFragment.indexOf("?");
    const repository = query === -1 ? beforeFragment : beforeFragment.slice(0, query);
    const url = lock.check(path, checkGitUrl(repository));
    const params = new URLSearchParams(query === -1 ? "" : beforeFragment.slice(query + 1));
    if (params.has("path")) {
      lock.error(path, {
        code: "unsupported-source",
        message:
          "the dependency is an archive file inside a git repository, which pyfront cannot install yet",
        hint: "depend on the repository's project, or publish the archive to an index",
      });
      return undefined;
    }
    if (params.get("lfs")?.toLowerCase() === "true") {
      lock.error(path, {
        code: "unsupported-source",
        message: "the repository needs Git LFS, which pip's git checkout does not fetch",
        hint: "publish the package to an index instead of installing it from an LFS repository",
      });
      return undefined;
    }
    const subdirectoryText = params.get("subdirectory") ?? undefined;
    const subdirectory =
      subdirectoryText === undefined ? undefined : lock.check(path, checkRelativePath(subdirectoryText));
    if (commit === undefined || url === undefined) return undefined;
    if (subdirectoryText !== undefined && subdirectory === undefined) return undefined;
    return { kind: "git", url, commit, ...(subdirectory !== undefined ? { subdirectory } : {}) };
  }

  /** The package's `sdist` and `wheels`, each with its hash. */
  #files(path: SourcePath, table: PlainTable, name: string, version: string | undefined): LockedFile[] {
    const lock = this.#lock;
    const files: LockedFile[] = [];
    const sourceValue = this.#sourceValue(path);
    const file = (filePath: SourcePath, kind: "sdist" | "wheel"): LockedFile | undefined => {
      const entry = lock.table(filePath);
      if (!entry) return undefined;
      let fileName: string | undefined;
      let url: string | undefined;
      if (entry.url !== undefined) {
        const text = lock.string([...filePath, "url"]);
        url = text === undefined ? undefined : lock.check([...filePath, "url"], checkFileUrl(text));
        if (url === undefined) return undefined;
        fileName = urlFileName(url);
      } else if (entry.filename !== undefined || entry.path !== undefined) {
        const key = entry.filename !== undefined ? "filename" : "path";
        const text = lock.string([...filePath, key]);
        if (text === undefined) return undefined;
        if (key === "path" && lock.check([...filePath, key], checkRelativePath(text)) === undefined)
          return undefined;
        // `filename` is the file's name itself; `path` leads to it.
        fileName = key === "filename" ? text : pathFileName(text);
      } else if (sourceValue && (sourceValue.kind === "url" || sourceValue.kind === "path")) {
        // A direct URL or path dependency: uv records only the hash; the file is the source.
        fileName =
          sourceValue.kind === "url" ? urlFileName(sourceValue.value) : pathFileName(sourceValue.value);
        if (sourceValue.kind === "url") url = sourceValue.value;
      } else {
        lock.missing([...filePath, "url"], `the location of this ${kind} of ${name}`);
        return undefined;
      }
      const checkedName = lock.check(filePath, checkFileName(fileName));
      if (checkedName === undefined) return undefined;
      if (kind === "wheel") {
        const mismatch = checkFileBelongs(checkedName, name, version);
        if (mismatch) {
          lock.error(filePath, mismatch);
          return undefined;
        }
      }
      const hashes: string[] = [];
      const hashText = lock.string([...filePath, "hash"]);
      if (hashText !== undefined) {
        const hash = lock.check([...filePath, "hash"], checkHashText(hashText));
        if (hash === undefined) return undefined;
        hashes.push(hash);
      }
      return { name: checkedName, hashes, ...(url !== undefined ? { url } : {}) };
    };
    if (table.sdist !== undefined) {
      const sdist = file([...path, "sdist"], "sdist");
      if (sdist) files.push(sdist);
    }
    for (const { path: wheelPath } of lock.tables([...path, "wheels"])) {
      const wheel = file(wheelPath, "wheel");
      if (wheel) files.push(wheel);
    }
    return files;
  }

  #sourceValue(path: SourcePath): { kind: string; value: string } | undefined {
    const table = this.#lock.doc.get([...path, "source"]);
    if (!table || typeof table !== "object") return undefined;
    const kind = SOURCE_KEYS.find((key) => key in table);
    const value = kind ? (table as PlainTable)[kind] : undefined;
    return kind && typeof value === "string" ? { kind, value } : undefined;
  }

  #rawEdge(table: PlainTable, path: SourcePath): RawEdge | undefined {
    const lock = this.#lock;
    const nameText = lock.string([...path, "name"], "the dependency's name `name`");
    const name =
      nameText === undefined ? undefined : lock.check([...path, "name"], checkPackageName(nameText));
    const versionText = lock.string([...path, "version"]);
    const version =
      versionText === undefined ? undefined : lock.check([...path, "version"], checkVersion(versionText));
    let source: string | undefined;
    if (table.source !== undefined) {
      const sourceTable = lock.table([...path, "source"]);
      const kind = SOURCE_KEYS.find((key) => sourceTable && key in sourceTable);
      const value = kind ? sourceTable?.[kind] : undefined;
      if (kind && typeof value === "string") source = sourceIdentity(kind, value);
      else {
        lock.error([...path, "source"], {
          code: "unsupported-source",
          message: `the dependency's source names none of ${SOURCE_KEYS.join(", ")}`,
          hint: "the lock is damaged; run uv lock",
        });
        return undefined;
      }
    }
    const markerText = lock.string([...path, "marker"]);
    const marker =
      markerText === undefined ? undefined : lock.check([...path, "marker"], checkMarker(markerText));
    const extras = this.#extraList([...path, "extra"]);
    if (name === undefined || extras === undefined) return undefined;
    if (
      (versionText !== undefined && version === undefined) ||
      (markerText !== undefined && marker === undefined)
    ) {
      return undefined;
    }
    return {
      path,
      name,
      extras,
      ...(version !== undefined ? { version } : {}),
      ...(source !== undefined ? { source } : {}),
      ...(marker !== undefined ? { marker } : {}),
    };
  }

  /** A list of extra names, normalized; undefined when one is invalid. */
  #extraList(path: SourcePath): string[] | undefined {
    const extras: string[] = [];
    let valid = true;
    for (const { value, path: itemPath } of this.#lock.strings(path)) {
      const extra = this.#lock.check(itemPath, checkExtraOrGroupName(value, "extra"));
      if (extra === undefined) valid = false;
      else extras.push(extra);
    }
    const items = this.#lock.doc.get(path);
    if (Array.isArray(items) && items.some((item) => typeof item !== "string")) valid = false;
    return valid ? extras : undefined;
  }

  /** Requirement tables (`{ name = "flask", specifier = ">=3" }`) as uv records what was asked for. */
  #requirements(path: SourcePath): Requirement[] {
    const lock = this.#lock;
    return lock.tables(path).flatMap(({ value, path: itemPath }) => {
      const nameText = lock.string([...itemPath, "name"], "the requirement's name `name`");
      const name =
        nameText === undefined ? undefined : lock.check([...itemPath, "name"], checkPackageName(nameText));
      const specifierText = lock.string([...itemPath, "specifier"]);
      const specifier =
        specifierText === undefined
          ? undefined
          : lock.check([...itemPath, "specifier"], checkSpecifier(specifierText));
      const markerText = lock.string([...itemPath, "marker"]);
      const marker =
        markerText === undefined ? undefined : lock.check([...itemPath, "marker"], checkMarker(markerText));
      const extras = value.extras === undefined ? [] : this.#extraList([...itemPath, "extras"]);
      if (name === undefined || extras === undefined) return [];
      return [
        {
          path: itemPath,
          name,
          extras,
          ...(specifier !== undefined ? { specifier } : {}),
          ...(marker !== undefined ? { marker } : {}),
        },
      ];
    });
  }

  /**
   * Several packages of one name are a forked resolution: one version per fork, told apart by
   * version. Two of the same version (from two indexes) cannot be told apart by a version pin.
   */
  #checkDistinct(): void {
    for (const [name, packages] of this.#byName) {
      if (packages.length < 2) continue;
      packages.forEach((pkg, i) => {
        const twin = packages.slice(0, i).find((other) => other.version === pkg.version);
        if (twin === undefined) return;
        this.#lock.error(pkg.path, {
          code: "ambiguous-package",
          message:
            pkg.version === ""
              ? `${name} is locked more than once without a version, so pyfront cannot tell the entries apart`
              : `${name} ${pkg.version} is locked twice (from ${describeSource(twin.sourceIdentity)} and ${describeSource(pkg.sourceIdentity)}); pyfront tells locked packages apart by version`,
          hint: "lock each package from one source only (for example one index per package in [tool.uv.sources])",
        });
      });
    }
  }

  /** The package an edge points to; reports an edge that names no package, or several. */
  #target(edge: RawEdge): RawPackage | undefined {
    if (this.#targets.has(edge)) return this.#targets.get(edge);
    const target = this.#match(edge);
    this.#targets.set(edge, target);
    return target;
  }

  #match(edge: RawEdge): RawPackage | undefined {
    let candidates = this.#byName.get(edge.name) ?? [];
    if (edge.version !== undefined) {
      const wanted = edge.version;
      const exact = candidates.filter((p) => p.version === wanted);
      candidates =
        exact.length > 0
          ? exact
          : candidates.filter((p) => p.version !== "" && sameVersion(p.version, wanted));
    }
    if (edge.source !== undefined && candidates.length > 1) {
      candidates = candidates.filter((p) => p.sourceIdentity === edge.source);
    }
    if (candidates.length === 1) return candidates[0];
    if (this.#refused.has(edge.name)) return undefined; // its entry was reported already
    const named = `${edge.name}${edge.version !== undefined ? ` ${edge.version}` : ""}`;
    this.#lock.error(
      edge.path,
      candidates.length === 0
        ? {
            code: "unknown-package",
            message: `the dependency ${named} is not a package of this lock`,
            hint: "the lock is damaged or was edited by hand; run uv lock",
          }
        : {
            code: "ambiguous-dependency",
            message: `several locked packages are named ${edge.name}, and the dependency does not say which`,
            hint: "the lock is damaged or was edited by hand; run uv lock",
          },
    );
    return undefined;
  }

  /**
   * The edges one edge of the lock stands for: itself, or, when it points to a virtual workspace
   * member (a member without a build system, which uv never installs), that member's own edges
   * under the edge's marker, so the walk installs what the member needs and never the member.
   */
  #edgeList(raw: RawEdge, specifier?: string, through: ReadonlySet<RawPackage> = new Set()): LockEdge[] {
    const target = this.#target(raw);
    if (!target) return [];
    if (target.isVirtualMember) {
      if (through.has(target)) return [];
      const inner = new Set(through).add(target);
      const edges = [
        ...target.dependencies,
        ...raw.extras.flatMap((extra) => target.optionalDependencies.get(extra) ?? []),
      ];
      return edges
        .flatMap((edge) => this.#edgeList(edge, undefined, inner))
        .map((edge) => underMarker(edge, raw.marker));
    }
    const forked = (this.#byName.get(raw.name)?.length ?? 0) > 1;
    return [
      {
        name: raw.name,
        ...(forked ? { version: target.version } : {}),
        ...(raw.marker !== undefined ? { marker: raw.marker } : {}),
        ...(raw.extras.length > 0 ? { extras: raw.extras } : {}),
        ...(specifier !== undefined ? { specifier } : {}),
      },
    ];
  }

  #edges(raws: RawEdge[]): LockEdge[] {
    return raws.flatMap((raw) => this.#edgeList(raw));
  }

  #lockedPackage(pkg: RawPackage): LockedPackage {
    const optionalDependencies: Record<string, LockEdge[]> = Object.create(null);
    for (const [extra, edges] of pkg.optionalDependencies) optionalDependencies[extra] = this.#edges(edges);
    return {
      name: pkg.name,
      version: pkg.version,
      source: pkg.source,
      files: pkg.files,
      dependencies: this.#edges(pkg.dependencies),
      optionalDependencies,
      position: this.#lock.position(pkg.path),
    };
  }

  /**
   * The roots of the walk, as `uv sync` picks them: the project at the lock's folder when there
   * is one (a project, or the root of a workspace); in a workspace whose root is no project,
   * every member, plus the groups and requirements the root itself declares (`[manifest]`).
   */
  #selection():
    | {
        roots: Record<string, LockEdge[]>;
        extras: Record<string, LockEdge[]>;
        groups: string[];
        extraNames: string[];
      }
    | undefined {
    const lock = this.#lock;
    const roots: Record<string, LockEdge[]> = Object.create(null);
    const extras: Record<string, LockEdge[]> = Object.create(null);
    const groupNames = new Set<string>();
    const extraNames = new Set<string>();
    const add = (record: Record<string, LockEdge[]>, key: string, edges: LockEdge[]) => {
      record[key] = [...(record[key] ?? []), ...edges];
    };

    const projectRoots = this.#packages.filter((p) => p.isRoot);
    if (projectRoots.length > 1) {
      lock.error(projectRoots[1]!.path, {
        code: "ambiguous-project",
        message: "two packages of the lock are the project at the lock's folder",
        hint: "the lock is damaged or was edited by hand; run uv lock",
      });
      return undefined;
    }
    const project = projectRoots[0];
    roots.default = [];
    if (!project && this.#projectFolder !== ".") {
      lock.error(lock.has(["manifest", "members"]) ? ["manifest", "members"] : ["version"], {
        code: "lock-out-of-date",
        message: `no package of the lock is the workspace member at ${this.#projectFolder}: the lock is out of date`,
        hint: "run uv lock at the workspace's root and commit uv.lock",
      });
      return undefined;
    }
    const collision = project ? this.#groupNamedDefault(project) : undefined;
    if (collision) {
      lock.error(
        collision,
        {
          code: "reserved-group-name",
          message:
            'a dependency group named "default" cannot be told apart from the main dependencies, which pyfront calls "default"',
          hint: "rename the group in [dependency-groups] and run uv lock",
        },
        "key",
      );
      return undefined;
    }
    if (project) {
      const mainRequirements = project.requiresDist.filter((r) => !mentionsExtra(r.marker));
      roots.default = this.#rootEdges(project.dependencies, mainRequirements);
      for (const [group, edges] of project.groupDependencies) {
        add(roots, group, this.#rootEdges(edges, project.requiresDev.get(group) ?? []));
        groupNames.add(group);
      }
      for (const group of project.requiresDev.keys()) groupNames.add(group);
      for (const [extra, edges] of project.optionalDependencies) {
        const requirements = project.requiresDist.filter((r) => mentionsExtra(r.marker, extra));
        add(extras, extra, this.#rootEdges(edges, requirements));
        extraNames.add(extra);
      }
      for (const extra of project.providesExtras) extraNames.add(extra);
    } else {
      const members = this.#members();
      for (const member of members) {
        const pkg = this.#byName.get(member.name);
        if (pkg?.length !== 1) {
          lock.error(member.path, {
            code: pkg ? "ambiguous-package" : "unknown-package",
            message: pkg
              ? `the workspace member ${member.name} is locked more than once`
              : `the workspace member ${member.name} is not a package of this lock`,
            hint: "the lock is damaged or was edited by hand; run uv lock",
          });
          continue;
        }
        const memberPackage = pkg[0]!;
        roots.default.push(...this.#edgeList({ path: member.path, name: member.name, extras: [] }));
        // `uv sync --group g` in such a workspace takes the group g of every member.
        for (const [group, edges] of memberPackage.groupDependencies) {
          add(roots, group, this.#rootEdges(edges, memberPackage.requiresDev.get(group) ?? []));
          groupNames.add(group);
        }
        for (const group of memberPackage.requiresDev.keys()) groupNames.add(group);
        for (const [extra, edges] of memberPackage.optionalDependencies) {
          add(extras, extra, this.#edges(edges));
          extraNames.add(extra);
        }
        for (const extra of memberPackage.providesExtras) extraNames.add(extra);
      }
      add(roots, "default", this.#requirementEdges(this.#requirements(["manifest", "requirements"])));
      const groupsTable = lock.table(["manifest", "dependency-groups"]);
      for (const key of Object.keys(groupsTable ?? {})) {
        const group = lock.check(["manifest", "dependency-groups", key], checkExtraOrGroupName(key, "group"));
        if (group === undefined) continue;
        add(roots, group, this.#requirementEdges(this.#requirements(["manifest", "dependency-groups", key])));
        groupNames.add(group);
      }
    }
    return { roots, extras, groups: [...groupNames], extraNames: [...extraNames] };
  }

  /** Where the project's lock names a group "default", if it does. */
  #groupNamedDefault(project: RawPackage): SourcePath | undefined {
    if (!project.groupDependencies.has("default") && !project.requiresDev.has("default")) return undefined;
    const table = this.#lock.doc.get(project.path) as PlainTable;
    for (const key of ["dev-dependencies", "dependency-groups"]) {
      const groups = table[key];
      if (groups && typeof groups === "object") {
        const name = Object.keys(groups).find((k) => k.toLowerCase() === "default");
        if (name !== undefined) return [...project.path, key, name];
      }
    }
    return [...project.path, "metadata"];
  }

  #members(): Array<{ name: string; path: SourcePath }> {
    return this.#lock.strings(["manifest", "members"]).flatMap(({ value, path }) => {
      const name = this.#lock.check(path, checkPackageName(value));
      return name === undefined ? [] : [{ name, path }];
    });
  }

  /** The project's own edges, each with the version range the project asked for. */
  #rootEdges(raws: RawEdge[], requirements: Requirement[]): LockEdge[] {
    return raws.flatMap((raw) => {
      const target = this.#target(raw);
      if (!target) return [];
      const specifier = pickSpecifier(
        requirements.filter((r) => r.name === raw.name),
        target.version,
      );
      return this.#edgeList(raw, specifier);
    });
  }

  /**
   * Edges for requirements of a workspace root that is no project. uv matches them to packages
   * by name when it installs, choosing among forks by their `resolution-markers`; the edge
   * carries that choice as a marker. A requirement the lock has no package for is one whose
   * marker holds in none of the lock's environments; its edge is kept, so a target where it
   * does hold is refused as uv refuses it.
   */
  #requirementEdges(requirements: Requirement[]): LockEdge[] {
    return requirements.flatMap((req) => {
      let candidates = this.#byName.get(req.name) ?? [];
      const specifiers = req.specifier === undefined ? undefined : parseSpecifierSet(req.specifier);
      if (specifiers && candidates.length > 1) {
        candidates = candidates.filter((p) => p.version === "" || satisfies(p.version, specifiers));
      }
      const common = {
        name: req.name,
        ...(req.extras.length > 0 ? { extras: req.extras } : {}),
        ...(req.specifier !== undefined ? { specifier: req.specifier } : {}),
      };
      if ((this.#byName.get(req.name)?.length ?? 0) < 2) {
        return [{ ...common, ...(req.marker !== undefined ? { marker: req.marker } : {}) }];
      }
      return candidates.map((pkg) => {
        const fork =
          pkg.forkMarkers.length > 1 ? pkg.forkMarkers.map((m) => `(${m})`).join(" or ") : pkg.forkMarkers[0];
        const marker =
          req.marker !== undefined && fork !== undefined
            ? `(${req.marker}) and (${fork})`
            : (req.marker ?? fork);
        return { ...common, version: pkg.version, ...(marker !== undefined ? { marker } : {}) };
      });
    });
  }
}

/** The edge, holding only where `marker` holds too. */
function underMarker(edge: LockEdge, marker: string | undefined): LockEdge {
  if (marker === undefined) return edge;
  return { ...edge, marker: edge.marker === undefined ? marker : `(${marker}) and (${edge.marker})` };
}

/** The source as an identity: kind and value, as uv compares them. */
function sourceIdentity(kind: string, value: string): string {
  return `${kind}=${value}`;
}

function describeSource(identity: string): string {
  return redactCredentials(identity.replace("=", " "));
}

/** Whether a requirement marker tests an extra (any, or the given one). */
function mentionsExtra(marker: string | undefined, extra?: string): boolean {
  if (marker === undefined) return false;
  const tests = [...marker.matchAll(/\bextra\s*==\s*(['"])([^'"]*)\1/g)].map((m) => m[2]!);
  if (extra === undefined) return tests.length > 0;
  return tests.some((name) => name.toLowerCase().replace(/[-_.]+/g, "-") === extra);
}

/**
 * The version range the project asked for, for a freshness check: the one specifier its
 * requirements of that name give, or, when they give several (one per fork), the one the locked
 * version satisfies.
 */
function pickSpecifier(requirements: Requirement[], version: string): string | undefined {
  const distinct = [...new Set(requirements.map((r) => r.specifier ?? ""))];
  if (distinct.length === 1) return distinct[0] === "" ? undefined : distinct[0];
  const matching = distinct.filter((spec) => {
    if (spec === "") return true;
    const parsed = parseSpecifierSet(spec);
    return parsed !== undefined && version !== "" && satisfies(version, parsed);
  });
  return matching.length === 1 && matching[0] !== "" ? matching[0] : undefined;
}
