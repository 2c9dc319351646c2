// The Python version: each source rule (python-sources.ts), each class of version
// (python-versions.ts, python-pins.ts), and the decision and warnings selectPython makes of them.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { memoryContext } from "../../../src/context/memory-context.js";
import type { BuildSpec } from "../../../src/spec/build-spec.js";
import { DiagnosticList } from "../../../src/spec/diagnostic-list.js";
import { formatDiagnostic, SpecError } from "../../../src/spec/diagnostics.js";
import { loadBuildSpec } from "../../../src/spec/load-build-spec.js";
import { parseSpecifierSet } from "../../../src/spec/pep440.js";
import { readPinnedVersion } from "../../../src/spec/python-pins.js";
import { selectPython } from "../../../src/spec/python-selection.js";
import { PYTHON_SOURCE_RULES } from "../../../src/spec/python-sources.js";
import {
  endOfLifeProblem,
  isPastEndOfLife,
  maintainedSeries,
  newestSeriesMatching,
  PYTHON_SERIES,
  resolvePythonVersion,
  SUPPORTED_PYTHON_SERIES,
} from "../../../src/spec/python-versions.js";
import { SourceDocument } from "../../../src/spec/source-document.js";

const TODAY = "2026-12-01";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date(`${TODAY}T12:00:00Z`));
});
afterEach(() => {
  vi.useRealTimers();
});

const PROJECT = '[project]\nname = "app"\nversion = "1.0"\n';
const withRequires = (range: string) => `${PROJECT}requires-python = "${range}"\n`;

type Loaded = { ok: true; spec: BuildSpec; warnings: string[] } | { ok: false; errors: string[] };

/** Loads the spec file (default pyproject.toml) from an in-memory context. */
function load(files: Record<string, string>, specFile = "pyproject.toml"): Loaded {
  try {
    const { spec, warnings } = loadBuildSpec(files[specFile]!, { specFile }, memoryContext(files));
    // These projects run nothing on purpose; what to run is another rule table's business.
    const about = warnings.filter((w) => w.code !== "no-start-command");
    return { ok: true, spec, warnings: about.map(formatDiagnostic) };
  } catch (error) {
    if (error instanceof SpecError) return { ok: false, errors: error.diagnostics.map(formatDiagnostic) };
    throw error;
  }
}

function loaded(files: Record<string, string>, specFile?: string) {
  const result = load(files, specFile);
  if (!result.ok) throw new Error(`expected the spec to load, got:\n${result.errors.join("\n")}`);
  return result;
}

function errors(files: Record<string, string>, specFile?: string): string[] {
  const result = load(files, specFile);
  if (result.ok)
    throw new Error(`expected errors, the spec loaded with python ${result.spec.python.requested}`);
  return result.errors;
}

