/** The size split's classes and table (bench/size-split.ts), apart from the engine for unit tests. */
import { formatBytes } from "./scale-report.js";

export interface SizeSplit {
  image: string;
  /** Regular files of the whole filesystem. */
  totalBytes: number;
  /** Regular files under any `site-packages`. */
  sitePackagesBytes: number;
  bytecodeBytes: number;
  testSuiteBytes: number;
  /** The bytecode within the test suites: what the two classes share. */
  testSuiteBytecodeBytes: number;
  sharedObjectBytes: number;
  /** What `strip -s` takes off the shared objects under `site-packages`. */
  strippableBytes: number;
}

/** The classes of one path of the exported filesystem, as the split counts it. */
export function classify(path: string): {
  sitePackages: boolean;
  bytecode: boolean;
  testSuite: boolean;
  sharedObject: boolean;
} {
  const segments = path.split("/");
  const at = segments.indexOf("site-packages");
  const sitePackages = at !== -1;
  const name = segments.at(-1) ?? "";
  return {
    sitePackages,
    bytecode: name.endsWith(".pyc"),
    // A `tests` folder below site-packages, never site-packages' own files.
    testSuite: sitePackages && segments.slice(at + 1, -1).includes("tests"),
    sharedObject: sitePackages && /\.so(\.\d+)*$/.test(name),
  };
}

export function renderSizeSplit(splits: readonly SizeSplit[]): string {
  const rows = [
    "| image | files | site-packages | bytecode | test suites | of which bytecode | shared objects | of which symbols (`strip -s`) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const s of splits) {
    rows.push(
      `| ${s.image} | ${[s.totalBytes, s.sitePackagesBytes, s.bytecodeBytes, s.testSuiteBytes, s.testSuiteBytecodeBytes, s.sharedObjectBytes, s.strippableBytes].map(formatBytes).join(" | ")} |`,
    );
  }
  return rows.join("\n");
}
