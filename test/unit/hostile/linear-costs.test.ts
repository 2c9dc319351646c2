// Issue #11, finding 5: no input makes a command slow; generous budgets, linear code.
import { describe, expect, it } from "vitest";
import { memoryContext } from "../../../src/context/memory-context.js";
import { closestMatch } from "../../../src/spec/did-you-mean.js";
import { renderAll } from "./render-all.js";

function timed<T>(run: () => T): { result: T; ms: number } {
  const started = performance.now();
  const result = run();
  return { result, ms: performance.now() - started };
}

describe("costs stay linear", () => {
  it("20,000 env entries through plan, Dockerfile and llb --json", () => {
    const env = Array.from({ length: 20_000 }, (_, i) => `E${i} = "v${i}"`).join("\n");
    const { result, ms } = timed(() =>
      renderAll(
        `[tool.pyfront]\n[tool.pyfront.env]\n${env}\n`,
        { specFile: "pyproject.toml" },
        memoryContext({ "main.py": "" }),
      ),
    );
    expect(result.refused).toBe(false);
    expect(result.llbJson).toContain("E19999=v19999");
    expect(ms).toBeLessThan(15_000); // was 80 s; about 3 s on two shared cores
  });

  it("a 1 MB unknown key: no did-you-mean search, a short message", () => {
    const { result, ms } = timed(() =>
      renderAll(
        `[tool.pyfront]\n${"k".repeat(1_000_000)} = 1\n`,
        { specFile: "pyproject.toml" },
        memoryContext({}),
      ),
    );
    expect(result.refused).toBe(true);
    expect(result.messages[0]!.length).toBeLessThan(1000);
    expect(result.messages[0]).toMatch(/^pyproject\.toml:2:1: tool\.pyfront\.k{80}…: unknown key/);
    expect(ms).toBeLessThan(3000);
    expect(closestMatch("x".repeat(100_000), ["python_version"])).toBeUndefined();
  });

  it("a spec of 1 MB renders in well under a second", () => {
    const text = `[tool.pyfront]\n# ${"c".repeat(1_000_000)}\nlabels = { "org.x" = "${"x".repeat(60_000)}" }\n`;
    const { result, ms } = timed(() =>
      renderAll(text, { specFile: "pyproject.toml" }, memoryContext({ "main.py": "" })),
    );
    expect(result.refused).toBe(false);
    expect(ms).toBeLessThan(2000);
  });
});
