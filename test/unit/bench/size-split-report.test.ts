import { describe, expect, it } from "vitest";
import { classify, renderSizeSplit } from "../../../bench/scale/size-split-report.js";

describe("the size split's classes", () => {
  it("counts what microb's recipe deletes: tests folders, bytecode, shared objects under site-packages", () => {
    const site = "opt/venv/lib/python3.12/site-packages";
    expect(classify(`${site}/pandas/tests/frame/test_api.py`)).toEqual({
      sitePackages: true,
      bytecode: false,
      testSuite: true,
      sharedObject: false,
    });
    expect(classify(`${site}/numpy/core/__pycache__/numeric.cpython-312.pyc`).bytecode).toBe(true);
    expect(classify(`${site}/numpy.libs/libopenblas64_p-r0-0cf96a72.3.23.dev.so`).sharedObject).toBe(true);
    expect(classify(`${site}/pandas/_libs/lib.cpython-312-x86_64-linux-gnu.so`).sharedObject).toBe(true);
    expect(classify(`${site}/scipy.libs/libgfortran-040039e1.so.5.0.0`).sharedObject).toBe(true);
    // A module named tests, or a file named like one, is not a test suite; nor is the app's own.
    expect(classify(`${site}/tests.py`).testSuite).toBe(false);
    expect(classify("app/tests/test_report.py")).toEqual({
      sitePackages: false,
      bytecode: false,
      testSuite: false,
      sharedObject: false,
    });
    expect(classify("usr/lib/x86_64-linux-gnu/libc.so.6").sharedObject).toBe(false);
  });

  it("renders one row per image", () => {
    const table = renderSizeSplit([
      {
        image: "a",
        totalBytes: 3e8,
        sitePackagesBytes: 2e8,
        bytecodeBytes: 3e7,
        testSuiteBytes: 2e7,
        testSuiteBytecodeBytes: 1e7,
        sharedObjectBytes: 8e7,
        strippableBytes: 5e6,
      },
    ]);
    expect(table.split("\n")).toHaveLength(3);
    expect(table).toContain("| a | 300.0 MB | 200.0 MB | 30.0 MB | 20.0 MB | 10.0 MB | 80.0 MB | 5.0 MB |");
  });
});
