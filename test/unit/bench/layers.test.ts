import { describe, expect, it } from "vitest";
import { newLayerBytes, savedLayers } from "../../../bench/suite/layers.js";

describe("the layers an edit made new", () => {
  const saved = savedLayers(
    {
      layerFiles: ["a/layer.tar", "b/layer.tar", "c/layer.tar"],
      diffIds: ["sha256:a", "sha256:b", "sha256:c"],
    },
    (file) => ({ "a/layer.tar": 250_000_000, "b/layer.tar": 4_800_000, "c/layer.tar": 17_000 })[file]!,
  );

  it("pairs each layer digest with its file's size, in order", () => {
    expect(saved).toEqual([
      { diffId: "sha256:a", bytes: 250_000_000 },
      { diffId: "sha256:b", bytes: 4_800_000 },
      { diffId: "sha256:c", bytes: 17_000 },
    ]);
    expect(() => savedLayers({ layerFiles: ["a"], diffIds: [] }, () => 0)).toThrow(
      /1 layer files for 0 layers/,
    );
  });

  it("counts only the layers the image before the edit did not have", () => {
    expect(newLayerBytes(["sha256:a", "sha256:b", "sha256:old"], saved)).toBe(17_000);
    expect(newLayerBytes(["sha256:a"], saved)).toBe(4_817_000);
    expect(newLayerBytes(["sha256:a", "sha256:b", "sha256:c"], saved)).toBe(0);
  });
});
