import { describe, expect, it } from "vitest";
import {
  type CliStartFigure,
  cliStartCommands,
  cliStartFigures,
  goalVerdict,
  loadWarning,
  renderCliStartTable,
} from "../../../bench/cli-start/cli-start-report.js";

const commands = cliStartCommands("/usr/bin/node", "/tmp/p/bin/pyfront", "/tmp/p/webapp");

function result(meanS: number) {
  return { mean: meanS, stddev: meanS / 50, median: meanS * 0.99, min: meanS * 0.9, max: meanS * 1.2 };
}

describe("the start-up benchmark's commands", () => {
  it("times the floor first, then --help and plan on the copied project, with the issue's goals", () => {
    expect(commands).toEqual([
      { name: "node -e 0", command: "/usr/bin/node -e 0" },
      { name: "pyfront --help", command: "/tmp/p/bin/pyfront --help", goalMs: 100 },
      { name: "pyfront plan (webapp)", command: "/tmp/p/bin/pyfront plan /tmp/p/webapp", goalMs: 150 },
    ]);
  });
});

describe("the start-up benchmark's figures", () => {
  const figures = cliStartFigures(commands, [result(0.05), result(0.08), result(0.16)]);

  it("turns hyperfine's seconds into milliseconds and each mean into a multiple of the floor's", () => {
    const tenths = (ms: number) => Math.round(ms * 10) / 10;
    expect(figures.map((f) => [f.meanMs, f.medianMs, f.minMs, f.maxMs].map(tenths))).toEqual([
      [50, 49.5, 45, 60],
      [80, 79.2, 72, 96],
      [160, 158.4, 144, 192],
    ]);
    expect(figures[1]!.stddevMs).toBeCloseTo(1.6);
    expect(figures.map((f) => tenths(f.timesFloor))).toEqual([1, 1.6, 3.2]);
  });

  it("counts a missing σ (one run) as none", () => {
    const [floor] = cliStartFigures(commands.slice(0, 1), [{ ...result(0.05), stddev: null }]);
    expect(floor!.stddevMs).toBe(0);
  });

  it("refuses results that do not match the commands one to one", () => {
    expect(() => cliStartFigures(commands, [result(0.05)])).toThrow(/1 results for 3 commands/);
  });

  it("judges the mean against the goal, and says nothing where there is none", () => {
    expect(figures.map(goalVerdict)).toEqual(["", "≤ 100 ms: met", "≤ 150 ms: missed"]);
    const exactly: CliStartFigure = { ...figures[1]!, meanMs: 100 };
    expect(goalVerdict(exactly)).toBe("≤ 100 ms: met");
  });

  it("renders one Markdown row per command", () => {
    expect(renderCliStartTable(figures)).toBe(
      [
        "| command | mean ± σ (ms) | median (ms) | × node -e 0 | goal |",
        "|---|---|---|---|---|",
        "| `node -e 0` | 50.0 ± 1.0 | 49.5 | ×1.00 |  |",
        "| `pyfront --help` | 80.0 ± 1.6 | 79.2 | ×1.60 | ≤ 100 ms: met |",
        "| `pyfront plan (webapp)` | 160.0 ± 3.2 | 158.4 | ×3.20 | ≤ 150 ms: missed |",
        "",
      ].join("\n"),
    );
  });
});

describe("the busy-machine warning", () => {
  it("is given when the load average passed the core count before or after the run", () => {
    expect(loadWarning({ cpus: 2, loadAverage: { before: 0.4, after: 1.9 } })).toBeUndefined();
    expect(loadWarning({ cpus: 2, loadAverage: { before: 0.4, after: 2.5 } })).toMatch(
      /load average reached 2\.5 on 2 cores/,
    );
    expect(loadWarning({ cpus: 2, loadAverage: { before: 8.2, after: 1 } })).toMatch(/reached 8\.2/);
  });
});
