import { describe, expect, it } from "vitest";
import { SubstitutionError, substituteBuildArgs } from "../../../src/plan/substitute-build-args.js";

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
