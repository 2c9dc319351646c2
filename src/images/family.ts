import type { ImageChecks } from "./checks.js";
import { Container, ContainerDefinitionError } from "./container.js";
import { compareSemver, parseSemver, type SemanticVersion } from "./semver.js";

export interface ImageVersionInput {
  /** Semantic version, pre-releases allowed: "1.0.0", "1.1.0-rc.1". */
  version: string;
  /** What this version changes, one or two sentences; it becomes the changelog line. */
  changelog: string;
  /** The container, built on a pinned base: Container.from("python:3.13-slim@sha256:…")…. */
  container: Container;
  checks?: ImageChecks;
  /** Also run every earlier version's checks on this one, to catch regressions. */
  runPreviousChecks?: boolean;
  /** Platforms to build and publish; default linux/amd64. */
  platforms?: readonly string[];
}

export interface ImageVersion {
  readonly family: string;
  readonly version: SemanticVersion;
  readonly changelog: string;
  readonly container: Container;
  readonly checks: ImageChecks;
  readonly runPreviousChecks: boolean;
  readonly platforms: readonly string[];
  /** "family:version". */
  readonly name: string;
}

export interface ImageFamilyInput {
  name: string;
  description: string;
  versions: readonly ImageVersionInput[];
}

export interface ImageFamily {
  readonly name: string;
  readonly description: string;
  /** Oldest first. */
  readonly versions: readonly ImageVersion[];
}

const FAMILY_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/**
 * A family of versions, oldest first. Each version must be greater than the one before it and no
 * version may appear twice: the list is the release history.
 */
export function imageFamily(input: ImageFamilyInput): ImageFamily {
  if (!FAMILY_NAME.test(input.name))
    throw new ContainerDefinitionError(
      `image family name "${input.name}": lowercase letters, digits and . _ - (it becomes an image repository name)`,
    );
  const versions: ImageVersion[] = [];
  for (const v of input.versions) {
    const version = parseSemver(v.version);
    const name = `${input.name}:${version.text}`;
    if (!(v.container instanceof Container))
      throw new ContainerDefinitionError(`${name}: container must be a Container (Container.from(...))`);
    if (typeof v.changelog !== "string" || v.changelog.trim() === "")
      throw new ContainerDefinitionError(`${name}: a version needs a changelog line`);
    const duplicate = versions.find((x) => compareSemver(x.version, version) === 0);
    if (duplicate) throw new ContainerDefinitionError(`${name} is declared twice in family ${input.name}`);
    const last = versions.at(-1);
    if (last && compareSemver(version, last.version) < 0)
      throw new ContainerDefinitionError(
        `${name} comes after ${last.name} in the list but is not greater: list versions oldest first, each greater than the last`,
      );
    versions.push(
      Object.freeze({
        family: input.name,
        version,
        changelog: v.changelog.trim(),
        container: v.container,
        checks: v.checks ?? {},
        runPreviousChecks: v.runPreviousChecks === true,
        platforms: Object.freeze([...(v.platforms ?? ["linux/amd64"])]),
        name,
      }),
    );
  }
  return Object.freeze({
    name: input.name,
    description: input.description,
    versions: Object.freeze(versions),
  });
}

export class ImageLookupError extends Error {
  readonly code = "IMAGES_NOT_FOUND";
}

/** All families of a project: look versions up by "name:version", list them, find latest and previous. */
export class ImageRegistry {
  readonly families: readonly ImageFamily[];

  constructor(families: readonly ImageFamily[]) {
    const names = new Set<string>();
    for (const f of families) {
      if (names.has(f.name)) throw new ContainerDefinitionError(`image family ${f.name} is declared twice`);
      names.add(f.name);
    }
    this.families = Object.freeze([...families].sort((a, b) => (a.name < b.name ? -1 : 1)));
  }

  family(name: string): ImageFamily {
    const family = this.families.find((f) => f.name === name);
    if (!family)
      throw new ImageLookupError(
        `no image family "${name}"; families: ${this.families.map((f) => f.name).join(", ") || "(none)"}`,
      );
    return family;
  }

  /** "name:version", or "name" for its latest version. */
  get(reference: string): ImageVersion {
    const colon = reference.indexOf(":");
    if (colon < 0) return this.latest(reference);
    const family = this.family(reference.slice(0, colon));
    const wanted = parseSemver(reference.slice(colon + 1));
    const found = family.versions.find((v) => compareSemver(v.version, wanted) === 0);
    if (!found)
      throw new ImageLookupError(
        `${family.name} has no version ${wanted.text}; versions: ${family.versions.map((v) => v.version.text).join(", ")}`,
      );
    return found;
  }

  /** Every version of every family, families by name, versions oldest first. */
  list(): ImageVersion[] {
    return this.families.flatMap((f) => f.versions);
  }

  /** The greatest version; a pre-release only when the family has nothing else. */
  latest(familyName: string): ImageVersion {
    const family = this.family(familyName);
    const releases = family.versions.filter((v) => v.version.prerelease.length === 0);
    const latest = (releases.length > 0 ? releases : family.versions).at(-1);
    if (!latest) throw new ImageLookupError(`image family ${familyName} has no versions`);
    return latest;
  }

  /** The version before this one in its family, if any. */
  previous(version: ImageVersion): ImageVersion | undefined {
    const versions = this.family(version.family).versions;
    const at = versions.findIndex((v) => v.name === version.name);
    return at > 0 ? versions[at - 1] : undefined;
  }

  /** Every version before this one, oldest first. */
  earlier(version: ImageVersion): ImageVersion[] {
    const versions = this.family(version.family).versions;
    return versions.slice(
      0,
      Math.max(
        0,
        versions.findIndex((v) => v.name === version.name),
      ),
    );
  }
}

export function imageRegistry(families: readonly ImageFamily[]): ImageRegistry {
  return new ImageRegistry(families);
}
