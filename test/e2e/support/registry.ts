// The local registry the engines push to and pull from (`scripts/engine`, 127.0.0.1:5000), read
// over its HTTP API (distribution's /v2/) and its access log.
import { existsSync, readFileSync, statSync } from "node:fs";
import { engineEnv } from "./engine.js";

/** The API root: the registry listens on the loopback address `PYFRONT_REGISTRY` names. */
function apiRoot(): string {
  return `http://${engineEnv().registry.replace(/^localhost(?=:|$)/, "127.0.0.1")}/v2`;
}

/** The tags of a repository (`/v2/<name>/tags/list`); empty when the registry has none. */
export async function registryTags(name: string): Promise<string[]> {
  const response = await fetch(`${apiRoot()}/${name}/tags/list`);
  if (response.status === 404) return [];
  if (!response.ok) throw new Error(`GET tags of ${name}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { tags: string[] | null }).tags ?? [];
}

const MANIFEST_TYPES = [
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
];

/** An image as the registry serves it: the manifest's digest and the image config. */
export async function registryImage(
  name: string,
  tag: string,
): Promise<{ digest: string; config: { config?: { Labels?: Record<string, string> | null } } }> {
  const manifest = await fetch(`${apiRoot()}/${name}/manifests/${tag}`, {
    headers: { Accept: MANIFEST_TYPES.join(", ") },
  });
  if (!manifest.ok) throw new Error(`GET manifest ${name}:${tag}: ${manifest.status}`);
  const digest = manifest.headers.get("docker-content-digest") ?? "";
  const body = (await manifest.json()) as { config: { digest: string } };
  const config = await fetch(`${apiRoot()}/${name}/blobs/${body.config.digest}`);
  if (!config.ok) throw new Error(`GET config of ${name}:${tag}: ${config.status}`);
  return { digest, config: (await config.json()) as { config?: { Labels?: Record<string, string> } } };
}

const INDEX_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
];

export interface IndexEntry {
  digest: string;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

/** The manifests an image index lists, attestation manifests (platform unknown/unknown) included. */
export async function registryIndex(name: string, tag: string): Promise<IndexEntry[]> {
  const response = await fetch(`${apiRoot()}/${name}/manifests/${tag}`, {
    headers: { Accept: INDEX_TYPES.join(", ") },
  });
  if (!response.ok) throw new Error(`GET index ${name}:${tag}: ${response.status}`);
  const body = (await response.json()) as { mediaType?: string; manifests?: IndexEntry[] };
  if (!INDEX_TYPES.includes(body.mediaType ?? ""))
    throw new Error(`${name}:${tag} is not an index: ${body.mediaType}`);
  return body.manifests ?? [];
}

/** `os/arch[/variant]` of an index entry. */
export function entryPlatform(entry: IndexEntry): string {
  const p = entry.platform;
  return p ? [p.os, p.architecture, p.variant].filter(Boolean).join("/") : "";
}

/** Current size of the registry's log, to read only the requests a test caused. */
export function registryLogOffset(): number {
  const log = engineEnv().registryLog;
  return existsSync(log) ? statSync(log).size : 0;
}

/** The access-log request lines (`"GET /v2/... HTTP/1.1"`) written since `offset`. */
export function registryRequestsSince(offset: number): string[] {
  const log = engineEnv().registryLog;
  if (!existsSync(log)) return [];
  return readFileSync(log)
    .subarray(offset)
    .toString("utf8")
    .split("\n")
    .flatMap((line) => /"((?:GET|HEAD|PUT|POST|PATCH|DELETE) \S+) HTTP\/[\d.]+"/.exec(line)?.[1] ?? []);
}

/** Deletes a manifest by digest (the registry runs with deletes enabled); its tags go with it. */
export async function deleteRegistryManifest(name: string, digest: string): Promise<void> {
  const response = await fetch(`${apiRoot()}/${name}/manifests/${digest}`, { method: "DELETE" });
  if (!response.ok && response.status !== 404)
    throw new Error(`DELETE ${name}@${digest}: ${response.status}`);
}
