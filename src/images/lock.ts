import { createHash } from "node:crypto";
import type { ImageRegistry, ImageVersion } from "./family.js";
import { LOCK_FILE_NAME } from "./lock-file-name.js";
import { compareSemver, parseSemver } from "./semver.js";

export { LOCK_FILE_NAME };

/** The checked-in record of released versions: family → version → definition digest. */
export interface ImagesLock {
  lockVersion: 1;
  families: Record<string, Record<string, string>>;
}

/** Canonical JSON: keys sorted, no spaces, so equal definitions give equal bytes. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}

/**
 * The digest of what a version builds: its pinned base, every step in order and its platforms.
 * The LLB and the Dockerfile are both functions of exactly this, so it changes when they would.
 * The changelog and the checks are not part of it: rewording a line does not change an image.
 */
export function definitionDigest(version: ImageVersion): string {
  const definition = {
    base: version.container.base,
    steps: version.container.steps,
    platforms: version.platforms,
  };
  return `sha256:${createHash("sha256").update(canonical(definition)).digest("hex")}`;
}

export class ImagesLockError extends Error {
  readonly code = "IMAGES_LOCK";
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(problems.join("\n"));
    this.problems = problems;
  }
}

export function emptyLock(): ImagesLock {
  return { lockVersion: 1, families: {} };
}

/** Reads a lock file's text; a malformed one is an error, not an empty lock. */
export function parseLock(text: string, file = LOCK_FILE_NAME): ImagesLock {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ImagesLockError([`${file}: not JSON (${(error as Error).message})`]);
  }
  const lock = data as Partial<ImagesLock>;
  if (lock?.lockVersion !== 1 || typeof lock.families !== "object" || lock.families === null)
    throw new ImagesLockError([`${file}: expected {"lockVersion": 1, "families": {...}}`]);
  for (const [family, versions] of Object.entries(lock.families)) {
    for (const [version, digest] of Object.entries(versions ?? {})) {
      if (typeof digest !== "string" || !/^sha256:[0-9a-f]{64}$/.test(digest))
        throw new ImagesLockError([`${file}: ${family}:${version} has no sha256 digest`]);
    }
  }
  return lock as ImagesLock;
}

export function formatLock(lock: ImagesLock): string {
  const families: Record<string, Record<string, string>> = {};
  for (const family of Object.keys(lock.families).sort()) {
    const versions = lock.families[family]!;
    families[family] = Object.fromEntries(
      Object.keys(versions)
        .sort((a, b) => compareSemver(parseSemver(a), parseSemver(b)))
        .map((v) => [v, versions[v]!]),
    );
  }
  return `${JSON.stringify({ lockVersion: 1, families }, null, 2)}\n`;
}

/**
 * What the lock refuses: a released version whose definition changed, a released version that is
 * gone, a new version not greater than every released one of its family. Empty when all is well.
 */
export function lockProblems(registry: ImageRegistry, lock: ImagesLock, file = LOCK_FILE_NAME): string[] {
  const problems: string[] = [];
  for (const [familyName, released] of Object.entries(lock.families)) {
    const family = registry.families.find((f) => f.name === familyName);
    for (const [versionText, digest] of Object.entries(released)) {
      const version = family?.versions.find((v) => v.version.text === versionText);
      if (!version) {
        problems.push(
          `${familyName}:${versionText} is released (${file}) but no longer declared: released versions are never deleted`,
        );
        continue;
      }
      const now = definitionDigest(version);
      if (now !== digest)
        problems.push(
          `${version.name} changed after its release: ${file} records ${digest}, the definition is now ${now}; released versions are immutable, declare a new version instead`,
        );
    }
  }
  for (const family of registry.families) {
    const released = Object.keys(lock.families[family.name] ?? {}).map(parseSemver);
    const greatest = released.sort(compareSemver).at(-1);
    for (const version of family.versions) {
      if (lock.families[family.name]?.[version.version.text] !== undefined) continue;
      if (greatest && compareSemver(version.version, greatest) <= 0)
        problems.push(
          `${version.name} is new but not greater than the released ${family.name}:${greatest.text}: a new version must be greater than the last`,
        );
    }
  }
  return problems;
}

/** Throws ImagesLockError listing every problem lockProblems finds. */
export function verifyLock(registry: ImageRegistry, lock: ImagesLock, file?: string): void {
  const problems = lockProblems(registry, lock, file);
  if (problems.length > 0) throw new ImagesLockError(problems);
}

/** The lock with every new version recorded; refuses (throws) when the lock has problems. */
export function lockWithNewVersions(registry: ImageRegistry, lock: ImagesLock, file?: string): ImagesLock {
  verifyLock(registry, lock, file);
  const families: Record<string, Record<string, string>> = structuredClone(lock.families);
  for (const version of registry.list()) {
    const versions = families[version.family] ?? {};
    versions[version.version.text] ??= definitionDigest(version);
    families[version.family] = versions;
  }
  return { lockVersion: 1, families };
}

/** Versions the lock does not record yet. */
export function unreleasedVersions(registry: ImageRegistry, lock: ImagesLock): ImageVersion[] {
  return registry.list().filter((v) => lock.families[v.family]?.[v.version.text] === undefined);
}

/** The label that carries a version's definition digest, so a pushed image says what it was built from. */
export const DEFINITION_LABEL = "org.pyfront.images.definition";

/**
 * The labels every build of a version carries, through LLB and the generated Dockerfile alike:
 * its version and its definition digest (publish compares the latter with what a registry holds).
 */
export function versionLabels(version: ImageVersion): [string, string][] {
  return [
    ["org.opencontainers.image.version", version.version.text],
    ["org.opencontainers.image.base.name", `${version.container.base.ref}@${version.container.base.digest}`],
    [DEFINITION_LABEL, definitionDigest(version)],
  ];
}
