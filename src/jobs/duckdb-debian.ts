/**
 * Where exec-duckdb's DuckDB CLI comes from: Debian's `duckdb` package (and the library it links),
 * pinned by version and by the SHA-256 of each .deb. The pins were read from sid's package index,
 * whose InRelease apt checks against the Debian archive keys, so a .deb matching its pin is the
 * one Debian signed for, whichever mirror or plain-HTTP transport served it. docs/jobs.md tells
 * how the source was chosen and how to refresh the pins.
 */
import { createHash } from "node:crypto";

export interface DebianPackagePin {
  package: string;
  version: string;
  architecture: string;
  /** Path under the mirror's root, as the index's Filename field gives it. */
  filename: string;
  size: number;
  sha256: string;
}

/** The suites serving the pinned version (sid first: forky gets it only after migration). */
export const DUCKDB_SUITES = ["sid", "forky"] as const;
/** What `duckdb --version` must report. */
export const DUCKDB_UPSTREAM_VERSION = "2.0.0";

/** libc6 (>= 2.43): the image's base must be sid or forky, not trixie. */
export const DUCKDB_DEBIAN_PINS: readonly DebianPackagePin[] = [
  {
    package: "duckdb",
    version: "2.0.0+dfsg2-1",
    architecture: "amd64",
    filename: "pool/main/d/duckdb/duckdb_2.0.0+dfsg2-1_amd64.deb",
    size: 78775624,
    sha256: "64f6913d4a6f3ba6e6cd2101c971bcd977cd501e584a1d3cc232be2205a52b5d",
  },
  {
    package: "libduckdb2.0",
    version: "2.0.0+dfsg2-1",
    architecture: "amd64",
    filename: "pool/main/d/duckdb/libduckdb2.0_2.0.0+dfsg2-1_amd64.deb",
    size: 17614464,
    sha256: "f2e6365c6de171ec8aeb2a703a8022ff0476f3b4d8f16febfc3affe4b1b3f7c7",
  },
];

/** The stanzas of a Packages file or of `apt-cache show`: one record of fields per package. */
export function parsePackageStanzas(text: string): Record<string, string>[] {
  const stanzas: Record<string, string>[] = [];
  let current: Record<string, string> = {};
  let last: string | undefined;
  for (const line of text.split("\n")) {
    if (line.trim() === "") {
      if (Object.keys(current).length > 0) stanzas.push(current);
      current = {};
      last = undefined;
    } else if (/^[ \t]/.test(line)) {
      if (last !== undefined) current[last] += `\n${line.trim()}`; // a continuation line
    } else {
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      last = line.slice(0, colon);
      current[last] = line.slice(colon + 1).trim();
    }
  }
  if (Object.keys(current).length > 0) stanzas.push(current);
  return stanzas;
}

/** Every way a package index disagrees with the pins; empty when it serves exactly them. */
export function checkPinsAgainstIndex(pins: readonly DebianPackagePin[], packagesText: string): string[] {
  const stanzas = parsePackageStanzas(packagesText);
  const problems: string[] = [];
  for (const pin of pins) {
    const found = stanzas.find(
      (s) => s.Package === pin.package && s.Version === pin.version && s.Architecture === pin.architecture,
    );
    if (!found) {
      const served = stanzas.filter((s) => s.Package === pin.package).map((s) => s.Version);
      problems.push(
        `${pin.package} ${pin.version} (${pin.architecture}) is not in the index` +
          (served.length > 0 ? `; it serves ${served.join(", ")}` : ""),
      );
      continue;
    }
    if (found.SHA256 !== pin.sha256)
      problems.push(`${pin.package} ${pin.version}: SHA256 ${found.SHA256} ≠ pinned ${pin.sha256}`);
    if (found.Size !== String(pin.size))
      problems.push(`${pin.package} ${pin.version}: size ${found.Size} ≠ pinned ${pin.size}`);
    if (found.Filename !== pin.filename)
      problems.push(`${pin.package} ${pin.version}: at ${found.Filename}, pinned ${pin.filename}`);
  }
  return problems;
}

/** Why these bytes are not the pinned .deb, or undefined when they are. */
export function verifyDeb(pin: DebianPackagePin, bytes: Uint8Array): string | undefined {
  if (bytes.length !== pin.size) return `${pin.filename}: ${bytes.length} bytes, pinned ${pin.size}`;
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  if (sha256 !== pin.sha256) return `${pin.filename}: SHA256 ${sha256}, pinned ${pin.sha256}`;
  return undefined;
}

export interface FetchOptions {
  /** A Debian mirror's root; its transport need not be trusted, the pin is. */
  mirror?: string;
  fetch?: typeof globalThis.fetch;
}

/** Download one pinned .deb and return its bytes; throws when it is missing or not the pinned one. */
export async function fetchVerifiedDeb(
  pin: DebianPackagePin,
  options: FetchOptions = {},
): Promise<Uint8Array> {
  const mirror = (options.mirror ?? "http://deb.debian.org/debian").replace(/\/+$/, "");
  const url = `${mirror}/${pin.filename}`;
  const response = await (options.fetch ?? globalThis.fetch)(url);
  if (!response.ok) {
    throw new Error(
      `${url}: HTTP ${response.status}; sid drops a version when a newer one arrives: refresh the pins (docs/jobs.md)`,
    );
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  const problem = verifyDeb(pin, bytes);
  if (problem) throw new Error(`${url} is not the pinned package: ${problem}`);
  return bytes;
}

/** The name apt gives the .deb in its cache (an epoch's ':' is written %3a). */
export function aptArchiveName(pin: DebianPackagePin): string {
  return `${pin.package}_${pin.version.replace(":", "%3a")}_${pin.architecture}.deb`;
}

/** A `sha256sum --check` file for the pinned .debs in apt's cache. */
export function sha256sumCheckFile(
  pins: readonly DebianPackagePin[],
  dir = "/var/cache/apt/archives",
): string {
  return pins.map((pin) => `${pin.sha256}  ${dir}/${aptArchiveName(pin)}\n`).join("");
}

/**
 * The image build's steps, each an argv (no shell): download the pinned versions (apt checks
 * them against the signed index), check their bytes against the pins, then install from the
 * cache. `checkFile` is where sha256sumCheckFile's text was written.
 */
export function duckdbInstallCommands(pins: readonly DebianPackagePin[], checkFile: string): string[][] {
  const wanted = pins.map((pin) => `${pin.package}=${pin.version}`);
  const install = ["apt-get", "install", "--yes", "--no-install-recommends"];
  return [
    [...install, "--download-only", ...wanted],
    ["sha256sum", "--check", "--strict", checkFile],
    [...install, ...wanted],
  ];
}

/** Why `duckdb --version`'s output is not the pinned DuckDB, or undefined when it is. */
export function checkDuckdbVersion(output: string, expected = DUCKDB_UPSTREAM_VERSION): string | undefined {
  const version = /\bv?(\d+\.\d+\.\d+)\b/.exec(output)?.[1];
  if (version === expected) return undefined;
  return `duckdb --version printed ${JSON.stringify(output.trim())}, expected v${expected}`;
}
