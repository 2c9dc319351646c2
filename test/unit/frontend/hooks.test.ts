// `pyfront build` runs the frontend in the CLI process with hooks: its diagnostics then reach the
// CLI (printed from the working directory, exit code 2) instead of BuildKit's Warn.
import { afterEach, describe, expect, it } from "vitest";
import { runFrontend } from "../../../src/frontend/frontend.js";
import type { Diagnostic } from "../../../src/spec/index.js";
import { type FakeBuildKit, frontendEnv, startFakeBuildKit } from "./fake-buildkit.js";

let fake: FakeBuildKit | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const SCRIPT_ONLY = '[tool.pyfront]\npython_version = "3.11"\n';

describe("frontend hooks", () => {
  it("hands warnings to the hook instead of the gateway's Warn", async () => {
    fake = await startFakeBuildKit({
      dockerfile: { "pyproject.toml": SCRIPT_ONLY },
      context: { "pyproject.toml": SCRIPT_ONLY },
      release: 13,
    });
    const warnings: Diagnostic[] = [];
    const result = await runFrontend(fake.gateway, frontendEnv(), { warning: (d) => warnings.push(d) });
    expect("error" in result).toBe(false);
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.every((d) => d.severity === "warning")).toBe(true);
    expect(fake.warnings).toEqual([]);
  });

  it("hands a spec's errors to the hook, and still returns them to BuildKit", async () => {
    const bad = '[tool.pyfront]\npython_version = "3.11"\nbuild_deps = ["gcc; rm -rf /"]\n';
    fake = await startFakeBuildKit({
      dockerfile: { "pyproject.toml": bad },
      context: { "pyproject.toml": bad },
    });
    let reported: readonly Diagnostic[] = [];
    const result = await runFrontend(fake.gateway, frontendEnv(), { specError: (d) => (reported = d) });
    expect(reported.map((d) => [d.position?.file, d.position?.line, d.severity])).toEqual([
      ["pyproject.toml", 3, "error"],
    ]);
    expect("error" in result && result.error.message).toContain("is not a Debian package name");
  });
});
