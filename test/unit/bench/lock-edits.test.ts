import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getStaticTOMLValue, parseTOML } from "toml-eslint-parser";
import { afterEach, describe, expect, it } from "vitest";
import {
  addUvLockedWheel,
  disableLock,
  type LockedWheel,
  newestUniversalWheel,
  parseIndexPage,
} from "../../../bench/locks/lock-edits.js";
import { addProjectDependency } from "../../../bench/suite/mutations.js";
import { loadProject } from "../../../src/cli/project-input.js";
import { planBuild } from "../../../src/plan/plan-build.js";

const FIXTURE = join(import.meta.dirname, "..", "..", "locks", "uv", "extras-dev");
const PAGE_URL = "http://127.0.0.1:3141/simple/pfhello/";
// The page the local index serves for pfhello, byte for byte.
const PAGE = `<!DOCTYPE html>
<html><head><meta name="pypi:repository-version" content="1.0"><title>Links for pfhello</title></head><body>
<a href="../../files/pfhello-1.0.0-py3-none-any.whl#sha256=8d6baf95b498d8c4a4b0a3e8fb9dbc7adfe9e112b6efd2bb3430e1abd58096a3" data-requires-python="&gt;=3.8">pfhello-1.0.0-py3-none-any.whl</a><br>
<a href="../../files/pfhello-1.1.0-py3-none-any.whl#sha256=2e2757ea5c0641094ff13202d096532fec0e755635d6f27d7a5b4670d933c794" data-requires-python="&gt;=3.8">pfhello-1.1.0-py3-none-any.whl</a><br>
</body></html>
`;
const PFHELLO: LockedWheel = {
  name: "pfhello",
  version: "1.1.0",
  registry: "http://127.0.0.1:3141/simple",
  url: "http://127.0.0.1:3141/files/pfhello-1.1.0-py3-none-any.whl",
  sha256: "2e2757ea5c0641094ff13202d096532fec0e755635d6f27d7a5b4670d933c794",
};

describe("parseIndexPage and newestUniversalWheel", () => {
  it("resolves each link against the page and takes the hash from its fragment", () => {
    expect(parseIndexPage(PAGE, PAGE_URL)).toEqual([
      {
        filename: "pfhello-1.0.0-py3-none-any.whl",
        url: "http://127.0.0.1:3141/files/pfhello-1.0.0-py3-none-any.whl",
        sha256: "8d6baf95b498d8c4a4b0a3e8fb9dbc7adfe9e112b6efd2bb3430e1abd58096a3",
      },
      {
        filename: "pfhello-1.1.0-py3-none-any.whl",
        url: PFHELLO.url,
        sha256: PFHELLO.sha256,
      },
    ]);
  });

  it("leaves out links without a sha256, and unescapes the href", () => {
    const page =
      '<a href="/f/x-1.0.tar.gz">x-1.0.tar.gz</a><a href="/f/x-2.0-py3-none-any.whl?a=1&amp;b=2#sha256=' +
      `${"A".repeat(64)}">x-2.0-py3-none-any.whl</a>`;
    expect(parseIndexPage(page, "http://i/simple/x/")).toEqual([
      {
        filename: "x-2.0-py3-none-any.whl",
        url: "http://i/f/x-2.0-py3-none-any.whl?a=1&b=2",
        sha256: "a".repeat(64),
      },
    ]);
  });

  it("picks the newest version by PEP 440, not by the page's order, and only universal wheels", () => {
    const files = [
      { filename: "pfhello-1.10.0-py3-none-any.whl", url: "u10", sha256: "1".repeat(64) },
      { filename: "pfhello-1.9.0-py3-none-any.whl", url: "u9", sha256: "2".repeat(64) },
      { filename: "pfhello-2.0.0-cp313-cp313-manylinux_2_17_x86_64.whl", url: "u2", sha256: "3".repeat(64) },
      { filename: "other-9.0-py3-none-any.whl", url: "o", sha256: "4".repeat(64) },
    ];
    expect(newestUniversalWheel(files, "PFHello")).toMatchObject({
      name: "pfhello",
      version: "1.10.0",
      url: "u10",
    });
    expect(() => newestUniversalWheel(files, "absent")).toThrow(/no py3-none-any wheel of absent/);
  });
});

describe("disableLock", () => {
  it("appends a [tool.pyfront] table when there is none", () => {
    expect(disableLock('[project]\nname = "a"\n')).toBe(
      '[project]\nname = "a"\n\n[tool.pyfront]\nlock = false\n',
    );
    expect(disableLock('[project]\nname = "a"')).toBe(
      '[project]\nname = "a"\n\n[tool.pyfront]\nlock = false\n',
    );
  });

  it("adds the key inside an existing [tool.pyfront], whatever table follows it", () => {
    const text = '[tool.pyfront]\ncommand = ["x"]\n\n[tool.uv]\nenvironments = []\n';
    const out = disableLock(text);
    const data = getStaticTOMLValue(parseTOML(out)) as { tool: { pyfront: object; uv: object } };
    expect(data.tool.pyfront).toEqual({ lock: false, command: ["x"] });
    expect(data.tool.uv).toEqual({ environments: [] });
  });

  it("refuses a project that sets lock already", () => {
    expect(() => disableLock('[tool.pyfront]\nlock = "pylock.toml"\n')).toThrow(/already sets lock/);
  });
});

