import { describe, expect, it } from "vitest";
import {
  formatBytes,
  linearTicks,
  newLayerIds,
  renderScaleChart,
  renderScaleTable,
  SCALE_PROJECTS,
  type ScaleRun,
  type ScaleSample,
  summarizeRun,
} from "../../../bench/scale/scale-report.js";
import { newBlobs } from "../../../bench/suite/registry.js";

function sample(project: string, rep: number, venvMb: number, cold: number): ScaleSample {
  return {
    project,
    rep,
    coldSeconds: cold,
    cachedSeconds: 0.5 + rep / 10,
    cachedSameLayers: true,
    editSeconds: cold / 2,
    venvBytes: venvMb * 1e6,
    imageBytes: 180e6 + venvMb * 1e6,
    layers: 5,
    newLayers: 2,
    newLayerBytes: venvMb * 1e6 + 4_000,
    pushedBytes: venvMb * 0.4e6,
    pushedBlobs: 3,
    pushReportedLayers: 2,
  };
}

function run(engine: string): ScaleRun {
  const projects = SCALE_PROJECTS.filter((p) => p.name === "script" || p.name === "dataframe");
  return {
    schema: 1,
    engine,
    date: "2026-12-02T05:00:00.000Z",
    durationSeconds: 400,
    runs: 3,
    coldMode: "no-cache",
    frontendImage: "pyfront/frontend:dev",
    engineVersions: { client: "20.10.24", server: engine === "A" ? "20.10.24" : "26.1.5" },
    projects,
    // Interleaved as the script records them.
    samples: [0, 1, 2].flatMap((rep) => [
      sample("script", rep, 0.004, 2 + rep),
      sample("dataframe", rep, 116, [30, 28, 35][rep]!),
    ]),
  };
}

describe("summarizeRun", () => {
  it("gives each project's median and range over the runs, in the run's order", () => {
    const [script, dataframe] = summarizeRun(run("A"));
    expect(script?.project).toBe("script");
    expect(dataframe?.project).toBe("dataframe");
    expect(dataframe?.coldSeconds).toEqual({ median: 30, min: 28, max: 35, count: 3 });
    expect(script?.cachedSeconds.median).toBeCloseTo(0.6);
  });
});

describe("renderScaleTable", () => {
  const table = renderScaleTable(run("B"));

  it("has a row per project and a column per measure", () => {
    const lines = table.trimEnd().split("\n");
    expect(lines[0]).toBe(
      "| engine B (Docker 26.1.5), 3 run(s) | venv (/opt/venv) | cold build | cached rebuild | one-line edit | new layers after the edit | pushed after the edit | image size |",
    );
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe(
      "| dataframe (examples/dataframe) | 116.0 MB | 30.0 s (28.0 s–35.0 s) | 0.60 s (0.50 s–0.70 s) | 15.0 s (14.0 s–17.5 s) | 116.0 MB | 46.4 MB | 296.0 MB |",
    );
  });

  it("shows small sizes in kB, not as 0.0 MB", () => {
    expect(table).toContain("| script (examples/script) | 4.0 kB |");
    expect(formatBytes(99_999)).toBe("100.0 kB");
    expect(formatBytes(100_000)).toBe("0.1 MB");
  });
});

describe("newLayerIds and newBlobs", () => {
  it("name what the edited image has that the first had not, once each", () => {
    expect(newLayerIds(["a", "b", "c"], ["a", "b", "d", "e", "d"])).toEqual(["d", "e"]);
    expect(newLayerIds(["a"], ["a"])).toEqual([]);
  });

  it("sum the bytes of blobs the first manifest did not name", () => {
    const before = [
      { digest: "sha256:config1", size: 3_000 },
      { digest: "sha256:base", size: 30e6 },
      { digest: "sha256:venv1", size: 40e6 },
    ];
    const after = [
      { digest: "sha256:config2", size: 3_100 },
      { digest: "sha256:base", size: 30e6 },
      { digest: "sha256:venv2", size: 40.1e6 },
    ];
    expect(newBlobs(before, after)).toEqual({ count: 2, bytes: 40.1e6 + 3_100 });
    expect(newBlobs(after, after)).toEqual({ count: 0, bytes: 0 });
  });
});

describe("linearTicks", () => {
  it("steps by 1, 2 or 5 times a power of ten from 0 past the largest value", () => {
    expect(linearTicks(116)).toEqual([0, 50, 100, 150]);
    expect(linearTicks(9)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(linearTicks(0)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
});

describe("renderScaleChart", () => {
  const svg = renderScaleChart([run("A"), run("B")]);

  it("is a standalone SVG with a seconds panel and a bytes panel", () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).toContain(">seconds</text>");
    expect(svg).toContain(">MB after a one-line edit</text>");
    expect(svg).toContain("venv size (MB)");
  });

  it("draws engine B dashed and gives every point its figures", () => {
    // 3 time and 2 byte measures per engine: one line each.
    expect(svg.match(/<path /g)).toHaveLength(10);
    expect(svg.match(/stroke-dasharray/g)).toHaveLength(5);
    expect(svg).toContain("<title>engine A, dataframe, cold build: 30.00 s at 116.0 MB of venv</title>");
    expect(svg).toContain(
      "<title>engine B, dataframe, pushed after the edit: 46.40 MB at 116.0 MB of venv</title>",
    );
  });

  it("is the same for the same runs", () => {
    expect(renderScaleChart([run("A"), run("B")])).toBe(svg);
  });
});
