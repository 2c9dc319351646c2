import { describe, expect, it } from "vitest";
import { DEBIAN_RELEASE_RULES, debianReleaseOf } from "../../../src/detect/debian-release.js";

describe("the Debian release of a base image", () => {
  it("rule 1: a debian image tagged with a codename or a version", () => {
    expect(DEBIAN_RELEASE_RULES[0]!.match("debian", "trixie-slim")).toBe("trixie");
    expect(DEBIAN_RELEASE_RULES[0]!.match("debian", "12")).toBe("bookworm");
    expect(DEBIAN_RELEASE_RULES[0]!.match("debian", "12.5-slim")).toBe("bookworm");
    expect(DEBIAN_RELEASE_RULES[0]!.match("debian", "bullseye-20240101")).toBe("bullseye");
    expect(DEBIAN_RELEASE_RULES[0]!.match("debian", "stable-slim")).toBeUndefined();
    expect(DEBIAN_RELEASE_RULES[0]!.match("ubuntu", "12")).toBeUndefined();
  });

  it("rule 2: any image whose tag names a codename as one of its words", () => {
    expect(DEBIAN_RELEASE_RULES[1]!.match("python", "3.13-slim-trixie")).toBe("trixie");
    expect(DEBIAN_RELEASE_RULES[1]!.match("node", "20-bookworm-slim")).toBe("bookworm");
    expect(DEBIAN_RELEASE_RULES[1]!.match("python", "3.13-slim")).toBeUndefined();
    // A word only: "trixiex" is no codename.
    expect(DEBIAN_RELEASE_RULES[1]!.match("x", "trixiex")).toBeUndefined();
  });

  it("reads whole references: registry, digest, default tag, build args", () => {
    expect(debianReleaseOf("debian:trixie-slim")).toBe("trixie");
    expect(debianReleaseOf("docker.io/library/debian:13-slim")).toBe("trixie");
    expect(debianReleaseOf("registry.local:5000/mirror/python:3.11-slim-bookworm@sha256:ab")).toBe(
      "bookworm",
    );
    expect(debianReleaseOf("debian")).toBeUndefined();
    expect(debianReleaseOf("quay.io/astronomer/astro-runtime:7.0.0-base")).toBeUndefined();
    expect(debianReleaseOf("debian:${RELEASE}-slim")).toBeUndefined();
  });
});
