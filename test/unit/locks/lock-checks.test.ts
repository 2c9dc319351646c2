// The value checks and marker helpers the poetry, pdm and Pipfile.lock readers share.
import { describe, expect, it } from "vitest";
import {
  checkCommit,
  checkFileName,
  checkFileUrl,
  checkGitUrl,
  checkHashText,
  checkMarker,
  checkPackageName,
  checkRelativePath,
  checkSpecifier,
  checkVersion,
  groupMarker,
  orMarkers,
  projectExtrasMarker,
} from "../../../src/spec/locks/lock-checks.js";
import { splitRequirement } from "../../../src/spec/locks/requirement-parts.js";

const value = <T>(checked: { ok: true; value: T } | { ok: false }) =>
  checked.ok ? checked.value : undefined;
const code = (checked: { ok: true } | { ok: false; problem: { code: string } }) =>
  checked.ok ? undefined : checked.problem.code;

describe("lock value checks", () => {
  it("normalizes names and refuses what pip would read otherwise", () => {
    expect(value(checkPackageName("Jaraco.Packaging"))).toBe("jaraco-packaging");
    expect(value(checkPackageName("typing_extensions"))).toBe("typing-extensions");
    for (const bad of ["", "-e", "flask\n", "flask==1", "a b", "flask;"])
      expect(code(checkPackageName(bad))).toBe("invalid-package-name");
  });

  it("takes PEP 440 versions with epochs and local labels", () => {
    for (const good of ["3.1.1", "2.0.0rc1", "1.0.post1", "2.1.0+cpu", "1!2.0", "2026.10.23", "0.4.dev3"]) {
      expect(value(checkVersion(good))).toBe(good);
    }
    for (const bad of ["", "three", "1.0 ", "1.0\n--x", "1.0+", "1.0+a b", "==1.0"])
      expect(code(checkVersion(bad))).toBe("invalid-version");
  });

  it("takes specifier sets and drops their spaces", () => {
    expect(value(checkSpecifier(">=1.5.6, !=1.5.7"))).toBe(">=1.5.6,!=1.5.7");
    expect(value(checkSpecifier("==1.*"))).toBe("==1.*");
    expect(value(checkSpecifier("<4,>=2"))).toBe("<4,>=2");
    expect(value(checkSpecifier(">=1.0.0-beta"))).toBe(">=1.0.0-beta");
    for (const bad of ["^1.2", ">=", "1.0", ">=1\n"])
      expect(code(checkSpecifier(bad))).toBe("invalid-specifier");
  });

  it("lowercases sha256, sha384 and sha512 hashes; refuses other algorithms", () => {
    expect(value(checkHashText(`SHA256:${"AB".repeat(32)}`))).toBe(`sha256:${"ab".repeat(32)}`);
    expect(value(checkHashText(`sha384:${"0".repeat(96)}`))).toBe(`sha384:${"0".repeat(96)}`);
    expect(value(checkHashText(`sha512:${"f".repeat(128)}`))).toBe(`sha512:${"f".repeat(128)}`);
    expect(code(checkHashText("md5:0123456789abcdef0123456789abcdef"))).toBe("unsupported-hash");
    for (const bad of [
      `sha256:${"a".repeat(63)}`,
      `sha256:${"g".repeat(64)}`,
      "0".repeat(64),
      `sha256 ${"a".repeat(64)}`,
    ]) {
      expect(code(checkHashText(bad))).toBe("invalid-hash");
    }
  });

  it("refuses file names with separators, spaces or control characters", () => {
    expect(value(checkFileName("flask-3.1.3-py3-none-any.whl"))).toBe("flask-3.1.3-py3-none-any.whl");
    for (const bad of ["", ".", "..", "a/b.whl", "a\\b.whl", "a b.whl", "a\u0085.whl"])
      expect(code(checkFileName(bad))).toBe("invalid-file-name");
  });

  it("takes http(s) URLs without credentials", () => {
    expect(value(checkFileUrl("https://files.example.com/a.whl"))).toBe("https://files.example.com/a.whl");
    expect(code(checkFileUrl("file:///srv/a.whl"))).toBe("unsupported-url");
    expect(code(checkFileUrl("https://user:pw@files.example.com/a.whl"))).toBe("credentials-in-url");
    expect(code(checkFileUrl("https://token@files.example.com/a.whl"))).toBe("credentials-in-url");
    expect(code(checkFileUrl("https://files.example.com/a b.whl"))).toBe("invalid-url");
    expect(code(checkFileUrl("not a url"))).toBe("invalid-url");
  });

  it("takes git URLs over https or ssh, scp form rewritten, git+ taken off", () => {
    expect(value(checkGitUrl("git+https://github.com/o/r.git"))).toBe("https://github.com/o/r.git");
    expect(value(checkGitUrl("git@github.com:o/r.git"))).toBe("ssh://git@github.com/o/r.git");
    expect(value(checkGitUrl("ssh://git@github.com/o/r.git"))).toBe("ssh://git@github.com/o/r.git");
    expect(code(checkGitUrl("https://x-token:abc@github.com/o/r.git"))).toBe("credentials-in-url");
    expect(code(checkGitUrl("ssh://git:secret@github.com/o/r.git"))).toBe("credentials-in-url");
    expect(code(checkGitUrl("file:///srv/r"))).toBe("unsupported-url");
    expect(code(checkGitUrl("git://github.com/o/r.git"))).toBe("unsupported-url");
  });

  it("takes full commit ids only, lowercased", () => {
    expect(value(checkCommit("DB57406504481517F2742F622EB7C226032EBFBE"))).toBe(
      "db57406504481517f2742f622eb7c226032ebfbe",
    );
    expect(value(checkCommit("a".repeat(64)))).toBe("a".repeat(64));
    for (const bad of ["db57406", "main", "v1.2.0", "g".repeat(40)])
      expect(code(checkCommit(bad))).toBe("invalid-commit");
  });

  it("keeps relative paths as written, .. included; refuses absolute ones and options", () => {
    for (const good of ["packages/mylib", "./packages/mylib", "../shared"])
      expect(value(checkRelativePath(good))).toBe(good);
    expect(code(checkRelativePath("/home/dev/x"))).toBe("absolute-path");
    expect(code(checkRelativePath("C:\\src\\x"))).toBe("absolute-path");
    expect(code(checkRelativePath("~/x"))).toBe("absolute-path");
    expect(code(checkRelativePath("-e"))).toBe("invalid-path");
    expect(code(checkRelativePath(""))).toBe("invalid-path");
  });

  it("refuses empty markers and markers with control characters", () => {
    expect(value(checkMarker(" python_version < '3.11' "))).toBe("python_version < '3.11'");
    expect(code(checkMarker(""))).toBe("invalid-marker");
    expect(code(checkMarker("os_name == 'nt'\n--index-url x"))).toBe("invalid-marker");
  });
});

