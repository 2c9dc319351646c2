import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");
const MODULE = join(ROOT, "src/buildkit");

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe("generated protobuf code", () => {
  it("matches what `npm run generate` produces from src/buildkit/proto", () => {
    const out = mkdtempSync(join(tmpdir(), "buildkit-gen-"));
    try {
      const bin = join(ROOT, "node_modules/.bin");
      execFileSync(join(bin, "buf"), ["generate", "-o", out], {
        cwd: MODULE,
        env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}` },
        stdio: "pipe",
      });
      const fresh = join(out, "gen");
      const committed = join(MODULE, "gen");
      expect(files(committed)).toEqual(files(fresh));
      for (const f of files(fresh)) {
        expect(readFileSync(join(committed, f), "utf8"), f).toBe(readFileSync(join(fresh, f), "utf8"));
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
