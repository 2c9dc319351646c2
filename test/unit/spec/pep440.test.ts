import { describe, expect, test } from "vitest";
import { compareVersions, parseSpecifierSet, parseVersion, satisfies } from "../../../src/spec/pep440.js";
import { newestSeriesMatching, resolvePythonVersion } from "../../../src/spec/python-versions.js";

function matches(version: string, specifiers: string): boolean {
  const parsed = parseSpecifierSet(specifiers);
  if (!parsed) throw new Error(`bad specifier ${specifiers}`);
  return satisfies(version, parsed);
}

describe("PEP 440 specifiers", () => {
  test.each([
    ["3.11.4", ">=3.10", true],
    ["3.9.0", ">=3.10", false],
    ["3.12.0", ">3.11", true],
    ["3.11.0", ">3.11", false],
    ["3.11.9", "<3.12", true],
    ["3.12.0", "<3.12", false],
    ["3.12.0", "<=3.12", true],
    ["3.12.1", "<=3.12", false],
    ["3.11.0", "==3.11", true],
    ["3.11.4", "==3.11", false],
    ["3.11.4", "==3.11.*", true],
    ["3.12.0", "==3.11.*", false],
    ["3.11.4", "!=3.11.*", false],
    ["3.10.2", "!=3.11.*", true],
    ["3.11.3", "!=3.11.3", false],
    ["3.10.5", "~=3.10", true],
    ["4.0.0", "~=3.10", false],
    ["3.9.9", "~=3.10", false],
    ["3.10.7", "~=3.10.2", true],
    ["3.11.0", "~=3.10.2", false],
    ["3.11.4", ">=3.9,<3.13,!=3.10.*", true],
    ["3.10.4", ">=3.9,<3.13,!=3.10.*", false],
    ["3.11.4", "===3.11.4", true],
    ["3.11.4", "", true],
    ["2.1.0+cpu", "==2.1.0", true],
    ["2.1.0+cpu", ">=2,<3", true],
    ["1!1.0", ">=2", true],
    ["1.0", ">=1!0.5", false],
  ])("%s against %j is %s", (version, specifiers, expected) => {
    expect(matches(version, specifiers)).toBe(expected);
  });

  test.each(["3.10+", ">=", "~=3", ">=3.*", "=>3.9", "3.10"])("rejects malformed %j", (text) => {
    expect(parseSpecifierSet(text)).toBeUndefined();
  });

  test("orders dev, pre, final and post releases", () => {
    const ordered = ["3.12.0.dev1", "3.12.0a1", "3.12.0b2", "3.12.0rc1", "3.12.0", "3.12.0.post1", "3.12.1"];
    const parsed = ordered.map((v) => parseVersion(v)!);
    for (let i = 1; i < parsed.length; i++) expect(compareVersions(parsed[i - 1]!, parsed[i]!)).toBe(-1);
    expect(compareVersions(parseVersion("3.12")!, parseVersion("3.12.0")!)).toBe(0);
  });

  test("reads epochs and local labels, as locks write them", () => {
    expect(parseVersion("2.1.0+cpu")).toEqual({ release: [2, 1, 0], local: "cpu" });
    expect(parseVersion("1.0+ubuntu-1_2")).toEqual({ release: [1, 0], local: "ubuntu.1.2" });
    expect(parseVersion("2!1.0")).toEqual({ epoch: 2, release: [1, 0] });
    expect(parseVersion("1.0+")).toBeUndefined();
    expect(parseVersion("1.0+a b")).toBeUndefined();
  });
});

describe("Python series selection", () => {
  test.each([
    [">=3.9", "3.14"],
    [">=3.9,<3.14", "3.13"],
    [">=3.9,<3.12", "3.11"],
    ["<3.11", "3.10"],
    ["~=3.10.2", "3.10"],
    ["==3.9.*", "3.9"],
    [">=3.11.4,!=3.13.*,!=3.14.*", "3.12"],
    ["", "3.14"],
  ])("requires-python %j picks %s", (text, series) => {
    expect(newestSeriesMatching(parseSpecifierSet(text)!)).toBe(series);
  });

  test.each([">=3.15", "<3.8", "==2.7.*"])("requires-python %j matches no supported series", (text) => {
    expect(newestSeriesMatching(parseSpecifierSet(text)!)).toBeUndefined();
  });

  test("reads requested versions into a series", () => {
    expect(resolvePythonVersion("3")).toEqual({ requested: "3", series: "3.14" });
    expect(resolvePythonVersion("3.9")).toEqual({ requested: "3.9", series: "3.9" });
    expect(resolvePythonVersion("3.12.4")).toEqual({ requested: "3.12.4", series: "3.12" });
    expect(resolvePythonVersion("3.8")).toEqual({ requested: "3.8", series: "3.8" });
    expect(resolvePythonVersion("3.7")).toMatchObject({ code: "unsupported-python-version" });
    expect(resolvePythonVersion("3.11.4.1")).toMatchObject({ code: "invalid-python-version" });
  });
});
