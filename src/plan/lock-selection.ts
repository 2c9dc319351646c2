import type { SourcePosition } from "../spec/build-spec.js";
import type { Problem } from "../spec/diagnostic-list.js";
import {
  evaluateMarker,
  isMarkerProblem,
  type MarkerEnvironment,
  type MarkerExpression,
  parseMarker,
  UnknownMarkerVariable,
} from "../spec/locks/environment-markers.js";
import {
  type LockEdge,
  type LockedFile,
  type LockedPackage,
  type LockedSource,
  type LockGraph,
  normalizePackageName,
} from "../spec/locks/lock-graph.js";
import { parseSpecifierSet, satisfies } from "../spec/pep440.js";

/**
 * Chooses, from a lock, the distributions one target installs: the walk `uv sync`, `poetry
 * install`, `pdm sync` and `pipenv sync` do, done once for every format. The target is what the
 * image will be: CPython of a series (or an exact release), Linux, one machine.
 */
export interface LockTarget {
  /** "3.13" or "3.13.5". With a series only, a marker that depends on the patch release is an error. */
  python: string;
  machine: "x86_64" | "aarch64";
}

export interface LockRequest {
  /** Groups to install besides the main dependencies; absent: the lock's production default. */
  groups?: readonly string[];
  /** The project's extras to install. */
  extras?: readonly string[];
}

export interface SelectedPackage {
  name: string;
  version: string;
  source: LockedSource;
  /** Every file the lock lists for this version, so pip may pick any it finds compatible. */
  files: LockedFile[];
  position: SourcePosition;
}

export interface LockProblem extends Problem {
  position: SourcePosition;
}

export interface LockSelection {
  packages: SelectedPackage[];
  /** The groups the selection used, the main dependencies ("default") included. */
  groups: string[];
  problems: LockProblem[];
}

/** The groups with every group they include, transitively (a cycle adds nothing twice). */
function withIncludedGroups(graph: LockGraph, groups: string[]): string[] {
  const all = new Set<string>();
  const add = (group: string) => {
    if (all.has(group)) return;
    all.add(group);
    for (const included of graph.groupIncludes?.[group] ?? []) add(included);
  };
  for (const group of groups) add(group);
  return [...all];
}

/** Variants of the patch release tried when the target names a series only. */
const UNKNOWN_PATCH_VARIANTS = ["0", "999"];