describe("the source rules", () => {
  test("are tried in this order, with stable ids", () => {
    expect(PYTHON_SOURCE_RULES.map((r) => r.id)).toEqual([
      "spec-key",
      "python-version-file",
      "runtime-txt",
      "tool-versions",
      "mise-toml",
      "pipfile-requires",
      "inline-script-metadata",
      "requires-python",
      "default",
    ]);
  });

  test("spec-key: the spec's python_version beats every file", () => {
    const { spec, warnings } = loaded({
      "pyproject.toml": `${PROJECT}[tool.pyfront]\npython_version = "3.13"\n`,
      ".python-version": "3.11\n",
      "runtime.txt": "python-3.12.4\n",
    });
    expect(spec.python).toEqual({ requested: "3.13", series: "3.13" });
    expect(spec.decisions.python).toEqual({
      choice: "3.13",
      rule: "spec-key",
      reason: "`tool.pyfront.python_version` in pyproject.toml says 3.13",
    });
    expect(spec.builderImage).toBe("python:3.13");
    expect(warnings).toEqual([]);
  });

  test("spec-key: a microb target's python_version", () => {
    const { spec } = loaded({
      "pyproject.toml": `${PROJECT}[tool.microb.target.default]\npython_version = "3.12.4"\n`,
    });
    expect(spec.decisions.python).toEqual({
      choice: "3.12.4",
      rule: "spec-key",
      reason: "`tool.microb.target.default.python_version` in pyproject.toml says 3.12.4",
    });
  });

  test.each([
    ["3.13\n", "3.13", "3.13"],
    ["3.13.5\n", "3.13.5", "3.13.5"],
    ["3\n", "3.14", "3"],
    ["latest\n", "3.14", "3.14"],
    ["# pinned for CI\n\n3.12\n3.11\n", "3.12", "3.12"],
    ["cpython-3.13\n", "3.13", "3.13"],
    ["\uFEFF3.12\r\n", "3.12", "3.12"],
    [">=3.11,<3.13\n", "3.12", undefined],
  ])("python-version-file: %j picks %s", (text, choice, said) => {
    const { spec } = loaded({ "pyproject.toml": PROJECT, ".python-version": text });
    expect(spec.decisions.python).toEqual({
      choice,
      rule: "python-version-file",
      reason:
        said === undefined
          ? `newest supported series allowed by \`.python-version\` "${text.trim()}"`
          : `\`.python-version\` says ${said}`,
    });
  });

  test("runtime-txt: Heroku's python-3.12.4 pins the patch release and its images", () => {
    const { spec, warnings } = loaded({ "pyproject.toml": PROJECT, "runtime.txt": "python-3.12.4\n" });
    expect(spec.python).toEqual({ requested: "3.12.4", series: "3.12" });
    expect(spec.runtimeImage).toBe("python:3.12.4-slim");
    expect(spec.decisions.python).toEqual({
      choice: "3.12.4",
      rule: "runtime-txt",
      reason: "`runtime.txt` says 3.12.4",
    });
    expect(warnings).toEqual([]);
  });

  test("runtime-txt: another runtime's file pins no Python; a bare version is an error", () => {
    expect(
      loaded({ "pyproject.toml": PROJECT, "runtime.txt": "r-4.3-2024-01-01\n" }).spec.decisions.python?.rule,
    ).toBe("default");
    expect(errors({ "pyproject.toml": PROJECT, "runtime.txt": "3.12.4\n" })).toEqual([
      'runtime.txt:1:1: "3.12.4" is not a runtime.txt Python version\n  hint: write "python-" and the version, e.g. "python-3.12.4"',
    ]);
  });

  test("tool-versions: asdf's python line, its first version", () => {
    const { spec } = loaded({
      "pyproject.toml": PROJECT,
      ".tool-versions": "# tools\nnodejs 20.11.0\npython 3.12.4 3.11.0  # main first\n",
    });
    expect(spec.decisions.python).toEqual({
      choice: "3.12.4",
      rule: "tool-versions",
      reason: "`.tool-versions` says 3.12.4",
    });
  });

  test("tool-versions: without a python line it pins nothing", () => {
    const { spec } = loaded({ "pyproject.toml": PROJECT, ".tool-versions": "nodejs 20.11.0\n" });
    expect(spec.decisions.python?.rule).toBe("default");
  });

  test.each([
    ['[tools]\npython = "3.12"\n', "3.12"],
    ['[tools]\npython = ["3.11", "3.12"]\n', "3.11"],
    ['[tools]\npython = { version = "3.13", virtualenv = ".venv" }\n', "3.13"],
    ['[tools]\npython = "latest"\n', "3.14"],
    ['[tools]\npython = "prefix:3.12"\n', "3.12"],
  ])("mise-toml: %j picks %s", (text, choice) => {
    const { spec } = loaded({ "pyproject.toml": PROJECT, "mise.toml": text });
    expect(spec.decisions.python).toMatchObject({ choice, rule: "mise-toml" });
  });

  test("mise-toml: .mise.toml is read too, and names its key", () => {
    const { spec } = loaded({
      "pyproject.toml": PROJECT,
      ".mise.toml": '[tools]\nnode = "20"\npython = "3.11"\n',
    });
    expect(spec.decisions.python).toEqual({
      choice: "3.11",
      rule: "mise-toml",
      reason: "`tools.python` in .mise.toml says 3.11",
    });
  });

  test("mise-toml: a file without a Python pins nothing; a broken file is an error", () => {
    expect(
      loaded({ "pyproject.toml": PROJECT, "mise.toml": '[tools]\nnode = "20"\n' }).spec.decisions.python
        ?.rule,
    ).toBe("default");
    const [problem] = errors({ "pyproject.toml": PROJECT, "mise.toml": '[tools]\npython = "3.12\n' });
    expect(problem).toMatch(/^mise\.toml:2:\d+: TOML syntax error/);
  });

  test("pipfile-requires: python_full_version wins over python_version", () => {
    const { spec } = loaded({
      "pyproject.toml": PROJECT,
      Pipfile:
        '[packages]\nflask = "*"\n\n[requires]\npython_version = "3.12"\npython_full_version = "3.12.4"\n',
    });
    expect(spec.decisions.python).toEqual({
      choice: "3.12.4",
      rule: "pipfile-requires",
      reason: "`requires.python_full_version` in Pipfile says 3.12.4",
    });
  });

  test("pipfile-requires: python_version alone", () => {
    const { spec } = loaded({ "pyproject.toml": PROJECT, Pipfile: '[requires]\npython_version = "3.11"\n' });
    expect(spec.decisions.python).toMatchObject({ choice: "3.11", rule: "pipfile-requires" });
  });

  test("inline-script-metadata: the newest series the script's requires-python allows", () => {
    const out = new DiagnosticList();
    const { python, decision } = selectPython({
      doc: new SourceDocument("main.py", {}),
      inlineScriptRequiresPython: {
        text: ">=3.11,<3.14",
        position: { file: "main.py", line: 3, column: 21 },
      },
      projectDir: ".",
      context: memoryContext({ "main.py": "print(1)\n" }),
      out,
    });
    expect(python).toEqual({ requested: "3.13", series: "3.13" });
    expect(decision).toEqual({
      choice: "3.13",
      rule: "inline-script-metadata",
      reason:
        'newest supported series allowed by the inline script metadata\'s `requires-python` ">=3.11,<3.14" in main.py',
    });
    expect(out.items).toEqual([]);
  });

  test("inline-script-metadata: a file pin beats it, and a disagreement warns at the script", () => {
    const out = new DiagnosticList();
    const { decision } = selectPython({
      doc: new SourceDocument("main.py", {}),
      inlineScriptRequiresPython: { text: ">=3.12", position: { file: "main.py", line: 3, column: 21 } },
      projectDir: ".",
      context: memoryContext({ "main.py": "", ".python-version": "3.11\n" }),
      out,
    });
    expect(decision.rule).toBe("python-version-file");
    expect(out.items.map(formatDiagnostic)).toEqual([
      'main.py:3:21: warning: requires-python: Python 3.11 does not satisfy ">=3.12"\n  hint: change .python-version or requires-python so they agree',
    ]);
  });

  test("requires-python: the newest supported series it allows", () => {
    const { spec } = loaded({ "pyproject.toml": withRequires(">=3.10,<3.14") });
    expect(spec.decisions.python).toEqual({
      choice: "3.13",
      rule: "requires-python",
      reason: 'newest supported series allowed by `requires-python` ">=3.10,<3.14" in pyproject.toml',
    });
  });

  test("default: the newest supported series", () => {
    const { spec, warnings } = loaded({ "pyproject.toml": PROJECT });
    expect(spec.python).toEqual({ requested: "3.14", series: "3.14" });
    expect(spec.decisions.python).toEqual({
      choice: "3.14",
      rule: "default",
      reason: "nothing pins a Python version: the newest supported series",
    });
    expect(warnings).toEqual([]);
  });
});

