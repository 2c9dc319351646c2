import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { StatusResponseSchema } from "../../../src/buildkit/gen/moby/buildkit/v1/control_pb.js";
import {
  BuildProgress,
  FAILURE_TAIL_LINES,
  formatBytes,
  PlainProgress,
  TTY_LOG_LINES,
  ttyRenderer,
} from "../../../src/client/progress.js";

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

const ESC = "\u001b";

/** What a terminal shows after the writes: enough of one for cursor-up and clear-below. */
function screen(writes: string): string[] {
  const lines: string[] = [];
  let row = 0;
  const pattern = new RegExp(`${ESC}\\[(\\d*)([AJ])|([^${ESC}]+)`, "g");
  for (const m of writes.matchAll(pattern)) {
    if (m[2] === "A") row = Math.max(0, row - Number(m[1] || 1));
    else if (m[2] === "J") lines.length = row;
    else
      for (const ch of (m[3] ?? "").split(/(\n)/)) {
        if (ch === "\n") row++;
        else if (ch !== "") lines[row] = (lines[row] ?? "") + ch;
      }
  }
  return lines.slice(0, row);
}

describe("live progress on a terminal", () => {
  function live(colour = false) {
    let out = "";
    let clock = 10_000;
    const renderer = ttyRenderer({ write: (t) => (out += t), columns: 60, colour, now: () => clock });
    const progress = new BuildProgress(renderer);
    return {
      progress,
      tick: (ms: number) => (clock += ms),
      update: (u: Parameters<typeof create<typeof StatusResponseSchema>>[1]) =>
        progress.update(create(StatusResponseSchema, u)),
      out: () => out,
    };
  }

  it("prints finished steps once and redraws the running ones with their time and last lines", () => {
    const t = live();
    t.update({
      vertexes: [
        {
          digest: "a",
          name: "[builder] install dependencies",
          cached: true,
          started: at(10_000),
          completed: at(10_000),
        },
      ],
    });
    t.update({ vertexes: [{ digest: "b", name: "[builder] install the project", started: at(10_000) }] });
    const logs = Array.from({ length: 9 }, (_, i) => `pip line ${i + 1}`).join("\n");
    t.update({ logs: [{ vertex: "b", stream: 1n, timestamp: at(10_500), msg: enc(`${logs}\n`) }] });
    t.tick(2_300);
    t.update({});
    expect(screen(t.out())).toEqual([
      " => CACHED [builder] install dependencies",
      "[+] Building 0.0s (1/2)",
      " => [builder] install the project 0.0s",
      ...Array.from({ length: TTY_LOG_LINES }, (_, i) => ` => => # pip line ${i + 4}`),
    ]);
    t.update({
      vertexes: [
        { digest: "b", name: "[builder] install the project", started: at(10_000), completed: at(13_100) },
      ],
    });
    t.progress.finish();
    expect(screen(t.out())).toEqual([
      " => CACHED [builder] install dependencies",
      " => [builder] install the project  3.1s",
      "[+] Building 2.3s (2/2)",
    ]);
  });

  it("marks a failed step, cuts long lines to the terminal's width, and colours only when asked", () => {
    const plain = live(false);
    plain.update({
      vertexes: [
        {
          digest: "x",
          name: `[builder] ${"x".repeat(80)}`,
          started: at(10_000),
          completed: at(10_400),
          error: "exit code: 1",
        },
      ],
    });
    const shown = screen(plain.out());
    expect(shown[0]).toMatch(/^ => ERROR \[builder\] x+…$/);
    expect(shown[0]?.length).toBe(60);
    expect(plain.out()).not.toMatch(new RegExp(`${ESC}\\[\\d+m`));
    const coloured = live(true);
    coloured.update({
      vertexes: [
        {
          digest: "x",
          name: "[builder] step",
          started: at(10_000),
          completed: at(10_400),
          error: "exit code: 1",
        },
      ],
    });
    expect(coloured.out()).toContain("\u001b[31m => ERROR [builder] step  0.4s\u001b[0m");
  });
});
