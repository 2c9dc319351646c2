import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { StatusResponseSchema } from "../../../src/buildkit/gen/moby/buildkit/v1/control_pb.js";
import { FAILURE_TAIL_LINES, formatBytes, PlainProgress } from "../../../src/client/progress.js";

const at = (ms: number) => ({ seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 });
const enc = (text: string) => new TextEncoder().encode(text);

function render(updates: Parameters<typeof create<typeof StatusResponseSchema>>[1][]) {
  let out = "";
  const progress = new PlainProgress((text) => {
    out += text;
  });
  for (const update of updates) progress.update(create(StatusResponseSchema, update));
  return { out, progress };
}

describe("plain progress, as docker build --progress plain prints it", () => {
  it("numbers steps as they appear, shows their output with its time, then DONE with the time or CACHED", () => {
    const { out, progress } = render([
      { vertexes: [{ digest: "sha256:a", name: "[internal] load build context", started: at(1000) }] },
      {
        vertexes: [
          {
            digest: "sha256:a",
            name: "[internal] load build context",
            started: at(1000),
            completed: at(1200),
          },
        ],
        statuses: [
          {
            vertex: "sha256:a",
            ID: "transferring context",
            name: "transferring context",
            current: 1490n,
            completed: at(1200),
          },
        ],
      },
      {
        vertexes: [
          {
            digest: "sha256:b",
            inputs: ["sha256:a"],
            name: "[builder] install dependencies",
            cached: true,
            started: at(1300),
            completed: at(1300),
          },
        ],
      },
      {
        vertexes: [
          {
            digest: "sha256:c",
            inputs: ["sha256:b"],
            name: "[builder] install the project",
            started: at(2000),
          },
        ],
      },
      {
        logs: [
          {
            vertex: "sha256:c",
            stream: 1n,
            timestamp: at(2500),
            msg: enc("Processing /pyfront/context\nBuilding wh"),
          },
        ],
      },
      { logs: [{ vertex: "sha256:c", stream: 1n, timestamp: at(3250), msg: enc("eel\n") }] },
      {
        vertexes: [
          {
            digest: "sha256:c",
            inputs: ["sha256:b"],
            name: "[builder] install the project",
            started: at(2000),
            completed: at(4400),
          },
        ],
      },
    ]);
    expect(out).toBe(
      [
        "#1 [internal] load build context",
        "#1 DONE 0.2s",
        "#1 transferring context 1.49kB done",
        "#2 [builder] install dependencies",
        "#2 CACHED",
        "#3 [builder] install the project",
        "#3 0.500 Processing /pyfront/context",
        "#3 1.250 Building wheel",
        "#3 DONE 2.4s",
        "",
      ].join("\n"),
    );
    const steps = [...progress.steps.values()];
    expect(steps.map((s) => [s.name, s.hasInputs, s.cached])).toEqual([
      ["[internal] load build context", false, false],
      ["[builder] install dependencies", true, true],
      ["[builder] install the project", true, false],
    ]);
  });

  it("marks a failed step and sums it up with its last log lines", () => {
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
    const { out, progress } = render([
      { vertexes: [{ digest: "d", inputs: ["x"], name: "[builder] install dependencies", started: at(0) }] },
      {
        logs: [
          {
            vertex: "d",
            stream: 2n,
            timestamp: at(100),
            msg: enc(`${lines.join("\n")}\nERROR: no matching distribution`),
          },
        ],
      },
      {
        vertexes: [
          {
            digest: "d",
            inputs: ["x"],
            name: "[builder] install dependencies",
            started: at(0),
            completed: at(900),
            error: 'process "/opt/venv/bin/pip install" did not complete successfully: exit code: 1',
          },
        ],
      },
      { warnings: [{ vertex: "d", short: enc("the spec names no start command") }] },
    ]);
    expect(out).toContain("#1 0.100 line 20\n#1 0.900 ERROR: no matching distribution\n#1 ERROR: process");
    expect(out).toContain("WARNING: the spec names no start command\n");
    const summary = progress.failureSummary().split("\n");
    expect(summary[0]).toBe("failed step #1: [builder] install dependencies");
    expect(summary).toHaveLength(1 + FAILURE_TAIL_LINES);
    expect(summary.at(-1)).toBe("  > ERROR: no matching distribution");
  });

  it("sizes bytes as BuildKit's progress does", () => {
    expect([formatBytes(0n), formatBytes(999n), formatBytes(1490n), formatBytes(12_345_678n)]).toEqual([
      "0B",
      "999B",
      "1.49kB",
      "12.35MB",
    ]);
  });
});