describe("where the files are looked for", () => {
  test("a file in the spec's folder beats any file at the context root", () => {
    const { spec } = loaded(
      {
        "services/api/pyproject.toml": PROJECT,
        "services/api/runtime.txt": "python-3.11.2\n",
        ".python-version": "3.13\n",
      },
      "services/api/pyproject.toml",
    );
    expect(spec.decisions.python).toEqual({
      choice: "3.11.2",
      rule: "runtime-txt",
      reason: "`services/api/runtime.txt` says 3.11.2",
    });
  });

  test("the context root's files apply when the folder has none", () => {
    const { spec } = loaded(
      { "services/api/pyproject.toml": PROJECT, ".tool-versions": "python 3.13.5\n" },
      "services/api/pyproject.toml",
    );
    expect(spec.decisions.python).toMatchObject({ choice: "3.13.5", rule: "tool-versions" });
  });

  test("within one folder the rule order holds", () => {
    const { spec } = loaded({
      "pyproject.toml": PROJECT,
      Pipfile: '[requires]\npython_version = "3.11"\n',
      "mise.toml": '[tools]\npython = "3.12"\n',
      ".tool-versions": "python 3.13.5\n",
    });
    expect(spec.decisions.python?.rule).toBe("tool-versions");
  });

  test("a pinned file beats requires-python, which then warns (the pin is kept)", () => {
    const { spec, warnings } = loaded({
      "pyproject.toml": withRequires(">=3.12"),
      "runtime.txt": "python-3.11.2\n",
    });
    expect(spec.python.requested).toBe("3.11.2");
    expect(warnings).toEqual([
      'pyproject.toml:4:19: warning: project.requires-python: Python 3.11.2 does not satisfy ">=3.12"\n  hint: change runtime.txt or requires-python so they agree',
    ]);
  });

  test("the spec key's disagreement keeps today's wording", () => {
    const { warnings } = loaded({
      "pyproject.toml": `${withRequires(">=3.12")}[tool.pyfront]\npython_version = "3.11"\n`,
    });
    expect(warnings).toEqual([
      'pyproject.toml:4:19: warning: project.requires-python: Python 3.11 does not satisfy ">=3.12"\n  hint: change python_version or requires-python so they agree',
    ]);
  });
});

