import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OS_FAMILIES, OS_FAMILY_RULES, osFamilyOf, osRecipeFor } from "../../../src/plan/os-family.js";
import { planBuild } from "../../../src/plan/plan-build.js";
import { renderDockerfile } from "../../../src/render/dockerfile.js";
import { baseSpec } from "./spec-fixtures.js";

describe("OS family rules, one test each", () => {
  it("has exactly the rules tested here", () => {
    expect(OS_FAMILY_RULES.map((r) => r.rule)).toEqual(["tag-names-alpine", "alpine-image"]);
  });

  it("tag-names-alpine: a tag naming alpine is Alpine, with or without a version, registry or digest", () => {
    for (const ref of [
      "python:3.13-alpine",
      "python:3.13.5-alpine3.22",
      `registry.example.com:5000/library/python:3.12-alpine@sha256:${"a".repeat(64)}`,
    ]) {
      expect(osFamilyOf(ref), ref).toBe("alpine");
    }
  });

  it("alpine-image: the alpine image itself is Alpine, whatever its tag", () => {
    expect(osFamilyOf("alpine:3.20")).toBe("alpine");
    expect(osFamilyOf("mirror.example.com/library/alpine")).toBe("alpine");
  });

  it("anything else is Debian: python:<v>, -slim, -bookworm, and names that only contain alpine", () => {
    for (const ref of [
      "python:3.13",
      "python:3.13-slim",
      "python:3.12-slim-bookworm",
      "alpineish/python:3",
    ]) {
      expect(osFamilyOf(ref), ref).toBe("debian");
    }
  });
});

describe("OS family recipes", () => {
  it("keeps Debian's pip cache id and gives musl its own", () => {
    expect(OS_FAMILIES.debian.pipCacheSuffix).toBe("");
    expect(OS_FAMILIES.alpine.pipCacheSuffix).toBe("-musl");
  });

  it("installs Alpine packages with apk: a package cache in the builder, none left in the image", () => {
    const builder = osRecipeFor("python:3.13-alpine").installPackages(
      ["gcc", "musl-dev"],
      "python:3.13-alpine",
      "builder",
    );
    expect(builder.mounts).toEqual([
      { type: "cache", id: "pyfront-apk-python-3.13-alpine", target: "/var/cache/apk", sharing: "locked" },
    ]);
    expect(builder.argv.slice(3)).toEqual(["sh", "gcc", "musl-dev"]);
    const runtime = osRecipeFor("python:3.13-alpine").installPackages(
      ["libpq"],
      "python:3.13-alpine",
      "runtime",
    );
    expect(runtime.mounts).toEqual([]);
    expect(runtime.description).toBe("install system dependencies (apk)");
  });

  it("hands package names to apk as arguments after --, never as shell text", () => {
    // A stand-in apk on PATH records its argv: the script must pass the names through untouched.
    const dir = mkdtempSync(join(tmpdir(), "pyfront-apk-"));
    writeFileSync(join(dir, "apk"), '#!/bin/sh\nfor a in "$@"; do printf "[%s]" "$a"; done\n');
    chmodSync(join(dir, "apk"), 0o755);
    const step = OS_FAMILIES.alpine.installPackages(
      ["libpq", "$(touch x)", "a b"],
      "python:3.13-alpine",
      "runtime",
    );
    const [program, ...args] = step.argv;
    const output = execFileSync(program!, args, { env: { PATH: `${dir}:/usr/bin:/bin` }, encoding: "utf8" });
    expect(output).toBe("[add][--no-cache][--][libpq][$(touch x)][a b]");
  });

  it("creates the runtime user with BusyBox's addgroup and adduser -D on Alpine, useradd on Debian", () => {
    expect(OS_FAMILIES.alpine.createUser().argv[2]).toBe(
      "set -eu\naddgroup -g 65532 nonroot\nadduser -D -u 65532 -G nonroot -h /home/nonroot -s /sbin/nologin nonroot",
    );
    expect(OS_FAMILIES.debian.createUser().argv[2]).toContain(
      "useradd --no-log-init --uid 65532 --gid 65532",
    );
  });

  it("plans each stage for its own image's family", () => {
    const plan = planBuild(
      baseSpec({
        builderImage: "python:3.12-alpine",
        runtimeImage: "python:3.12-alpine",
        buildDeps: ["gcc"],
        systemDeps: ["libpq"],
        dependencies: [{ kind: "index", requirement: "psycopg2" }],
      }),
      { buildArgs: {} },
    );
    const text = renderDockerfile(plan);
    expect(text).toContain("apk add --update-cache");
    expect(text).toContain("apk add --no-cache");
    expect(text).toContain("id=pyfront-pip-3.11-musl");
    expect(text).not.toMatch(/apt-get|useradd|DEBIAN_FRONTEND/);
  });
});
