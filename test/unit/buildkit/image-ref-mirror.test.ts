import { describe, expect, it } from "vitest";
import {
  dockerHubRefViaMirror,
  isDockerHubRef,
  normalizeImageRef,
  splitImageRef,
} from "../../../src/buildkit/llb/image-ref.js";

const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;
const MIRROR = "registry.example.com";

describe("splitImageRef reads references as Docker does", () => {
  const cases: Array<[string, ReturnType<typeof splitImageRef>]> = [
    ["python", { path: "python" }],
    ["python:3.13-slim", { path: "python", tag: "3.13-slim" }],
    ["org/img:tag", { path: "org/img", tag: "tag" }],
    ["docker.io/library/python:3.13", { domain: "docker.io", path: "library/python", tag: "3.13" }],
    ["localhost/img", { domain: "localhost", path: "img" }],
    ["localhost:5000/img:1", { domain: "localhost:5000", path: "img", tag: "1" }],
    ["ghcr.io/org/img", { domain: "ghcr.io", path: "org/img" }],
    ["Registry/img", { domain: "Registry", path: "img" }],
    [`python@${DIGEST}`, { path: "python", digest: DIGEST }],
    [`python:3.13@${DIGEST}`, { path: "python", tag: "3.13", digest: DIGEST }],
    ["reg.example.com:5000/a/b:c", { domain: "reg.example.com:5000", path: "a/b", tag: "c" }],
  ];
  for (const [ref, parts] of cases) it(ref, () => expect(splitImageRef(ref)).toEqual(parts));

  it("knows Docker Hub by its names and by no name", () => {
    expect(isDockerHubRef(splitImageRef("python"))).toBe(true);
    expect(isDockerHubRef(splitImageRef("org/img"))).toBe(true);
    expect(isDockerHubRef(splitImageRef("docker.io/org/img"))).toBe(true);
    expect(isDockerHubRef(splitImageRef("index.docker.io/org/img"))).toBe(true);
    expect(isDockerHubRef(splitImageRef("ghcr.io/org/img"))).toBe(false);
    expect(isDockerHubRef(splitImageRef("localhost/img"))).toBe(false);
  });

  it("refuses bad tags and digests, as before", () => {
    expect(() => splitImageRef("python:bad tag")).toThrow(/bad tag/);
    expect(() => splitImageRef("python@sha256")).toThrow(/bad digest/);
  });
});

describe("dockerHubRefViaMirror", () => {
  const cases: Array<[ref: string, mirrored: string]> = [
    ["python:3.13-slim", `${MIRROR}/library/python:3.13-slim`],
    ["python", `${MIRROR}/library/python`],
    ["library/python:3.13", `${MIRROR}/library/python:3.13`],
    ["org/img:tag", `${MIRROR}/org/img:tag`],
    ["org/team/img:tag", `${MIRROR}/org/team/img:tag`],
    ["docker.io/library/python:3.13", `${MIRROR}/library/python:3.13`],
    ["docker.io/python:3.13", `${MIRROR}/library/python:3.13`],
    ["index.docker.io/org/img", `${MIRROR}/org/img`],
    [`python@${DIGEST}`, `${MIRROR}/library/python@${DIGEST}`],
    [`python:3.13@${DIGEST}`, `${MIRROR}/library/python:3.13@${DIGEST}`],
    // References that name a registry are pulled from it.
    ["ghcr.io/org/img:1", "ghcr.io/org/img:1"],
    ["localhost:5000/img:1", "localhost:5000/img:1"],
    ["localhost/img", "localhost/img"],
    ["reg.example.com:5000/a/b", "reg.example.com:5000/a/b"],
    [`quay.io/org/img@${DIGEST}`, `quay.io/org/img@${DIGEST}`],
  ];
  for (const [ref, mirrored] of cases) {
    it(`${ref} → ${mirrored}`, () => expect(dockerHubRefViaMirror(ref, MIRROR)).toBe(mirrored));
  }

  it("keeps a mirror's port and path", () => {
    expect(dockerHubRefViaMirror("python:3.14-slim", "localhost:5000/mirror")).toBe(
      "localhost:5000/mirror/library/python:3.14-slim",
    );
    expect(dockerHubRefViaMirror("org/img", "mirror.internal:8443/hub/proxy")).toBe(
      "mirror.internal:8443/hub/proxy/org/img",
    );
  });

  it("names the same image Docker would pull from Docker Hub, on the mirror", () => {
    for (const [ref] of cases) {
      const hub = normalizeImageRef(ref);
      if (!hub.startsWith("docker.io/")) continue;
      expect(normalizeImageRef(dockerHubRefViaMirror(ref, MIRROR))).toBe(
        `${MIRROR}/${hub.slice("docker.io/".length)}`,
      );
    }
  });

  it("is idempotent: a mirrored reference names its registry", () => {
    for (const [ref] of cases) {
      const once = dockerHubRefViaMirror(ref, MIRROR);
      expect(dockerHubRefViaMirror(once, MIRROR)).toBe(once);
    }
  });
});
