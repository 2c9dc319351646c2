import { describe, expect, it } from "vitest";
import {
  formatCell,
  formatRatio,
  formatSeconds,
  renderBenchmarks,
  renderRunTables,
  unexplainedMeasures,
} from "../../../bench/suite/report.js";
import { shortfallsAgainstMicrob, tabulate } from "../../../bench/suite/results.js";
import { summarize } from "../../../bench/suite/stats.js";
import { recordedRun } from "./fixtures.js";

describe("tabulate", () => {
  it("gives medians, ranges and ratios to pyfront's frontend per way", () => {
    const [table] = tabulate(recordedRun());
    const microb = table!.rows.find((r) => r.way === "microb")!;
    expect(microb.cells.coldSeconds.summary).toEqual({ median: 21, min: 20, max: 22, count: 3 });
    expect(microb.cells.coldSeconds.ratio).toBeCloseTo(21 / 11);
    const frontend = table!.rows.find((r) => r.way === "frontend")!;
    expect(frontend.cells.cachedSeconds.ratio).toBe(1);
  });
});

describe("shortfallsAgainstMicrob", () => {
  it("lists exactly the measures where the frontend's median is higher than microb's", () => {
    const shortfalls = shortfallsAgainstMicrob(recordedRun());
    expect(shortfalls.map((s) => s.measure)).toEqual(["sizeBytes"]);
    expect(shortfalls[0]).toMatchObject({
      engine: "A",
      example: "script",
      pyfront: 210_700_000,
      microb: 189_000_000,
    });
  });
});

describe("cell formatting", () => {
  it("uses two decimals under ten seconds and one above", () => {
    expect(formatSeconds(1.234)).toBe("1.23");
    expect(formatSeconds(12.34)).toBe("12.3");
  });

  it("shows median, range and ratio, and no ratio on the baseline row", () => {
    const cell = { summary: summarize([1, 2, 3]), ratio: 2.5 };
    expect(formatCell("coldSeconds", cell, false)).toBe("2.00 s (1.00–3.00) ×2.50");
    expect(formatCell("coldSeconds", cell, true)).toBe("2.00 s (1.00–3.00)");
    expect(formatCell("sizeBytes", { summary: summarize([210_700_000]), ratio: 1 }, false)).toBe(
      "210.7 MB ×1.00",
    );
    expect(formatCell("layers", { summary: summarize([5, 5]), ratio: 1 }, true)).toBe("5");
    expect(formatCell("sizeBytes", { summary: summarize([519_450_001, 519_450_002]), ratio: 1 }, true)).toBe(
      "519.5 MB",
    );
    expect(formatRatio(12.4)).toBe("×12");
    expect(formatRatio(undefined)).toBe("n/a");
  });

  it("shows the edit's new layer bytes in kB under a megabyte, and says when a run did not measure them", () => {
    expect(formatCell("editLayerBytes", { summary: summarize([19_000, 21_500]), ratio: 1 }, true)).toBe(
      "20.3 kB (19.0–21.5)",
    );
    expect(formatCell("editLayerBytes", { summary: summarize([19_000, 4_860_000]), ratio: 240 }, false)).toBe(
      "2.4 MB (19.0 kB–4.9 MB) ×240",
    );
    expect(formatCell("editLayerBytes", { summary: undefined, ratio: undefined }, false)).toBe(
      "not measured",
    );
  });
});

describe("runs recorded before a measure existed", () => {
  it("have no summary and no ratio for it, and no shortfall", () => {
    const run = recordedRun();
    const [table] = tabulate(run);
    for (const row of table!.rows)
      expect(row.cells.editLayerBytes).toEqual({ summary: undefined, ratio: undefined });
    expect(shortfallsAgainstMicrob(run).map((s) => s.measure)).toEqual(["sizeBytes"]);
    const measured = {
      ...run,
      samples: run.samples.map((s) => ({ ...s, editLayerBytes: s.way === "frontend" ? 20_000 : 4_850_000 })),
    };
    const microb = tabulate(measured)[0]!.rows.find((r) => r.way === "microb")!;
    expect(microb.cells.editLayerBytes.ratio).toBeCloseTo(242.5);
  });
});

describe("renderRunTables", () => {
  it("titles the engine with its version and has one row per way", () => {
    const text = renderRunTables(recordedRun());
    expect(text).toContain("### Engine A: Docker 20.10.24");
    expect(text).toContain("containerd 1.6.20, runc 1.1.5");
    expect(text).toContain(
      "| pyfront's frontend | 11.0 s (10.0–12.0) | 0.50 s | 2.10 s (2.00–2.20) | 4.00 s | 210.7 MB | 5 | 0.40 s |",
    );
    expect(text).toContain("| microb's Dockerfile | 21.0 s (20.0–22.0) ×1.91 |");
  });
});

describe("renderBenchmarks", () => {
  const input = {
    runs: [recordedRun("A")],
    missingEngines: ["B"],
    chartPath: "bench/results/suite.svg",
    method: "How we measure.",
    shortfallNotes: "### image size\n\nWhy and the plan.",
    extraSections: ["## Other\n\nKept by hand."],
  };

  it("holds the machine, the chart, the tables, the shortfalls with their notes and the extra sections", () => {
    const text = renderBenchmarks(input);
    expect(text.startsWith("# Benchmarks\n")).toBe(true);
    expect(text).toContain(
      "Machine: 2 cores (Test CPU), 24 GiB, Linux 6.1.0, Debian GNU/Linux 12 (bookworm).",
    );
    expect(text).toContain(
      "![Ratio of each way to pyfront's frontend, per measure](bench/results/suite.svg)",
    );
    expect(text).toContain("### Engine B\n\nNo run recorded yet.");
    expect(text).toContain("- engine A, script, image size: 210.7 MB against 189.0 MB (×1.11)");
    expect(text).toContain("### image size\n\nWhy and the plan.");
    expect(text).not.toContain("Not explained yet");
    expect(text.endsWith("Kept by hand.\n")).toBe(true);
  });

  it("is the same bytes for the same input", () => {
    expect(renderBenchmarks(input)).toBe(renderBenchmarks(input));
  });

  it("names shortfalls that the notes do not explain", () => {
    const text = renderBenchmarks({ ...input, shortfallNotes: "" });
    expect(text).toContain("Not explained yet in bench/notes/shortfalls.md: image size.");
    expect(unexplainedMeasures(shortfallsAgainstMicrob(recordedRun()), "### image size\n")).toEqual([]);
  });
});
