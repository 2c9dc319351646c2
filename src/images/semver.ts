/** A semantic version (semver.org 2.0.0): MAJOR.MINOR.PATCH, an optional pre-release, build metadata ignored. */
export interface SemanticVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Dot-separated pre-release identifiers ("rc", "1"); empty for a release. */
  readonly prerelease: readonly string[];
  /** The version as written, without build metadata. */
  readonly text: string;
}

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

export class SemverError extends Error {
  readonly code = "IMAGES_BAD_VERSION";
}

export function parseSemver(text: string): SemanticVersion {
  const match = SEMVER.exec(text);
  if (!match)
    throw new SemverError(
      `"${text}" is not a semantic version: expected MAJOR.MINOR.PATCH with an optional -pre.release (e.g. 1.2.0, 2.0.0-rc.1)`,
    );
  const prerelease = match[4] ? match[4].split(".") : [];
  const core = `${match[1]}.${match[2]}.${match[3]}`;
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3]),
    prerelease,
    text: prerelease.length > 0 ? `${core}-${prerelease.join(".")}` : core,
  };
}

function compareIdentifiers(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return Math.sign(Number(a) - Number(b));
  if (an) return -1; // numeric identifiers sort before alphanumeric ones
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Semver precedence: negative when a < b, 0 when equal, positive when a > b. */
export function compareSemver(a: SemanticVersion, b: SemanticVersion): number {
  for (const key of ["major", "minor", "patch"] as const) {
    if (a[key] !== b[key]) return Math.sign(a[key] - b[key]);
  }
  // A pre-release sorts before its release.
  if (a.prerelease.length === 0 || b.prerelease.length === 0)
    return Math.sign(b.prerelease.length - a.prerelease.length);
  const n = Math.min(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < n; i++) {
    const c = compareIdentifiers(a.prerelease[i]!, b.prerelease[i]!);
    if (c !== 0) return c;
  }
  return Math.sign(a.prerelease.length - b.prerelease.length);
}
