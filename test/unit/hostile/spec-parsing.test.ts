// Issue #11, findings 2, 4 and 7: parsed documents are plain data, parser limits are user errors,
// and what Python's tools refuse is refused.
import { describe, expect, it } from "vitest";
import { memoryContext } from "../../../src/context/memory-context.js";
import { planBuild } from "../../../src/plan/plan-build.js";
import { renderDockerfile } from "../../../src/render/dockerfile.js";
import { formatDiagnostic, SpecError } from "../../../src/spec/diagnostics.js";
import { loadBuildSpec } from "../../../src/spec/load-build-spec.js";
import { parseTomlDocument } from "../../../src/spec/toml-document.js";
import { parseYamlDocument } from "../../../src/spec/yaml-document.js";

function load(text: string, options: { specFile?: string; target?: string } = {}, files = {}) {
  return loadBuildSpec(
    text,
    { specFile: options.specFile ?? "pyproject.toml", ...(options.target ? { target: options.target } : {}) },
    memoryContext(files),
  );
}

/** The formatted diagnostics of a refused load; fails the test when the load succeeds. */
function refusal(text: string, options: { specFile?: string; target?: string } = {}, files = {}): string[] {
  try {
    load(text, options, files);
  } catch (error) {
    if (error instanceof SpecError) return error.diagnostics.map(formatDiagnostic);
    throw error;
  }
  throw new Error("accepted");
}

describe("parsed documents inherit nothing (finding 2)", () => {
  it.each([
    ["a table named __proto__ elsewhere", '[zzz.__proto__]\nworkdir = "/polluted"\n\n[tool.pyfront]\n', 1],
    ["[tool.pyfront.__proto__]", '[tool.pyfront.__proto__]\ncommand = ["sh"]\n', 1],
    ["an inline __proto__ table", '[tool.pyfront]\n__proto__ = { workdir = "/pwned" }\n', 2],
    [
      "a target named __proto__",
      '[tool.pyfront]\n\n[tool.pyfront.targets.__proto__]\nworkdir = "/pwned"\n',
      3,
    ],
    ["an env key __proto__", '[tool.pyfront]\nenv = { __proto__ = "x" }\n', 2],
  ])("%s is refused as a reserved key", (_name, text, line) => {
    const [message] = refusal(text);
    expect(message).toMatch(
      new RegExp(`^pyproject\\.toml:${line}:\\d+: .*__proto__: this key name is reserved`),
    );
  });

  it("TOML and YAML tables have no prototype", () => {
    const toml = parseTomlDocument("p.toml", "[a]\nb = { c = [ { d = 1 } ] }\n[[e]]\nf = 1\n");
    const yaml = parseYamlDocument("m.yaml", "a: {b: [{c: 1}]}\n");
    if (!toml.ok || !yaml.ok) throw new Error("parse failed");
    for (const value of [
      toml.doc.value,
      toml.doc.get(["a"]),
      toml.doc.get(["a", "b"]),
      toml.doc.get(["a", "b", "c", 0]),
      toml.doc.get(["e", 0]),
      yaml.doc.value,
      yaml.doc.get(["a"]),
      yaml.doc.get(["a", "b", 0]),
    ]) {
      expect(Object.getPrototypeOf(value)).toBeNull();
    }
  });

  it.each(["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"])(
    "--target %s is an unknown target in every format",
    (name) => {
      const pyfront = refusal('[tool.pyfront]\nworkdir = "/top"\n\n[tool.pyfront.targets.dev]\n', {
        target: name,
      });
      expect(pyfront.join("\n")).toContain(`unknown target ${JSON.stringify(name)}`);
      const microb = refusal("[tool.microb.target.default]\n", { target: name });
      expect(microb.join("\n")).toContain(`unknown target ${JSON.stringify(name)}`);
      const zero = refusal('[project]\nname = "x"\n', { target: name });
      expect(zero.join("\n")).toContain(`unknown target ${JSON.stringify(name)}`);
    },
  );

  it("an extra named like an Object method is unknown, not inherited", () => {
    const text =
      '[project]\nname = "x"\n\n[tool.pyfront]\nextras = ["toString"]\n\n[build-system]\nrequires = []\n';
    expect(refusal(text).join("\n")).toContain('the project has no extra "toString"');
  });
});