export function selectLockedPackages(
  graph: LockGraph,
  target: LockTarget,
  request: LockRequest = {},
): LockSelection {
  const problems: LockProblem[] = [];
  const lockStart: SourcePosition = { file: graph.file, line: 1, column: 1 };
  const groups = withIncludedGroups(graph, [
    ...new Set([...graph.defaultGroups, ...(request.groups ?? []).map(normalizePackageName)]),
  ]);
  const extras = (request.extras ?? []).map(normalizePackageName);
  const knownGroups = new Set(graph.groups.map(normalizePackageName));
  for (const group of request.groups ?? []) {
    if (!knownGroups.has(normalizePackageName(group))) {
      problems.push({
        code: "unknown-lock-group",
        message: `the group ${JSON.stringify(group)} is not in ${graph.file}`,
        hint:
          graph.groups.length > 0 ? `its groups: ${graph.groups.join(", ")}` : `${graph.file} has no groups`,
        position: lockStart,
      });
    }
  }
  const knownExtras = new Set(graph.extras.map(normalizePackageName));
  for (const extra of request.extras ?? []) {
    if (!knownExtras.has(normalizePackageName(extra))) {
      problems.push({
        code: "unknown-lock-extra",
        message: `the extra ${JSON.stringify(extra)} is not in ${graph.file}`,
        hint:
          graph.extras.length > 0
            ? `its extras: ${graph.extras.join(", ")}`
            : `${graph.file} locks no extras`,
        position: lockStart,
      });
    }
  }

  if (graph.requiresPython) {
    const range = parseSpecifierSet(graph.requiresPython);
    if (range && !pythonFits(target.python, range)) {
      problems.push({
        code: "lock-python-mismatch",
        message: `${graph.file} was locked for Python ${graph.requiresPython}; the build uses Python ${target.python}`,
        hint: "build with a Python the lock allows, or lock again for this one",
        position: lockStart,
      });
    }
  }

  const markers = new MarkerCache(target, problems);
  // A lock made for some environments (pylock's `environments`, uv's `supported-markers`)
  // simplified its markers against them: outside them, its selection would be wrong.
  if (graph.environments && graph.environments.length > 0) {
    const inside = graph.environments.some((marker) => markers.holds(marker, new Set(), lockStart));
    if (!inside) {
      problems.push({
        code: "lock-environment-mismatch",
        message: `${graph.file} was locked for ${graph.environments.map((m) => JSON.stringify(m)).join(" or ")}, not for CPython ${target.python} on linux/${target.machine}`,
        hint: "lock again with this target among the lock's environments",
        position: lockStart,
      });
    }
  }
  const chosen =
    graph.selection.kind === "graph"
      ? walkGraph(graph, graph.selection, groups, extras, markers, problems)
      : filterFlat(graph, groups, extras, markers);

  const packages: SelectedPackage[] = [];
  for (const pkg of chosen) {
    if (pkg.source.kind === "project") continue;
    if (pkg.unpinned) {
      problems.push({
        code: "lock-unpinned-for-target",
        message: `${graph.file} names ${pkg.name} without a version: it was locked where ${pkg.name} is not needed, and CPython ${target.python} on linux/${target.machine} needs it`,
        hint: "lock again on the Python and platform the image is built for",
        position: pkg.position,
      });
      continue;
    }
    if ((pkg.source.kind === "registry" || pkg.source.kind === "url") && pkg.files.length > 0) {
      // A file the lock names only by its hash (Pipfile.lock) may be any: pip's own check decides.
      if (!pkg.files.some((file) => file.name === undefined || fileFitsTarget(file.name, target))) {
        problems.push({
          code: "no-locked-file-for-target",
          message: `${pkg.name} ${pkg.version} has no file in ${graph.file} for CPython ${target.python} on linux/${target.machine}`,
          hint: `its files: ${pkg.files.map((f) => f.name).join(", ")}; build for a Python and platform one of them fits, or lock again where the index has a file for this target`,
          position: pkg.position,
        });
      }
    }
    packages.push({
      name: pkg.name,
      version: pkg.version,
      source: pkg.source,
      files: pkg.files,
      position: pkg.position,
    });
  }
  packages.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < packages.length; i++) {
    if (packages[i]!.name === packages[i - 1]!.name) {
      problems.push({
        code: "lock-fork-conflict",
        message: `${graph.file} gives this target two versions of ${packages[i]!.name} (${packages[i - 1]!.version} and ${packages[i]!.version})`,
        hint: "lock again; the lock's markers should tell the two apart for one Python and platform",
        position: packages[i]!.position,
      });
    }
  }
  return { packages, groups, problems };
}