describe("errors point at the file, line and column the version came from", () => {
  test.each([
    [
      ".tool-versions",
      "nodejs 20\npython 3.7.17 3.11.0\n",
      ".tool-versions:2:8: Python 3.7.17 is not supported",
    ],
    [".python-version", "\n  3.15\n", ".python-version:2:3: Python 3.15 is not supported"],
    ["runtime.txt", "python-2.7.18\n", "runtime.txt:1:8: Python 2.7.18 is not supported"],
    ["mise.toml", '[tools]\npython = "3.6"\n', "mise.toml:2:10: tools.python: Python 3.6 is not supported"],
    [
      "Pipfile",
      '[requires]\npython_version = "3.16"\n',
      "Pipfile:2:18: requires.python_version: Python 3.16 is not supported",
    ],
  ])("%s", (file, text, expected) => {
    const [problem, ...rest] = errors({ "pyproject.toml": PROJECT, [file]: text });
    expect(rest).toEqual([]);
    expect(problem!.split("\n")[0]).toBe(expected);
    expect(problem).toContain("hint: supported series: 3.8, 3.9, 3.10, 3.11, 3.12, 3.13, 3.14");
  });

  test("an empty .python-version names no version", () => {
    expect(errors({ "pyproject.toml": PROJECT, ".python-version": "# nothing\n" })).toEqual([
      '.python-version:1:1: .python-version names no Python version\n  hint: write a version on its first line, e.g. "3.13"',
    ]);
  });

  test("python in .tool-versions without a version", () => {
    expect(errors({ "pyproject.toml": PROJECT, ".tool-versions": "python\n" })).toEqual([
      '.tool-versions:1:1: python is listed without a version\n  hint: write the version after the tool, e.g. "python 3.12.4"',
    ]);
  });
});

