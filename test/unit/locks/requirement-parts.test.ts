// The PEP 508 splitter the Poetry and pdm readers (and the project roots) share.
import { describe, expect, it } from "vitest";
import { splitRequirement } from "../../../src/spec/locks/requirement-parts.js";

const value = <T>(checked: { ok: true; value: T } | { ok: false }) =>
  checked.ok ? checked.value : undefined;
const code = (checked: { ok: true } | { ok: false; problem: { code: string } }) =>
  checked.ok ? undefined : checked.problem.code;

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