function walkGraph(
  graph: LockGraph,
  rule: Extract<LockGraph["selection"], { kind: "graph" }>,
  groups: readonly string[],
  extras: readonly string[],
  markers: MarkerCache,
  problems: LockProblem[],
): LockedPackage[] {
  const byName = new Map<string, LockedPackage[]>();
  for (const pkg of graph.packages) {
    const list = byName.get(pkg.name) ?? [];
    list.push(pkg);
    byName.set(pkg.name, list);
  }
  const project = graph.packages.find((pkg) => pkg.source.kind === "project");
  /** Each reached package with the extras asked of it so far. */
  const reached = new Map<LockedPackage, Set<string>>();
  const order: LockedPackage[] = [];
  const pending: Array<{ edge: LockEdge; from: ReadonlySet<string>; site: SourcePosition }> = [];
  const rootSite: SourcePosition = project?.position ?? { file: graph.file, line: 1, column: 1 };
  const rootExtras = new Set(extras);
  for (const group of groups) {
    for (const edge of rule.roots[group] ?? []) pending.push({ edge, from: rootExtras, site: rootSite });
  }
  for (const extra of extras) {
    for (const edge of rule.extras[extra] ?? []) pending.push({ edge, from: rootExtras, site: rootSite });
  }

  while (pending.length > 0) {
    const { edge, from, site } = pending.shift()!;
    if (edge.marker !== undefined && !markers.holds(edge.marker, from, site)) continue;
    const candidates = byName.get(edge.name) ?? [];
    const pkg = edge.version ? candidates.find((c) => c.version === edge.version) : candidates[0];
    if (!pkg) {
      problems.push({
        code: "lock-missing-package",
        message: `${edge.name}${edge.version ? ` ${edge.version}` : ""} is required but has no entry in ${graph.file}`,
        hint: "the lock is incomplete or damaged: lock again",
        position: site,
      });
      continue;
    }
    if (!edge.version && candidates.length > 1) {
      problems.push({
        code: "lock-ambiguous-package",
        message: `${graph.file} holds several versions of ${edge.name} (${candidates.map((c) => c.version).join(", ")}) and the dependency does not say which`,
        hint: "lock again",
        position: site,
      });
    }
    if (pkg.source.kind === "project") {
      // The project asking for its own extras (`app[postgres]` in a group): add those extras' edges.
      for (const extra of edge.extras ?? []) {
        for (const next of rule.extras[normalizePackageName(extra)] ?? [])
          pending.push({ edge: next, from: rootExtras, site });
      }
      continue;
    }
    let active = reached.get(pkg);
    const first = active === undefined;
    if (!active) {
      active = new Set();
      reached.set(pkg, active);
      order.push(pkg);
    }
    const added = (edge.extras ?? []).map(normalizePackageName).filter((extra) => !active.has(extra));
    for (const extra of added) active.add(extra);
    if (!first && added.length === 0) continue;
    // When the extras grow, the edges guarded by a marker (`extra == "x"`) are weighed again.
    for (const next of pkg.dependencies) {
      if (first || next.marker !== undefined) pending.push({ edge: next, from: active, site: pkg.position });
    }
    for (const extra of added) {
      for (const next of pkg.optionalDependencies[extra] ?? [])
        pending.push({ edge: next, from: active, site: pkg.position });
    }
  }
  return order;
}

function filterFlat(
  graph: LockGraph,
  groups: readonly string[],
  extras: readonly string[],
  markers: MarkerCache,
): LockedPackage[] {
  const wanted = new Set([...groups, ...extras]);
  const asked = { extras: new Set(extras), groups: new Set(groups) };
  return graph.packages.filter((pkg) => {
    if (pkg.groups && !pkg.groups.some((group) => wanted.has(normalizePackageName(group)))) return false;
    return pkg.marker === undefined || markers.holds(pkg.marker, new Set(), pkg.position, asked);
  });
}

/** Parses and evaluates markers for one target, with the patch-release check, once per marker. */
class MarkerCache {
  readonly #parsed = new Map<string, MarkerExpression | undefined>();
  readonly #environments: MarkerEnvironment[];
  readonly #reported = new Set<string>();

