import { linkSync, mkdirSync, mkdtempSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  type Packet,
  Packet_PacketType,
  PacketSchema,
} from "../../../src/buildkit/gen/fsutil/types/wire_pb.js";
import { diffCopySend, syncRequestFromMetadata, walkForSync } from "../../../src/client/filesync.js";

const { PACKET_STAT: STAT, PACKET_REQ: REQ, PACKET_DATA: DATA, PACKET_FIN: FIN } = Packet_PacketType;

function project(): string {
  const root = mkdtempSync(join(tmpdir(), "pyfront-sync-"));
  mkdirSync(join(root, "app"));
  mkdirSync(join(root, "node_modules", "x"), { recursive: true });
  mkdirSync(join(root, "docs"));
  writeFileSync(join(root, "pyproject.toml"), "[project]\nname = 'a'\n");
  writeFileSync(join(root, "app", "main.py"), "print('hi')\n");
  writeFileSync(join(root, "app", "Zeta.py"), "");
  writeFileSync(join(root, "node_modules", "x", "index.js"), "");
  writeFileSync(join(root, "docs", "keep.md"), "kept\n");
  writeFileSync(join(root, "docs", "drop.md"), "");
  symlinkSync("main.py", join(root, "app", "link.py"));
  linkSync(join(root, "pyproject.toml"), join(root, "z-hardlink.toml"));
  utimesSync(join(root, "app", "main.py"), 1_700_000_000, 1_700_000_000);
  return root;
}

const paths = (root: string, request: Parameters<typeof walkForSync>[1]) =>
  walkForSync(root, request).map((e) => e.stat.path);
const none = { includePatterns: [], excludePatterns: [], followPaths: [] };

describe("file sync walk: fsutil's order and filters", () => {
  it("sends every entry depth-first, names in byte order, a folder before its contents", () => {
    expect(paths(project(), none)).toEqual([
      "app",
      "app/Zeta.py",
      "app/link.py",
      "app/main.py",
      "docs",
      "docs/drop.md",
      "docs/keep.md",
      "node_modules",
      "node_modules/x",
      "node_modules/x/index.js",
      "pyproject.toml",
      "z-hardlink.toml",
    ]);
  });

  it("gives Go's FileMode bits, nanosecond times, symlink targets and hardlinks to the first path", () => {
    const entries = walkForSync(project(), none);
    const byPath = new Map(entries.map((e) => [e.stat.path, e.stat]));
    expect(byPath.get("app")?.mode).toBe((0x80000000 | 0o755) >>> 0);
    expect(byPath.get("app/main.py")).toMatchObject({
      mode: 0o644,
      size: 12n,
      modTime: 1_700_000_000_000_000_000n,
    });
    expect(byPath.get("app/link.py")).toMatchObject({ mode: 0x08000000 | 0o777, linkname: "main.py" });
    expect(byPath.get("z-hardlink.toml")).toMatchObject({ linkname: "pyproject.toml", size: 0n });
  });

  it("leaves out what exclude patterns match, keeping what a ! pattern takes back and its folder", () => {
    const root = project();
    expect(
      paths(root, { ...none, excludePatterns: ["node_modules", "docs", "!docs/keep.md", "**/*.toml"] }),
    ).toEqual(["app", "app/Zeta.py", "app/link.py", "app/main.py", "docs", "docs/keep.md"]);
  });

  it("sends only what include patterns and follow paths select, with the folders leading there", () => {
    const root = project();
    expect(paths(root, { ...none, followPaths: ["pyproject.toml", "pyproject.toml.dockerignore"] })).toEqual([
      "pyproject.toml",
    ]);
    expect(paths(root, { ...none, includePatterns: ["app/main.py", "docs"] })).toEqual([
      "app",
      "app/main.py",
      "docs",
      "docs/drop.md",
      "docs/keep.md",
    ]);
    // A follow path that is a symlink brings its target along.
    expect(paths(root, { ...none, followPaths: ["app/link.py"] })).toEqual([
      "app",
      "app/link.py",
      "app/main.py",
    ]);
    // Wildcards in a folder's name: every folder is walked, and sent only for what it holds.
    expect(paths(root, { ...none, includePatterns: ["*/keep.md"] })).toEqual(["docs", "docs/keep.md"]);
  });

  it("reads the request's metadata one header line per value, decoding BuildKit v0.13's -encoded values", () => {
    expect(
      syncRequestFromMetadata([
        ["dir-name", "context"],
        ["exclude-patterns", "a, b"],
        ["exclude-patterns", "c"],
        ["include-patterns", "caf%C3%A9.txt"],
        ["include-patterns", "a+b"],
        ["include-patterns-encoded", "1"],
        ["followpaths", "pyproject.toml"],
      ]),
    ).toEqual({
      dirName: "context",
      excludePatterns: ["a, b", "c"],
      includePatterns: ["café.txt", "a b"],
      followPaths: ["pyproject.toml"],
    });
  });
});

/** A receiver that speaks as BuildKit's did in a real DiffCopy: asks for two files, then ends. */
async function* receiver(requests: number[], sent: Packet[]): AsyncGenerator<Packet> {
  // Wait for the sender's empty STAT, as the receiver reads the whole list before it asks.
  while (!sent.some((p) => p.type === STAT && p.stat === undefined))
    await new Promise((r) => setTimeout(r, 1));
  for (const id of requests) yield create(PacketSchema, { type: REQ, ID: id });
  while (sent.filter((p) => p.type === DATA && p.data.length === 0).length < requests.length) {
    await new Promise((r) => setTimeout(r, 1));
  }
  yield create(PacketSchema, { type: FIN });
}

describe("DiffCopy sender", () => {
  it("answers a recorded exchange: STATs, the end STAT, DATA per request closed by an empty DATA, FIN for FIN", async () => {
    const root = mkdtempSync(join(tmpdir(), "pyfront-diffcopy-"));
    mkdirSync(join(root, "pkg"));
    writeFileSync(join(root, "pkg", "big.bin"), Buffer.alloc(40 * 1024, 7));
    writeFileSync(join(root, "pyproject.toml"), "[project]\n");
    const sent: Packet[] = [];
    // Index 0 is the folder, 1 the 40 KiB file, 2 pyproject.toml.
    for await (const packet of diffCopySend(root, { dirName: "context", ...none }, receiver([2, 1], sent))) {
      sent.push(packet);
    }
    const shape = sent.map((p) =>
      p.type === STAT
        ? `STAT ${p.stat?.path ?? "(end)"}`
        : p.type === DATA
          ? `DATA ${p.ID} ${p.data.length}`
          : Packet_PacketType[p.type],
    );
    expect(shape).toEqual([
      "STAT pkg",
      "STAT pkg/big.bin",
      "STAT pyproject.toml",
      "STAT (end)",
      "DATA 2 10",
      "DATA 2 0",
      "DATA 1 32768",
      "DATA 1 8192",
      "DATA 1 0",
      "PACKET_FIN",
    ]);
    expect(new TextDecoder().decode(sent[4]?.data)).toBe("[project]\n");
  });

  it("refuses a request for a folder's data", async () => {
    const root = project();
    const run = async () => {
      for await (const _ of diffCopySend(
        root,
        { dirName: "context", ...none },
        (async function* () {
          yield create(PacketSchema, { type: REQ, ID: 0 });
        })(),
      )) {
        // drain
      }
    };
    await expect(run()).rejects.toThrow(/invalid file id 0/);
  });
});
