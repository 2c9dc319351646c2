import { createHash } from "node:crypto";

/** An OCI digest string, "sha256:<hex>". */
export type Digest = `sha256:${string}`;

export function sha256Digest(bytes: Uint8Array): Digest {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}
