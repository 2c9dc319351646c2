import { describe, expect, it } from "vitest";
import { fileFitsTarget, type LockTarget, selectLockedPackages } from "../../../src/plan/lock-selection.js";
import type { LockEdge, LockedPackage, LockGraph } from "../../../src/spec/locks/lock-graph.js";

let line = 0;
function pkg(name: string, version: string, more: Partial<LockedPackage> = {}): LockedPackage {
  line += 10;
  return {
    name,
    version,
    source: { kind: "registry" },
    files: [{ name: `${name}-${version}-py3-none-any.whl`, hashes: [`sha256:${"a".repeat(64)}`] }],
    dependencies: [],
    optionalDependencies: {},
    position: { file: "uv.lock", line, column: 1 },
    ...more,
  };
}

function graphLock(
  packages: LockedPackage[],
  roots: Record<string, LockEdge[]>,
  extras: Record<string, LockEdge[]> = {},
): LockGraph {
  return {
    format: "uv",
    file: "uv.lock",
    packages,
    selection: { kind: "graph", roots, extras },
    defaultGroups: ["default"],
    groups: Object.keys(roots).filter((g) => g !== "default"),
    extras: Object.keys(extras),
  };
}

const x86: LockTarget = { python: "3.13", machine: "x86_64" };
const names = (graph: LockGraph, target = x86, request = {}) =>
  selectLockedPackages(graph, target, request).packages.map((p) => `${p.name}==${p.version}`);

describe("lock selection, graph walk", () => {
  const graph = graphLock(
    [
      pkg("app", "0.1.0", { source: { kind: "project" } }),
      pkg("anyio", "4.9.0", {
        dependencies: [
          { name: "idna" },
          { name: "exceptiongroup", marker: "python_full_version < '3.11'" },
          { name: "typing-extensions", marker: "python_full_version < '3.13'" },
        ],
        optionalDependencies: { trio: [{ name: "trio" }] },
      }),
      pkg("idna", "3.10"),
      pkg("exceptiongroup", "1.2.2"),
      pkg("typing-extensions", "4.13.2"),
      pkg("trio", "0.29.0"),
      pkg("colorama", "0.4.6"),
      pkg("click", "8.1.8", { dependencies: [{ name: "colorama", marker: "sys_platform == 'win32'" }] }),
      pkg("pytest", "8.3.5"),
      pkg("uvloop", "0.21.0", {
        files: [
          {
            name: "uvloop-0.21.0-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            hashes: ["sha256:1"],
          },
        ],
      }),
    ],
    {
      default: [{ name: "anyio" }, { name: "click" }, { name: "uvloop", marker: "sys_platform != 'win32'" }],
      dev: [{ name: "pytest" }],
    },
    { async: [{ name: "anyio", extras: ["trio"] }] },
  );

  it("follows edges whose markers hold for the target, and only the main group by default", () => {
    expect(names(graph)).toEqual(["anyio==4.9.0", "click==8.1.8", "idna==3.10", "uvloop==0.21.0"]);
  });

  it("takes what an older Python needs", () => {
    expect(names(graph, { python: "3.11", machine: "x86_64" })).toContain("typing-extensions==4.13.2");
    expect(names(graph, { python: "3.10", machine: "x86_64" })).toContain("exceptiongroup==1.2.2");
  });

  it("adds named groups and extras, and the extras of a dependency", () => {
    expect(names(graph, x86, { groups: ["dev"], extras: ["async"] })).toEqual([
      "anyio==4.9.0",
      "click==8.1.8",
      "idna==3.10",
      "pytest==8.3.5",
      "trio==0.29.0",
      "uvloop==0.21.0",
    ]);
  });

  it("refuses a group or extra the lock does not have, naming what it has", () => {
    const { problems } = selectLockedPackages(graph, x86, { groups: ["docs"], extras: ["gpu"] });
    expect(problems.map((p) => p.message)).toEqual([
      'the group "docs" is not in uv.lock',
      'the extra "gpu" is not in uv.lock',
    ]);
    expect(problems[0]!.hint).toBe("its groups: dev");
  });

  it("names a package the lock has no file for on the target", () => {
    const { problems } = selectLockedPackages(graph, { python: "3.13", machine: "aarch64" });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toBe(
      "uvloop 0.21.0 has no file in uv.lock for CPython 3.13 on linux/aarch64",
    );
    expect(problems[0]!.position.line).toBeGreaterThan(0);
  });

  it("walks again when a later edge asks for more extras of a package already reached", () => {
    const g = graphLock(
      [
        pkg("a", "1.0", { dependencies: [{ name: "c" }] }),
        pkg("b", "1.0", { dependencies: [{ name: "c", extras: ["x"] }] }),
        pkg("c", "1.0", { dependencies: [{ name: "d", marker: "extra == 'x'" }] }),
        pkg("d", "1.0"),
      ],
      { default: [{ name: "a" }, { name: "b" }] },
    );
    expect(names(g)).toEqual(["a==1.0", "b==1.0", "c==1.0", "d==1.0"]);
  });

  it("picks the fork of a package the edge names by version", () => {
    const g = graphLock([pkg("numpy", "2.0.2", { dependencies: [] }), pkg("numpy", "2.2.4")], {
      default: [
        { name: "numpy", version: "2.0.2", marker: "python_full_version < '3.10'" },
        { name: "numpy", version: "2.2.4", marker: "python_full_version >= '3.10'" },
      ],
    });
    expect(names(g)).toEqual(["numpy==2.2.4"]);
    expect(names(g, { python: "3.9", machine: "x86_64" })).toEqual(["numpy==2.0.2"]);
  });

  it("asks for an exact Python when a marker turns on the patch release, and not otherwise", () => {
    const g = graphLock([pkg("a", "1.0"), pkg("b", "1.0")], {
      default: [
        { name: "a", marker: "python_full_version < '3.13.2'" },
        { name: "b", marker: "python_full_version >= '3.11'" },
      ],
    });
    const series = selectLockedPackages(g, x86);
    expect(series.problems.map((p) => p.code)).toEqual(["marker-needs-python-patch"]);
    const exact = selectLockedPackages(g, { python: "3.13.5", machine: "x86_64" });
    expect(exact.problems).toEqual([]);
    expect(exact.packages.map((p) => p.name)).toEqual(["b"]);
  });

  it("refuses a marker on what the build cannot know yet", () => {
    const g = graphLock([pkg("a", "1.0")], { default: [{ name: "a", marker: "platform_release >= '6'" }] });
    expect(selectLockedPackages(g, x86).problems.map((p) => p.code)).toEqual(["marker-unknown-before-build"]);
  });

  it("reports an edge to a package the lock does not hold", () => {
    const g = graphLock([pkg("a", "1.0", { dependencies: [{ name: "ghost" }] })], {
      default: [{ name: "a" }],
    });
    const { problems } = selectLockedPackages(g, x86);
    expect(problems.map((p) => p.message)).toEqual(["ghost is required but has no entry in uv.lock"]);
  });

  it("refuses a target outside the lock's requires-python", () => {
    const g = { ...graphLock([], { default: [] }), requiresPython: ">=3.12" };
    expect(selectLockedPackages(g, { python: "3.11", machine: "x86_64" }).problems[0]!.message).toBe(
      "uv.lock was locked for Python >=3.12; the build uses Python 3.11",
    );
    expect(selectLockedPackages(g, x86).problems).toEqual([]);
  });
});

