import { describe, expect, it } from "vitest";
import { interleave } from "../../../bench/suite/schedule.js";

describe("interleave", () => {
  it("runs every way once per repetition, in the same order (A B C D A B C D)", () => {
    const slots = interleave(["x"], ["A", "B", "C", "D"], 2);
    expect(slots.map((s) => `${s.way}${s.rep}`)).toEqual(["A0", "B0", "C0", "D0", "A1", "B1", "C1", "D1"]);
  });

  it("finishes one example's repetitions before the next example", () => {
    const slots = interleave(["x", "y"], ["A", "B"], 2);
    expect(slots.map((s) => `${s.example}${s.way}${s.rep}`)).toEqual([
      "xA0",
      "xB0",
      "xA1",
      "xB1",
      "yA0",
      "yB0",
      "yA1",
      "yB1",
    ]);
  });

  it("gives examples × ways × repetitions slots", () => {
    expect(interleave(["a", "b", "c"], ["1", "2", "3", "4"], 5)).toHaveLength(60);
  });

  it("refuses a repetition count that is not a positive integer", () => {
    expect(() => interleave(["x"], ["A"], 0)).toThrow(/positive integer/);
    expect(() => interleave(["x"], ["A"], 1.5)).toThrow(/positive integer/);
  });
});
