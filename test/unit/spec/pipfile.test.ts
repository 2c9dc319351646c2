// readPipfile: [packages] as pip requirements, [[source]] as indices; [dev-packages] never read.
import { describe, expect, it } from "vitest";
import { DiagnosticList } from "../../../src/spec/diagnostic-list.js";
import { formatDiagnostic } from "../../../src/spec/diagnostics.js";
import { readPipfile } from "../../../src/spec/pipfile.js";
import { parseTomlDocument } from "../../../src/spec/toml-document.js";

function read(text: string, projectDir = ".", file = "Pipfile") {
  const parsed = parseTomlDocument(file, text);
  if (!parsed.ok) throw new Error(parsed.diagnostics.map(formatDiagnostic).join("\n"));
  const out = new DiagnosticList();
  const facts = readPipfile(parsed.doc, projectDir, out);
  return {
    dependencies: facts.dependencies.map((d) => d.dependency),
    paths: facts.dependencies.map((d) => d.path),
    indices: facts.indices,
    installsItself: facts.installsItself,
    diagnostics: out.items.map(formatDiagnostic),
  };
}

describe("readPipfile", () => {
  it("reads [packages] in string and table forms, never [dev-packages]", () => {
    const result = read(
      [
        "[packages]",
        'flask = "*"',
        'requests = "==2.31.0"',
        'gunicorn = ">=21,<23"',
        'sqlalchemy = {version = "~=2.0"}',
        'psycopg = {version = "*", extras = ["binary", "pool"]}',
        'pywin32 = {version = "*", markers = "sys_platform == \'win32\'"}',
        'uvicorn = {extras = ["standard"]}',
        "",
        "[dev-packages]",
        'pytest = "*"',
        "",
      ].join("\n"),
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.dependencies).toEqual([
      { kind: "index", requirement: "flask" },
      { kind: "index", requirement: "requests==2.31.0" },
      { kind: "index", requirement: "gunicorn>=21,<23" },
      { kind: "index", requirement: "sqlalchemy~=2.0" },
      { kind: "index", requirement: "psycopg[binary,pool]" },
      { kind: "index", requirement: "pywin32; sys_platform == 'win32'" },
      { kind: "index", requirement: "uvicorn[standard]" },
    ]);
    expect(result.paths[1]).toEqual(["packages", "requests"]);
  });

  it("reads markers written as keys, as pipenv's docs show them", () => {
    const result = read(
      [
        "[packages]",
        'pywinusb = {version = "*", sys_platform = "== \'win32\'"}',
        'uvloop = {version = ">=0.19", platform_system = "!= \'Windows\'", markers = "python_version >= \'3.9\'"}',
        "",
      ].join("\n"),
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.dependencies).toEqual([
      { kind: "index", requirement: "pywinusb; sys_platform == 'win32'" },
      {
        kind: "index",
        requirement: "uvloop>=0.19; (python_version >= '3.9') and (platform_system != 'Windows')",
      },
    ]);
  });

  it("reads git dependencies with their ref", () => {
    const result = read(
      [
        "[packages]",
        'toolkit = {git = "https://github.com/example/toolkit.git", ref = "v1.2.0"}',
        'internal = {git = "git+ssh://git@github.com/example/internal.git", extras = ["cli"]}',
        "",
      ].join("\n"),
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.dependencies).toEqual([
      {
        kind: "git",
        url: "git+https://github.com/example/toolkit.git@v1.2.0",
        transport: "https",
        name: "toolkit",
      },
      {
        kind: "git",
        url: "git+ssh://git@github.com/example/internal.git",
        transport: "ssh",
        name: "internal",
      },
    ]);
  });

  it("reads path dependencies relative to the Pipfile's folder; '.' is the project itself", () => {
    const result = read(
      [
        "[packages]",
        'web = {path = ".", editable = true}',
        'shared = {path = "../libs/shared", editable = true}',
        'tools = {path = "./tools"}',
        "",
      ].join("\n"),
      "services/web",
      "services/web/Pipfile",
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.installsItself).toBe(true);
    expect(result.dependencies).toEqual([
      { kind: "local", path: "services/libs/shared" },
      { kind: "local", path: "services/web/tools" },
    ]);
  });

  it("refuses a path leaving the build context, at the path", () => {
    const result = read('[packages]\nshared = {path = "../shared"}\n');
    expect(result.diagnostics).toEqual([
      'Pipfile:2:18: packages.shared.path: "../shared" leaves the build context\n  hint: only files inside the build context can be used; move the file into it',
    ]);
    expect(result.dependencies).toEqual([]);
  });

  it("turns [[source]] into indices: pypi.org skipped, the first source primary, verify_ssl = false trusted", () => {
    const result = read(
      [
        "[[source]]",
        'url = "https://pypi.org/simple"',
        "verify_ssl = true",
        'name = "pypi"',
        "",
        "[[source]]",
        'url = "http://pypi.internal.example:8080/simple"',
        "verify_ssl = false",
        'name = "internal"',
        "",
        "[packages]",
        'flask = "*"',
        "",
      ].join("\n"),
    );
    expect(result.diagnostics).toEqual([]);
    // pipenv takes the first source as the index: pypi.org, pip's own, so the internal one is an extra.
    expect(result.indices).toEqual([
      { url: "http://pypi.internal.example:8080/simple", primary: false, trusted: true },
    ]);
    const first = read(
      '[[source]]\nurl = "https://pkgs.example.org/simple"\nverify_ssl = true\nname = "corp"\n',
    );
    expect(first.indices).toEqual([
      { url: "https://pkgs.example.org/simple", primary: true, trusted: false },
    ]);
  });

  it("refuses a source URL taking ${VAR} from the environment, without repeating it", () => {
    const result = read(
      [
        "[[source]]",
        'url = "https://${PIP_USER}:${PIP_PASSWORD}@pkgs.example.org/simple"',
        "verify_ssl = true",
        'name = "corp"',
        "",
      ].join("\n"),
    );
    expect(result.indices).toEqual([]);
    expect(result.diagnostics).toEqual([
      "Pipfile:2:7: source[0].url: the source URL takes values from the environment, which a build does not have\n  hint: write the URL without ${...}; pass credentials as a build secret (see docs/formats)",
    ]);
  });

  it("reports a source without url and a package of the wrong type, at their keys", () => {
    const result = read('[[source]]\nname = "corp"\n\n[packages]\nflask = 3\n');
    expect(result.diagnostics).toEqual([
      "Pipfile:5:9: packages.flask: expected a version or a table, got an integer",
      "Pipfile:1:1: source[0].url: a source needs a url",
    ]);
  });
});

describe("what pip cannot do as pipenv does is said, not dropped", () => {
  it("a per-package index warns, and extras that are not a list are refused", () => {
    const { diagnostics } = read(
      '[[source]]\nurl = "https://corp.example/simple"\nname = "corp"\n\n[packages]\ninternal = { version = "*", index = "corp" }\nrequests = { version = "*", extras = "socks" }\n',
    );
    expect(diagnostics).toEqual([
      'Pipfile:6:37: warning: packages.internal.index: pip looks for "internal" in every index, not only in "corp"\n  hint: if another index could serve a package of that name, make that source the only one (the first [[source]]) or pass PIP_INDEX_URL',
      "Pipfile:7:38: packages.requests.extras: expected a list of extras, got a string",
    ]);
  });
});
