import { describe, expect, it } from "vitest";
import {
  DEFERRED,
  expandTemplate,
  formatTemplate,
  parseSpecValue,
  parseTemplate,
  referencedNames,
  SubstitutionError,
  substituteBuildArgs,
  substituteKnown,
} from "../../../src/plan/substitute-build-args.js";

const ARGS = { SET: "value", EMPTY: "", NESTED: "n" };

describe("substituteBuildArgs (Docker ENV/LABEL semantics)", () => {
  const cases: Array<[string, string]> = [
    ["plain text", "plain text"],
    ["${SET}", "value"],
    ["$SET/x", "value/x"],
    ["${UNSET}", ""],
    ["$UNSET", ""],
    ["${UNSET:-fallback}", "fallback"],
    ["${EMPTY:-fallback}", "fallback"],
    ["${EMPTY-fallback}", ""],
    ["${UNSET-fallback}", "fallback"],
    ["${SET:-fallback}", "value"],
    ["${SET:+alt}", "alt"],
    ["${EMPTY:+alt}", ""],
    ["${EMPTY+alt}", "alt"],
    ["${UNSET:-${NESTED}-x}", "n-x"],
    ["\\$SET", "$SET"],
    ["cost $5 and $", "cost $5 and $"],
    ["$(id) `id`", "$(id) `id`"],
    ["${toString}", ""],
  ];
  for (const [input, expected] of cases) {
    it(`${input} → ${JSON.stringify(expected)}`, () =>
      expect(substituteBuildArgs(input, ARGS)).toBe(expected));
  }

  it("never re-reads a substituted value", () => {
    expect(substituteBuildArgs("${A}", { A: "${B}", B: "no" })).toBe("${B}");
  });

  it("rejects malformed references", () => {
    expect(() => substituteBuildArgs("${SET", ARGS)).toThrow(SubstitutionError);
    expect(() => substituteBuildArgs("${}", ARGS)).toThrow(SubstitutionError);
    expect(() => substituteBuildArgs("${SET/a/b}", ARGS)).toThrow(/unsupported modifier/);
  });
});

describe("templates: what the planner leaves for the renderers", () => {
  const knownOnly =
    (args: Record<string, string>) =>
    (name: string): string | typeof DEFERRED =>
      Object.hasOwn(args, name) ? args[name]! : DEFERRED;

  const cases: Array<[spec: string, args: Record<string, string>, template: string]> = [
    ["/x:${PATH}", {}, "/x:${PATH}"],
    ["/x:$PATH", {}, "/x:${PATH}"],
    ["${PATH}", { PATH: "/arg" }, "/arg"],
    ["${A:-${B}}", { B: "b" }, "${A:-b}"],
    ["${A:-${B}}", { A: "a" }, "a"],
    ["${A:+[${B}]}", { A: "a" }, "[${B}]"],
    ["${A:+x}", { A: "" }, ""],
    ["${A:-${B}}", { B: "}$\\" }, "${A:-\\}\\$\\\\}"],
    ["cost \\$5 ${X}", {}, "cost \\$5 ${X}"],
    ["a\\b ${X-d}", {}, "a\\\\b ${X-d}"],
  ];
  for (const [spec, args, template] of cases) {
    it(`${spec} with ${JSON.stringify(args)} → ${template}`, () => {
      const parts = substituteKnown(parseSpecValue(spec), knownOnly(args));
      expect(formatTemplate(parts)).toBe(template);
      // The template reads back to the same parts, and evaluates like the spec value would.
      expect(parseTemplate(template)).toEqual(parts);
      const stage = { PATH: "/usr/bin", A: "sa", B: "sb", X: "sx" };
      const lookup = (name: string) =>
        Object.hasOwn(args, name) ? args[name] : stage[name as keyof typeof stage];
      expect(expandTemplate(template, lookup)).toBe(substituteBuildArgs(spec, { ...stage, ...args }));
    });
  }

  it("names every reference, nested ones included", () => {
    expect(referencedNames(parseTemplate("${A:-${B:+${C}}}$D"))).toEqual(["A", "B", "C", "D"]);
  });
});
