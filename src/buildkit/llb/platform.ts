/** An OCI platform, e.g. linux/amd64 or linux/arm64/v8. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** Used when neither the state nor the marshal call names a platform; keeps output host-independent. */
export const DEFAULT_PLATFORM: Platform = { os: "linux", architecture: "amd64" };

/**
 * Parses "os/arch[/variant]" and normalizes it the way containerd does for the common cases
 * (arm64 drops variant v8, arm defaults to v7, aarch64/x86_64 aliases).
 */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().toLowerCase().split("/");
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === "")) {
    throw new Error(`invalid platform "${text}": expected os/arch or os/arch/variant`);
  }
  const [os, arch, variant] = parts as [string, string, string | undefined];
  return normalizePlatform({ os, architecture: arch, ...(variant ? { variant } : {}) });
}

export function normalizePlatform(p: Platform): Platform {
  let architecture = p.architecture;
  let variant = p.variant;
  if (architecture === "x86_64" || architecture === "x86-64") architecture = "amd64";
  if (architecture === "aarch64") architecture = "arm64";
  if (architecture === "arm64" && (variant === "v8" || variant === "8")) variant = undefined;
  if (architecture === "armhf") {
    architecture = "arm";
    variant = "v7";
  }
  if (architecture === "armel") {
    architecture = "arm";
    variant = "v6";
  }
  if (architecture === "arm" && (variant === undefined || variant === "7")) variant = "v7";
  return { os: p.os, architecture, ...(variant ? { variant } : {}) };
}

export function formatPlatform(p: Platform): string {
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}
