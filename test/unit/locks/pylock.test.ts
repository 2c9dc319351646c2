// readPylock: PEP 751 lock files as pip, uv and PDM write them, into a flat LockGraph.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DiagnosticList } from "../../../src/spec/diagnostic-list.js";
import { formatDiagnostic } from "../../../src/spec/diagnostics.js";
import type { LockedPackage, LockGraph } from "../../../src/spec/locks/lock-graph.js";
import { isPylockFileName, readPylock } from "../../../src/spec/locks/pylock.js";

const FIXTURES = join(import.meta.dirname, "../../locks/pylock");
const SHA = (c: string) => c.repeat(64);

function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name, "pylock.toml"), "utf8");
}

function read(text: string, file = "pylock.toml") {
  const out = new DiagnosticList();
  const graph = readPylock(file, text, out);
  return { graph, messages: out.items.map(formatDiagnostic), codes: out.items.map((d) => d.code) };
}

function readOk(text: string, file = "pylock.toml"): LockGraph {
  const { graph, messages } = read(text, file);
  expect(messages).toEqual([]);
  expect(graph).toBeDefined();
  return graph!;
}

function pkg(graph: LockGraph, name: string): LockedPackage {
  const found = graph.packages.filter((p) => p.name === name);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** Line and column (1-based) where `needle` starts in `text`. */
function at(text: string, needle: string): string {
  const offset = text.indexOf(needle);
  expect(offset).toBeGreaterThanOrEqual(0);
  const before = text.slice(0, offset);
  return `${before.split("\n").length}:${offset - before.lastIndexOf("\n")}`;
}

/** A lock in uv's `uv export --format pylock.toml` layout, with one package table added. */
function uvExport(packageTable: string): string {
  return [
    'lock-version = "1.0"',
    'created-by = "uv"',
    'requires-python = ">=3.12"',
    "",
    packageTable,
    "",
  ].join("\n");
}

const WHEEL = (name: string, hash = SHA("a")) =>
  `wheels = [{ url = "http://127.0.0.1:3141/files/${name}", upload-time = 2025-01-21T20:04:47Z, size = 16164, hashes = { sha256 = "${hash}" } }]`;

describe("isPylockFileName", () => {
  it("knows pylock.toml and named locks only", () => {
    for (const name of ["pylock.toml", "pylock.prod.toml", "pylock.spam-service.toml"]) {
      expect(isPylockFileName(name)).toBe(true);
    }
    for (const name of [
      "pylock.a.b.toml",
      "Pylock.toml",
      "pylock..toml",
      "pylock.json",
      "my.pylock.toml",
      "uv.lock",
    ]) {
      expect(isPylockFileName(name)).toBe(false);
    }
  });
});

describe("readPylock: the fixtures", () => {
  it("reads pip lock's single-use lock: index files pinned by hash, the project itself", () => {
    const text = fixture("pip-lock");
    const graph = readOk(text, "api/pylock.toml");
    expect(graph).toMatchObject({
      format: "pylock",
      file: "api/pylock.toml",
      formatVersion: "1.0",
      selection: { kind: "flat" },
      defaultGroups: [],
      groups: [],
      extras: [],
    });
    expect(graph.requiresPython).toBeUndefined();
    expect(graph.environments).toBeUndefined();
    expect(graph.packages.map((p) => `${p.name} ${p.version} ${p.source.kind}`)).toEqual([
      "blinker 1.9.0 registry",
      "click 8.3.3 registry",
      "flask 3.1.3 registry",
      "gunicorn 26.2.2 registry",
      "hello-web  project",
      "itsdangerous 2.2.0 registry",
      "jinja2 3.1.6 registry",
      "markupsafe 2.1.5 registry",
      "werkzeug 3.1.9 registry",
    ]);
    const markupsafe = pkg(graph, "markupsafe");
    expect(markupsafe).toMatchObject({
      source: { kind: "registry" },
      files: [
        {
          name: "markupsafe-2.1.5-cp313-cp313-manylinux_2_17_x86_64.whl",
          hashes: ["sha256:ff658cec2f4d93d121402b35283e3f291e60f9232b2fb1dcc800301ce422de68"],
          url: "http://127.0.0.1:3141/files/markupsafe-2.1.5-cp313-cp313-manylinux_2_17_x86_64.whl",
        },
      ],
      dependencies: [],
      optionalDependencies: {},
    });
    expect(markupsafe.marker).toBeUndefined();
    // No groups on a pylock package: its marker decides.
    expect(markupsafe.groups).toBeUndefined();
    expect(markupsafe.position).toEqual({
      file: "api/pylock.toml",
      line: Number(at(text, '[[packages]]\nname = "markupsafe"').split(":")[0]),
      column: 1,
    });
  });

  it("reads PDM's multi-use lock: markers on extras and groups, default-groups, per-package requires-python", () => {
    const graph = readOk(fixture("pdm-groups"));
    expect(graph.requiresPython).toBe(">=3.10");
    expect(graph.environments).toEqual(['python_version >= "3.10"']);
    expect(graph.extras).toEqual(["cli"]);
    expect(graph.groups).toEqual(["default", "dev"]);
    expect(graph.defaultGroups).toEqual(["default"]);
    expect(pkg(graph, "httpx")).toMatchObject({
      version: "0.28.1",
      marker: '"default" in dependency_groups',
      requiresPython: ">=3.8",
    });
    expect(pkg(graph, "exceptiongroup").marker).toBe(
      'python_version < "3.11" and "default" in dependency_groups',
    );
    expect(pkg(graph, "rich").marker).toBe('"cli" in extras');
    expect(pkg(graph, "iniconfig").marker).toBe('"dev" in dependency_groups');
    expect(pkg(graph, "rich").requiresPython).toBe(">=3.9.0");
    for (const p of graph.packages) {
      expect(p.files).toHaveLength(1);
      expect(p.files[0]!.hashes[0]).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
  });

  it("reads a direct archive URL, pinned by its hash", () => {
    const graph = readOk(fixture("archive"));
    expect(pkg(graph, "pfhello")).toMatchObject({
      version: "",
      source: { kind: "url", url: "http://127.0.0.1:3141/files/pfhello-1.1.0-py3-none-any.whl" },
      files: [
        {
          name: "pfhello-1.1.0-py3-none-any.whl",
          hashes: ["sha256:2e2757ea5c0641094ff13202d096532fec0e755635d6f27d7a5b4670d933c794"],
          url: "http://127.0.0.1:3141/files/pfhello-1.1.0-py3-none-any.whl",
        },
      ],
    });
    expect(pkg(graph, "greeter-cli").source).toEqual({ kind: "project" });
  });
});

describe("readPylock: uv's export layout and the other sources", () => {
  it("reads inline tables, index, sdist and wheels with upload times", () => {
    const graph = readOk(
      uvExport(
        [
          "[[packages]]",
          'name = "anyio"',
          'version = "3.6.2"',
          "marker = \"sys_platform == 'linux'\"",
          'index = "http://127.0.0.1:3141/simple"',
          `sdist = { url = "http://127.0.0.1:3141/files/anyio-3.6.2.tar.gz", upload-time = 2023-05-27T11:12:46Z, size = 142737, hashes = { sha256 = "${SHA("B")}" } }`,
          WHEEL("anyio-3.6.2-py3-none-any.whl"),
        ].join("\n"),
      ),
    );
    expect(pkg(graph, "anyio")).toMatchObject({
      version: "3.6.2",
      marker: "sys_platform == 'linux'",
      source: { kind: "registry", url: "http://127.0.0.1:3141/simple" },
      files: [
        { name: "anyio-3.6.2.tar.gz", hashes: [`sha256:${SHA("b")}`] },
        { name: "anyio-3.6.2-py3-none-any.whl", hashes: [`sha256:${SHA("a")}`] },
      ],
    });
    expect(graph.requiresPython).toBe(">=3.12");
  });

  it("prefers `name` over the URL's file name, and keeps only the hashes pip checks", () => {
    const graph = readOk(
      uvExport(
        [
          "[[packages]]",
          'name = "markupsafe"',
          'version = "3.0.2"',
          "wheels = [",
          `    { name = "markupsafe-3.0.2-cp312-cp312-win32.whl", url = "https://files.example.com/MarkupSafe-3.0.2-cp312-cp312-win32.whl", hashes = { sha256 = "${SHA("c")}", blake2b = "abc" } },`,
          "]",
        ].join("\n"),
      ),
    );
    expect(pkg(graph, "markupsafe").files).toEqual([
      {
        name: "markupsafe-3.0.2-cp312-cp312-win32.whl",
        hashes: [`sha256:${SHA("c")}`],
        url: "https://files.example.com/MarkupSafe-3.0.2-cp312-cp312-win32.whl",
      },
    ]);
  });

  it("reads git repositories, directories and workspace members", () => {
    const graph = readOk(
      uvExport(
        [
          "[[packages]]",
          'name = "uv-public-pypackage"',
          'version = "0.1.0"',
          `vcs = { type = "git", url = "https://github.com/astral-test/uv-public-pypackage", requested-revision = "0.0.1", commit-id = "B270DF1A2FB5D012294E9AAF05E7E0BAB1E6A389", subdirectory = "pkg" }`,
          "",
          "[[packages]]",
          'name = "member"',
          'directory = { path = "packages/member", editable = true }',
          "",
          "[[packages]]",
          'name = "shared"',
          'directory = { path = "../shared", subdirectory = "python" }',
          "",
          "[[packages]]",
          'name = "project"',
          'directory = { path = ".", editable = true }',
        ].join("\n"),
      ),
    );
    expect(pkg(graph, "uv-public-pypackage").source).toEqual({
      kind: "git",
      url: "https://github.com/astral-test/uv-public-pypackage",
      commit: "b270df1a2fb5d012294e9aaf05e7e0bab1e6a389",
      subdirectory: "pkg",
    });
    expect(pkg(graph, "member").source).toEqual({
      kind: "directory",
      path: "packages/member",
      editable: true,
    });
    expect(pkg(graph, "shared").source).toEqual({
      kind: "directory",
      path: "../shared/python",
      editable: false,
    });
    expect(pkg(graph, "project").source).toEqual({ kind: "project" });
  });

  it("reads a local archive as a path of the context, pinned by its hash", () => {
    const graph = readOk(
      uvExport(
        [
          "[[packages]]",
          'name = "simple2"',
          "",
          "[packages.archive]",
          'path = "../packages/simple2-3.0.tar.gz"',
          "",
          "[packages.archive.hashes]",
          `sha256 = "${SHA("d")}"`,
        ].join("\n"),
      ),
    );
    expect(pkg(graph, "simple2")).toMatchObject({
      source: { kind: "directory", path: "../packages/simple2-3.0.tar.gz", editable: false },
      files: [{ name: "simple2-3.0.tar.gz", hashes: [`sha256:${SHA("d")}`] }],
    });
  });

  it("keeps several entries of one name: the markers choose among them", () => {
    const graph = readOk(
      uvExport(
        [
          "[[packages]]",
          'name = "numpy"',
          'version = "1.24.2"',
          "marker = \"python_full_version < '3.13'\"",
          WHEEL("numpy-1.24.2-cp311-cp311-manylinux_2_35_x86_64.whl"),
          "",
          "[[packages]]",
          'name = "numpy"',
          'version = "2.2.4"',
          "marker = \"python_full_version >= '3.13'\"",
          WHEEL("numpy-2.2.4-cp313-cp313-manylinux_2_38_x86_64.whl"),
        ].join("\n"),
      ),
    );
    expect(graph.packages.map((p) => `${p.name} ${p.version} ${p.marker}`)).toEqual([
      "numpy 1.24.2 python_full_version < '3.13'",
      "numpy 2.2.4 python_full_version >= '3.13'",
    ]);
  });

  it("normalizes names written unnormalized", () => {
    const graph = readOk(
      uvExport(
        [
          "[[packages]]",
          'name = "Typing_Extensions"',
          'version = "4.16.0"',
          WHEEL("typing_extensions-4.16.0-py3-none-any.whl"),
        ].join("\n"),
      ),
    );
    expect(graph.packages[0]!.name).toBe("typing-extensions");
  });
});

describe("readPylock: refusals", () => {
  it("refuses another major lock-version; warns of a newer minor one", () => {
    const text = fixture("pip-lock").replace('lock-version = "1.0"', 'lock-version = "2.0"');
    expect(read(text).messages).toEqual([
      'pylock.toml:1:16: lock-version: pylock.toml lock-version "2.0" is not supported; pyfront reads version 1.x\n  hint: lock with a tool that writes lock-version = "1.0"',
    ]);
    const minor = read(fixture("pip-lock").replace('lock-version = "1.0"', 'lock-version = "1.1"'));
    expect(minor.graph).toBeDefined();
    expect(minor.messages).toEqual([
      "pylock.toml:1:16: warning: lock-version: lock-version 1.1 is newer than 1.0; keys added since are not read",
    ]);
    expect(read(fixture("pip-lock").replace('lock-version = "1.0"\n', "")).codes).toEqual(["missing-key"]);
    expect(read(fixture("pip-lock").replace('lock-version = "1.0"', "lock-version = 1.0")).codes).toEqual([
      "invalid-type",
    ]);
    expect(read(fixture("pip-lock").replace('created-by = "pip"\n', "")).codes).toEqual(["missing-key"]);
  });

  it("refuses a package with two sources, or none", () => {
    const two = uvExport(
      [
        "[[packages]]",
        'name = "pfhello"',
        `archive = { url = "http://127.0.0.1:3141/files/pfhello-1.1.0-py3-none-any.whl", hashes = { sha256 = "${SHA("e")}" } }`,
        WHEEL("pfhello-1.1.0-py3-none-any.whl"),
      ].join("\n"),
    );
    expect(read(two).messages).toEqual([
      `pylock.toml:${at(two, "archive =")}: packages[0].archive: pfhello is given by archive and wheels; a package has one source (vcs, directory, archive, or sdist and wheels)\n  hint: the lock is damaged or was edited by hand; lock again`,
    ]);
    const none = uvExport(["[[packages]]", 'name = "pfhello"', 'version = "1.1.0"'].join("\n"));
    expect(read(none).messages).toEqual([
      "pylock.toml:5:1: packages[0]: the source of pfhello (vcs, directory, archive, sdist or wheels) is missing",
    ]);
  });

  it("refuses bad hashes at their position, and files without a hash pip can check", () => {
    const text = fixture("pip-lock").replace(
      'sha256 = "ff658cec2f4d93d121402b35283e3f291e60f9232b2fb1dcc800301ce422de68"',
      'sha256 = "ff658cec"',
    );
    expect(read(text).messages).toEqual([
      `pylock.toml:${at(text, '"ff658cec"')}: packages[7].wheels[0].hashes.sha256: "ff658cec" is not a sha256 digest\n  hint: a sha256 digest is 64 hexadecimal digits`,
    ]);
    const md5Only = uvExport(
      [
        "[[packages]]",
        'name = "six"',
        'version = "1.17.0"',
        'wheels = [{ url = "http://h/six-1.17.0-py2.py3-none-any.whl", hashes = { md5 = "abc" } }]',
      ].join("\n"),
    );
    expect(read(md5Only).codes).toEqual(["unsupported-hash"]);
    const empty = uvExport(
      [
        "[[packages]]",
        'name = "six"',
        'version = "1.17.0"',
        'wheels = [{ url = "http://h/six-1.17.0-py2.py3-none-any.whl", hashes = {} }]',
      ].join("\n"),
    );
    expect(read(empty).codes).toEqual(["missing-key"]);
    const noHashes = uvExport(
      [
        "[[packages]]",
        'name = "six"',
        'version = "1.17.0"',
        'wheels = [{ url = "http://h/six-1.17.0-py2.py3-none-any.whl" }]',
      ].join("\n"),
    );
    expect(read(noHashes).codes).toEqual(["missing-key"]);
  });

  it("refuses files of another package or version", () => {
    const text = uvExport(
      ["[[packages]]", 'name = "six"', 'version = "1.16.0"', WHEEL("six-1.17.0-py2.py3-none-any.whl")].join(
        "\n",
      ),
    );
    expect(read(text).codes).toEqual(["inconsistent-file"]);
    const named = uvExport(
      ["[[packages]]", 'name = "six"', 'version = "1.17.0"', WHEEL("evil-1.17.0-py2.py3-none-any.whl")].join(
        "\n",
      ),
    );
    expect(read(named).codes).toEqual(["inconsistent-file"]);
  });

  it("refuses URLs with credentials and local-only files", () => {
    const creds = uvExport(
      [
        "[[packages]]",
        'name = "six"',
        'version = "1.17.0"',
        `wheels = [{ url = "https://me:tok@pypi.example.com/six-1.17.0-py2.py3-none-any.whl", hashes = { sha256 = "${SHA("a")}" } }]`,
      ].join("\n"),
    );
    const result = read(creds);
    expect(result.codes).toEqual(["credentials-in-url"]);
    expect(result.messages.join("")).not.toContain("tok@");
    const index = uvExport(
      [
        "[[packages]]",
        'name = "six"',
        'version = "1.17.0"',
        'index = "https://me:tok@pypi.example.com/simple"',
        WHEEL("six-1.17.0-py2.py3-none-any.whl"),
      ].join("\n"),
    );
    expect(read(index).codes).toEqual(["credentials-in-url"]);
    const local = uvExport(
      [
        "[[packages]]",
        'name = "six"',
        'version = "1.17.0"',
        `wheels = [{ path = "wheels/six-1.17.0-py2.py3-none-any.whl", hashes = { sha256 = "${SHA("a")}" } }]`,
      ].join("\n"),
    );
    expect(read(local).codes).toEqual(["unsupported-source"]);
  });

  it("refuses other version control systems, local repositories, short commits, archive subdirectories", () => {
    const vcs = (table: string) =>
      read(uvExport(["[[packages]]", 'name = "lib"', `vcs = ${table}`].join("\n"))).codes;
    expect(
      vcs(`{ type = "hg", url = "https://hg.example.com/lib", commit-id = "${"a".repeat(40)}" }`),
    ).toEqual(["unsupported-source"]);
    expect(vcs(`{ type = "git", path = "../lib", commit-id = "${"a".repeat(40)}" }`)).toEqual([
      "unsupported-source",
    ]);
    expect(vcs('{ type = "git", url = "https://github.com/acme/lib", commit-id = "main" }')).toEqual([
      "invalid-commit",
    ]);
    expect(vcs('{ type = "git", url = "https://github.com/acme/lib" }')).toEqual(["missing-key"]);
    const subdirectory = uvExport(
      [
        "[[packages]]",
        'name = "lib"',
        `archive = { url = "https://example.com/lib.tar.gz", subdirectory = "py", hashes = { sha256 = "${SHA("a")}" } }`,
      ].join("\n"),
    );
    expect(read(subdirectory).codes).toEqual(["unsupported-source"]);
  });

  it("refuses bad names, versions, markers and paths", () => {
    const one = (lines: string[]) => read(uvExport(["[[packages]]", ...lines].join("\n"))).codes;
    const wheel = WHEEL("six-1.17.0-py2.py3-none-any.whl");
    expect(one(['name = "six; rm"', 'version = "1.17.0"', wheel])).toEqual(["invalid-package-name"]);
    expect(one(['name = "six"', 'version = "1.17.0\\n-e ."', wheel])).toEqual(["invalid-version"]);
    expect(
      one(['name = "six"', 'version = "1.17.0"', "marker = \"os_name == 'nt'\\r\\n--pre\"", wheel]),
    ).toEqual(["invalid-marker"]);
    expect(one(['name = "six"', 'version = "1.17.0"', 'requires-python = "3"', wheel])).toEqual([
      "invalid-specifier",
    ]);
    expect(one(['name = "lib"', 'directory = { path = "/srv/lib" }'])).toEqual(["absolute-path"]);
    expect(one(['name = "lib"', 'directory = { path = "lib", editable = "yes" }'])).toEqual(["invalid-type"]);
  });

  it("refuses extras and groups that are not names, and file names with a folder", () => {
    expect(read(fixture("pdm-groups").replace('extras = ["cli"]', 'extras = ["cli tools"]')).codes).toEqual([
      "invalid-extra-name",
    ]);
    expect(
      read(fixture("pdm-groups").replace('default-groups = ["default"]', 'default-groups = ["default\\n"]'))
        .codes,
    ).toEqual(["invalid-group-name"]);
    const named = uvExport(
      [
        "[[packages]]",
        'name = "six"',
        'version = "1.17.0"',
        `wheels = [{ name = "../six-1.17.0-py2.py3-none-any.whl", url = "http://h/six-1.17.0-py2.py3-none-any.whl", hashes = { sha256 = "${SHA("a")}" } }]`,
      ].join("\n"),
    );
    const result = read(named);
    expect(result.codes).toEqual(["invalid-file-name"]);
    expect(result.messages[0]).toContain(`pylock.toml:${at(named, '"../six')}: packages[0].wheels[0].name:`);
  });

  it("refuses the __proto__ key", () => {
    expect(read(uvExport('[[packages]]\nname = "x"\n__proto__ = 1')).codes).toEqual(["reserved-key"]);
  });
});

describe("readPylock: malformed input gives diagnostics, never a throw", () => {
  it("reports a missing or mistyped package list", () => {
    expect(read('lock-version = "1.0"\ncreated-by = "x"\n').codes).toEqual(["missing-key"]);
    expect(read('lock-version = "1.0"\ncreated-by = "x"\npackages = "all"\n').messages).toEqual([
      "pylock.toml:3:12: packages: expected a list, got a string",
    ]);
    expect(read('lock-version = "1.0"\ncreated-by = "x"\npackages = []\n').graph?.packages).toEqual([]);
    expect(read('lock-version = "1.0"\ncreated-by = "x"\npackages = [1]\n').codes).toEqual(["invalid-type"]);
    expect(read('lock-version = "1.0"\ncreated-by = "x"\nextras = "cli"\npackages = []\n').codes).toEqual([
      "invalid-type",
    ]);
  });

  it("reports TOML syntax errors at their position", () => {
    const { graph, messages } = read('lock-version = "1.0"\ncreated-by = = "pip"\n');
    expect(graph).toBeUndefined();
    expect(messages[0]).toMatch(/^pylock\.toml:2:\d+: TOML syntax error/);
  });

  it("survives every prefix of a real lock without throwing", () => {
    const text = fixture("pdm-groups");
    for (let end = 0; end <= text.length; end += 11) {
      expect(() => read(text.slice(0, end))).not.toThrow();
    }
  });
});
