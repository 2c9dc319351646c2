/**
 * What a push to the local registry uploads: the blobs an image's manifest names that an earlier
 * push to the same repository did not (the registry keeps those and docker skips them).
 */
import { type DockerClient, dockerOk } from "./docker.js";

export interface Blob {
  digest: string;
  size: number;
}

/** The config and layer blobs a manifest in the local registry names. */
export async function manifestBlobs(registry: string, repository: string, tag: string): Promise<Blob[]> {
  const url = `http://${registry}/v2/${repository}/manifests/${tag}`;
  const response = await fetch(url, {
    headers: {
      accept:
        "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json",
    },
  });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  const manifest = (await response.json()) as { config?: Blob; layers?: Blob[] };
  if (!manifest.config || !manifest.layers) throw new Error(`${url}: not a single-platform image manifest`);
  return [manifest.config, ...manifest.layers];
}

/** Pushes, and returns how many layers docker said it pushed (the rest were already there). */
async function push(client: DockerClient, image: string): Promise<number> {
  const output = await dockerOk(client, ["push", image]);
  return output.split("\n").filter((line) => /: Pushed\s*$/.test(line)).length;
}

/** Tags the image as repository:tag in the registry and pushes it; returns the layers docker pushed. */
export async function pushAs(
  client: DockerClient,
  image: string,
  registry: string,
  repository: string,
  tag: string,
): Promise<number> {
  const target = `${registry}/${repository}:${tag}`;
  await dockerOk(client, ["tag", image, target]);
  return push(client, target);
}

/** What pushing `after` uploaded once `before` was in the same repository. */
export async function uploadedAfter(
  registry: string,
  repository: string,
  before: string,
  after: string,
): Promise<{ count: number; bytes: number }> {
  return newBlobs(
    await manifestBlobs(registry, repository, before),
    await manifestBlobs(registry, repository, after),
  );
}

/** Which blobs of the edited image's manifest the first image's manifest did not name, and their bytes. */
export function newBlobs(before: readonly Blob[], after: readonly Blob[]): { count: number; bytes: number } {
  const known = new Set(before.map((b) => b.digest));
  const fresh = new Map<string, number>();
  for (const blob of after) if (!known.has(blob.digest)) fresh.set(blob.digest, blob.size);
  return { count: fresh.size, bytes: [...fresh.values()].reduce((a, b) => a + b, 0) };
}
