import { describe, expect, it } from "vitest";
import { logTicks, ratioDomain, renderChart } from "../../../bench/suite/chart.js";
import { recordedRun } from "./fixtures.js";

describe("ratioDomain", () => {
  it("spans at least 0.2 to 5, widened to 1-2-5 bounds around the data", () => {
    expect(ratioDomain([0.5, 2])).toEqual({ lo: 0.2, hi: 5 });
    expect(ratioDomain([0.098, 3.6])).toEqual({ lo: 0.05, hi: 5 });
    expect(ratioDomain([0.05, 30])).toEqual({ lo: 0.05, hi: 50 });
    expect(ratioDomain([Number.NaN, 0])).toEqual({ lo: 0.2, hi: 5 });
  });
});

describe("logTicks", () => {
  it("gives a 1-2-5 sequence", () => {
    expect(logTicks(0.1, 10)).toEqual([0.1, 0.2, 0.5, 1, 2, 5, 10]);
    expect(logTicks(0.05, 5)).toEqual([0.05, 0.1, 0.2, 0.5, 1, 2, 5]);
  });
});

describe("renderChart", () => {
  const svg = renderChart([recordedRun("A"), recordedRun("B")]);

  it("is a standalone SVG with one panel per engine and example", () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).toContain("engine A (Docker 20.10.24): script");
    expect(svg).toContain("engine B (Docker 20.10.24): script");
  });

  it("draws a bar per measure for each way but pyfront's frontend, with its ratio", () => {
    const bars = svg.match(/<rect x="[^"]+" y="[^"]+" width="[^"]+" height="6"/g) ?? [];
    expect(bars).toHaveLength(2 * 7 * 3);
    expect(svg).toContain("<title>microb Dockerfile, cold build: ×1.91</title>");
    expect(svg).toContain("<title>naive Dockerfile, image size: ×2.47</title>");
  });

  it("escapes text and is deterministic", () => {
    expect(renderChart([recordedRun("A<&>")])).toContain("engine A&lt;&amp;&gt; (Docker 20.10.24): script");
    expect(renderChart([recordedRun("A")])).toBe(renderChart([recordedRun("A")]));
  });
});