  constructor(
    readonly target: LockTarget,
    readonly problems: LockProblem[],
  ) {
    const exact = /^\d+\.\d+\.\d+/.test(target.python);
    const series = target.python.split(".").slice(0, 2).join(".");
    const fullVersions = exact
      ? [target.python]
      : UNKNOWN_PATCH_VARIANTS.map((patch) => `${series}.${patch}`);
    this.#environments = fullVersions.map((full) => ({
      os_name: "posix",
      sys_platform: "linux",
      platform_machine: target.machine,
      platform_python_implementation: "CPython",
      platform_system: "Linux",
      python_version: series,
      python_full_version: full,
      implementation_name: "cpython",
      implementation_version: full,
      extra: new Set(),
      extras: new Set(),
      dependency_groups: new Set(),
    }));
  }

  holds(
    marker: string,
    extra: ReadonlySet<string>,
    site: SourcePosition,
    asked?: { extras: ReadonlySet<string>; groups: ReadonlySet<string> },
  ): boolean {
    let expression = this.#parsed.get(marker);
    if (!this.#parsed.has(marker)) {
      const parsed = parseMarker(marker);
      expression = isMarkerProblem(parsed) ? undefined : parsed;
      if (isMarkerProblem(parsed)) this.#report(marker, { ...parsed, position: site });
      this.#parsed.set(marker, expression);
    }
    if (!expression) return false;
    try {
      const results = this.#environments.map((env) =>
        evaluateMarker(expression, {
          ...env,
          extra,
          extras: asked?.extras ?? env.extras,
          dependency_groups: asked?.groups ?? env.dependency_groups,
        }),
      );
      if (results.some((r) => r !== results[0])) {
        this.#report(marker, {
          code: "marker-needs-python-patch",
          message: `the marker ${JSON.stringify(marker)} depends on the patch release of Python ${this.target.python}, which the build does not fix`,
          hint: 'pin an exact Python release (for example python = "3.13.5", or a .python-version file)',
          position: site,
        });
      }
      return results[0]!;
    } catch (error) {
      if (!(error instanceof UnknownMarkerVariable)) throw error;
      this.#report(marker, {
        code: "marker-unknown-before-build",
        message: `the marker ${JSON.stringify(marker)} reads ${error.variable}, which is not known before the build runs`,
        hint: "lock again without that marker, or say which packages to install in a requirements file",
        position: site,
      });
      return false;
    }
  }

  #report(marker: string, problem: LockProblem): void {
    if (this.#reported.has(marker)) return;
    this.#reported.add(marker);
    this.problems.push(problem);
  }
}

function pythonFits(python: string, range: ReturnType<typeof parseSpecifierSet> & object): boolean {
  if (/^\d+\.\d+\.\d+/.test(python)) return satisfies(python, range);
  // A series fits when some release of it does: try its first and a late patch.
  const series = python.split(".").slice(0, 2).join(".");
  return UNKNOWN_PATCH_VARIANTS.some((patch) => satisfies(`${series}.${patch}`, range));
}

/**
 * Whether pip on the target could pick this file: an sdist always can (it builds), a wheel when
 * one of its tag triples fits CPython of the target's series on glibc or musl Linux. Lenient on
 * the glibc version, since the base image decides it: the check is there to name a package the
 * lock has no file for at all, not to second-guess pip.
 */
export function fileFitsTarget(fileName: string, target: LockTarget): boolean {
  if (!fileName.endsWith(".whl")) return true;
  const parts = fileName.slice(0, -4).split("-");
  if (parts.length < 5) return false;
  const [pythonTags, abiTags, platformTags] = parts.slice(-3) as [string, string, string];
  const [major, minor] = target.python.split(".").map((n) => Number.parseInt(n, 10)) as [number, number];
  const pythonOk = pythonTags.split(".").some((tag) => {
    const match = /^(py|cp)(\d)(\d*)$/.exec(tag);
    if (!match) return false;
    if (Number(match[2]) !== major) return false;
    if (match[3] === "") return match[1] === "py";
    const tagMinor = Number(match[3]);
    // abi3 wheels and py3X wheels work on later minors too; cpXY with its own ABI only on XY.
    return (
      tagMinor === minor || (tagMinor < minor && (match[1] === "py" || abiTags.split(".").includes("abi3")))
    );
  });
  const abiOk = abiTags
    .split(".")
    .some((abi) => abi === "none" || abi === "abi3" || abi === `cp${major}${minor}`);
  const platformOk = platformTags
    .split(".")
    .some(
      (platform) =>
        platform === "any" ||
        (platform.endsWith(`_${target.machine}`) &&
          (platform.startsWith("manylinux") ||
            platform.startsWith("musllinux") ||
            platform === `linux_${target.machine}`)),
    );
  return pythonOk && abiOk && platformOk;
}
