import { describe, expect, it } from "vitest";
import {
  evaluateMarker,
  isMarkerProblem,
  type MarkerEnvironment,
  markerVariables,
  parseMarker,
  UnknownMarkerVariable,
} from "../../../src/spec/locks/environment-markers.js";

const linux313: MarkerEnvironment = {
  os_name: "posix",
  sys_platform: "linux",
  platform_machine: "x86_64",
  platform_python_implementation: "CPython",
  platform_system: "Linux",
  python_version: "3.13",
  python_full_version: "3.13.5",
  implementation_name: "cpython",
  implementation_version: "3.13.5",
  extra: new Set(),
  extras: new Set(),
  dependency_groups: new Set(),
};

function holds(marker: string, env: MarkerEnvironment = linux313): boolean {
  const parsed = parseMarker(marker);
  if (isMarkerProblem(parsed)) throw new Error(parsed.message);
  return evaluateMarker(parsed, env);
}

describe("environment markers", () => {
  it.each([
    ['python_version < "3.11"', false],
    ['python_version >= "3.8"', true],
    ["python_version > '3.9'", true],
    ['python_full_version >= "3.13.5"', true],
    ['python_full_version < "3.13.1"', false],
    ['python_version == "3.13.*"', true],
    ['python_version ~= "3.10"', true],
    ['"3.11" < python_version', true],
    ['sys_platform == "win32"', false],
    ['sys_platform != "win32" and platform_machine == "x86_64"', true],
    ['platform_python_implementation == "CPython" and (sys_platform == "darwin" or os_name == "nt")', false],
    ['(sys_platform == "darwin" or os_name == "nt") or python_version >= "3.12"', true],
    ['platform_machine in "x86_64 aarch64"', true],
    ['platform_machine not in "x86_64 aarch64"', false],
    ['"linux" in sys_platform', true],
    ["implementation_name == 'pypy'", false],
    ['platform_system == "Linux"', true],
    ["os.name == 'posix'", true],
    ["python_implementation == 'CPython'", true],
  ])("%s is %s on CPython 3.13.5, linux x86_64", (marker, expected) => {
    expect(holds(marker)).toBe(expected);
  });

  it("binds 'and' tighter than 'or', as PEP 508 does", () => {
    expect(holds('sys_platform == "win32" and python_version < "3" or os_name == "posix"')).toBe(true);
    expect(holds('os_name == "posix" or sys_platform == "win32" and python_version < "3"')).toBe(true);
    expect(holds('(os_name == "posix" or sys_platform == "win32") and python_version < "3"')).toBe(false);
  });

  it("reads extra against the active extras, normalized", () => {
    const env = { ...linux313, extra: new Set(["socks-proxy"]) };
    expect(holds('extra == "socks_proxy"', env)).toBe(true);
    expect(holds('extra == "other"', env)).toBe(false);
    expect(holds('extra != "other"', env)).toBe(true);
    expect(holds('extra == "socks"', linux313)).toBe(false);
  });

  it("reads PEP 751's extras and dependency_groups sets", () => {
    const env = { ...linux313, extras: new Set(["postgres"]), dependency_groups: new Set(["dev"]) };
    expect(holds("'postgres' in extras", env)).toBe(true);
    expect(holds("'mysql' in extras", env)).toBe(false);
    expect(holds("'dev' in dependency_groups and 'test' not in dependency_groups", env)).toBe(true);
  });

  it("compares a non-version value as a string, as packaging does", () => {
    expect(holds('platform_machine >= "y"')).toBe(false);
    expect(holds('platform_machine < "y"')).toBe(true);
  });

  it("refuses to guess what cannot be known before the build", () => {
    const parsed = parseMarker('platform_release >= "6"');
    expect(isMarkerProblem(parsed)).toBe(false);
    expect(() => evaluateMarker(parsed as never, linux313)).toThrow(UnknownMarkerVariable);
  });

  it("names the variables a marker reads", () => {
    const parsed = parseMarker('python_full_version < "3.11.4" or extra == "x"');
    expect([...markerVariables(parsed as never)].sort()).toEqual(["extra", "python_full_version"]);
  });

  it.each([
    ["", "is empty"],
    ['python_version < "3.11', "not closed"],
    ['python_version << "3"', "expected a variable"],
    ['pyton_version < "3"', 'unknown variable "pyton_version"'],
    ['python_version "3"', "expected an operator"],
    ['"a" == "b"', "a variable on one side"],
    ['(python_version < "3"', "parenthesis is not closed"],
    ['python_version < "3" and', "ends where a value was expected"],
    ['python_version < "3" extra', 'unexpected "extra"'],
    ['os_name == "posix";rm', 'unexpected ";"'],
    ['os_name == "a\nb"', "control characters"],
    [`${"(".repeat(40)}os_name == "a"${")".repeat(40)}`, "nested too deeply"],
  ])("refuses %j with a message saying why", (marker, detail) => {
    const parsed = parseMarker(marker);
    expect(isMarkerProblem(parsed)).toBe(true);
    expect((parsed as { message: string }).message).toContain(detail);
    expect((parsed as { code: string }).code).toBe("invalid-marker");
  });
});
