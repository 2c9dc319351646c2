import { fromBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { DefinitionSchema, OpSchema } from "../../../src/buildkit/gen/pb/ops_pb.js";
import {
  definitionToJson,
  image,
  local,
  marshalDefinition,
  mkdir,
  scratch,
  sha256Digest,
} from "../../../src/buildkit/llb/index.js";
import { decodeOps, headOp } from "./decode.js";

function build(envOrder: "ab" | "ba") {
  const ctx = local("context", { sessionId: "sid", sharedKeyHint: "context", excludePatterns: ["*.pyc"] });
  const env = envOrder === "ab" ? { A: "1", B: "2" } : { B: "2", A: "1" };
  const description = envOrder === "ab" ? { x: "1", y: "2" } : { y: "2", x: "1" };
  return image("python:3.12-slim")
    .dir("/app")
    .run({
      args: ["pip", "install", "."],
      env,
      description,
      mounts: [{ type: "bind", target: "/src", source: ctx }],
    })
    .root()
    .file(mkdir("/out").mkfile("/out/a", "x"));
}

describe("marshalDefinition", () => {
  it("gives the same bytes and digest for the same graph", () => {
    const a = marshalDefinition(build("ab"));
    const b = marshalDefinition(build("ab"));
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    expect(a.head).toBe(b.head);
    expect(a.head).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("does not depend on the insertion order of maps", () => {
    const a = marshalDefinition(build("ab"));
    const b = marshalDefinition(build("ba"));
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
  });

  it("orders ops topologically and ends with a terminal op", () => {
    const def = marshalDefinition(build("ab"));
    const ops = decodeOps(def);
    const seen = new Set<string>();
    for (const { digest, op } of ops) {
      for (const input of op.inputs) expect(seen.has(input.digest)).toBe(true);
      seen.add(digest);
    }
    const terminal = ops.at(-1)!.op;
    expect(terminal.op.case).toBeUndefined();
    expect(terminal.constraints).toBeUndefined();
    expect(terminal.inputs).toEqual([expect.objectContaining({ digest: def.head, index: 0n })]);
    expect(Object.keys(def.definition.metadata[ops.at(-1)!.digest]!.caps)).toEqual(
      expect.arrayContaining(["constraints", "platform", "meta.description"]),
    );
  });

  it("gives every op but the terminal one an explicit empty constraints field", () => {
    const def = marshalDefinition(build("ab"));
    const ops = decodeOps(def);
    for (const { op } of ops.slice(0, -1)) expect(op.constraints?.filter).toEqual([]);
    // Field 11, length 0: 0x5a 0x00 closes every non-terminal op.
    for (const bytes of def.definition.def.slice(0, -1)) expect([...bytes.slice(-2)]).toEqual([0x5a, 0x00]);
  });

  it("deduplicates equal ops and keys metadata by sorted digest", () => {
    const a = image("alpine:3.20");
    const b = image("alpine:3.20");
    const st = a.copy(b, "/etc/os-release", "/x").copy(a, "/etc/hostname", "/y");
    const def = marshalDefinition(st);
    const ops = decodeOps(def);
    const sources = ops.filter((o) => o.op.op.case === "source");
    expect(sources).toHaveLength(1);
    const keys = Object.keys(def.definition.metadata);
    expect(keys).toEqual([...keys].sort());
    expect(keys.sort()).toEqual(ops.map((o) => o.digest).sort());
  });

  it("names op digests by sha256 of the exact op bytes", () => {
    const def = marshalDefinition(image("alpine"));
    const round = fromBinary(DefinitionSchema, def.bytes);
    const first = round.def[0]!;
    expect(sha256Digest(first)).toBe(def.head);
    expect(fromBinary(OpSchema, first).op.case).toBe("source");
  });

  it("marshals scratch as an empty definition", () => {
    const def = marshalDefinition(scratch());
    expect(def.definition.def).toEqual([]);
    expect(def.head).toBeUndefined();
  });

  it("puts the platform on image sources and runs only", () => {
    const st = image("alpine", { platform: { os: "linux", architecture: "arm64" } })
      .run({ args: ["true"] })
      .root()
      .mkdir("/a");
    const ops = decodeOps(marshalDefinition(st, { platform: { os: "linux", architecture: "amd64" } }));
    const byCase = Object.fromEntries(ops.slice(0, -1).map((o) => [o.op.op.case, o.op.platform]));
    expect(byCase.source).toMatchObject({ OS: "linux", Architecture: "arm64" });
    expect(byCase.exec).toMatchObject({ OS: "linux", Architecture: "arm64" });
    expect(byCase.file).toBeUndefined();
    const local1 = decodeOps(marshalDefinition(local("context")))[0]!.op;
    expect(local1.platform).toBeUndefined();
  });

  it("uses the marshal platform for images that name none", () => {
    const op = headOp(
      marshalDefinition(image("alpine"), { platform: { os: "linux", architecture: "arm", variant: "v7" } }),
    );
    expect(op.platform).toMatchObject({ OS: "linux", Architecture: "arm", Variant: "v7" });
  });

  it("records custom names and ignore-cache in op metadata", () => {
    const def = marshalDefinition(
      image("alpine")
        .run({ args: ["date"], customName: "clock", ignoreCache: true })
        .root(),
    );
    const md = def.definition.metadata[def.head!]!;
    expect(md.description).toEqual({ "llb.customname": "clock" });
    expect(md.ignoreCache).toBe(true);
  });

  it("renders a definition as JSON with decoded ops and digests", () => {
    const def = marshalDefinition(build("ab"));
    const json = definitionToJson(def.definition);
    expect(json.head).toBe(def.head);
    expect(json.ops.map((o) => o.digest)).toEqual(decodeOps(def).map((o) => o.digest));
    const exec = json.ops.find((o) => (o.op as { exec?: unknown }).exec !== undefined);
    expect(exec?.op).toMatchObject({ exec: { meta: { args: ["pip", "install", "."], cwd: "/app" } } });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it("handles long chains without deep recursion", () => {
    let st = image("alpine");
    for (let i = 0; i < 5000; i++) st = st.mkdir(`/d${i}`);
    const def = marshalDefinition(st);
    expect(def.definition.def).toHaveLength(5002);
  });
});