describe("lock selection, flat", () => {
  const flat: LockGraph = {
    format: "pdm",
    file: "pdm.lock",
    packages: [
      pkg("flask", "3.1.1", { groups: ["default"] }),
      pkg("tomli", "2.2.1", { groups: ["default"], marker: 'python_version < "3.11"' }),
      pkg("pytest", "8.3.5", { groups: ["dev"] }),
      pkg("psycopg", "3.2.9", { groups: ["postgres"] }),
      pkg("pylocked", "1.0", { marker: "'postgres' in extras" }),
      pkg("linted", "1.0", { marker: "'lint' in dependency_groups" }),
    ],
    selection: { kind: "flat" },
    defaultGroups: ["default"],
    groups: ["dev", "lint"],
    extras: ["postgres"],
  };

  it("takes the packages of the default group whose markers hold", () => {
    expect(names(flat)).toEqual(["flask==3.1.1"]);
    expect(names(flat, { python: "3.10", machine: "x86_64" })).toEqual(["flask==3.1.1", "tomli==2.2.1"]);
  });

  it("adds a group, an extra, and reads PEP 751's extras and dependency_groups", () => {
    expect(names(flat, x86, { groups: ["dev"] })).toEqual(["flask==3.1.1", "pytest==8.3.5"]);
    expect(names(flat, x86, { extras: ["postgres"] })).toEqual([
      "flask==3.1.1",
      "psycopg==3.2.9",
      "pylocked==1.0",
    ]);
    expect(names(flat, x86, { groups: ["lint"] })).toEqual(["flask==3.1.1", "linted==1.0"]);
  });
});

describe("wheel tags against the target", () => {
  it.each([
    ["flask-3.1.1-py3-none-any.whl", true],
    ["six-1.17.0-py2.py3-none-any.whl", true],
    ["numpy-2.2.4-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", true],
    ["numpy-2.2.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", false],
    ["numpy-2.2.4-cp313-cp313-manylinux_2_17_aarch64.manylinux2014_aarch64.whl", false],
    ["numpy-2.2.4-cp313-cp313-win_amd64.whl", false],
    ["numpy-2.2.4-cp313-cp313-macosx_14_0_x86_64.whl", false],
    ["cryptography-44.0.0-cp39-abi3-manylinux_2_28_x86_64.whl", true],
    ["pydantic_core-2.33.2-cp313-cp313-musllinux_1_1_x86_64.whl", true],
    ["markupsafe-3.0.2-cp313-cp313t-manylinux_2_17_x86_64.whl", false],
    ["old-1.0-py2-none-any.whl", false],
    ["flask-3.1.1.tar.gz", true],
  ])("%s fits CPython 3.13 on linux/x86_64: %s", (file, expected) => {
    expect(fileFitsTarget(file, x86)).toBe(expected);
  });
});

describe("lock environments", () => {
  it("refuses a target outside the environments the lock was made for", () => {
    const graph: LockGraph = {
      ...graphLock([pkg("a", "1.0")], { default: [{ name: "a" }] }),
      environments: ["sys_platform == 'darwin'", "sys_platform == 'linux' and platform_machine == 'x86_64'"],
    };
    expect(selectLockedPackages(graph, x86).problems).toEqual([]);
    const arm = selectLockedPackages(graph, { python: "3.13", machine: "aarch64" });
    expect(arm.problems.map((p) => p.code)).toEqual(["lock-environment-mismatch"]);
  });
});
