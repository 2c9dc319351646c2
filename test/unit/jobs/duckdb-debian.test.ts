import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  aptArchiveName,
  checkDuckdbVersion,
  checkPinsAgainstIndex,
  type DebianPackagePin,
  DUCKDB_DEBIAN_PINS,
  duckdbInstallCommands,
  fetchVerifiedDeb,
  parsePackageStanzas,
  sha256sumCheckFile,
  verifyDeb,
} from "../../../src/jobs/duckdb-debian.js";

// sid's index as `apt-cache show duckdb libduckdb2.0` printed it (fields trimmed), plus the older
// library binary sid still carries.
const SID_INDEX = `Package: duckdb
Source: duckdb
Version: 2.0.0+dfsg2-1
Architecture: amd64
Depends: libduckdb2.0 (= 2.0.0+dfsg2-1), libc6 (>= 2.43)
Description: in-process SQL OLAP database management system - CLI
 DuckDB is an in-process SQL OLAP database
 management system.
Filename: pool/main/d/duckdb/duckdb_2.0.0+dfsg2-1_amd64.deb
Size: 78775624
SHA256: 64f6913d4a6f3ba6e6cd2101c971bcd977cd501e584a1d3cc232be2205a52b5d

Package: libduckdb2.0
Source: duckdb
Version: 2.0.0+dfsg2-1
Architecture: amd64
Filename: pool/main/d/duckdb/libduckdb2.0_2.0.0+dfsg2-1_amd64.deb
Size: 17614464
SHA256: f2e6365c6de171ec8aeb2a703a8022ff0476f3b4d8f16febfc3affe4b1b3f7c7

Package: libduckdb1.5
Source: duckdb
Version: 1.5.5-3
Architecture: amd64
Filename: pool/main/d/duckdb/libduckdb1.5_1.5.5-3_amd64.deb
Size: 13849692
SHA256: 41ba2aeb4b9839761e23f27be939dfce9c969a7507ef56fbf2f5d09d05ef58bb
`;

const payload = Buffer.from("not really a deb, but bytes with a known digest\n");
const smallPin: DebianPackagePin = {
  package: "demo",
  version: "1:1.0-1",
  architecture: "amd64",
  filename: "pool/main/d/demo/demo_1.0-1_amd64.deb",
  size: payload.length,
  sha256: createHash("sha256").update(payload).digest("hex"),
};

