// An image's layers as `docker save` writes them: what made each one, and its size. After a code
// edit, a test compares them with the image before the edit (issue 17: an edit changes only the
// code's layer).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { docker, imageInspect } from "./engine.js";

export interface ImageLayer {
  /** `RootFS.Layers` entry: the digest of the uncompressed layer. */
  diffId: string;
  /** The history entry that made it. */
  createdBy: string;
  /** Bytes of the layer's tar, uncompressed. */
  bytes: number;
}

interface SavedManifest {
  Config: string;
  Layers: string[];
}

interface SavedConfig {
  rootfs: { diff_ids: string[] };
  history?: Array<{ created_by?: string; empty_layer?: boolean }>;
}

/** The image's layers in order, from `docker save` (Docker 20.10's layout and Docker 26's OCI one). */
export async function imageLayers(tag: string): Promise<ImageLayer[]> {
  const dir = mkdtempSync(join(tmpdir(), "pyfront-layers-"));
  try {
    const archive = join(dir, "image.tar");
    const saved = await docker(["save", "-o", archive, tag]);
    expect(saved.code, saved.stderr).toBe(0);
    execFileSync("tar", ["-xf", archive, "-C", dir]);
    const [manifest] = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as SavedManifest[];
    const config = JSON.parse(readFileSync(join(dir, manifest!.Config), "utf8")) as SavedConfig;
    const made = (config.history ?? []).filter((h) => !h.empty_layer).map((h) => h.created_by ?? "");
    expect(made).toHaveLength(config.rootfs.diff_ids.length);
    return config.rootfs.diff_ids.map((diffId, i) => ({
      diffId,
      createdBy: made[i]!,
      bytes: statSync(join(dir, manifest!.Layers[i]!)).size,
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `RootFS.Layers` of an image that exists. */
export async function layerDigests(tag: string): Promise<string[]> {
  const info = await imageInspect(tag);
  expect(info?.RootFS?.Layers, `no layers for ${tag}`).toBeDefined();
  return info!.RootFS!.Layers!;
}

/** Bytes of the regular files under a folder: what a project's own files weigh. */
export function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/** The layer a code edit may change first: the project's own files (a package's, or an app's /app). */
const PROJECT_LAYER = /COPY .*(\/pyfront\/project-files|\/app) /;

/**
 * After a one-line edit: every layer before the project's is the one the previous image had, and
 * the layers that are new weigh no more than the project's own files plus 1 MB.
 */
export async function expectOnlyTheCodeLayersChanged(
  before: readonly string[],
  tag: string,
  projectBytes: number,
): Promise<{ newBytes: number }> {
  const after = await imageLayers(tag);
  const firstChanged = after.findIndex((layer, i) => layer.diffId !== before[i]);
  const shown = after.map((l) => `${l.diffId.slice(7, 19)} ${l.bytes} ${l.createdBy}`).join("\n");
  expect(firstChanged, `the edit changed no layer:\n${shown}`).toBeGreaterThan(0);
  expect(after[firstChanged]!.createdBy, `the first changed layer is not the project's:\n${shown}`).toMatch(
    PROJECT_LAYER,
  );
  const newBytes = after
    .filter((layer) => !before.includes(layer.diffId))
    .reduce((sum, layer) => sum + layer.bytes, 0);
  expect(newBytes, `new layers after the edit:\n${shown}`).toBeLessThanOrEqual(projectBytes + 1_000_000);
  return { newBytes };
}
