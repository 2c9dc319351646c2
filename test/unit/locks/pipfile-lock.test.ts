// readPipfileLock: Pipfile.lock (pipfile-spec 6) into a flat LockGraph, one group per category.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { selectLockedPackages } from "../../../src/plan/lock-selection.js";
import { DiagnosticList } from "../../../src/spec/diagnostic-list.js";
import { formatDiagnostic } from "../../../src/spec/diagnostics.js";
import type { LockedPackage, LockGraph } from "../../../src/spec/locks/lock-graph.js";
import { readPipfileLock } from "../../../src/spec/locks/pipfile-lock.js";

const fixtures = new URL("../../locks/pipfile/", import.meta.url);

function read(text: string): { graph: LockGraph | undefined; diagnostics: string[] } {
  const out = new DiagnosticList();
  const graph = readPipfileLock("Pipfile.lock", text, out);
  return { graph, diagnostics: out.items.map(formatDiagnostic) };
}

function readFixture(name: string): LockGraph {
  const { graph, diagnostics } = read(readFileSync(new URL(`${name}/Pipfile.lock`, fixtures), "utf8"));
  expect(diagnostics).toEqual([]);
  return graph!;
}

function pkg(graph: LockGraph, name: string): LockedPackage {
  const found = graph.packages.find((p) => p.name === name);
  if (!found) throw new Error(`no package ${name}`);
  return found;
}

/** A Pipfile.lock as pipenv writes it (4-space JSON), with the given default entries. */
function lockWith(defaultEntries: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      _meta: {
        hash: { sha256: "ffefd970eb9ea599044d33046b3bc6185c16bf2f9eb350f4d909d25dcacd5c68" },
        "pipfile-spec": 6,
        requires: { python_version: "3.11" },
        sources: [{ name: "local", url: "http://127.0.0.1:3141/simple", verify_ssl: false }],
      },
      default: defaultEntries,
      develop: {},
      ...extra,
    },
    null,
    4,
  );
}

const GUNICORN = {
  hashes: ["sha256:a2ec2f075fdce08f8f262cd9f26456f4eb6d77e1628e474a28e0abef3a085aa8"],
  index: "local",
  version: "==26.2.2",
};

describe("readPipfileLock: fixtures written by pipenv 2022.12", () => {
  it("reads each entry's version, hashes, index and marker; flat, default only in production", () => {
    const graph = readFixture("plain-app");
    expect(graph).toMatchObject({
      format: "pipfile",
      file: "Pipfile.lock",
      formatVersion: "6",
      selection: { kind: "flat" },
      defaultGroups: ["default"],
      groups: ["default", "develop"],
      extras: [],
      requiresPython: "==3.11.*",
    });
    expect(pkg(graph, "flask")).toEqual({
      name: "flask",
      version: "3.1.3",
      source: { kind: "registry", url: "http://127.0.0.1:3141/simple" },
      files: [{ hashes: ["sha256:29c455d2dd3e9812e060c233cda1c19f19d8717fa3ff6992828597b256720f31"] }],
      groups: ["default"],
      dependencies: [],
      optionalDependencies: {},
      position: { file: "Pipfile.lock", line: 33, column: 9 },
    });
    expect(pkg(graph, "blinker")).toMatchObject({
      source: { kind: "registry" },
      marker: "python_version >= '3.9'",
    });
  });

  it("keeps pipenv's markers as written", () => {
    const graph = readFixture("markers");
    expect(pkg(graph, "uvloop").marker).toBe("sys_platform == 'linux'");
    expect(pkg(graph, "tzdata").marker).toBe("sys_platform == 'win32'");
    expect(pkg(graph, "tomli").marker).toBe("python_version < '3.12'");
    expect(pkg(graph, "anyio").marker).toBeUndefined();
  });

  it("lists the packages extras pulled in as entries of their own", () => {
    const graph = readFixture("extras");
    expect(graph.packages.map((p) => p.name)).toEqual(expect.arrayContaining(["pysocks", "psycopg-pool"]));
    expect(pkg(graph, "psycopg").dependencies).toEqual([]);
  });

  it("reads custom categories as groups; one package in two categories is one, with a marker per group", () => {
    const graph = readFixture("groups");
    expect(graph.groups).toEqual(["default", "develop", "docs"]);
    expect(pkg(graph, "docutils").groups).toEqual(["docs"]);
    expect(graph.packages.filter((p) => p.name === "pygments")).toHaveLength(1);
    expect(pkg(graph, "pygments")).toMatchObject({
      groups: ["develop", "docs"],
      source: { kind: "registry", url: "http://127.0.0.1:3141/simple" },
      marker:
        '("develop" in dependency_groups and (python_version >= \'3.9\')) or "docs" in dependency_groups',
    });
  });

  it("reads git entries (ref is the commit) and editable paths, without version or hashes", () => {
    const graph = readFixture("path-git");
    expect(pkg(graph, "greeting")).toMatchObject({
      version: "",
      source: {
        kind: "git",
        url: "https://github.com/example-org/greeting.git",
        commit: "db57406504481517f2742f622eb7c226032ebfbe",
      },
      files: [],
    });
    expect(pkg(graph, "mylib")).toMatchObject({
      source: { kind: "directory", path: "./packages/mylib", editable: true },
      files: [],
    });
    expect(pkg(graph, "python-dateutil").marker).toBe(
      "python_version >= '2.7' and python_version not in '3.0, 3.1, 3.2'",
    );
  });
});

