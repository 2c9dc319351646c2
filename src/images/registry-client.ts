import { DEFINITION_LABEL } from "./lock.js";

/** What a registry holds under a tag: the manifest digest and the definition label of its image. */
export interface PublishedImage {
  digest: string;
  definition: string | undefined;
}

const MANIFEST_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
];

export class RegistryReadError extends Error {
  readonly code = "IMAGES_REGISTRY";
}

/** "host[:port]/path" → the API root and the repository path. Loopback registries are plain HTTP, as Docker treats them. */
export function registryLocation(repository: string): { api: string; path: string } {
  const slash = repository.indexOf("/");
  if (slash < 0 || !/[.:]|^localhost$/.test(repository.slice(0, slash)))
    throw new RegistryReadError(
      `"${repository}" names no registry: write HOST[:PORT]/PATH, e.g. registry.example.com/team or localhost:5000/team`,
    );
  const host = repository.slice(0, slash);
  const loopback = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(host);
  return {
    api: `${loopback ? "http" : "https"}://${host.replace(/^localhost(?=:|$)/, "127.0.0.1")}/v2`,
    path: repository.slice(slash + 1),
  };
}

/**
 * The image a registry holds at repository:tag, or undefined when it holds none. Reads anonymously;
 * for an index, the first manifest's config (every platform of a version has the same label).
 */
export async function publishedImage(
  repository: string,
  tag: string,
  fetchImpl: typeof fetch = fetch,
): Promise<PublishedImage | undefined> {
  const { api, path } = registryLocation(repository);
  const get = async (url: string, accept?: string) => {
    let response: Response;
    try {
      response = await fetchImpl(url, accept ? { headers: { Accept: accept } } : {});
    } catch (error) {
      throw new RegistryReadError(`cannot reach ${url}: ${(error as Error).message}`);
    }
    return response;
  };
  const manifest = await get(`${api}/${path}/manifests/${tag}`, MANIFEST_TYPES.join(", "));
  if (manifest.status === 404) return undefined;
  if (!manifest.ok)
    throw new RegistryReadError(
      `${repository}:${tag}: the registry answered ${manifest.status}${manifest.status === 401 ? " (pyfront reads registries anonymously)" : ""}`,
    );
  const digest = manifest.headers.get("docker-content-digest") ?? "";
  let body = (await manifest.json()) as { manifests?: { digest: string }[]; config?: { digest: string } };
  if (body.manifests) {
    const first = body.manifests[0];
    if (!first) return { digest, definition: undefined };
    const inner = await get(`${api}/${path}/manifests/${first.digest}`, MANIFEST_TYPES.join(", "));
    if (!inner.ok)
      throw new RegistryReadError(`${repository}@${first.digest}: the registry answered ${inner.status}`);
    body = (await inner.json()) as typeof body;
  }
  if (!body.config) return { digest, definition: undefined };
  const config = await get(`${api}/${path}/blobs/${body.config.digest}`);
  if (!config.ok)
    throw new RegistryReadError(`${repository}: its image config: the registry answered ${config.status}`);
  const labels = ((await config.json()) as { config?: { Labels?: Record<string, string> | null } }).config
    ?.Labels;
  return { digest, definition: labels?.[DEFINITION_LABEL] };
}
