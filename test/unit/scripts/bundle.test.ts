import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bundleSnapshotEntry, deferredBuiltinSource } from "../../../scripts/bundle.js";

const work = mkdtempSync(join(tmpdir(), "pyfront-bundle-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the frontend's snapshot bundle", () => {
  it("stands in for a built-in: its functions call the real ones, its objects read from them", () => {
    const source = deferredBuiltinSource("zlib", {
      gzipSync: () => undefined,
      constants: { Z_OK: 0 },
      default: {},
      "not-a-name": 1,
    });
    expect(source).toContain("export function gzipSync(...args)");
    expect(source).toContain("export const constants = new Proxy(");
    expect(source).not.toContain("default");
    expect(source).not.toContain("not-a-name");
  });

  it("takes a start-up snapshot after the warm-up that runs main when restored, with http2 and zlib loaded then", async () => {
    const entry = join(work, "entry.ts");
    writeFileSync(
      entry,
      [
        `import * as http2 from "node:http2";`,
        `import { gzipSync, gunzipSync } from "node:zlib";`,
        `import { atStart } from ${JSON.stringify(join(import.meta.dirname, "../../../src/frontend/start.js"))};`,
        // Module state made while the snapshot is taken is there when it is restored.
        `const table = new Map([["answer", 42]]);`,
        // The warm-up runs before the snapshot is taken, and only then.
        `let warmed = false;`,
        `atStart(() => {`,
        `  const round = gunzipSync(gzipSync("abc")).toString();`,
        `  console.log(JSON.stringify({ round, answer: table.get("answer"), cancel: http2.constants.NGHTTP2_CANCEL, connect: typeof http2.connect, warmed, arg: process.argv.at(-1) }));`,
        `}, () => { warmed = true; });`,
      ].join("\n"),
    );
    const bundle = await bundleSnapshotEntry(entry, join(work, "bundle.cjs"));
    const blob = join(work, "bundle.blob");
    execFileSync(process.execPath, ["--snapshot-blob", blob, "--build-snapshot", bundle], { stdio: "pipe" });
    const restored = execFileSync(process.execPath, ["--snapshot-blob", blob, "run-time"], {
      encoding: "utf8",
    });
    expect(JSON.parse(restored)).toEqual({
      round: "abc",
      answer: 42,
      cancel: 8,
      connect: "function",
      warmed: true,
      arg: "run-time",
    });
    // The same bundle runs as a plain script too.
    const plain = execFileSync(process.execPath, [bundle, "plain"], { encoding: "utf8" });
    expect(JSON.parse(plain)).toEqual({
      round: "abc",
      answer: 42,
      cancel: 8,
      connect: "function",
      warmed: false,
      arg: "plain",
    });
  });
});
