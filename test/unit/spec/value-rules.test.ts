// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} build-arg references are literal text here.
import { describe, expect, it, test } from "vitest";
import { closestMatch } from "../../../src/spec/did-you-mean.js";
import { parseRequirement } from "../../../src/spec/requirement.js";
import {
  checkAptPackage,
  checkContextPath,
  checkSubstitution,
  normalizeContextPath,
  parseDurationSeconds,
  redactCredentials,
} from "../../../src/spec/value-rules.js";

describe("context paths", () => {
  test.each(["requirements.txt", "./a/b", "a/../b", "a/./b/", "."])("%j stays inside", (path) => {
    expect(checkContextPath(path)).toBeUndefined();
  });
  test.each([
    ["/etc/passwd", "absolute-path"],
    ["C:\\x", "absolute-path"],
    ["..", "path-escapes-context"],
    ["a/../../b", "path-escapes-context"],
    ["./../x", "path-escapes-context"],
    ["", "invalid-path"],
    ["a\nb", "invalid-path"],
  ])("%j is refused as %s", (path, code) => {
    expect(checkContextPath(path)?.code).toBe(code);
  });
  test("normalizes", () => {
    expect(normalizeContextPath("./a//b/")).toBe("a/b");
    expect(normalizeContextPath("a/../b")).toBe("b");
    expect(normalizeContextPath("./")).toBe(".");
  });
});

describe("apt package names", () => {
  test.each([
    "gcc",
    "libpq-dev",
    "g++",
    "libstdc++6",
    "python3.11",
    "curl=7.88.1-10+deb12u8",
    "tzdata=2024a-0+deb12u1",
  ])("%j is accepted", (name) => {
    expect(checkAptPackage(name)).toBeUndefined();
  });
  test.each([
    "",
    "a",
    "Gcc",
    "-gcc",
    "gcc;rm -rf /",
    "gcc && curl x",
    "$(id)",
    "gcc\nvim",
    "gcc=",
    "gcc=1 2",
  ])("%j is refused", (name) => {
    expect(checkAptPackage(name)?.code).toBe("invalid-apt-package");
  });
});

describe("build-arg references", () => {
  test.each(["plain", "${A}", "${A:-x}", "${A:+y}", "v${MAJOR}.${MINOR:-0}", "$HOME", "cost $5"])(
    "%j is accepted",
    (value) => {
      expect(checkSubstitution(value)).toBeUndefined();
    },
  );
  test.each(["${", "${A", "${1A}", "${A:=x}", "${A B}"])("%j is refused", (value) => {
    expect(checkSubstitution(value)?.code).toBe("invalid-substitution");
  });
});

describe("requirements", () => {
  test("classifies index, git and named git requirements", () => {
    expect(parseRequirement("flask[async]>=3; python_version >= '3.10'")).toEqual({
      dependency: { kind: "index", requirement: "flask[async]>=3; python_version >= '3.10'" },
    });
    expect(parseRequirement("git+ssh://git@github.com/o/r.git@v1")).toEqual({
      dependency: { kind: "git", url: "git+ssh://git@github.com/o/r.git@v1", transport: "ssh" },
    });
    expect(parseRequirement("lib @ git+https://github.com/o/lib.git")).toEqual({
      dependency: { kind: "git", url: "git+https://github.com/o/lib.git", transport: "https", name: "lib" },
    });
  });
  test.each([
    ["-r other.txt", "pip-option-not-allowed"],
    ["--extra-index-url https://x", "pip-option-not-allowed"],
    ["git+file:///tmp/repo", "invalid-git-url"],
    ["git+https://", "invalid-git-url"],
    ["https://example.com/pkg.whl", "invalid-requirement"],
    ["", "invalid-requirement"],
  ])("%j is refused as %s", (text, code) => {
    expect(parseRequirement(text)).toMatchObject({ code });
  });
});

describe("durations and suggestions", () => {
  test("durations", () => {
    expect(parseDurationSeconds(30)).toBe(30);
    expect(parseDurationSeconds("1m30s")).toBe(90);
    expect(parseDurationSeconds("2h")).toBe(7200);
    expect(parseDurationSeconds("")).toBeUndefined();
    expect(parseDurationSeconds("5 minutes")).toBeUndefined();
    expect(parseDurationSeconds(1.5)).toBeUndefined();
  });
  test("did you mean", () => {
    const keys = ["python_version", "build_deps", "system_deps", "env"];
    expect(closestMatch("pyhton_version", keys)).toBe("python_version");
    expect(closestMatch("build-deps", keys)).toBe("build_deps");
    expect(closestMatch("python", keys)).toBe("python_version");
    expect(closestMatch("colour", keys)).toBeUndefined();
  });
});

describe("credentials in URLs", () => {
  it("hides user info, also a password with a raw / or @, and nothing else", () => {
    expect(redactCredentials("https://user:secret@host.example/simple")).toBe(
      "https://***@host.example/simple",
    );
    expect(redactCredentials("https://user:pa/ss@host.example/simple")).toBe(
      "https://***@host.example/simple",
    );
    expect(redactCredentials("git+https://token@github.com/o/r.git")).toBe(
      "git+https://***@github.com/o/r.git",
    );
    for (const plain of [
      "git+https://github.com/o/r.git@v1.0",
      "git+https://gitlab.internal:8443/team/lib.git@v1.2",
      "git+http://127.0.0.1:41234/pfgitdep.git@main",
      "https://host.example:8080/simple",
    ]) {
      expect(redactCredentials(plain)).toBe(plain);
    }
  });

  it("takes a git requirement from a host with a port and a revision", () => {
    expect(parseRequirement("lib @ git+https://gitlab.internal:8443/team/lib.git@v1.2")).toMatchObject({
      dependency: { kind: "git", name: "lib", url: "git+https://gitlab.internal:8443/team/lib.git@v1.2" },
    });
    expect(
      parseRequirement("lib @ git+https://user:pw@gitlab.internal:8443/team/lib.git@v1.2"),
    ).toMatchObject({
      code: "credentials-in-url",
    });
  });
});
