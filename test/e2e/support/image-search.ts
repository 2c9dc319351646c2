// Searching everything a build leaves behind for a secret: the saved image (every layer, the
// config, the history) and any text.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { docker } from "./engine.js";

/** `docker save` of the image as bytes: uncompressed layers, config and manifest. */
export async function saveImage(tag: string): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), "pyfront-save-"));
  try {
    const path = join(dir, "image.tar");
    const saved = await docker(["save", "-o", path, tag]);
    expect(saved.code, saved.stderr).toBe(0);
    return readFileSync(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** How many times `needle` occurs in `haystack`. */
export function occurrences(haystack: string | Buffer, needle: string): number {
  const buffer = typeof haystack === "string" ? Buffer.from(haystack) : haystack;
  let count = 0;
  for (let at = buffer.indexOf(needle); at !== -1; at = buffer.indexOf(needle, at + 1)) count++;
  return count;
}