describe("DuckDB from Debian, pinned", () => {
  it("reads Packages stanzas, continuation lines included", () => {
    const stanzas = parsePackageStanzas(SID_INDEX);
    expect(stanzas.map((s) => s.Package)).toEqual(["duckdb", "libduckdb2.0", "libduckdb1.5"]);
    expect(stanzas[0]?.Description).toBe(
      "in-process SQL OLAP database management system - CLI\nDuckDB is an in-process SQL OLAP database\nmanagement system.",
    );
  });

  it("the pins are exactly what sid's index serves", () => {
    expect(checkPinsAgainstIndex(DUCKDB_DEBIAN_PINS, SID_INDEX)).toEqual([]);
    expect(DUCKDB_DEBIAN_PINS.map((p) => p.package)).toEqual(["duckdb", "libduckdb2.0"]);
  });

  it("names a version the index no longer serves, and a changed digest", () => {
    const newer = SID_INDEX.replace(/2\.0\.0\+dfsg2-1/g, "2.0.1-1");
    expect(checkPinsAgainstIndex(DUCKDB_DEBIAN_PINS.slice(0, 1), newer)).toEqual([
      "duckdb 2.0.0+dfsg2-1 (amd64) is not in the index; it serves 2.0.1-1",
    ]);
    const rebuilt = SID_INDEX.replace("64f6913d", "00000000");
    expect(checkPinsAgainstIndex(DUCKDB_DEBIAN_PINS, rebuilt)).toEqual([
      `duckdb 2.0.0+dfsg2-1: SHA256 00000000${DUCKDB_DEBIAN_PINS[0]!.sha256.slice(8)} ≠ pinned ${DUCKDB_DEBIAN_PINS[0]!.sha256}`,
    ]);
  });

  it("verifies a .deb's size and digest", () => {
    expect(verifyDeb(smallPin, payload)).toBeUndefined();
    const tampered = Buffer.from(payload);
    tampered[0] = 0x4e;
    expect(verifyDeb(smallPin, tampered)).toMatch(/SHA256 [0-9a-f]{64}, pinned /);
    expect(verifyDeb(smallPin, payload.subarray(1))).toBe(
      `pool/main/d/demo/demo_1.0-1_amd64.deb: ${payload.length - 1} bytes, pinned ${payload.length}`,
    );
  });

  describe("fetching from a mirror", () => {
    let server: Server;
    let mirror = "";
    const served = new Map<string, Buffer>();
    beforeAll(async () => {
      server = createServer((request, response) => {
        const body = served.get(request.url ?? "");
        response.statusCode = body ? 200 : 404;
        response.end(body ?? "missing");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/debian/`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("returns the pinned bytes", async () => {
      served.set(`/debian/${smallPin.filename}`, payload);
      expect(Buffer.from(await fetchVerifiedDeb(smallPin, { mirror }))).toEqual(payload);
    });

    it("refuses other bytes", async () => {
      served.set(`/debian/${smallPin.filename}`, Buffer.from(payload.toString().toUpperCase()));
      await expect(fetchVerifiedDeb(smallPin, { mirror })).rejects.toThrow(
        /is not the pinned package: .*SHA256/,
      );
    });

    it("says to refresh the pins when the version is gone", async () => {
      served.clear();
      await expect(fetchVerifiedDeb(smallPin, { mirror })).rejects.toThrow(/HTTP 404; .*refresh the pins/);
    });
  });

  it("names the .debs as apt caches them and checks them with sha256sum", () => {
    expect(aptArchiveName(smallPin)).toBe("demo_1%3a1.0-1_amd64.deb");
    expect(sha256sumCheckFile(DUCKDB_DEBIAN_PINS)).toBe(
      "64f6913d4a6f3ba6e6cd2101c971bcd977cd501e584a1d3cc232be2205a52b5d  /var/cache/apt/archives/duckdb_2.0.0+dfsg2-1_amd64.deb\n" +
        "f2e6365c6de171ec8aeb2a703a8022ff0476f3b4d8f16febfc3affe4b1b3f7c7  /var/cache/apt/archives/libduckdb2.0_2.0.0+dfsg2-1_amd64.deb\n",
    );
  });

  it("installs in three argv steps: download, check, install", () => {
    expect(duckdbInstallCommands(DUCKDB_DEBIAN_PINS, "/tmp/duckdb.sha256")).toEqual([
      [
        "apt-get",
        "install",
        "--yes",
        "--no-install-recommends",
        "--download-only",
        "duckdb=2.0.0+dfsg2-1",
        "libduckdb2.0=2.0.0+dfsg2-1",
      ],
      ["sha256sum", "--check", "--strict", "/tmp/duckdb.sha256"],
      [
        "apt-get",
        "install",
        "--yes",
        "--no-install-recommends",
        "duckdb=2.0.0+dfsg2-1",
        "libduckdb2.0=2.0.0+dfsg2-1",
      ],
    ]);
  });

  it("checks the version duckdb reports", () => {
    expect(checkDuckdbVersion("v2.0.0 (Cyanoptera) 0123456789\n")).toBeUndefined();
    expect(checkDuckdbVersion("v1.5.5 abc\n")).toBe('duckdb --version printed "v1.5.5 abc", expected v2.0.0');
    expect(checkDuckdbVersion("")).toBe('duckdb --version printed "", expected v2.0.0');
  });
});
