/*
 * Which index URLs pip reads over plain http, decided the way pip decides it
 * (pip/_internal/network/session.py, PipSession.is_secure_origin): an origin is secure when it is
 * https, or its host is one of SECURE_ORIGINS' loopback entries ("localhost", 127.0.0.0/8,
 * ::1/128), or it matches a `--trusted-host` entry. Every other http index is skipped with "not a
 * trusted or secure host and is being ignored". pip reads the URL with Python's urllib.parse: the
 * host as written (lowercased), an IPv4 address only in strict dotted-quad form, the port as
 * written; WHATWG's URL would rewrite `127.1` to `127.0.0.1`, which pip does not.
 */

export interface UrlOrigin {
  scheme: string;
  /** Lowercased, without IPv6 brackets, as urllib.parse's `hostname`. */
  host: string;
  /** As urllib.parse's `port`: undefined when the URL names none. */
  port?: number;
}

/** The scheme, host and port of a URL as pip sees them, or undefined when it has no authority. */
export function urlOrigin(url: string): UrlOrigin | undefined {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(url);
  if (!match) return undefined;
  const authority = match[2]!.slice(match[2]!.lastIndexOf("@") + 1);
  const bracketed = /^\[([^\]]*)\](?::(\d*))?$/.exec(authority);
  const [host, port] = bracketed
    ? [bracketed[1]!, bracketed[2]]
    : authority.includes(":")
      ? [authority.slice(0, authority.lastIndexOf(":")), authority.slice(authority.lastIndexOf(":") + 1)]
      : [authority, undefined];
  return {
    scheme: match[1]!.toLowerCase(),
    host: host.toLowerCase(),
    ...(port !== undefined && port !== "" ? { port: Number(port) } : {}),
  };
}

/**
 * The `--trusted-host` value that makes pip trust this URL's host and port: the authority as
 * written (lowercased, without user info), since pip compares it with the URL it is given.
 */
export function trustedHostFor(url: string): string {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url)?.[1] ?? "";
  return authority.slice(authority.lastIndexOf("@") + 1).toLowerCase();
}

/** Python's ipaddress.IPv4Address: four decimal octets, no leading zeros. */
function ipv4Octets(host: string): number[] | undefined {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p))) return undefined;
  const octets = parts.map(Number);
  return octets.every((o) => o <= 255) ? octets : undefined;
}

function isIpv6Loopback(host: string): boolean {
  if (!host.includes(":")) return false;
  try {
    return new URL(`http://[${host}]/`).hostname === "[::1]";
  } catch {
    return false;
  }
}

/** pip's SECURE_ORIGINS loopback entries: pip reads these over plain http without --trusted-host. */
export function isPipLoopbackHost(host: string): boolean {
  const lower = host.toLowerCase();
  if (lower === "localhost") return true;
  const octets = ipv4Octets(lower);
  if (octets) return octets[0] === 127;
  return isIpv6Loopback(lower);
}

/** One `--trusted-host` value, `host` or `host:port` (IPv6 in brackets, or bare as pip accepts it). */
export function trustedHostOrigin(entry: string): { host: string; port?: number } {
  const bare = (entry.match(/:/g) ?? []).length >= 2 && !entry.includes("[");
  const origin = urlOrigin(`https://${bare ? `[${entry}]` : entry}`);
  return origin
    ? { host: origin.host, ...(origin.port !== undefined ? { port: origin.port } : {}) }
    : { host: entry };
}

/**
 * Whether pip reads this index URL: https, a loopback host, or a host (and port, when the entry
 * names one) among `trustedHosts`.
 */
export function pipAcceptsIndexUrl(url: string, trustedHosts: readonly string[]): boolean {
  const origin = urlOrigin(url);
  if (!origin) return false;
  if (origin.scheme === "https") return true;
  if (isPipLoopbackHost(origin.host)) return true;
  return trustedHosts.some((entry) => {
    const trusted = trustedHostOrigin(entry);
    return trusted.host === origin.host && (trusted.port === undefined || trusted.port === origin.port);
  });
}
