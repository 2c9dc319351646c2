/**
 * Which Debian release a stage's base image is, told from its reference alone, so that a PYENV
 * interpreter comes from the `python:X-slim-<codename>` image built on the same release (the same
 * glibc and shared libraries). An image whose name does not say is left undecided.
 */

export interface DebianRelease {
  codename: string;
  /** The major version `debian:<n>` tags use. */
  version: string;
}

/** Releases with official `python:X-slim-<codename>` images, oldest first. */
export const DEBIAN_RELEASES: readonly DebianRelease[] = [
  { codename: "bullseye", version: "11" },
  { codename: "bookworm", version: "12" },
  { codename: "trixie", version: "13" },
  { codename: "forky", version: "14" },
];

export interface DebianReleaseRule {
  /** What the rule reads, for `pyfront plan`'s decision and the docs. */
  rule: string;
  /** The codename the reference names, or undefined when this rule does not apply. */
  match(repository: string, tag: string): string | undefined;
}

const byCodename = (word: string) => DEBIAN_RELEASES.find((r) => r.codename === word)?.codename;
const byVersion = (word: string) => DEBIAN_RELEASES.find((r) => r.version === word)?.codename;

/** Tried in order; the first that names a release decides. */
export const DEBIAN_RELEASE_RULES: readonly DebianReleaseRule[] = [
  {
    // debian:trixie-slim, debian:12, debian:12.5-slim, debian:bookworm-20240101
    rule: "a debian image tagged with a codename or a version",
    match(repository, tag) {
      if (repository !== "debian") return undefined;
      const first = tag.split("-")[0] ?? "";
      return byCodename(first) ?? byVersion(first.split(".")[0] ?? "");
    },
  },
  {
    // python:3.13-slim-trixie, node:20-bookworm-slim, buildpack-deps:bookworm
    rule: "any image whose tag names a codename as one of its dash-separated words",
    match(_repository, tag) {
      for (const word of tag.split("-")) {
        const codename = byCodename(word);
        if (codename) return codename;
      }
      return undefined;
    },
  },
];

/** The Debian codename an image reference names, or undefined (unknown image, build-arg reference). */
export function debianReleaseOf(imageRef: string): string | undefined {
  if (imageRef.includes("$")) return undefined;
  const withoutDigest = imageRef.split("@")[0] ?? "";
  const lastSlash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.indexOf(":", lastSlash + 1);
  const path = colon < 0 ? withoutDigest : withoutDigest.slice(0, colon);
  const tag = colon < 0 ? "latest" : withoutDigest.slice(colon + 1);
  const repository = path.slice(path.lastIndexOf("/") + 1).toLowerCase();
  for (const rule of DEBIAN_RELEASE_RULES) {
    const codename = rule.match(repository, tag.toLowerCase());
    if (codename) return codename;
  }
  return undefined;
}