describe("versions: what the official images offer", () => {
  test("every series from 3.8 to 3.14, with its end-of-life date", () => {
    expect(SUPPORTED_PYTHON_SERIES).toEqual(["3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14"]);
    for (const { endOfLife } of PYTHON_SERIES) expect(endOfLife).toMatch(/^\d{4}-\d{2}(-\d{2})?$/);
  });

  test.each(["3.8", "3.9.2", "3.10", "3.12", "3.12.4"])("%s is accepted, test world or not", (version) => {
    const { spec } = loaded({ "pyproject.toml": PROJECT, ".python-version": `${version}\n` });
    expect(spec.python.requested).toBe(version);
    expect(spec.builderImage).toBe(`python:${version}`);
  });

  test.each([
    ["2.7", "older series have no maintained official image"],
    ["3.7", "older series have no maintained official image"],
    ["3.15", "newer series have no released official image yet"],
    ["4.0", "newer series have no released official image yet"],
  ])("%s is an error naming what is supported", (version, why) => {
    expect(resolvePythonVersion(version)).toEqual({
      code: "unsupported-python-version",
      message: `Python ${version} is not supported`,
      hint: `supported series: 3.8, 3.9, 3.10, 3.11, 3.12, 3.13, 3.14 (${why})`,
    });
  });

  test.each(["abc", "3.x", "3.12.4.1", "", "3.1234"])("%j is no version", (version) => {
    expect(resolvePythonVersion(version)).toMatchObject({ code: "invalid-python-version" });
  });
});

describe("version words as pyenv, uv, asdf and mise write them", () => {
  test.each([
    ["3", "3", "3.14"],
    ["3.13", "3.13", "3.13"],
    ["3.13.5", "3.13.5", "3.13"],
    ["latest", "3.14", "3.14"],
    ["LATEST", "3.14", "3.14"],
    ["cpython-3.13", "3.13", "3.13"],
    ["cpython-3.13.5", "3.13.5", "3.13"],
    ["cpython@3.12", "3.12", "3.12"],
    ["cpython3.12", "3.12", "3.12"],
    ["cp312", "3.12", "3.12"],
    ["python3.11", "3.11", "3.11"],
    ["cpython-3.12.3-linux-x86_64-gnu", "3.12.3", "3.12"],
    ["3.13+gil", "3.13", "3.13"],
    ["prefix:3.12", "3.12", "3.12"],
  ])("%j → %s", (word, requested, series) => {
    expect(readPinnedVersion(word)).toEqual({ kind: "version", python: { requested, series } });
  });

  test.each([
    ["3.13t", "unsupported-python-build", /free-threaded/],
    ["3.13.5t", "unsupported-python-build", /free-threaded/],
    ["3.13+freethreaded", "unsupported-python-build", /free-threaded/],
    ["3.12.0d", "unsupported-python-build", /debug/],
    ["3.14-dev", "unsupported-python-version", /pre-release/],
    ["3.14.0rc1", "unsupported-python-version", /pre-release/],
    ["3.15.0a1", "unsupported-python-version", /pre-release/],
    ["pypy3.10-7.3.12", "unsupported-python-implementation", /not CPython/],
    ["graalpy-24.1", "unsupported-python-implementation", /not CPython/],
    ["miniconda3-latest", "unsupported-python-implementation", /not CPython/],
    ["system", "invalid-python-version", /whatever Python the machine has/],
    ["ref:v3.12.0", "invalid-python-version", /is not a Python version/],
    ["3.7", "unsupported-python-version", /Python 3\.7 is not supported/],
  ])("%j has no official image: %s", (word, code, message) => {
    const pin = readPinnedVersion(word);
    expect(pin.kind).toBe("problem");
    if (pin.kind !== "problem") return;
    expect(pin.problem.code).toBe(code);
    expect(pin.problem.message).toMatch(message);
    expect(pin.problem.hint).toBeDefined();
  });

  test("a version range only where uv takes one", () => {
    expect(readPinnedVersion(">=3.12", { allowSpecifier: true })).toEqual({
      kind: "specifier",
      text: ">=3.12",
    });
    expect(readPinnedVersion(">=3.12")).toMatchObject({ kind: "problem" });
  });

  test("strict words take pyfront's own forms only", () => {
    expect(readPinnedVersion("latest", { strict: true })).toMatchObject({ kind: "problem" });
    expect(readPinnedVersion("3.12", { strict: true })).toEqual({
      kind: "version",
      python: { requested: "3.12", series: "3.12" },
    });
  });

  test("a huge word is shortened in the message", () => {
    const pin = readPinnedVersion(`pypy${"x".repeat(100_000)}`);
    expect(pin.kind === "problem" && pin.problem.message.length).toBeLessThan(200);
  });
});

