import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { PassThrough, Readable } from "node:stream";
import * as tar from "tar-stream";
import { describe, expect, it } from "vitest";
import {
  ArchiveError,
  dockerArchiveToOci,
  OCI_LAYER_TAR,
  OCI_MANIFEST,
} from "../../../src/client/oci-archive.js";

type Member = { name: string; data?: string; link?: string };

/** A tar of the members, in order; `link` makes a symlink. */
async function tarOf(members: Member[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const m of members) {
    if (m.link !== undefined) pack.entry({ name: m.name, type: "symlink", linkname: m.link });
    else pack.entry({ name: m.name }, m.data ?? "");
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function membersOf(archive: Buffer): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: unknown) => chunks.push(c as Buffer));
      stream.on("end", () => {
        out.set(header.name, Buffer.concat(chunks));
        next();
      });
    });
    extract.on("finish", resolve);
    extract.on("error", reject);
  });
  extract.end(archive);
  await done;
  return out;
}

async function convert(input: Buffer): Promise<Buffer> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on("data", (c: Buffer) => chunks.push(c));
  await dockerArchiveToOci(Readable.from([input]), sink, tmpdir());
  return Buffer.concat(chunks);
}

const sha = (text: string | Buffer) => `sha256:${createHash("sha256").update(text).digest("hex")}`;

// Docker 20.10's legacy archive: a folder per layer, a second layer linked to the first one's bytes.
const layerA = "layer a bytes";
const config = JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers" } });
const legacy: Member[] = [
  { name: "aaa/layer.tar", data: layerA },
  { name: "bbb/layer.tar", link: "../aaa/layer.tar" },
  { name: "ccc/layer.tar", data: "layer c" },
  { name: "cfg.json", data: config },
  {
    name: "manifest.json",
    data: JSON.stringify([
      {
        Config: "cfg.json",
        RepoTags: ["localhost:5000/team/app:1.2"],
        Layers: ["aaa/layer.tar", "bbb/layer.tar", "ccc/layer.tar"],
      },
    ]),
  },
];

describe("dockerArchiveToOci", () => {
  it("writes an OCI layout: blobs by digest, an OCI manifest, an index naming the tag", async () => {
    const out = await membersOf(await convert(await tarOf(legacy)));
    expect(JSON.parse(out.get("oci-layout")?.toString() ?? "")).toEqual({ imageLayoutVersion: "1.0.0" });
    const index = JSON.parse(out.get("index.json")?.toString() ?? "");
    expect(index.manifests).toHaveLength(1);
    const descriptor = index.manifests[0];
    expect(descriptor.annotations).toEqual({
      "io.containerd.image.name": "localhost:5000/team/app:1.2",
      "org.opencontainers.image.ref.name": "1.2",
    });
    expect(descriptor.platform).toEqual({ architecture: "amd64", os: "linux" });
    const manifestBytes = out.get(`blobs/sha256/${descriptor.digest.slice(7)}`);
    expect(manifestBytes && sha(manifestBytes)).toBe(descriptor.digest);
    const manifest = JSON.parse(manifestBytes?.toString() ?? "");
    expect(manifest.mediaType).toBe(OCI_MANIFEST);
    expect(manifest.config.digest).toBe(sha(config));
    expect(manifest.layers.map((l: { digest: string }) => l.digest)).toEqual([
      sha(layerA),
      sha(layerA),
      sha("layer c"),
    ]);
    expect(manifest.layers.every((l: { mediaType: string }) => l.mediaType === OCI_LAYER_TAR)).toBe(true);
    // Every blob is stored once, under its own digest.
    for (const [name, data] of out)
      if (name.startsWith("blobs/")) expect(sha(data)).toBe(`sha256:${name.slice(13)}`);
    expect([...out.keys()].filter((n) => n.startsWith("blobs/"))).toHaveLength(4);
  });

  it("gives the same archive whatever order the daemon saved the members in", async () => {
    const once = await convert(await tarOf(legacy));
    const reordered = await convert(await tarOf([...legacy].reverse()));
    expect(sha(reordered)).toBe(sha(once));
  });

  it("refuses an archive with no manifest, a missing layer, or a member that leaves it", async () => {
    await expect(convert(await tarOf([{ name: "x", data: "" }]))).rejects.toThrow(/no manifest.json/);
    const missing = legacy.filter((m) => m.name !== "ccc/layer.tar");
    await expect(convert(await tarOf(missing))).rejects.toThrow(/names "ccc\/layer.tar", which is not in it/);
    await expect(convert(await tarOf([{ name: "../evil", data: "" }, ...legacy]))).rejects.toThrow(
      ArchiveError,
    );
  });
});
