// Searching everything a build leaves behind for a secret: the saved image (every layer, the
// config, the history), the engine's build record and its blobs, and any text.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { findLeaks } from "../../unit/hostile/leak-search.js";
import { buildRecordOutputs, decodeRecord, engineKeepsBuildHistory } from "./build-history.js";
import { docker, engineEnv } from "./engine.js";

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

/** The build arg that names a test's build among the engine's records; no frontend reads it. */
export const RECORD_MARKER_ARG = "PYFRONT_TEST_RECORD_MARKER";

/** A fresh marker value, and the `--build-arg` pair that puts it in the build's record. */
export function recordMarker(): { value: string; args: string[] } {
  const value = `marker-${randomBytes(8).toString("hex")}`;
  return { value, args: ["--build-arg", `${RECORD_MARKER_ARG}=${value}`] };
}

/** Texts a build record must hold, so that a search of it is known to search something. */
export interface RecordControls {
  /** A text of the build's progress, looked for in the record's logs blob. */
  logs: string;
  /** A successful build: its provenance attestation must hold the marker too. */
  provenance?: boolean;
  /** A failed build: a text of its error, looked for in the record's error. */
  error?: string;
  /** A failed spec: a text of the spec, looked for in the error's source detail (errdefs.Source). */
  errorSource?: string;
}

/**
 * The build-record half of a secret test. On an engine that keeps records (B), the record of the
 * build marked `marker` and every blob it points to hold no form of `secret` (plain, URL-encoded,
 * JSON-escaped, hex, base64 at any alignment). So that this cannot pass by searching nothing,
 * the same search must find the marker (a build arg, not secret) in the record, and the
 * controls where they belong: in the provenance attestation, the logs blob, the error. An
 * engine without records (A, BuildKit 0.8) must answer Unimplemented: it keeps nothing.
 */
export async function expectSecretNotInBuildRecord(
  secret: string,
  marker: string,
  controls: RecordControls,
): Promise<void> {
  const env = engineEnv();
  const keeps = await engineKeepsBuildHistory();
  expect(keeps, `engine ${env.engine} keeps build records`).toBe(env.engine === "B");
  if (!keeps) return;
  const outputs = await buildRecordOutputs(RECORD_MARKER_ARG, marker);
  const record = decodeRecord(outputs["record bytes"] as Buffer);
  expect(findLeaks(marker, { record: record.raw }).length).toBeGreaterThan(0);
  if (controls.provenance) {
    const provenance = record.attestations.filter((a) => a.mediaType === "application/vnd.in-toto+json");
    expect(provenance.length, "the record has a provenance attestation").toBeGreaterThan(0);
    for (const p of provenance) {
      expect(occurrences(outputs[`blob ${p.digest}`]!, marker), `provenance ${p.digest}`).toBeGreaterThan(0);
    }
  }
  if (controls.error !== undefined) {
    expect(record.error?.message, "the record holds the build's error").toContain(controls.error);
  }
  if (controls.errorSource !== undefined) {
    const sources = Object.entries(outputs).filter(([name]) => name.startsWith("record error source"));
    expect(
      sources.some(([, text]) => occurrences(text, controls.errorSource!) > 0),
      "the record's error holds the spec's source",
    ).toBe(true);
  }
  expect(record.logs, "the record has a logs blob").toBeDefined();
  const logs = outputs[`blob ${record.logs!.digest}`];
  expect(logs, "the content store has the logs blob").toBeDefined();
  expect(occurrences(logs!, controls.logs), "the logs blob holds the build's progress").toBeGreaterThan(0);
  expect(findLeaks(secret, outputs)).toEqual([]);
}
