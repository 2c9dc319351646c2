/** Which of an image's layers an edit made new, and what they weigh (pure; docker.ts reads them). */

export interface SavedLayer {
  /** `RootFS.Layers` entry: the digest of the uncompressed layer. */
  diffId: string;
  /** Bytes of the layer's tar as `docker save` writes it (uncompressed). */
  bytes: number;
}

/** `docker save`'s manifest.json entry and the image config it names, as far as they are read here. */
export interface SavedImage {
  layerFiles: readonly string[];
  diffIds: readonly string[];
}

/** The layers of a saved image in order, given the size of each layer file. */
export function savedLayers(image: SavedImage, sizeOf: (file: string) => number): SavedLayer[] {
  if (image.layerFiles.length !== image.diffIds.length)
    throw new Error(`docker save: ${image.layerFiles.length} layer files for ${image.diffIds.length} layers`);
  return image.diffIds.map((diffId, i) => ({ diffId, bytes: sizeOf(image.layerFiles[i]!) }));
}

/**
 * Bytes of the layers the image before the edit did not have: what an export or a push sends
 * again, each distinct layer once (two empty layers are one blob).
 */
export function newLayerBytes(before: readonly string[], after: readonly SavedLayer[]): number {
  const counted = new Set(before);
  let bytes = 0;
  for (const layer of after) {
    if (counted.has(layer.diffId)) continue;
    counted.add(layer.diffId);
    bytes += layer.bytes;
  }
  return bytes;
}