describe("readPipfileLock: mappings", () => {
  it("reads file URLs, subdirectories, python_full_version, and lowercases hashes", () => {
    const { graph, diagnostics } = read(
      JSON.stringify({
        _meta: { "pipfile-spec": 6, requires: { python_full_version: "3.11.4" }, sources: [] },
        default: {
          greeting: {
            file: "https://files.example.com/greeting-1.2.0-py3-none-any.whl",
            hashes: [`SHA256:${"A".repeat(64)}`],
            version: "==1.2.0",
          },
          sub: {
            git: "git@github.com:example-org/mono.git",
            ref: "db57406504481517f2742f622eb7c226032ebfbe",
            subdirectory: "libs/sub",
          },
        },
        develop: {},
      }),
    );
    expect(diagnostics).toEqual([]);
    expect(graph?.requiresPython).toBe("==3.11.4");
    expect(graph?.packages[0]).toMatchObject({
      source: { kind: "url", url: "https://files.example.com/greeting-1.2.0-py3-none-any.whl" },
      files: [
        {
          name: "greeting-1.2.0-py3-none-any.whl",
          url: "https://files.example.com/greeting-1.2.0-py3-none-any.whl",
          hashes: [`sha256:${"a".repeat(64)}`],
        },
      ],
    });
    expect(graph?.packages[1]?.source).toEqual({
      kind: "git",
      url: "ssh://git@github.com/example-org/mono.git",
      commit: "db57406504481517f2742f622eb7c226032ebfbe",
      subdirectory: "libs/sub",
    });
  });

  it("keeps no index URL that holds credentials or environment variables", () => {
    const text = lockWith({ gunicorn: GUNICORN }).replace(
      '"url": "http://127.0.0.1:3141/simple"',
      '"url": "https://${PYPI_USER}:${PYPI_TOKEN}@pypi.example.com/simple"',
    );
    const { graph, diagnostics } = read(text);
    expect(diagnostics).toEqual([]);
    expect(graph?.packages[0]?.source).toEqual({ kind: "registry" });
  });

  it("keeps one package per version when categories lock different versions", () => {
    const develop = { gunicorn: { ...GUNICORN, version: "==23.0.0", hashes: [`sha256:${"b".repeat(64)}`] } };
    const { graph } = read(lockWith({ gunicorn: GUNICORN }, { develop }));
    expect(graph?.packages.map((p) => [p.version, p.groups])).toEqual([
      ["26.2.2", ["default"]],
      ["23.0.0", ["develop"]],
    ]);
  });
});