describe("marker helpers", () => {
  it("joins alternatives; any unconditional one makes the whole unconditional", () => {
    expect(orMarkers(["a == '1'", "b == '2'"])).toBe("(a == '1') or (b == '2')");
    expect(orMarkers(["a == '1'", "a == '1'"])).toBe("a == '1'");
    expect(orMarkers(["a == '1'", undefined])).toBeUndefined();
  });

  it("writes per-group markers with dependency_groups, only when they differ", () => {
    expect(groupMarker([{ group: "default" }, { group: "dev" }])).toBeUndefined();
    expect(
      groupMarker([
        { group: "default", marker: "m" },
        { group: "dev", marker: "m" },
      ]),
    ).toBe("m");
    expect(groupMarker([{ group: "default", marker: "sys_platform == 'win32'" }, { group: "dev" }])).toBe(
      '("default" in dependency_groups and (sys_platform == \'win32\')) or "dev" in dependency_groups',
    );
  });

  it("rewrites extra comparisons to the extras variable, never inside quoted text", () => {
    expect(projectExtrasMarker('extra == "Socks"')).toBe('"socks" in extras');
    expect(projectExtrasMarker("'fast' != extra and python_version < \"3.12\"")).toBe(
      '"fast" not in extras and python_version < "3.12"',
    );
    expect(projectExtrasMarker('platform_version == "extra == \\"x\\""')).toBe(
      'platform_version == "extra == \\"x\\""',
    );
    expect(projectExtrasMarker('sys_platform == "linux"')).toBe('sys_platform == "linux"');
  });
});

describe("splitRequirement", () => {
  it("splits the forms pdm and Poetry write", () => {
    expect(value(splitRequirement('exceptiongroup>=1.0.2; python_version < "3.11"'))).toEqual({
      name: "exceptiongroup",
      extras: [],
      specifier: ">=1.0.2",
      marker: 'python_version < "3.11"',
    });
    expect(value(splitRequirement("PySocks (>=1.5.6,!=1.5.7)"))).toEqual({
      name: "pysocks",
      extras: [],
      specifier: ">=1.5.6,!=1.5.7",
    });
    expect(value(splitRequirement('virtualenv (>=20.17) ; python_version >= "3.10"'))).toEqual({
      name: "virtualenv",
      extras: [],
      specifier: ">=20.17",
      marker: 'python_version >= "3.10"',
    });
    expect(value(splitRequirement("requests[socks, Use_Chardet]"))).toEqual({
      name: "requests",
      extras: ["socks", "use-chardet"],
    });
    expect(value(splitRequirement("mylib @ file:///${PROJECT_ROOT}/packages/mylib"))).toEqual({
      name: "mylib",
      extras: [],
      url: "file:///${PROJECT_ROOT}/packages/mylib",
    });
    expect(
      value(
        splitRequirement('greeting @ git+https://github.com/o/greeting.git@v1 ; sys_platform == "linux"'),
      ),
    ).toMatchObject({
      url: "git+https://github.com/o/greeting.git@v1",
      marker: 'sys_platform == "linux"',
    });
    expect(value(splitRequirement("furo"))).toEqual({ name: "furo", extras: [] });
  });

  it("refuses options, broken brackets and bad parts", () => {
    expect(code(splitRequirement("--index-url https://evil.example"))).toBe("invalid-requirement");
    expect(code(splitRequirement("requests[socks"))).toBe("invalid-requirement");
    expect(code(splitRequirement("requests (>=2"))).toBe("invalid-requirement");
    expect(code(splitRequirement("requests ^2.0"))).toBe("invalid-specifier");
    expect(code(splitRequirement("requests\n--x"))).toBe("invalid-requirement");
    expect(code(splitRequirement("requests @"))).toBe("invalid-requirement");
    expect(code(splitRequirement("requests[b@d]"))).toBe("invalid-extra-name");
  });
});