describe("parser limits are positioned user errors (finding 4)", () => {
  it("a TOML string of 200,000 characters", () => {
    const [message] = refusal(`[tool.pyfront]\nworkdir = "/${"x".repeat(200_000)}"\n`);
    expect(message).toMatch(/^pyproject\.toml:2:11: string longer than 65536 characters/);
  });

  it.each([
    ["basic", (s: string) => `"${s}"`],
    ["literal", (s: string) => `'${s}'`],
    ["multi-line", (s: string) => `"""${s}"""`],
  ])("a long %s string just under the limit still parses", (_kind, quote) => {
    const parsed = parseTomlDocument("p.toml", `a = ${quote("y".repeat(60_000))}\n`);
    expect(parsed.ok).toBe(true);
  });

  it("TOML nested 10,000 deep", () => {
    const [message] = refusal(`a = ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`);
    expect(message).toMatch(/^pyproject\.toml:1:\d+: arrays and tables nested deeper than 64 levels/);
  });

  it("YAML nested 10,000 deep, and a billion laughs", () => {
    const deep = refusal(`python: "3.12"\nenvs: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`, {
      specFile: "Mopyfile.yaml",
    });
    expect(deep[0]).toMatch(/^Mopyfile\.yaml:2:\d+: lists and maps nested deeper than 64 levels/);
    const rows = ["python: '3.12'", "a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++)
      rows.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(", ")}]`,
      );
    const laughs = refusal(`${rows.join("\n")}\n`, { specFile: "Mopyfile.yaml" });
    expect(laughs[0]).toMatch(/more than 200000 values once aliases are expanded/);
  });

  it("10,000 YAML aliases load in linear time", () => {
    const lines = ['python: "3.12"', "labels:"];
    for (let i = 0; i < 10_000; i++) lines.push(`  l${i}: &a${i} v${i}`);
    lines.push("envs:");
    for (let i = 0; i < 10_000; i++) lines.push(`  E${i}: *a${i}`);
    const started = performance.now();
    const { spec } = load(`${lines.join("\n")}\n`, { specFile: "Mopyfile.yaml" });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(spec.env[9999]).toEqual(["E9999", "v9999"]);
  });
});

describe("accepted-but-invalid inputs are refused (finding 7)", () => {
  it.each([
    ["tool = 1", "tool = 1\n", "pyproject.toml:1:8: tool: expected a table, got an integer"],
    [
      'build-system = "x"',
      'build-system = "x"\n',
      "pyproject.toml:1:16: build-system: expected a table, got a string",
    ],
    [
      "an absurd python_version",
      '[tool.pyfront]\npython_version = "3.12.99999999999999999999999"\n',
      'pyproject.toml:2:18: tool.pyfront.python_version: "3.12.99999999999999999999999" is not a Python version',
    ],
    [
      'the Poetry constraint ">=1,<"',
      '[tool.poetry]\nname = "x"\n\n[tool.poetry.dependencies]\npython = ">=1,<"\n',
      'pyproject.toml:5:10: tool.poetry.dependencies.python: ">=1,<" is not a Poetry version constraint',
    ],
    [
      "a trailing comma in an inline table (TOML 1.0, as tomllib reads it)",
      '[tool.pyfront]\nenv = { A = "1", }\n',
      "pyproject.toml:2:18: TOML syntax error: Trailing comma is not permitted in an inline table",
    ],
  ])("%s", (_name, text, expected) => {
    expect(refusal(text)[0]?.split("\n")[0]).toBe(expected);
  });

  it("a mopy project whose main.py is a directory", () => {
    const text = 'python: "3.12"\nproject: ./app/\n';
    const messages = refusal(text, { specFile: "Mopyfile.yaml" }, { "app/main.py/x": "" });
    expect(messages[0]).toMatch(/^Mopyfile\.yaml:2:10: project: "app" has no main\.py/);
  });

  it("a YAML alias to a map holding an alias resolves like the map", () => {
    const { spec } = load('python: "3.12"\nenvs: &e {A: &v one, B: *v}\nlabels: *e\n', {
      specFile: "Mopyfile.yaml",
    });
    expect(spec.labels).toEqual([
      ["A", "one"],
      ["B", "one"],
    ]);
  });

  it("a mopy env error after build-arg substitution points at the entry under envs", () => {
    const { spec } = load('python: "3.12"\nenvs:\n  A: "${X}"\n', { specFile: "Mopyfile.yaml" });
    let caught: unknown;
    try {
      planBuild(spec, { buildArgs: { X: "a\nb" } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SpecError);
    const [d] = (caught as SpecError).diagnostics;
    expect(formatDiagnostic(d!)).toMatch(/^Mopyfile\.yaml:3:6: envs\.A: the value has a line break/);
  });

  it("a pyfront label error after substitution names tool.pyfront.labels", () => {
    const { spec } = load('[tool.pyfront]\nlabels = { "org.x" = "${X}" }\n');
    expect(() => renderDockerfile(planBuild(spec, { buildArgs: { X: "a\rb" } }))).toThrow(
      /pyproject\.toml:2:22: tool\.pyfront\.labels\."org\.x": the value has a line break/,
    );
  });
});