describe("addUvLockedWheel", () => {
  const lock = readFileSync(join(FIXTURE, "uv.lock"), "utf8");

  it("adds the package, the project's edge and requires-dist entry in name order, as uv writes them", () => {
    const out = addUvLockedWheel(lock, "notes-api", PFHELLO);
    expect(out).toContain(
      [
        "[[package]]",
        'name = "pfhello"',
        'version = "1.1.0"',
        'source = { registry = "http://127.0.0.1:3141/simple" }',
        "wheels = [",
        `    { url = "${PFHELLO.url}", hash = "sha256:${PFHELLO.sha256}" },`,
        "]",
        "",
        "[[package]]",
        'name = "pluggy"',
      ].join("\n"),
    );
    expect(out).toContain('dependencies = [\n    { name = "flask" },\n    { name = "pfhello" },\n]');
    expect(out).toContain(
      `    { name = "flask", extras = ["async"], marker = "extra == 'async'", specifier = ">=3.1" },\n` +
        '    { name = "pfhello" },\n    { name = "python-dotenv",',
    );
    // Nothing else changes: taking the three insertions out gives the lock back byte for byte.
    const removed = out
      .replace(/\[\[package\]\]\nname = "pfhello"\n(?:.*\n){4}\]\n\n/, "")
      .replace(/ {4}\{ name = "pfhello" \},\n/g, "");
    expect(removed).toBe(lock);
    // Package names stay sorted.
    const names = [...out.matchAll(/^\[\[package\]\]\nname = "([^"]+)"/gm)].map((m) => m[1]!);
    expect(names).toEqual([...names].sort());
  });

  it("appends at the end when the name sorts last, and fills one-line arrays", () => {
    const small = [
      "version = 1",
      "",
      "[[package]]",
      'name = "app"',
      'source = { virtual = "." }',
      'dependencies = [{ name = "a" }]',
      "",
      "[package.metadata]",
      "requires-dist = []",
      "",
    ].join("\n");
    const out = addUvLockedWheel(small, "app", { ...PFHELLO, name: "zz" });
    expect(out).toBe(
      [
        "version = 1",
        "",
        "[[package]]",
        'name = "app"',
        'source = { virtual = "." }',
        'dependencies = [{ name = "a" }, { name = "zz" }]',
        "",
        "[package.metadata]",
        'requires-dist = [{ name = "zz" }]',
        "",
        "[[package]]",
        'name = "zz"',
        'version = "1.1.0"',
        `source = { registry = "${PFHELLO.registry}" }`,
        "wheels = [",
        `    { url = "${PFHELLO.url}", hash = "sha256:${PFHELLO.sha256}" },`,
        "]",
        "",
      ].join("\n"),
    );
  });

  it("appends to a multi-line array after its last item, adding the comma an item lacks", () => {
    const text = '[[package]]\nname = "app"\ndependencies = [\n  { name = "a" }\n]\n';
    expect(addUvLockedWheel(text, "app", { ...PFHELLO, name: "b" })).toContain(
      'dependencies = [\n  { name = "a" },\n  { name = "b" }\n]\n',
    );
  });

  it("refuses a lock that already holds the package or has no such project", () => {
    const once = addUvLockedWheel(lock, "notes-api", PFHELLO);
    expect(() => addUvLockedWheel(once, "notes-api", PFHELLO)).toThrow(/already holds pfhello/);
    expect(() => addUvLockedWheel(lock, "other", PFHELLO)).toThrow(/no \[\[package\]\] named other/);
  });
});

describe("the benchmark's two projects, as pyfront plans them", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  function copy(): string {
    dir = mkdtempSync(join(tmpdir(), "pyfront-lock-edits-"));
    cpSync(FIXTURE, dir, { recursive: true });
    return dir;
  }

  function plan(context: string) {
    const { spec } = loadProject({ dir: context, buildArgs: {} });
    return planBuild(spec, { buildArgs: {} });
  }

  it("locked with one more dependency: the lock's pinned set gains exactly pfhello 1.1.0", () => {
    const context = copy();
    const before = plan(context).locked!.packages.map((p) => `${p.name}==${p.version}`);
    const pyproject = join(context, "pyproject.toml");
    writeFileSync(pyproject, addProjectDependency(readFileSync(pyproject, "utf8"), "pfhello"));
    const lockPath = join(context, "uv.lock");
    writeFileSync(lockPath, addUvLockedWheel(readFileSync(lockPath, "utf8"), "notes-api", PFHELLO));
    const after = plan(context).locked!.packages.map((p) => `${p.name}==${p.version}`);
    expect(after).toEqual([...before, "pfhello==1.1.0"].sort());
  });

  it("locked with the dependency in the pyproject only: the build refuses the lock as out of date", () => {
    const context = copy();
    const pyproject = join(context, "pyproject.toml");
    writeFileSync(pyproject, addProjectDependency(readFileSync(pyproject, "utf8"), "pfhello"));
    expect(() => plan(context)).toThrow(/pfhello is in .* but not in uv.lock: the lock is out of date/);
  });

  it("unlocked: no locked set, and the declared dependencies go to pip", () => {
    const context = copy();
    const pyproject = join(context, "pyproject.toml");
    writeFileSync(pyproject, addProjectDependency(disableLock(readFileSync(pyproject, "utf8")), "pfhello"));
    const result = plan(context);
    expect(result.locked).toBeUndefined();
    expect(result.decisions.dependencies?.rule).toBe("declared-dependencies");
  });
});
