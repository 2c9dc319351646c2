/**
 * The part of PEP 440 pyfront needs: release versions (with pre/post/dev tags) and version
 * specifiers (`>=`, `>`, `<`, `<=`, `==`, `!=`, `~=`, `===`, `.*` wildcards), to match
 * `requires-python` against Python releases.
 */
export interface Pep440Version {
  /** `N!` before the release; 0 when absent. */
  epoch?: number;
  release: number[];
  /** ["a" | "b" | "rc", n] */
  pre?: [string, number];
  post?: number;
  dev?: number;
  /** The local label after `+` (`cpu` in `2.1.0+cpu`), lowercase; ignored by comparisons, as pip does for public specifiers. */
  local?: string;
}

export type SpecifierOperator = "~=" | "==" | "!=" | "<=" | ">=" | "<" | ">" | "===";

export interface VersionSpecifier {
  operator: SpecifierOperator;
  version: string;
  /** `==3.11.*` / `!=3.11.*` */
  wildcard: boolean;
}

const VERSION =
  /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d*))?(?:[-_.]?(?:post|rev|r)[-_.]?(\d*))?(?:[-_.]?dev[-_.]?(\d*))?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/i;

export function parseVersion(text: string): Pep440Version | undefined {
  const match = VERSION.exec(text.trim());
  if (!match) return undefined;
  const [, epoch, release, preTag, preNum, postNum, devNum, local] = match;
  const version: Pep440Version = { release: release!.split(".").map((n) => Number.parseInt(n, 10)) };
  if (epoch !== undefined) version.epoch = Number.parseInt(epoch, 10);
  if (local !== undefined) version.local = local.toLowerCase().replace(/[-_]/g, ".");
  if (preTag !== undefined) {
    const tag = preTag.toLowerCase();
    const normalized = tag === "alpha" ? "a" : tag === "beta" ? "b" : tag === "a" || tag === "b" ? tag : "rc";
    version.pre = [normalized, Number.parseInt(preNum || "0", 10)];
  }
  if (postNum !== undefined) version.post = Number.parseInt(postNum || "0", 10);
  if (devNum !== undefined) version.dev = Number.parseInt(devNum || "0", 10);
  return version;
}

function compareReleases(a: number[], b: number[]): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

const PRE_ORDER: Record<string, number> = { a: 0, b: 1, rc: 2 };

/** Orders versions: dev < pre-releases < release < post-releases of the same release. */
export function compareVersions(a: Pep440Version, b: Pep440Version): number {
  const epoch = (a.epoch ?? 0) - (b.epoch ?? 0);
  if (epoch !== 0) return Math.sign(epoch);
  const release = compareReleases(a.release, b.release);
  if (release !== 0) return release;
  const phase = (v: Pep440Version): number[] => {
    // A bare dev release sorts before every pre-release of the same version.
    if (v.pre) return [PRE_ORDER[v.pre[0]] ?? 0, v.pre[1], v.post ?? -1, v.dev ?? Number.MAX_SAFE_INTEGER];
    if (v.dev !== undefined && v.post === undefined) return [-1, 0, -1, v.dev];
    return [3, 0, v.post ?? -1, v.dev ?? Number.MAX_SAFE_INTEGER];
  };
  const pa = phase(a);
  const pb = phase(b);
  for (let i = 0; i < pa.length; i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

const SPECIFIER = /^(~=|===|==|!=|<=|>=|<|>)\s*([^\s,;]+)$/;

/** Parses `>=3.9,<3.13`; returns undefined when any clause is malformed. */
export function parseSpecifierSet(text: string): VersionSpecifier[] | undefined {
  const specifiers: VersionSpecifier[] = [];
  const clauses = text.split(",").map((c) => c.trim());
  if (clauses.length === 1 && clauses[0] === "") return [];
  for (const clause of clauses) {
    const match = SPECIFIER.exec(clause);
    if (!match) return undefined;
    const operator = match[1] as SpecifierOperator;
    let version = match[2]!;
    const wildcard = version.endsWith(".*");
    if (wildcard) {
      if (operator !== "==" && operator !== "!=") return undefined;
      version = version.slice(0, -2);
    }
    if (operator !== "===" && !parseVersion(version)) return undefined;
    if (operator === "~=" && (parseVersion(version)?.release.length ?? 0) < 2) return undefined;
    specifiers.push({ operator, version, wildcard });
  }
  return specifiers;
}

function matchesOne(version: Pep440Version, text: string, spec: VersionSpecifier): boolean {
  if (spec.operator === "===") return text.trim() === spec.version;
  const target = parseVersion(spec.version)!;
  if (spec.wildcard) {
    const prefix = target.release;
    const matches = prefix.every((part, i) => (version.release[i] ?? 0) === part);
    return spec.operator === "==" ? matches : !matches;
  }
  const cmp = compareVersions(version, target);
  switch (spec.operator) {
    case "==":
      return cmp === 0;
    case "!=":
      return cmp !== 0;
    case "<":
      return cmp < 0;
    case "<=":
      return cmp <= 0;
    case ">":
      return cmp > 0;
    case ">=":
      return cmp >= 0;
    case "~=": {
      // ~=X.Y.Z means >=X.Y.Z and ==X.Y.*
      const prefix = target.release.slice(0, -1);
      return cmp >= 0 && prefix.every((part, i) => (version.release[i] ?? 0) === part);
    }
  }
}

/** True when `version` satisfies every specifier (an empty set matches everything). */
export function satisfies(version: string, specifiers: readonly VersionSpecifier[]): boolean {
  const parsed = parseVersion(version);
  if (!parsed) return false;
  return specifiers.every((spec) => matchesOne(parsed, version, spec));
}
