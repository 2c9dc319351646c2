// readUvLock: uv.lock as uv writes it, into a LockGraph; every value checked, every problem placed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DiagnosticList } from "../../../src/spec/diagnostic-list.js";
import { formatDiagnostic } from "../../../src/spec/diagnostics.js";
import type { LockedPackage, LockGraph } from "../../../src/spec/locks/lock-graph.js";
import { readUvLock } from "../../../src/spec/locks/uv-lock.js";

const FIXTURES = join(import.meta.dirname, "../../locks/uv");
const INDEX = "http://127.0.0.1:3141/simple";
const REGISTRY = `source = { registry = "${INDEX}" }`;
const FLASK_SHA = "29c455d2dd3e9812e060c233cda1c19f19d8717fa3ff6992828597b256720f31";

function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name, "uv.lock"), "utf8");
}

function read(text: string, file = "uv.lock") {
  const out = new DiagnosticList();
  const graph = readUvLock(file, text, out);
  return { graph, out, messages: out.items.map(formatDiagnostic), codes: out.items.map((d) => d.code) };
}

function readOk(text: string, file = "uv.lock"): LockGraph {
  const { graph, messages } = read(text, file);
  expect(messages).toEqual([]);
  expect(graph).toBeDefined();
  return graph!;
}

function pkg(graph: LockGraph, name: string, version?: string): LockedPackage {
  const found = graph.packages.filter(
    (p) => p.name === name && (version === undefined || p.version === version),
  );
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** Line and column (1-based) where `needle` starts in `text`. */
function at(text: string, needle: string): string {
  const offset = text.indexOf(needle);
  expect(offset).toBeGreaterThanOrEqual(0);
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return `${line}:${offset - before.lastIndexOf("\n")}`;
}

/** A small lock as uv writes it: a virtual project depending on flask and its locked tree. */
function lockWith(options: { header?: string; project?: string; extra?: string } = {}): string {
  return [
    "version = 1",
    "revision = 3",
    'requires-python = ">=3.12"',
    options.header ?? "",
    "[[package]]",
    'name = "app"',
    'version = "0.1.0"',
    'source = { virtual = "." }',
    options.project ?? 'dependencies = [\n    { name = "itsdangerous" },\n]',
    "",
    "[[package]]",
    'name = "itsdangerous"',
    'version = "2.2.0"',
    REGISTRY,
    "wheels = [",
    `    { url = "http://127.0.0.1:3141/files/itsdangerous-2.2.0-py3-none-any.whl", hash = "sha256:${"c".repeat(64)}" },`,
    "]",
    options.extra ?? "",
  ].join("\n");
}

describe("readUvLock: the fixtures, as uv writes them", () => {
  it("reads a plain app: the virtual project is the root, its dependencies the group default", () => {
    const text = fixture("flask-app");
    const graph = readOk(text, "services/web/uv.lock");
    expect(graph.format).toBe("uv");
    expect(graph.file).toBe("services/web/uv.lock");
    expect(graph.formatVersion).toBe("1");
    expect(graph.requiresPython).toBe(">=3.13");
    expect(graph.environments).toEqual(["sys_platform == 'linux'"]);
    expect(graph.defaultGroups).toEqual(["default"]);
    expect(graph.groups).toEqual(["default"]);
    expect(graph.extras).toEqual([]);
    expect(graph.packages.map((p) => `${p.name}==${p.version}`)).toEqual([
      "blinker==1.9.0",
      "click==8.3.3",
      "flask==3.1.3",
      "flask-app==0.1.0",
      "gunicorn==26.2.2",
      "itsdangerous==2.2.0",
      "jinja2==3.1.6",
      "markupsafe==2.1.5",
      "werkzeug==3.1.9",
    ]);
    expect(graph.selection).toEqual({
      kind: "graph",
      roots: {
        default: [
          { name: "flask", specifier: ">=3.1" },
          { name: "gunicorn", specifier: ">=23" },
        ],
      },
      extras: {},
    });
    const project = pkg(graph, "flask-app");
    expect(project.source).toEqual({ kind: "project" });
    expect(project.files).toEqual([]);
    const flask = pkg(graph, "flask");
    expect(flask.source).toEqual({ kind: "registry", url: INDEX });
    expect(flask.files).toEqual([
      {
        name: "flask-3.1.3-py3-none-any.whl",
        hashes: [`sha256:${FLASK_SHA}`],
        url: "http://127.0.0.1:3141/files/flask-3.1.3-py3-none-any.whl",
      },
    ]);
    expect(flask.dependencies.map((d) => d.name)).toEqual([
      "blinker",
      "click",
      "itsdangerous",
      "jinja2",
      "markupsafe",
      "werkzeug",
    ]);
    expect(flask.position).toEqual({
      file: "services/web/uv.lock",
      line: Number(at(text, '[[package]]\nname = "flask"').split(":")[0]),
      column: 1,
    });
    expect(flask.marker).toBeUndefined();
    expect(flask.groups).toBeUndefined();
  });

  it("keeps the markers of edges as uv wrote them, on the project's edges and the packages'", () => {
    const graph = readOk(fixture("markers"));
    expect(graph.environments).toBeUndefined();
    expect(graph.requiresPython).toBe(">=3.10");
    if (graph.selection.kind !== "graph") throw new Error("graph expected");
    expect(graph.selection.roots.default).toEqual([
      { name: "anyio", specifier: ">=4" },
      { name: "tomli", marker: "python_full_version < '3.11'", specifier: ">=2" },
      { name: "tzdata", marker: "sys_platform == 'win32'" },
      {
        name: "uvloop",
        marker: "platform_python_implementation == 'CPython' and sys_platform == 'linux'",
        specifier: ">=0.21,<0.23",
      },
    ]);
    expect(pkg(graph, "anyio").dependencies).toEqual([
      { name: "exceptiongroup", marker: "python_full_version < '3.11'" },
      { name: "idna" },
      { name: "typing-extensions", marker: "python_full_version < '3.15'" },
    ]);
    expect(pkg(graph, "uvloop").files[0]!.name).toBe("uvloop-0.21.0-cp313-cp313-manylinux_2_38_x86_64.whl");
  });

  it("reads extras and dependency groups: the project's groups by name, its extras, edges that activate extras", () => {
    const graph = readOk(fixture("extras-dev"));
    expect(graph.groups).toEqual(["default", "dev", "docs"]);
    expect(graph.defaultGroups).toEqual(["default"]);
    expect(graph.extras).toEqual(["async", "dotenv"]);
    expect(graph.selection).toEqual({
      kind: "graph",
      roots: {
        default: [{ name: "flask", specifier: ">=3.1" }],
        dev: [{ name: "pytest", specifier: ">=8" }],
        docs: [{ name: "markdown-it-py", specifier: ">=3" }],
      },
      extras: {
        async: [{ name: "flask", extras: ["async"], specifier: ">=3.1" }],
        dotenv: [{ name: "python-dotenv", specifier: ">=1" }],
      },
    });
    // An editable project at the lock's folder is the project too.
    expect(pkg(graph, "notes-api").source).toEqual({ kind: "project" });
    expect(pkg(graph, "notes-api").optionalDependencies.async).toEqual([
      { name: "flask", extras: ["async"] },
    ]);
    // uv locks only the extras of a dependency that something asks for.
    expect(Object.keys(pkg(graph, "flask").optionalDependencies)).toEqual(["async"]);
    expect(pkg(graph, "flask").optionalDependencies.async).toEqual([{ name: "asgiref" }]);
  });

  it("reads a workspace: the root project's edges are the roots, the members are editable directories", () => {
    const graph = readOk(fixture("workspace"));
    expect(pkg(graph, "acme").source).toEqual({ kind: "project" });
    expect(pkg(graph, "acme-core").source).toEqual({
      kind: "directory",
      path: "packages/core",
      editable: true,
    });
    expect(pkg(graph, "acme-worker").source).toEqual({
      kind: "directory",
      path: "packages/worker",
      editable: true,
    });
    expect(pkg(graph, "acme-worker").dependencies).toEqual([{ name: "acme-core" }, { name: "redis" }]);
    expect(graph.selection).toEqual({
      kind: "graph",
      roots: { default: [{ name: "acme-core" }, { name: "uvicorn", specifier: ">=0.32" }] },
      extras: {},
    });
    // `uv sync` in the root syncs the root project: a member's own groups are not the root's.
    expect(graph.groups).toEqual(["default"]);
  });

  it("keeps both packages of a forked resolution; edges to them carry the version", () => {
    const graph = readOk(fixture("forked"));
    expect(graph.packages.filter((p) => p.name === "numpy").map((p) => p.version)).toEqual([
      "1.24.2",
      "2.2.4",
    ]);
    expect(pkg(graph, "numpy", "1.24.2").files[0]!.name).toBe(
      "numpy-1.24.2-cp311-cp311-manylinux_2_35_x86_64.whl",
    );
    if (graph.selection.kind !== "graph") throw new Error("graph expected");
    expect(graph.selection.roots.default).toEqual([
      { name: "numpy", version: "1.24.2", marker: "python_full_version < '3.13'", specifier: "<2" },
      { name: "numpy", version: "2.2.4", marker: "python_full_version >= '3.13'", specifier: ">=2.2" },
      { name: "packaging", specifier: ">=24" },
    ]);
    expect(pkg(graph, "sci-app").dependencies).toEqual([
      { name: "numpy", version: "1.24.2", marker: "python_full_version < '3.13'" },
      { name: "numpy", version: "2.2.4", marker: "python_full_version >= '3.13'" },
      { name: "packaging" },
    ]);
  });

  it("reads every fixture's hashes as sha256 pins of files that belong to their package", () => {
    for (const name of ["flask-app", "markers", "extras-dev", "workspace", "forked"]) {
      const graph = readOk(fixture(name));
      for (const p of graph.packages) {
        for (const file of p.files) {
          expect(file.hashes).toHaveLength(1);
          expect(file.hashes[0]).toMatch(/^sha256:[0-9a-f]{64}$/);
          expect(file.url).toBe(`http://127.0.0.1:3141/files/${file.name}`);
        }
        if (p.source.kind === "registry") expect(p.files.length).toBeGreaterThan(0);
      }
    }
  });
});

describe("readUvLock: sources", () => {
  it("reads git sources: repository, full commit, subdirectory; the requested ref is not used", () => {
    const graph = readOk(
      lockWith({
        project: 'dependencies = [\n    { name = "itsdangerous" },\n    { name = "member" },\n]',
        extra: [
          "",
          "[[package]]",
          'name = "member"',
          'version = "0.0.1"',
          'source = { git = "https://github.com/astral-sh/workspace-in-root-test.git?subdirectory=workspace-member-in-subdir&rev=v1#D3AB48D2338296D47E28DBB2FB327C5E2AC4AC68" }',
        ].join("\n"),
      }),
    );
    expect(pkg(graph, "member").source).toEqual({
      kind: "git",
      url: "https://github.com/astral-sh/workspace-in-root-test.git",
      commit: "d3ab48d2338296d47e28dbb2fb327c5e2ac4ac68",
      subdirectory: "workspace-member-in-subdir",
    });
    expect(pkg(graph, "member").files).toEqual([]);
  });

  it("reads a direct URL source; an sdist recorded by hash only is the URL's file", () => {
    const sdist = [
      "",
      "[[package]]",
      'name = "yamlfast"',
      'version = "1.0.0"',
      'source = { url = "http://127.0.0.1:3141/files/yamlfast-1.0.0.tar.gz" }',
      `sdist = { hash = "sha256:${"e".repeat(64)}" }`,
      "",
      "[[package]]",
      'name = "pfhello"',
      'version = "1.1.0"',
      'source = { url = "http://127.0.0.1:3141/files/pfhello-1.1.0-py3-none-any.whl" }',
      "wheels = [",
      `    { url = "http://127.0.0.1:3141/files/pfhello-1.1.0-py3-none-any.whl", hash = "sha256:${"f".repeat(64)}" },`,
      "]",
    ].join("\n");
    const graph = readOk(lockWith({ extra: sdist }));
    expect(pkg(graph, "yamlfast").source).toEqual({
      kind: "url",
      url: "http://127.0.0.1:3141/files/yamlfast-1.0.0.tar.gz",
    });
    expect(pkg(graph, "yamlfast").files).toEqual([
      {
        name: "yamlfast-1.0.0.tar.gz",
        hashes: [`sha256:${"e".repeat(64)}`],
        url: "http://127.0.0.1:3141/files/yamlfast-1.0.0.tar.gz",
      },
    ]);
    expect(pkg(graph, "pfhello").files[0]!.name).toBe("pfhello-1.1.0-py3-none-any.whl");
  });

  it("reads path, directory and editable sources as directories of the context, as written", () => {
    const extra = [
      "",
      "[[package]]",
      'name = "localwheel"',
      'version = "2.0"',
      'source = { path = "wheels/localwheel-2.0-py3-none-any.whl" }',
      "wheels = [",
      `    { filename = "localwheel-2.0-py3-none-any.whl", hash = "sha256:${"a".repeat(64)}" },`,
      "]",
      "",
      "[[package]]",
      'name = "shared"',
      'version = "0.1.0"',
      'source = { directory = "../shared" }',
      "",
      "[[package]]",
      'name = "tools"',
      'source = { editable = "packages/tools" }',
    ].join("\n");
    const graph = readOk(lockWith({ extra }));
    expect(pkg(graph, "localwheel").source).toEqual({
      kind: "directory",
      path: "wheels/localwheel-2.0-py3-none-any.whl",
      editable: false,
    });
    expect(pkg(graph, "localwheel").files).toEqual([
      { name: "localwheel-2.0-py3-none-any.whl", hashes: [`sha256:${"a".repeat(64)}`] },
    ]);
    expect(pkg(graph, "shared").source).toEqual({ kind: "directory", path: "../shared", editable: false });
    // A source tree with a dynamic version: uv writes no version.
    expect(pkg(graph, "tools")).toMatchObject({
      version: "",
      source: { kind: "directory", path: "packages/tools", editable: true },
    });
  });

  it("stands a virtual workspace member's own edges for the edges to it: the member is never installed", () => {
    const extra = [
      "",
      "[[package]]",
      'name = "scripts"',
      'version = "0.1.0"',
      'source = { virtual = "scripts" }',
      "dependencies = [",
      '    { name = "itsdangerous", marker = "platform_machine == \'x86_64\'" },',
      "]",
      "",
      "[package.optional-dependencies]",
      "fast = [",
      '    { name = "tools" },',
      "]",
      "",
      "[[package]]",
      'name = "tools"',
      'version = "0.2.0"',
      'source = { virtual = "tools" }',
      "dependencies = [",
      '    { name = "scripts" },',
      '    { name = "itsdangerous" },',
      "]",
    ].join("\n");
    const text = lockWith({
      project:
        'dependencies = [\n    { name = "scripts", extra = ["fast"], marker = "sys_platform == \'linux\'" },\n]',
      extra,
    });
    const graph = readOk(text);
    expect(graph.packages.map((p) => p.name)).toEqual(["app", "itsdangerous"]);
    if (graph.selection.kind !== "graph") throw new Error("graph expected");
    expect(graph.selection.roots.default).toEqual([
      { name: "itsdangerous", marker: "(sys_platform == 'linux') and (platform_machine == 'x86_64')" },
      // Through `tools`, which depends back on `scripts`: the cycle ends there.
      { name: "itsdangerous", marker: "sys_platform == 'linux'" },
    ]);
    expect(pkg(graph, "app").dependencies).toEqual(graph.selection.roots.default);
  });

  it("reads the `distribution` and `dependency-groups` spellings of older uv releases", () => {
    const text = lockWith({
      project:
        'dependencies = [\n    { name = "itsdangerous" },\n]\n\n[package.dependency-groups]\ndev = [\n    { name = "itsdangerous" },\n]',
    })
      .replaceAll("[[package]]", "[[distribution]]")
      .replace("[package.dependency-groups]", "[distribution.dependency-groups]");
    const graph = readOk(text);
    expect(graph.groups).toEqual(["default", "dev"]);
  });
});

describe("readUvLock: what uv records for files from PyPI-like indexes", () => {
  it("reads sdist and wheels with size and upload time, and a project's root requirements of a script-like lock", () => {
    const text = [
      "version = 1",
      "revision = 3",
      'requires-python = ">=3.12"',
      "",
      "[manifest]",
      'requirements = [{ name = "anyio", extras = ["trio"], marker = "sys_platform == \'linux\'", specifier = ">=4" }]',
      "",
      "[[package]]",
      'name = "anyio"',
      'version = "4.8.0"',
      REGISTRY,
      `sdist = { url = "http://127.0.0.1:3141/files/anyio-4.8.0.tar.gz", hash = "sha256:${"3".repeat(64)}", size = 181126, upload-time = "2025-01-05T13:13:07.985Z" }`,
      "wheels = [",
      `    { url = "http://127.0.0.1:3141/files/anyio-4.8.0-py3-none-any.whl", hash = "sha256:${"4".repeat(64)}", size = 96041, upload-time = "2025-01-05T13:13:06.292Z" },`,
      "]",
      "",
    ].join("\n");
    const graph = readOk(text);
    expect(pkg(graph, "anyio").files).toEqual([
      {
        name: "anyio-4.8.0.tar.gz",
        hashes: [`sha256:${"3".repeat(64)}`],
        url: "http://127.0.0.1:3141/files/anyio-4.8.0.tar.gz",
      },
      {
        name: "anyio-4.8.0-py3-none-any.whl",
        hashes: [`sha256:${"4".repeat(64)}`],
        url: "http://127.0.0.1:3141/files/anyio-4.8.0-py3-none-any.whl",
      },
    ]);
    expect(graph.selection).toEqual({
      kind: "graph",
      roots: {
        default: [{ name: "anyio", extras: ["trio"], specifier: ">=4", marker: "sys_platform == 'linux'" }],
      },
      extras: {},
    });
  });

  it("keeps a file without a hash with no hashes, for the install step to refuse if it is chosen", () => {
    const text = lockWith().replace(`, hash = "sha256:${"c".repeat(64)}"`, "");
    expect(pkg(readOk(text), "itsdangerous").files).toEqual([
      {
        name: "itsdangerous-2.2.0-py3-none-any.whl",
        hashes: [],
        url: "http://127.0.0.1:3141/files/itsdangerous-2.2.0-py3-none-any.whl",
      },
    ]);
  });
});

describe("readUvLock: a workspace whose root is no project", () => {
  it("roots every member, and the root's own groups, choosing among forks by their markers", () => {
    const text = [
      "version = 1",
      "revision = 3",
      'requires-python = ">=3.10"',
      "resolution-markers = [",
      "    \"python_full_version >= '3.11'\",",
      "    \"python_full_version < '3.11'\",",
      "]",
      "",
      "[manifest]",
      "members = [",
      '    "api",',
      '    "worker",',
      "]",
      "",
      "[manifest.dependency-groups]",
      "dev = [",
      '    { name = "anyio", marker = "python_full_version < \'3.11\'", specifier = ">4" },',
      '    { name = "anyio", marker = "python_full_version >= \'3.11\'", specifier = "<4" },',
      "]",
      "",
      "[[package]]",
      'name = "anyio"',
      'version = "3.6.2"',
      REGISTRY,
      "resolution-markers = [",
      "    \"python_full_version >= '3.11'\",",
      "]",
      "wheels = [",
      `    { url = "http://127.0.0.1:3141/files/anyio-3.6.2-py3-none-any.whl", hash = "sha256:${"1".repeat(64)}" },`,
      "]",
      "",
      "[[package]]",
      'name = "anyio"',
      'version = "4.8.0"',
      REGISTRY,
      "resolution-markers = [",
      "    \"python_full_version < '3.11'\",",
      "]",
      "wheels = [",
      `    { url = "http://127.0.0.1:3141/files/anyio-4.8.0-py3-none-any.whl", hash = "sha256:${"2".repeat(64)}" },`,
      "]",
      "",
      "[[package]]",
      'name = "api"',
      'version = "0.1.0"',
      'source = { editable = "api" }',
      "",
      "[package.optional-dependencies]",
      "fast = [",
      '    { name = "anyio", version = "4.8.0", source = { registry = "http://127.0.0.1:3141/simple" }, marker = "python_full_version < \'3.11\'" },',
      "]",
      "",
      "[[package]]",
      'name = "worker"',
      'version = "0.1.0"',
      'source = { editable = "worker" }',
      "",
      "[package.dev-dependencies]",
      "test = [",
      '    { name = "anyio", version = "3.6.2", source = { registry = "http://127.0.0.1:3141/simple" }, marker = "python_full_version >= \'3.11\'" },',
      "]",
      "",
    ].join("\n");
    const graph = readOk(text);
    expect(graph.selection).toEqual({
      kind: "graph",
      roots: {
        default: [{ name: "api" }, { name: "worker" }],
        test: [{ name: "anyio", version: "3.6.2", marker: "python_full_version >= '3.11'" }],
        dev: [
          {
            name: "anyio",
            version: "4.8.0",
            specifier: ">4",
            marker: "(python_full_version < '3.11') and (python_full_version < '3.11')",
          },
          {
            name: "anyio",
            version: "3.6.2",
            specifier: "<4",
            marker: "(python_full_version >= '3.11') and (python_full_version >= '3.11')",
          },
        ],
      },
      extras: {
        fast: [{ name: "anyio", version: "4.8.0", marker: "python_full_version < '3.11'" }],
      },
    });
    expect(graph.groups).toEqual(["default", "test", "dev"]);
    expect(graph.extras).toEqual(["fast"]);
  });

  it("roots a virtual member's dependencies, not the member", () => {
    const text = [
      "version = 1",
      "revision = 3",
      'requires-python = ">=3.12"',
      "",
      "[manifest]",
      'members = ["tools"]',
      "",
      "[[package]]",
      'name = "itsdangerous"',
      'version = "2.2.0"',
      REGISTRY,
      "wheels = [",
      `    { url = "http://127.0.0.1:3141/files/itsdangerous-2.2.0-py3-none-any.whl", hash = "sha256:${"c".repeat(64)}" },`,
      "]",
      "",
      "[[package]]",
      'name = "tools"',
      'version = "0.1.0"',
      'source = { virtual = "tools" }',
      "dependencies = [",
      '    { name = "itsdangerous" },',
      "]",
      "",
    ].join("\n");
    const graph = readOk(text);
    expect(graph.packages.map((p) => p.name)).toEqual(["itsdangerous"]);
    expect(graph.selection).toEqual({
      kind: "graph",
      roots: { default: [{ name: "itsdangerous" }] },
      extras: {},
    });
  });

  it("refuses a member the lock has no package for", () => {
    const { graph, messages } = read(
      ["version = 1", 'requires-python = ">=3.12"', "", "[manifest]", 'members = ["ghost"]', ""].join("\n"),
    );
    expect(graph).toBeUndefined();
    expect(messages).toEqual([
      "uv.lock:5:12: manifest.members[0]: the workspace member ghost is not a package of this lock\n  hint: the lock is damaged or was edited by hand; run uv lock",
    ]);
  });
});

describe("readUvLock: refusals, each at its position", () => {
  it("refuses an unknown format version, and a version that is not an integer", () => {
    expect(read(lockWith().replace("version = 1", "version = 2")).messages).toEqual([
      "uv.lock:1:11: version: uv.lock format version 2 is not supported; pyfront reads version 1\n  hint: lock with a uv release that writes `version = 1`, or tell pyfront's maintainers about the new format",
    ]);
    expect(read(lockWith().replace("version = 1", 'version = "1"')).codes).toEqual(["invalid-type"]);
    expect(read(lockWith().replace("version = 1", "version = 1.0")).codes).toEqual(["invalid-type"]);
    const missing = read(lockWith().replace("version = 1\n", ""));
    expect(missing.codes).toEqual(["missing-key"]);
    expect(missing.graph).toBeUndefined();
  });

  it("refuses a hash that is not one, at the hash", () => {
    const text = fixture("flask-app").replace(`sha256:${FLASK_SHA}`, "sha256:29c455d2");
    const { graph, messages } = read(text);
    expect(graph).toBeUndefined();
    expect(messages).toEqual([
      `uv.lock:${at(text, '"sha256:29c455d2"')}: package[2].wheels[0].hash: "29c455d2" is not a sha256 digest\n  hint: a sha256 digest is 64 hexadecimal digits`,
    ]);
  });

  it("refuses hash algorithms pip cannot check", () => {
    const text = fixture("flask-app").replace(`sha256:${FLASK_SHA}`, `md5:${"a".repeat(32)}`);
    expect(read(text).codes).toEqual(["unsupported-hash"]);
  });

  it("refuses names and versions that are not PEP 508 / PEP 440", () => {
    const badName = fixture("flask-app").replace('name = "gunicorn"', 'name = "gunicorn --index-url"');
    expect(read(badName).codes).toContain("invalid-package-name");
    const badVersion = fixture("flask-app").replace('version = "26.2.2"', 'version = "26.2.2\\n--pre"');
    const result = read(badVersion);
    expect(result.codes).toEqual(["invalid-version"]);
    expect(result.messages[0]).toContain(
      `uv.lock:${at(badVersion, '"26.2.2\\n--pre"')}: package[4].version:`,
    );
  });

  it("refuses URLs with credentials, without showing them, and URLs that are not http(s)", () => {
    const creds = fixture("flask-app").replace(
      "http://127.0.0.1:3141/files/click-8.3.3",
      "https://deploy:s3cret@pypi.example.com/files/click-8.3.3",
    );
    const result = read(creds);
    expect(result.codes).toEqual(["credentials-in-url"]);
    expect(result.messages.join("\n")).not.toContain("s3cret");
    const registry = fixture("flask-app").replace(
      'registry = "http://127.0.0.1:3141/simple" }\nwheels = [\n    { url = "http://127.0.0.1:3141/files/blinker',
      'registry = "https://user:tok@pypi.example.com/simple" }\nwheels = [\n    { url = "http://127.0.0.1:3141/files/blinker',
    );
    expect(read(registry).codes).toEqual(["credentials-in-url"]);
    const file = fixture("flask-app").replace("http://127.0.0.1:3141/files/click", "file:///tmp/click");
    expect(read(file).codes).toEqual(["unsupported-url"]);
  });

  it("refuses a wheel of another package or version", () => {
    const other = fixture("flask-app").replace(
      "files/gunicorn-26.2.2-py3-none-any.whl",
      "files/gunicorn-23.0.0-py3-none-any.whl",
    );
    const result = read(other);
    expect(result.codes).toEqual(["inconsistent-file"]);
    expect(result.messages[0]).toContain("gunicorn-23.0.0-py3-none-any.whl");
  });

  it("refuses markers with control characters", () => {
    const text = fixture("markers").replace(
      "marker = \"sys_platform == 'win32'\"",
      "marker = \"sys_platform == 'win32'\\n-e .\"",
    );
    const result = read(text);
    expect(result.codes).toEqual(["invalid-marker"]);
    expect(result.messages[0]).toMatch(/^uv\.lock:\d+:\d+: package\[1\]\.dependencies\[2\]\.marker: /);
  });

  it("refuses absolute paths and malformed git sources", () => {
    const abs = lockWith({
      extra: '\n[[package]]\nname = "lib"\nversion = "1.0"\nsource = { directory = "/home/me/lib" }\n',
    });
    expect(read(abs).codes).toEqual(["absolute-path"]);
    const noCommit = lockWith({
      extra:
        '\n[[package]]\nname = "lib"\nversion = "1.0"\nsource = { git = "https://github.com/acme/lib?rev=main" }\n',
    });
    expect(read(noCommit).codes).toEqual(["invalid-commit"]);
    const shortCommit = lockWith({
      extra:
        '\n[[package]]\nname = "lib"\nversion = "1.0"\nsource = { git = "https://github.com/acme/lib?rev=main#abc123" }\n',
    });
    expect(read(shortCommit).codes).toEqual(["invalid-commit"]);
    const token = lockWith({
      extra: `\n[[package]]\nname = "lib"\nversion = "1.0"\nsource = { git = "https://ghp_x:y@github.com/acme/lib#${"a".repeat(40)}" }\n`,
    });
    expect(read(token).codes).toEqual(["credentials-in-url"]);
  });

  it("refuses what pip cannot install: find-links registries, archives in git, Git LFS, archive subdirectories", () => {
    const cases: Array<[string, string]> = [
      ['source = { registry = "../wheels" }', "unsupported-source"],
      [
        `source = { git = "https://github.com/astral-sh/archive-in-git-test?path=archives%2Finiconfig-2.0.0.tar.gz#${"b".repeat(40)}" }`,
        "unsupported-source",
      ],
      [`source = { git = "https://github.com/acme/lib?lfs=true#${"b".repeat(40)}" }`, "unsupported-source"],
      ['source = { url = "https://example.com/lib-1.0.tar.gz", subdirectory = "lib" }', "unsupported-source"],
      ["source = { workspace = true }", "unsupported-source"],
    ];
    for (const [source, code] of cases) {
      const result = read(lockWith({ extra: `\n[[package]]\nname = "lib"\nversion = "1.0"\n${source}\n` }));
      expect(result.codes, source).toEqual([code]);
      expect(result.graph).toBeUndefined();
    }
  });

  it("refuses conflicting extras ([tool.uv] conflicts), whose markers only uv understands", () => {
    const text = lockWith({
      header:
        'conflicts = [[\n    { package = "app", extra = "cpu" },\n    { package = "app", extra = "cu124" },\n]]\n',
    });
    const { messages } = read(text);
    expect(messages).toEqual([
      `uv.lock:4:1: conflicts: the lock declares conflicting extras or groups ([tool.uv] conflicts); pyfront cannot install from such a lock yet\n  hint: remove [tool.uv] conflicts (for example by moving the variants into separate projects) and run uv lock`,
    ]);
  });

  it("refuses an index package without a version, and a dependency on a package the lock lacks", () => {
    const noVersion = lockWith().replace(
      'name = "itsdangerous"\nversion = "2.2.0"\n',
      'name = "itsdangerous"\n',
    );
    expect(read(noVersion).codes).toEqual(["missing-key"]);
    const unknown = lockWith({ project: 'dependencies = [\n    { name = "requests" },\n]' });
    const result = read(unknown);
    expect(result.messages).toEqual([
      `uv.lock:${at(unknown, '{ name = "requests" }')}: package[0].dependencies[0]: the dependency requests is not a package of this lock\n  hint: the lock is damaged or was edited by hand; run uv lock`,
    ]);
  });

  it("refuses one name and version locked twice from two sources, which a version pin cannot tell apart", () => {
    const twin = [
      "",
      "[[package]]",
      'name = "itsdangerous"',
      'version = "2.2.0"',
      'source = { registry = "https://download.example.com/simple" }',
    ].join("\n");
    const result = read(lockWith({ extra: twin }));
    expect(result.codes).toContain("ambiguous-package");
    expect(result.messages.find((m) => m.includes("ambiguous") || m.includes("twice"))).toContain(
      "itsdangerous 2.2.0 is locked twice (from registry http://127.0.0.1:3141/simple and registry https://download.example.com/simple)",
    );
  });

  it("refuses a dependency on a forked package that does not say which version", () => {
    const text = fixture("forked").replace(
      '{ name = "numpy", version = "1.24.2", source = { registry = "http://127.0.0.1:3141/simple" }, marker',
      '{ name = "numpy", marker',
    );
    expect(read(text).codes).toEqual(["ambiguous-dependency"]);
  });

  it("refuses a dependency group named default, which would merge with the main dependencies", () => {
    const text = lockWith({
      project:
        'dependencies = [\n    { name = "itsdangerous" },\n]\n\n[package.dev-dependencies]\ndefault = [\n    { name = "itsdangerous" },\n]',
    });
    const { messages, graph } = read(text);
    expect(graph).toBeUndefined();
    expect(messages).toEqual([
      `uv.lock:${at(text, "default = [")}: package[0].dev-dependencies.default: a dependency group named "default" cannot be told apart from the main dependencies, which pyfront calls "default"\n  hint: rename the group in [dependency-groups] and run uv lock`,
    ]);
  });

  it("refuses a requires-python, extra or group name that is not one", () => {
    expect(
      read(lockWith().replace('requires-python = ">=3.12"', 'requires-python = "3.12"')).messages,
    ).toEqual([
      'uv.lock:3:19: requires-python: "3.12" is not a version specifier\n  hint: write e.g. ">=3.9" or ">=3.9,<3.13"',
    ]);
    const extra = lockWith({
      project: 'dependencies = [\n    { name = "itsdangerous", extra = ["a b"] },\n]',
    });
    expect(read(extra).codes).toEqual(["invalid-extra-name"]);
    const group = lockWith({
      project:
        'dependencies = []\n\n[package.dev-dependencies]\n"dev tools" = [\n    { name = "itsdangerous" },\n]',
    });
    expect(read(group).codes).toEqual(["invalid-group-name"]);
  });

  it("refuses a wheel whose file name is not a wheel's", () => {
    const text = fixture("flask-app").replace("files/gunicorn-26.2.2-py3-none-any.whl", "files/gunicorn.whl");
    expect(read(text).codes).toEqual(["invalid-file-name"]);
    const slash = lockWith().replace(
      '{ url = "http://127.0.0.1:3141/files/itsdangerous-2.2.0-py3-none-any.whl"',
      '{ filename = "../itsdangerous-2.2.0-py3-none-any.whl"',
    );
    expect(read(slash).codes).toEqual(["invalid-file-name"]);
  });

  it("refuses two packages that both claim to be the project at the lock's folder", () => {
    const text = lockWith({
      extra: '\n[[package]]\nname = "other"\nversion = "1.0"\nsource = { editable = "." }\n',
    });
    expect(read(text).codes).toEqual(["ambiguous-project"]);
  });

  it("refuses the __proto__ key", () => {
    const { codes, graph } = read(lockWith({ extra: '\n[[package]]\nname = "x"\n__proto__ = "y"\n' }));
    expect(graph).toBeUndefined();
    expect(codes).toEqual(["reserved-key"]);
  });
});

describe("readUvLock: malformed input gives diagnostics, never a throw", () => {
  it("reports TOML syntax errors at their position", () => {
    const { graph, messages } = read('version = 1\n[[package]]\nname = "x\n');
    expect(graph).toBeUndefined();
    expect(messages[0]).toMatch(/^uv\.lock:3:\d+: TOML syntax error/);
  });

  it("reports wrong types where they are", () => {
    expect(read('version = 1\nrequires-python = ">=3.12"\npackage = "flask"\n').messages).toEqual([
      "uv.lock:3:11: package: expected a list, got a string",
    ]);
    const wrong = read(lockWith().replace("wheels = [", "wheels = 3\nunused = [").replace("]\n", "]\n"));
    expect(wrong.codes).toContain("invalid-type");
    const source = read(lockWith().replace(REGISTRY, 'source = "pypi"'));
    expect(source.messages[0]).toMatch(
      /^uv\.lock:\d+:10: package\[1\]\.source: expected a table, got a string/,
    );
    const deps = read(lockWith({ project: 'dependencies = { name = "itsdangerous" }' }));
    expect(deps.codes).toEqual(["invalid-type"]);
    const extra = read(
      lockWith({ project: 'dependencies = [\n    { name = "itsdangerous", extra = "x" },\n]' }),
    );
    expect(extra.codes).toEqual(["invalid-type"]);
    const missingName = read(lockWith().replace('name = "itsdangerous"\nversion', "version"));
    expect(missingName.codes).toContain("missing-key");
  });

  it("ignores keys it does not know, as uv adds keys over time", () => {
    const text = fixture("flask-app")
      .replace("revision = 3", "revision = 9\nfuture-key = { anything = [1, 2] }")
      .replace(
        '    { url = "http://127.0.0.1:3141/files/flask',
        '    { future = true, url = "http://127.0.0.1:3141/files/flask',
      );
    expect(read(text).messages).toEqual([]);
  });

  it("survives every prefix of a real lock and of nonsense without throwing", () => {
    const text = fixture("forked");
    for (let end = 0; end <= text.length; end += 7) {
      expect(() => read(text.slice(0, end))).not.toThrow();
    }
    for (const junk of [
      "",
      "\u0000",
      "[[package]]\n[[package]]",
      "version = 1\n[manifest]\nmembers = 3",
      "version = 1\n[[package]]\nsource = {}",
    ]) {
      expect(() => read(junk)).not.toThrow();
      expect(read(junk).graph === undefined || read(junk).messages.length === 0).toBe(true);
    }
  });
});
