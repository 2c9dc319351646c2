import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { type APICap, APICapSchema } from "../../../src/buildkit/gen/moby/buildkit/v1/apicaps/caps_pb.js";
import {
  Capabilities,
  copy,
  image,
  LlbCapabilityError,
  local,
  marshalDefinition,
  merge,
  scratch,
} from "../../../src/buildkit/llb/index.js";
import { decodeOps, headOp, opOfCase } from "./decode.js";

const V08_LLB = [
  "source.image",
  "source.local",
  "source.local.sessionid",
  "exec.meta.base",
  "exec.mount.bind",
  "exec.mount.cache",
  "exec.mount.cache.sharing",
  "file.base",
  "constraints",
  "platform",
  "meta.description",
  "meta.ignorecache",
];

function caps(llb: string[], disabled: APICap[] = []): Capabilities {
  return new Capabilities([...llb.map((ID) => create(APICapSchema, { ID, Enabled: true })), ...disabled], []);
}

describe("capability checks", () => {
  it("passes when every cap used is supported", () => {
    const st = image("alpine")
      .run({ args: ["true"], customName: "x" })
      .root();
    expect(() => marshalDefinition(st, { caps: caps(V08_LLB) })).not.toThrow();
  });

  it("names every missing cap with the BuildKit release that added it", () => {
    const ctx = local("context");
    const st = image("alpine")
      .run({ args: ["true"], secretEnv: [{ name: "T", id: "t" }] })
      .root()
      .file(copy(ctx, "/", "/", { includePatterns: ["src"] }));
    let err: unknown;
    try {
      marshalDefinition(st, { caps: caps(V08_LLB) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LlbCapabilityError);
    const missing = (err as LlbCapabilityError).missing.map((m) => [m.cap, m.since]);
    expect(missing).toEqual(
      expect.arrayContaining([
        ["exec.secretenv", "v0.10"],
        ["exec.mount.secret", "v0.3"],
        ["file.copy.includeexcludepatterns", "v0.9"],
      ]),
    );
    expect((err as Error).message).toMatch(/"file.copy.includeexcludepatterns" \(added in BuildKit v0.9\)/);
  });

  it("explains caps the engine disabled", () => {
    const disabled = create(APICapSchema, {
      ID: "exec.meta.network",
      Enabled: false,
      DisabledReasonMsg: "policy",
    });
    const st = image("alpine")
      .run({ args: ["x"], network: "host" })
      .root();
    expect(() => marshalDefinition(st, { caps: caps(V08_LLB, [disabled]) })).toThrow(
      /disabled capability "exec.meta.network" \(policy\)/,
    );
  });

  it("merges with a MergeOp when the engine has mergeop", () => {
    const m = merge([image("alpine"), scratch().mkfile("/a", "1"), scratch()]);
    const def = marshalDefinition(m, { caps: caps([...V08_LLB, "mergeop"]) });
    expect(opOfCase(headOp(def), "merge").inputs.map((i) => i.input)).toEqual([0n, 1n]);
  });

  it("falls back to copies on engines without mergeop, or fails when asked to", () => {
    const parts = [image("alpine"), scratch().mkfile("/a", "1"), scratch().mkfile("/b", "2")];
    const def = marshalDefinition(merge(parts), { caps: caps(V08_LLB) });
    const file = opOfCase(headOp(def), "file");
    expect(file.actions.map((a) => [a.input, a.secondaryInput, a.output])).toEqual([
      [0n, 1n, -1n],
      [3n, 2n, 0n],
    ]);
    expect(file.actions[0]!.action.value).toMatchObject({ src: "/", dest: "/", dirCopyContents: true });
    expect(decodeOps(def).some((o) => o.op.op.case === "merge")).toBe(false);
    expect(() => marshalDefinition(merge(parts, { fallback: "error" }), { caps: caps(V08_LLB) })).toThrow(
      /"mergeop" \(added in BuildKit v0.10\)/,
    );
  });

  it("returns single or no inputs of a merge as they are", () => {
    const a = image("alpine");
    expect(merge([scratch(), a])).toBe(a);
    expect(merge([scratch()]).isScratch()).toBe(true);
  });

  it("adds a default PATH only for engines that do not set one", () => {
    const st = image("alpine")
      .run({ args: ["sh"] })
      .root();
    const old = opOfCase(headOp(marshalDefinition(st, { caps: caps(V08_LLB) })), "exec");
    expect(old.meta?.env).toEqual(["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]);
    const modern = marshalDefinition(st, { caps: caps([...V08_LLB, "exec.meta.setsdefaultpath"]) });
    expect(opOfCase(headOp(modern), "exec").meta?.env).toEqual([]);
    expect(modern.definition.metadata[modern.head!]!.caps["exec.meta.setsdefaultpath"]).toBe(true);
  });
});
