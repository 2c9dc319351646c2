// The checks every lock reader applies to names, versions, specifiers, markers, hashes, file names,
// URLs, commits and paths, and the marker helpers the Poetry, pdm and Pipfile.lock readers use.
import { describe, expect, it } from "vitest";
import {
  andMarkers,
  checkCommit,
  checkFileBelongs,
  checkFileName,
  checkFileUrl,
  checkGitUrl,
  checkHashDigest,
  checkHashText,
  checkMarker,
  checkPackageName,
  checkRelativePath,
  checkSpecifier,
  checkVersion,
  distributionFileParts,
  groupMarker,
  isArchivePath,
  orMarkers,
  projectExtrasMarker,
  sameVersion,
  urlFileName,
} from "../../../src/spec/locks/lock-value-checks.js";

const value = <T>(checked: { ok: true; value: T } | { ok: false }) =>
  checked.ok ? checked.value : undefined;
const code = (checked: { ok: true } | { ok: false; problem: { code: string } }) =>
  checked.ok ? undefined : checked.problem.code;

describe("lock value checks", () => {
  it("normalizes valid package names and refuses others", () => {
    expect(value(checkPackageName("Flask_SQLAlchemy"))).toBe("flask-sqlalchemy");
    expect(value(checkPackageName("zope.interface"))).toBe("zope-interface");
    expect(value(checkPackageName("Jaraco.Packaging"))).toBe("jaraco-packaging");
    expect(value(checkPackageName("typing_extensions"))).toBe("typing-extensions");
    for (const bad of [
      "",
      "-flask",
      "-e",
      "flask-",
      "flask==3",
      "flask\n--index-url",
      "flask[async]",
      "a b",
      "flask;",
    ]) {
      expect(code(checkPackageName(bad))).toBe("invalid-package-name");
    }
  });

  it("takes PEP 440 versions with epochs and local labels, as written", () => {
    for (const good of [
      "3.1.1",
      "2.0.0rc1",
      "1.0.post1",
      "2.1.0+cpu",
      "1!2.0",
      "2024.10.3",
      "1.0.0+repack",
      "0.1.dev3",
      "0.4.dev3",
    ]) {
      expect(value(checkVersion(good))).toBe(good);
    }
    for (const bad of [
      "",
      "latest",
      "1.0 ",
      " 1.0",
      "1.0\n",
      "1.0\n--x",
      "1.0+",
      "1.0+a..b",
      "1.0+a b",
      ">=1.0",
      "==1.0",
      "1.0; rm -rf",
      "1!",
    ]) {
      expect(code(checkVersion(bad))).toBe("invalid-version");
    }
  });

  it("takes specifier sets as the lock tools write them, and drops their spaces", () => {
    expect(value(checkSpecifier(">=3.7, <4"))).toBe(">=3.7,<4");
    expect(value(checkSpecifier(">=1.5.6, !=1.5.7"))).toBe(">=1.5.6,!=1.5.7");
    expect(value(checkSpecifier("==3.12.*"))).toBe("==3.12.*");
    expect(value(checkSpecifier("==1.*"))).toBe("==1.*");
    expect(value(checkSpecifier("<4,>=2"))).toBe("<4,>=2");
    expect(value(checkSpecifier(">=1.0.0-beta"))).toBe(">=1.0.0-beta");
    expect(value(checkSpecifier("== 2.1.0+cpu"))).toBe("==2.1.0+cpu");
    expect(value(checkSpecifier("===foo-bar"))).toBe("===foo-bar");
    // The clause form and PEP 440 both: no `v` prefix, `.*` only with == and !=, ~= with two parts.
    for (const bad of [
      "",
      "^1.2",
      ">=",
      "1.0",
      "3.9",
      ">=1\n",
      ">=3.9\n--pre",
      ">=v1.0",
      ">=1.*",
      "~=1",
      ">=1.0foo",
    ])
      expect(code(checkSpecifier(bad))).toBe("invalid-specifier");
  });

  it("takes PEP 508 markers, trimmed; refuses empty ones, broken ones and control characters", () => {
    expect(value(checkMarker("python_full_version < '3.11'"))).toBe("python_full_version < '3.11'");
    expect(value(checkMarker(" python_version < '3.11' "))).toBe("python_version < '3.11'");
    expect(value(checkMarker('"socks" in extras and "dev" in dependency_groups'))).toBe(
      '"socks" in extras and "dev" in dependency_groups',
    );
    for (const bad of [
      "",
      "  ",
      "os_name == 'nt'\n--index-url http://evil",
      "os_name == 'nt\u0085'",
      "python_version <",
      "python_version < '3.11' or",
      "colour == 'blue'",
    ]) {
      expect(code(checkMarker(bad))).toBe("invalid-marker");
    }
  });

  it("lowercases hashes of the algorithms pip checks, and refuses the rest", () => {
    const hex = "B0A014440AB38F397E22BECB01E5C4B56C5CDCD72BD5C62BACE02735DA314302";
    expect(value(checkHashText(`sha256:${hex}`))).toBe(`sha256:${hex.toLowerCase()}`);
    expect(value(checkHashDigest("SHA512", "a".repeat(128)))).toBe(`sha512:${"a".repeat(128)}`);
    expect(value(checkHashDigest("sha384", "0".repeat(96)))).toBe(`sha384:${"0".repeat(96)}`);
    expect(code(checkHashText(`sha256:${hex.slice(1)}`))).toBe("invalid-hash");
    expect(code(checkHashText(hex))).toBe("invalid-hash");
    expect(code(checkHashText(`md5:${"a".repeat(32)}`))).toBe("unsupported-hash");
    expect(code(checkHashText(`constructor:${"a".repeat(64)}`))).toBe("unsupported-hash");
    expect(value(checkHashText(`SHA256:${"AB".repeat(32)}`))).toBe(`sha256:${"ab".repeat(32)}`);
    expect(value(checkHashText(`sha384:${"0".repeat(96)}`))).toBe(`sha384:${"0".repeat(96)}`);
    expect(value(checkHashText(`sha512:${"f".repeat(128)}`))).toBe(`sha512:${"f".repeat(128)}`);
    for (const bad of [`sha256:${"g".repeat(64)}`, `sha256 ${"a".repeat(64)}`, `sha 256:${"a".repeat(64)}`])
      expect(code(checkHashText(bad))).toBe("invalid-hash");
    expect(code(checkHashDigest("sha256", `${"a".repeat(63)}\n`))).toBe("invalid-hash");
  });

  it("takes file names of one segment only", () => {
    expect(value(checkFileName("flask-3.1.1-py3-none-any.whl"))).toBe("flask-3.1.1-py3-none-any.whl");
    for (const bad of [
      "",
      ".",
      "..",
      "../flask.whl",
      "dir\\flask.whl",
      "flask 3.whl",
      "flask\t.whl",
      "f\u2028.whl",
      "a\u0085.whl",
    ]) {
      expect(code(checkFileName(bad))).toBe("invalid-file-name");
    }
  });

  it("takes http(s) file URLs without credentials", () => {
    expect(value(checkFileUrl("http://127.0.0.1:3141/files/x-1.0-py3-none-any.whl"))).toBeDefined();
    expect(code(checkFileUrl("file:///tmp/x.whl"))).toBe("unsupported-url");
    expect(code(checkFileUrl("https://user:secret@example.com/x.whl"))).toBe("credentials-in-url");
    expect(code(checkFileUrl("https://token@example.com/x.whl"))).toBe("credentials-in-url");
    expect(code(checkFileUrl("https://example.com/x.whl\n--trusted-host evil"))).toBe("invalid-url");
    expect(code(checkFileUrl("not a url"))).toBe("invalid-url");
    expect(value(checkFileUrl("https://files.example.com/a.whl"))).toBe("https://files.example.com/a.whl");
    const refused = checkFileUrl("https://user:secret@example.com/x.whl");
    expect(refused.ok ? "" : refused.problem.message).not.toContain("secret");
  });

  it("takes git repositories over https and ssh, without passwords", () => {
    expect(value(checkGitUrl("https://github.com/pallets/flask.git"))).toBeDefined();
    expect(value(checkGitUrl("ssh://git@github.com/acme/private.git"))).toBeDefined();
    expect(code(checkGitUrl("https://x-token:abc@github.com/acme/private.git"))).toBe("credentials-in-url");
    expect(code(checkGitUrl("ssh://git:pw@github.com/acme/private.git"))).toBe("credentials-in-url");
    expect(code(checkGitUrl("file:///srv/repo.git"))).toBe("unsupported-url");
    expect(code(checkGitUrl("git://github.com/o/r.git"))).toBe("unsupported-url");
    expect(code(checkGitUrl("ssh:///o/r.git"))).toBe("invalid-url");
  });

  it("takes git+ off git URLs, and the scp form only where the lock keeps what the user wrote", () => {
    expect(value(checkGitUrl("git+https://github.com/o/r.git"))).toBe("https://github.com/o/r.git");
    expect(value(checkGitUrl("git@github.com:o/r.git", { scpForm: true }))).toBe(
      "ssh://git@github.com/o/r.git",
    );
    expect(value(checkGitUrl("ssh://git@github.com/o/r.git", { scpForm: true }))).toBe(
      "ssh://git@github.com/o/r.git",
    );
    expect(code(checkGitUrl("git@github.com:o/r.git"))).toBe("invalid-url");
    expect(code(checkGitUrl("git@github.com:o/r .git", { scpForm: true }))).toBe("invalid-url");
  });

  it("takes full commit ids only, lowercased", () => {
    expect(value(checkCommit("FEA10416B9C479AC88FB217E14E40249B63BFBEE"))).toBe(
      "fea10416b9c479ac88fb217e14e40249b63bfbee",
    );
    expect(value(checkCommit("a".repeat(64)))).toBe("a".repeat(64));
    expect(code(checkCommit("fea1041"))).toBe("invalid-commit");
    for (const bad of ["main", "v1.2.0", "g".repeat(40)])
      expect(code(checkCommit(bad))).toBe("invalid-commit");
  });

  it("takes relative paths as written, `..` included, and refuses absolute ones", () => {
    expect(value(checkRelativePath("../shared"))).toBe("../shared");
    expect(value(checkRelativePath("packages/core"))).toBe("packages/core");
    expect(value(checkRelativePath("./packages/mylib"))).toBe("./packages/mylib");
    expect(code(checkRelativePath("-e"))).toBe("invalid-path");
    expect(code(checkRelativePath("/home/me/lib"))).toBe("absolute-path");
    expect(code(checkRelativePath("C:\\work\\lib"))).toBe("absolute-path");
    expect(code(checkRelativePath("~/lib"))).toBe("absolute-path");
    expect(code(checkRelativePath("--editable"))).toBe("invalid-path");
    expect(code(checkRelativePath("lib\n"))).toBe("invalid-path");
    expect(code(checkRelativePath(""))).toBe("invalid-path");
  });

  it("reads names and versions from wheel and sdist file names", () => {
    expect(distributionFileParts("typing_extensions-4.16.0-py3-none-any.whl")).toEqual({
      name: "typing-extensions",
      version: "4.16.0",
    });
    expect(distributionFileParts("simplewheel-2.0-1-py2.py3-none-any.whl")).toEqual({
      name: "simplewheel",
      version: "2.0",
    });
    expect(distributionFileParts("charset-normalizer-2.0.12.tar.gz")).toEqual({
      name: "charset-normalizer",
      version: "2.0.12",
    });
    expect(urlFileName("https://h/files/torch-2.1.0%2Bcpu-cp311-cp311-linux_x86_64.whl")).toBe(
      "torch-2.1.0+cpu-cp311-cp311-linux_x86_64.whl",
    );
  });

  it("compares versions as PEP 440 does", () => {
    expect(sameVersion("1.0", "1.0.0")).toBe(true);
    expect(sameVersion("1.0.0+repack", "1.0.0+repack")).toBe(true);
    expect(sameVersion("2.1.0+cpu", "2.1.0")).toBe(true);
    expect(sameVersion("2.1.0+cpu", "2.1.0+cu121")).toBe(false);
    expect(sameVersion("1.0rc1", "1.0")).toBe(false);
    expect(sameVersion("1!1.0", "1.0")).toBe(false);
    expect(sameVersion("1!1.0", "1!1.0.0")).toBe(true);
    expect(sameVersion("1.0.dev1", "1.0")).toBe(false);
    expect(sameVersion("1.0.post1", "1.0.post2")).toBe(false);
    expect(sameVersion("2.1.0+CPU", "2.1.0+cpu")).toBe(true);
    // PEP 440 normalizes the separators of a local label: a wheel spells `-` as `_`.
    expect(sameVersion("1.0+ubuntu-1", "1.0+ubuntu_1")).toBe(true);
  });

  it("refuses a file of another package or version", () => {
    expect(checkFileBelongs("flask-3.1.1-py3-none-any.whl", "flask", "3.1.1")).toBeUndefined();
    expect(checkFileBelongs("MarkupSafe-3.0.2-cp312-cp312-win32.whl", "markupsafe", "3.0.2")).toBeUndefined();
    expect(checkFileBelongs("flask-3.1.0-py3-none-any.whl", "flask", "3.1.1")?.code).toBe(
      "inconsistent-file",
    );
    expect(checkFileBelongs("evil-3.1.1-py3-none-any.whl", "flask", "3.1.1")?.code).toBe("inconsistent-file");
    expect(checkFileBelongs("flask.whl", "flask", "3.1.1")?.code).toBe("invalid-file-name");
    // Other archive forms (a GitHub tarball) are pinned by their hash alone.
    expect(checkFileBelongs("0.1.2", "pip-test-package", undefined)).toBeUndefined();
  });
});

describe("marker helpers", () => {
  it("tells archives from project directories", () => {
    for (const archive of ["dist/a-1.0-py3-none-any.whl", "a-1.0.tar.gz", "a.ZIP", "a-1.0.tgz"])
      expect(isArchivePath(archive)).toBe(true);
    for (const dir of ["packages/core", "../shared", "a.tar.gz.d"]) expect(isArchivePath(dir)).toBe(false);
  });

  it("joins conditions that must all hold; an absent one drops out", () => {
    expect(andMarkers("a == '1'", undefined, "b == '2'")).toBe("(a == '1') and (b == '2')");
    expect(andMarkers(undefined, "a == '1'")).toBe("a == '1'");
    expect(andMarkers(undefined, "")).toBeUndefined();
  });

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
