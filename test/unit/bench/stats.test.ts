import { describe, expect, it } from "vitest";
import { ratio, summarize } from "../../../bench/suite/stats.js";

describe("summarize", () => {
  it("takes the middle sample of an odd count, whatever the order", () => {
    expect(summarize([5, 1, 3, 9, 2])).toEqual({ median: 3, min: 1, max: 9, count: 5 });
  });

  it("averages the two middle samples of an even count", () => {
    expect(summarize([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, count: 4 });
  });

  it("handles one sample and does not reorder the caller's array", () => {
    const samples = [3, 1, 2];
    expect(summarize([7])).toEqual({ median: 7, min: 7, max: 7, count: 1 });
    summarize(samples);
    expect(samples).toEqual([3, 1, 2]);
  });

  it("refuses an empty sample set", () => {
    expect(() => summarize([])).toThrow(/no samples/);
  });
});

describe("ratio", () => {
  it("divides medians", () => {
    expect(ratio(summarize([2, 4, 6]), summarize([1, 2, 3]))).toBe(2);
  });

  it("is undefined against a zero baseline", () => {
    expect(ratio(summarize([1]), summarize([0]))).toBeUndefined();
  });
});