describe("end of life", () => {
  test("3.8, 3.9 and 3.10 are past end of life on 2026-12-01; 3.11 and newer are not", () => {
    expect(SUPPORTED_PYTHON_SERIES.filter((s) => isPastEndOfLife(s, TODAY))).toEqual(["3.8", "3.9", "3.10"]);
    expect(maintainedSeries(TODAY)).toEqual(["3.11", "3.12", "3.13", "3.14"]);
  });

  test("a month-precision date means support runs through that month", () => {
    expect(isPastEndOfLife("3.10", "2026-10-31")).toBe(false);
    expect(isPastEndOfLife("3.10", "2026-11-01")).toBe(true);
    expect(isPastEndOfLife("3.9", "2025-10-31")).toBe(false);
    expect(isPastEndOfLife("3.9", "2025-11-01")).toBe(true);
  });

  test("the warning names the end-of-life date and the maintained series", () => {
    expect(endOfLifeProblem({ requested: "3.9.2", series: "3.9" }, TODAY)).toEqual({
      code: "python-end-of-life",
      message: "Python 3.9 reached its end of life on 2025-10-31: it gets no more security fixes",
      hint: "move to a maintained series: 3.11, 3.12, 3.13, 3.14",
    });
    expect(endOfLifeProblem({ requested: "3.10", series: "3.10" }, TODAY)?.message).toBe(
      "Python 3.10 reached its end of life in 2026-10: it gets no more security fixes",
    );
    expect(endOfLifeProblem({ requested: "3.11", series: "3.11" }, TODAY)).toBeUndefined();
  });

  test("an end-of-life pin builds, with the warning at the pin", () => {
    const { spec, warnings } = loaded({ "pyproject.toml": PROJECT, ".tool-versions": "python 3.9.18\n" });
    expect(spec.python).toEqual({ requested: "3.9.18", series: "3.9" });
    expect(warnings).toEqual([
      ".tool-versions:1:8: warning: Python 3.9 reached its end of life on 2025-10-31: it gets no more security fixes\n  hint: move to a maintained series: 3.11, 3.12, 3.13, 3.14",
    ]);
  });

  test("the date changes the warnings, never the spec", () => {
    const files = { "pyproject.toml": `${PROJECT}[tool.pyfront]\npython_version = "3.10"\n` };
    const now = loaded(files);
    vi.setSystemTime(new Date("2026-06-01T12:00:00Z"));
    const before = loaded(files);
    expect(before.spec).toEqual(now.spec);
    expect(before.warnings).toEqual([]);
    expect(now.warnings).toEqual([
      "pyproject.toml:5:18: warning: tool.pyfront.python_version: Python 3.10 reached its end of life in 2026-10: it gets no more security fixes\n  hint: move to a maintained series: 3.11, 3.12, 3.13, 3.14",
    ]);
  });
});

