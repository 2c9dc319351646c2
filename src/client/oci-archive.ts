import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join, posix } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as tar from "tar-stream";

/**
 * `docker save`'s archive rewritten as an OCI image layout in a tar, the form BuildKit's oci
 * exporter writes and skopeo's and crane's `oci-archive` read. The Docker daemon's BuildKit has
 * no oci exporter without the containerd store, so `pyfront build --output type=oci` loads the
 * image and converts what the daemon saves. Docker's archive has a manifest.json in every
 * version (beside an OCI layout from Docker 25), so that one file is read.
 */

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
/** Docker's saved layers are plain tars. */
export const OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";

/** A saved archive that is not what `docker save` writes. */
export class ArchiveError extends Error {
  constructor(message: string) {
    super(`the image archive the daemon saved cannot be read: ${message}`);
    this.name = "ArchiveError";
  }
}

interface SavedManifest {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

interface Blob {
  digest: string;
  size: number;
  /** Where its bytes are, on disk. */
  path: string;
}

/** An archive member's name as a path inside the archive; anything that would leave it is refused. */
function memberName(name: string): string {
  const clean = posix.normalize(name.replace(/^\.\//, ""));
  if (clean.startsWith("/") || clean === ".." || clean.startsWith("../"))
    throw new ArchiveError(`member ${JSON.stringify(name)} leaves the archive`);
  return clean.replace(/\/$/, "");
}

async function fileDigest(path: string): Promise<{ digest: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: `sha256:${hash.digest("hex")}`, size };
}

/** Unpacks the saved archive into a scratch folder: regular files by name, links resolved later. */
async function unpack(input: Readable, dir: string) {
  const files = new Map<string, string>();
  const links = new Map<string, string>();
  const extract = tar.extract();
  let count = 0;
  extract.on("entry", (header, stream, next) => {
    let name: string;
    try {
      name = memberName(header.name);
    } catch (error) {
      stream.resume();
      next(error as Error);
      return;
    }
    if (header.type === "file") {
      const path = join(dir, `m${count++}`);
      files.set(name, path);
      pipeline(stream, createWriteStream(path)).then(() => next(), next);
      return;
    }
    // Docker links a layer it saved already (layer.tar -> ../<id>/layer.tar).
    let failed: Error | undefined;
    try {
      if (header.type === "symlink" && header.linkname)
        links.set(name, memberName(posix.join(posix.dirname(name), header.linkname)));
      if (header.type === "link" && header.linkname) links.set(name, memberName(header.linkname));
    } catch (error) {
      failed = error as Error;
    }
    stream.resume();
    stream.on("end", () => next(failed));
  });
  await pipeline(input, extract);
  const resolve = (name: string): string | undefined => {
    let current = memberName(name);
    for (let hops = 0; hops < 16; hops++) {
      const file = files.get(current);
      if (file) return file;
      const target = links.get(current);
      if (!target) return undefined;
      current = target;
    }
    return undefined;
  };
  return { resolve };
}

/** The reference's tag for the index annotation, as BuildKit's oci exporter writes it. */
function refName(reference: string): string {
  const colon = reference.lastIndexOf(":");
  return colon > reference.lastIndexOf("/") ? reference.slice(colon + 1) : "latest";
}

/**
 * Rewrites a `docker save` archive as an OCI layout tar: config and layers as blobs by digest,
 * one OCI manifest per image, an index naming each tag. Member times are zero, so one image gives
 * one archive.
 */
export async function dockerArchiveToOci(
  input: Readable,
  output: NodeJS.WritableStream,
  scratchParent: string,
): Promise<void> {
  const dir = mkdtempSync(join(scratchParent, "pyfront-oci-"));
  try {
    const { resolve } = await unpack(input, dir);
    const manifestPath = resolve("manifest.json");
    if (!manifestPath) throw new ArchiveError("it has no manifest.json");
    let saved: SavedManifest[];
    try {
      saved = JSON.parse(readFileSync(manifestPath, "utf8")) as SavedManifest[];
      if (!Array.isArray(saved)) throw new Error("not a list");
    } catch (error) {
      throw new ArchiveError(`manifest.json: ${(error as Error).message}`);
    }
    const blobs = new Map<string, Blob>();
    const addBlob = async (member: string): Promise<Blob> => {
      const path = resolve(member);
      if (!path) throw new ArchiveError(`manifest.json names ${JSON.stringify(member)}, which is not in it`);
      const { digest, size } = await fileDigest(path);
      const blob = { digest, size, path };
      blobs.set(digest, blob);
      return blob;
    };
    const descriptors: object[] = [];
    const written = new Map<string, Buffer>();
    for (const image of saved) {
      const config = await addBlob(image.Config);
      const configJson = JSON.parse(readFileSync(config.path, "utf8")) as {
        architecture?: string;
        os?: string;
        variant?: string;
      };
      const layers: Blob[] = [];
      for (const layer of image.Layers) layers.push(await addBlob(layer));
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.size },
          layers: layers.map((l) => ({ mediaType: OCI_LAYER_TAR, digest: l.digest, size: l.size })),
        }),
      );
      const manifestDigest = `sha256:${createHash("sha256").update(manifest).digest("hex")}`;
      written.set(manifestDigest, manifest);
      const platform = {
        architecture: configJson.architecture ?? "amd64",
        os: configJson.os ?? "linux",
        ...(configJson.variant ? { variant: configJson.variant } : {}),
      };
      for (const tag of image.RepoTags?.length ? image.RepoTags : [undefined]) {
        descriptors.push({
          mediaType: OCI_MANIFEST,
          digest: manifestDigest,
          size: manifest.length,
          ...(tag
            ? {
                annotations: {
                  "io.containerd.image.name": tag,
                  "org.opencontainers.image.ref.name": refName(tag),
                },
              }
            : {}),
          platform,
        });
      }
    }
    const index = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: descriptors }),
    );

    const pack = tar.pack();
    const done = pipeline(pack, output);
    const entry = (name: string, size: number) => ({
      name,
      size,
      mode: 0o644,
      mtime: new Date(0),
      uid: 0,
      gid: 0,
    });
    const addBuffer = (name: string, data: Buffer) =>
      new Promise<void>((ok, fail) =>
        pack.entry(entry(name, data.length), data, (e) => (e ? fail(e) : ok())),
      );
    const addFile = async (name: string, blob: Blob) => {
      const sink = pack.entry(entry(name, blob.size));
      await pipeline(createReadStream(blob.path), sink);
    };
    await addBuffer("oci-layout", Buffer.from(JSON.stringify({ imageLayoutVersion: "1.0.0" })));
    // Digest order: the same image gives the same archive, whatever order the daemon saved in.
    for (const digest of [...new Set([...blobs.keys(), ...written.keys()])].sort()) {
      const name = `blobs/sha256/${digest.slice("sha256:".length)}`;
      const fromDisk = blobs.get(digest);
      if (fromDisk) await addFile(name, fromDisk);
      else await addBuffer(name, written.get(digest) as Buffer);
    }
    await addBuffer("index.json", index);
    pack.finalize();
    await done;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
