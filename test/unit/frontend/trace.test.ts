import { describe, expect, it } from "vitest";
import { parseTraceDone } from "../../../bench/frontend-overhead.js";
import { FrontendTrace, traceRequested } from "../../../src/frontend/trace.js";

/** A client with a private field, as GatewayClient has: the trace must call it on itself. */
class FakeClient {
  readonly #answers = new Map([["pyproject.toml", "[project]"]]);
  get caps() {
    return "caps";
  }
  async readFile(_ref: string, path: string): Promise<string> {
    const text = this.#answers.get(path);
    if (text === undefined) throw new Error(`open ${path}: no such file or directory\nmore detail`);
    return text;
  }
}

function tracedClient() {
  let now = 0;
  const lines: string[] = [];
  const trace = new FrontendTrace((line) => lines.push(line), { now: () => now });
  return { trace, lines, advance: (ms: number) => (now += ms), client: trace.gateway(new FakeClient()) };
}

describe("traceRequested", () => {
  it("is on for PYFRONT_TRACE as a build arg or in the environment, off for empty, 0 or false", () => {
    expect(traceRequested({ "build-arg:PYFRONT_TRACE": "1" }, {})).toBe(true);
    expect(traceRequested({}, { PYFRONT_TRACE: "yes" })).toBe(true);
    expect(traceRequested({}, {})).toBe(false);
    for (const value of ["", "0", "false", "FALSE"]) {
      expect(traceRequested({ "build-arg:PYFRONT_TRACE": value }, { PYFRONT_TRACE: value })).toBe(false);
    }
  });
});

describe("FrontendTrace", () => {
  it("times each call on the real client, failures included, and passes results and errors through", async () => {
    const { trace, lines, advance, client } = tracedClient();
    advance(30);
    trace.startup({ bootstrapComplete: 20 });
    expect(client.caps).toBe("caps");
    const read = client.readFile("ref-1", "pyproject.toml");
    advance(5);
    expect(await read).toBe("[project]");
    const missing = client.readFile("ref-1", ".dockerignore");
    advance(2);
    await expect(missing).rejects.toThrow("no such file");
    advance(3);
    trace.finish({ bootstrapComplete: 20 });
    expect(lines).toEqual([
      "pyfront trace: 20.0 ms node bootstrap done\n",
      "pyfront trace: 30.0 ms bundle loaded (10.0 ms after bootstrap)\n",
      "pyfront trace: 30.0 ms readFile pyproject.toml: 5.0 ms ok\n",
      "pyfront trace: 35.0 ms readFile .dockerignore: 2.0 ms failed: open .dockerignore: no such file or directory\n",
      "pyfront trace: 40.0 ms done: 40.0 ms from process start to Return answered; node bootstrap 20.0 ms, 2 gateway calls outstanding for 7.0 ms, the rest (bundle load, spec, plan, render) 13.0 ms\n",
    ]);
  });

  it("counts overlapping calls' time once", async () => {
    const { trace, lines, advance, client } = tracedClient();
    const both = Promise.all([
      client.readFile("r", "pyproject.toml"),
      client.readFile("r", "pyproject.toml"),
    ]);
    advance(4);
    await both;
    trace.finish({ bootstrapComplete: 0 });
    expect(lines.at(-1)).toContain("2 gateway calls outstanding for 4.0 ms");
  });

  it("writes the done line the benchmark reads", async () => {
    const { trace, lines, advance, client } = tracedClient();
    advance(12.5);
    await client.readFile("r", "pyproject.toml");
    advance(1);
    trace.finish({ bootstrapComplete: 2 });
    expect(parseTraceDone(`noise\n${lines.join("")}more noise\n`)).toEqual([
      { totalMs: 13.5, bootstrapMs: 2, gatewayCalls: 1, gatewayMs: 0, restMs: 11.5 },
    ]);
  });

  it("adds the process's CPU time when the clock tells it, and the benchmark reads it", () => {
    const lines: string[] = [];
    const trace = new FrontendTrace((line) => lines.push(line), { now: () => 50, cpu: () => 42.25 });
    trace.startup({ bootstrapComplete: 10 });
    trace.finish({ bootstrapComplete: 10 });
    expect(lines[1]).toBe("pyfront trace: 50.0 ms bundle loaded (40.0 ms after bootstrap); cpu 42.3 ms\n");
    expect(parseTraceDone(lines.join(""))).toEqual([
      { totalMs: 50, bootstrapMs: 10, gatewayCalls: 0, gatewayMs: 0, restMs: 40, cpuMs: 42.3 },
    ]);
  });
});