describe("readPipfileLock: refusals and malformed input", () => {
  it("reports JSON syntax errors at their position, and duplicate keys", () => {
    const broken = read('{\n    "_meta": {\n        "pipfile-spec": 6,\n    }\n}');
    expect(broken.graph).toBeUndefined();
    expect(broken.diagnostics).toEqual([expect.stringMatching(/^Pipfile\.lock:4:5: JSON syntax error: /)]);
    const duplicate = read('{"_meta": {"pipfile-spec": 6}, "default": {}, "default": {}}');
    expect(duplicate.diagnostics).toEqual([
      expect.stringMatching(/^Pipfile\.lock:1:\d+: "default" is defined twice/),
    ]);
  });

  it("refuses an unknown pipfile-spec and a lock without _meta", () => {
    expect(read(lockWith({}).replace('"pipfile-spec": 6', '"pipfile-spec": 7')).diagnostics).toEqual([
      "Pipfile.lock:6:25: _meta.pipfile-spec: pipfile-spec 7 is not one pyfront knows (6)\n  hint: lock again with a current pipenv (pipenv lock)",
    ]);
    // 6.0 is a number JavaScript holds as 6, but not the integer the format writes.
    expect(read(lockWith({}).replace('"pipfile-spec": 6', '"pipfile-spec": 6.0')).diagnostics).toEqual([
      "Pipfile.lock:6:25: _meta.pipfile-spec: expected an integer, got 6.0",
    ]);
    expect(read('{"default": {}}').diagnostics).toEqual([
      expect.stringMatching(/^Pipfile\.lock:1:1: _meta: the _meta object is missing/),
    ]);
    for (const text of [
      "[]",
      "1",
      '""',
      "null",
      '{"_meta": 1}',
      '{"_meta": {"pipfile-spec": "6"}}',
      '{"_meta": {"pipfile-spec": 6}, "default": []}',
      '{"_meta": {"pipfile-spec": 6}, "default": {"x": 1}}',
    ]) {
      expect(() => read(text)).not.toThrow();
      expect(read(text).diagnostics.length).toBeGreaterThan(0);
    }
  });

  it("refuses bad names, unpinned versions, bad hashes and markers at their positions", () => {
    const text = lockWith({
      "gunicorn\n--index-url": GUNICORN,
      flask: { hashes: ["sha256:29c4"], version: ">=3.1" },
      click: {
        hashes: ["md5:0123456789abcdef0123456789abcdef"],
        markers: "os_name == 'nt'\r",
        version: "==8.3.3",
      },
      idna: { hashes: [] },
    });
    const { graph, diagnostics } = read(text);
    expect(graph).toBeUndefined();
    expect(diagnostics).toEqual([
      expect.stringMatching(
        /^Pipfile\.lock:19:9: default\."gunicorn\\n--index-url": "gunicorn\\n--index-url" is not a package name/,
      ),
      expect.stringMatching(
        /^Pipfile\.lock:30:24: default\.flask\.version: ">=3\.1" is not a pinned version/,
      ),
      expect.stringMatching(/^Pipfile\.lock:36:24: default\.click\.markers: ".*" holds control characters/),
      expect.stringMatching(/^Pipfile\.lock:39:17: default\.idna\.version: the locked version is missing/),
    ]);
    const hashes = read(
      lockWith({
        flask: { hashes: ["sha256:29c4", "md5:0123456789abcdef0123456789abcdef"], version: "==3.1.3" },
      }),
    );
    expect(hashes.diagnostics).toEqual([
      expect.stringMatching(
        /^Pipfile\.lock:21:17: default\.flask\.hashes\[0\]: "29c4" is not a sha256 digest/,
      ),
      expect.stringMatching(
        /^Pipfile\.lock:22:17: default\.flask\.hashes\[1\]: "md5" hashes cannot be checked by pip/,
      ),
    ]);
  });

  it("keeps pipenv's unpinned entries (no version, no hashes): fine where the marker fails, an error where it holds", () => {
    const lock = (marker: string) =>
      read(lockWith({ gunicorn: GUNICORN, tomli: { markers: marker, version: "*" } }));
    const skipped = lock("python_version < '3.11'");
    expect(skipped.diagnostics).toEqual([]);
    expect(pkg(skipped.graph!, "tomli")).toMatchObject({ unpinned: true, version: "", files: [] });
    const on311 = selectLockedPackages(skipped.graph!, { python: "3.11", machine: "x86_64" });
    expect(on311.problems).toEqual([]);
    expect(on311.packages.map((p) => p.name)).toEqual(["gunicorn"]);
    const needed = selectLockedPackages(lock("platform_machine == 'x86_64'").graph!, {
      python: "3.11",
      machine: "x86_64",
    });
    expect(needed.problems.map((p) => p.code)).toEqual(["lock-unpinned-for-target"]);
    expect(needed.problems[0]!.message).toContain("Pipfile.lock names tomli without a version");
  });

  it("refuses unlocked git refs, local archives, other VCS, unknown indices and absolute paths", () => {
    const one = (entry: Record<string, unknown>) => read(lockWith({ greeting: entry })).diagnostics;
    expect(one({ git: "https://github.com/example-org/greeting.git", ref: "v1.2.0" })).toEqual([
      expect.stringMatching(
        /^Pipfile\.lock:21:20: default\.greeting\.ref: "v1\.2\.0" is not a full git commit id/,
      ),
    ]);
    expect(one({ git: "https://github.com/example-org/greeting.git" })).toEqual([
      expect.stringMatching(/default\.greeting\.ref: the locked commit \(ref\) is missing/),
    ]);
    expect(one({ file: "./dist/greeting-1.2.0.tar.gz", version: "==1.2.0" })).toEqual([
      expect.stringMatching(
        /default\.greeting\.file: "\.\/dist\/greeting-1\.2\.0\.tar\.gz" is a local archive file/,
      ),
    ]);
    expect(one({ path: "dist/greeting-1.2.0-py3-none-any.whl" })).toEqual([
      expect.stringMatching(/default\.greeting\.path: .* is a local archive file/),
    ]);
    expect(one({ path: "/home/dev/greeting", editable: true })).toEqual([
      expect.stringMatching(/default\.greeting\.path: "\/home\/dev\/greeting" is absolute/),
    ]);
    expect(one({ svn: "https://svn.example.com/greeting" })).toEqual([
      expect.stringMatching(/default\.greeting\.svn: svn repositories are not installed from a lock/),
    ]);
    expect(one({ hashes: GUNICORN.hashes, index: "private", version: "==1.2.0" })).toEqual([
      expect.stringMatching(/default\.greeting\.index: no source named "private" in _meta\.sources/),
    ]);
    expect(one({ editable: true, version: "==1.2.0" })).toEqual([
      expect.stringMatching(
        /default\.greeting\.editable: an editable entry needs a path or a git repository/,
      ),
    ]);
    expect(
      one({ file: "https://user:pw@files.example.com/greeting-1.2.0.tar.gz", version: "==1.2.0" }),
    ).toEqual([
      expect.stringMatching(
        /default\.greeting\.file: "https:\/\/\*\*\*@files\.example\.com\/greeting-1\.2\.0\.tar\.gz": the URL holds credentials/,
      ),
    ]);
  });
});