describe("requires-python", () => {
  test.each([
    [">=3.8", "3.14"],
    [">=3.9,<3.12", "3.11"],
    ["~=3.12", "3.14"],
    ["<3.11", "3.10"],
    ["==3.9.*", "3.9"],
  ])("%j picks %s", (range, series) => {
    expect(newestSeriesMatching(parseSpecifierSet(range)!)).toBe(series);
    expect(loaded({ "pyproject.toml": withRequires(range) }).spec.python.series).toBe(series);
  });

  test("never an end-of-life series while a maintained one satisfies it", () => {
    const { spec, warnings } = loaded({ "pyproject.toml": withRequires(">=3.8") });
    expect(spec.python.series).toBe("3.14");
    expect(warnings).toEqual([]);
  });

  test("an end-of-life series when nothing else satisfies it, with a warning at requires-python", () => {
    const { spec, warnings } = loaded({ "pyproject.toml": withRequires("<3.11") });
    expect(spec.python.series).toBe("3.10");
    expect(warnings).toEqual([
      'pyproject.toml:4:19: warning: project.requires-python: Python 3.10 reached its end of life in 2026-10: it gets no more security fixes\n  hint: no maintained series satisfies "<3.11"; let requires-python allow one of 3.11, 3.12, 3.13, 3.14',
    ]);
  });

  test("a malformed requires-python is reported once", () => {
    expect(errors({ "pyproject.toml": withRequires("3.10+") })).toEqual([
      'pyproject.toml:4:19: project.requires-python: "3.10+" is not a version specifier\n  hint: write e.g. ">=3.10" or ">=3.9,<3.13"',
    ]);
  });

  test("a range in .python-version that nothing satisfies is an error there", () => {
    expect(errors({ "pyproject.toml": PROJECT, ".python-version": ">=3.15\n" })).toEqual([
      '.python-version:1:1: no supported Python series satisfies ">=3.15"\n  hint: supported series: 3.8, 3.9, 3.10, 3.11, 3.12, 3.13, 3.14',
    ]);
  });
});

describe("mopy", () => {
  test("every 3.x mopy accepts, with the end-of-life warning", () => {
    const { spec, warnings } = loaded({ "Mopyfile.yaml": "python: 3.9.2\n" }, "Mopyfile.yaml");
    expect(spec.python).toEqual({ requested: "3.9.2", series: "3.9" });
    expect(spec.builderImage).toBe("python:3.9.2");
    expect(spec.decisions.python).toEqual({
      choice: "3.9.2",
      rule: "spec-key",
      reason: "`python` in Mopyfile.yaml says 3.9.2",
    });
    expect(warnings).toEqual([
      "Mopyfile.yaml:1:9: warning: python: Python 3.9 reached its end of life on 2025-10-31: it gets no more security fixes\n  hint: move to a maintained series: 3.11, 3.12, 3.13, 3.14",
    ]);
  });

  test.each([
    ["python: 3.8\n", "3.8"],
    ["python: 3.10\n", "3.10"],
    ['python: "3.13"\n', "3.13"],
    ["python: 3\n", "3.14"],
  ])("%j builds on %s", (text, series) => {
    expect(loaded({ "Mopyfile.yaml": text }, "Mopyfile.yaml").spec.python.series).toBe(series);
  });

  test("a mopy file's own Python beats the context's version files", () => {
    const { spec } = loaded(
      { "Mopyfile.yaml": "python: 3.13\n", ".python-version": "3.11\n" },
      "Mopyfile.yaml",
    );
    expect(spec.python.series).toBe("3.13");
  });

  test("3.7 is an error naming what is supported", () => {
    expect(errors({ "Mopyfile.yaml": "python: 3.7\n" }, "Mopyfile.yaml")).toEqual([
      "Mopyfile.yaml:1:9: python: Python 3.7 is not supported\n  hint: supported series: 3.8, 3.9, 3.10, 3.11, 3.12, 3.13, 3.14 (older series have no maintained official image)",
    ]);
  });
});
