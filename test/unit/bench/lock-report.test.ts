import { describe, expect, it } from "vitest";
import {
  distributionDifferences,
  type LockRun,
  type LockSample,
  renderLockTable,
  tabulateLockRun,
} from "../../../bench/locks/lock-report.js";

function sample(way: LockSample["way"], rep: number, cold: number, extra: string[] = []): LockSample {
  return {
    way,
    rep,
    coldSeconds: cold,
    cachedSeconds: 0.5,
    dependencySeconds: cold / 4,
    sizeBytes: way === "locked" ? 180_000_000 : 180_040_000,
    distributions: ["flask==3.1.3", "pfhello==1.1.0", ...extra],
  };
}

function run(): LockRun {
  return {
    schema: 1,
    engine: "B",
    date: "2026-12-01T18:00:00.000Z",
    durationSeconds: 300,
    repetitions: 3,
    project: "test/locks/uv/extras-dev",
    pythonVersion: "3.13",
    frontendImage: "pyfront/frontend:dev",
    engineVersions: { client: "26.1.4", server: "26.1.4" },
    addedDependency: { name: "pfhello", version: "1.1.0", url: "u", sha256: "0".repeat(64) },
    // Interleaved as the script records them; the unlocked way resolved one more package.
    samples: [
      sample("locked", 0, 12),
      sample("unlocked", 0, 20, ["extra==1"]),
      sample("locked", 1, 10),
      sample("unlocked", 1, 16, ["extra==1"]),
      sample("locked", 2, 11),
      sample("unlocked", 2, 18, ["extra==1"]),
    ],
  };
}

describe("tabulateLockRun", () => {
  it("summarizes each way apart and divides the locked median by the unlocked one", () => {
    const table = tabulateLockRun(run());
    expect(table.coldSeconds.locked).toEqual({ median: 11, min: 10, max: 12, count: 3 });
    expect(table.coldSeconds.unlocked).toEqual({ median: 18, min: 16, max: 20, count: 3 });
    expect(table.coldSeconds.ratio).toBeCloseTo(11 / 18);
    expect(table.dependencySeconds.ratio).toBeCloseTo(2.75 / 4.5);
    expect(table.cachedSeconds.ratio).toBe(1);
  });

  it("refuses a run that lacks one way", () => {
    const partial = { ...run(), samples: run().samples.filter((s) => s.way === "locked") };
    expect(() => tabulateLockRun(partial)).toThrow(/no unlocked samples/);
  });
});

describe("renderLockTable", () => {
  it("gives median (min–max) per way and the ratio, one row per measure", () => {
    expect(renderLockTable(run())).toBe(
      [
        "| engine B (Docker 26.1.4), test/locks/uv/extras-dev, 3 repetition(s) | locked | unlocked (`lock = false`) | locked / unlocked |",
        "| --- | --- | --- | --- |",
        "| cold build (build cache pruned) | 11.0 s (10.0–12.0) | 18.0 s (16.0–20.0) | ×0.61 |",
        "| cached rebuild (nothing changed) | 0.50 s | 0.50 s | ×1.00 |",
        "| one more dependency (pfhello), after a cached build | 2.75 s (2.50–3.00) | 4.50 s (4.00–5.00) | ×0.61 |",
        "| image size | 180.0 MB | 180.0 MB | ×1.00 |",
        "",
      ].join("\n"),
    );
  });
});

describe("distributionDifferences", () => {
  it("names what only one way installed", () => {
    expect(distributionDifferences(run())).toEqual({ locked: [], unlocked: ["extra==1"] });
  });
});
