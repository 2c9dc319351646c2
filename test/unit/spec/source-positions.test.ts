import { describe, expect, test } from "vitest";
import { parseTomlDocument } from "../../../src/spec/toml-document.js";
import { parseYamlDocument } from "../../../src/spec/yaml-document.js";

const at = (line: number, column: number, file = "pyproject.toml") => ({ file, line, column });

describe("TOML positions", () => {
  const parsed = parseTomlDocument(
    "pyproject.toml",
    [
      "#syntax=pyfront/pyfront:1",
      "[tool.pyfront]",
      'env.A = "1"',
      'labels = { "org.x" = "y" }',
      "",
      "[[tool.pyfront.indices]]",
      'url = "https://a.example/simple"',
      "[[tool.pyfront.indices]]",
      '  url = "https://b.example/simple"',
      "",
    ].join("\n"),
  );
  if (!parsed.ok) throw new Error("fixture must parse");
  const { doc } = parsed;

  test("keys and values of plain and dotted keys", () => {
    expect(doc.keyPosition(["tool", "pyfront", "env", "A"])).toEqual(at(3, 5));
    expect(doc.valuePosition(["tool", "pyfront", "env", "A"])).toEqual(at(3, 9));
    expect(doc.keyPosition(["tool", "pyfront", "env"])).toEqual(at(3, 1));
  });

  test("quoted keys inside inline tables", () => {
    expect(doc.keyPosition(["tool", "pyfront", "labels", "org.x"])).toEqual(at(4, 12));
    expect(doc.valuePosition(["tool", "pyfront", "labels", "org.x"])).toEqual(at(4, 22));
  });

  test("arrays of tables are indexed", () => {
    expect(doc.valuePosition(["tool", "pyfront", "indices", 1, "url"])).toEqual(at(9, 9));
    expect(doc.get(["tool", "pyfront", "indices", 0, "url"])).toBe("https://a.example/simple");
  });

  test("table headers start at column 1; unknown paths fall back to the nearest ancestor", () => {
    expect(doc.keyPosition(["tool", "pyfront"])).toEqual(at(2, 1));
    expect(doc.valuePosition(["tool", "pyfront", "nothing", 3])).toEqual(at(2, 1));
    expect(doc.valuePosition(["no", "such"])).toEqual(at(1, 1));
  });

  test("scalars keep their source text", () => {
    expect(doc.rawText(["tool", "pyfront", "env", "A"])).toBe('"1"');
  });
});

describe("YAML positions", () => {
  const parsed = parseYamlDocument(
    "Mopyfile.yaml",
    "#syntax=cmdjulian/mopy\npython: 3.10\npip:\n  - flask\n  - ./lib/\n",
  );
  if (!parsed.ok) throw new Error("fixture must parse");
  const { doc } = parsed;

  test("keys, values and sequence items", () => {
    expect(doc.keyPosition(["python"])).toEqual(at(2, 1, "Mopyfile.yaml"));
    expect(doc.valuePosition(["python"])).toEqual(at(2, 9, "Mopyfile.yaml"));
    expect(doc.valuePosition(["pip", 1])).toEqual(at(5, 5, "Mopyfile.yaml"));
  });

  test("numbers keep their source text, so 3.10 is not 3.1", () => {
    expect(doc.get(["python"])).toBe(3.1);
    expect(doc.rawText(["python"])).toBe("3.10");
  });

  test("a __proto__ key stays an ordinary key", () => {
    const proto = parseYamlDocument("Mopyfile.yaml", "envs:\n  __proto__: x\n");
    expect(proto.ok && Object.keys(proto.doc.get(["envs"]) as object)).toEqual(["__proto__"]);
  });
});
