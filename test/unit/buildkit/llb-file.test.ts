import { describe, expect, it } from "vitest";
import {
  copy,
  FileActions,
  image,
  local,
  marshalDefinition,
  mkdir,
  mkfile,
  rm,
  scratch,
} from "../../../src/buildkit/llb/index.js";
import { headOp, opOfCase } from "./decode.js";

describe("file ops", () => {
  it("chains actions into one FileOp with relative inputs", () => {
    const ctx = local("context");
    const st = image("alpine")
      .dir("/app")
      .file(
        mkdir("data", { makeParents: true, mode: 0o700, owner: { user: "app", group: 1000 } })
          .mkfile("data/x.txt", "hello", { createdTime: new Date(1_000) })
          .copy(ctx, "src/", "lib/", { createDestPath: true, mode: 0o644, copyDirContentsOnly: true })
          .rm("/tmp/*", { allowWildcard: true, allowNotFound: true }),
        { customName: "prepare" },
      );
    const def = marshalDefinition(st);
    const op = headOp(def);
    expect(op.inputs).toHaveLength(2);
    const [a0, a1, a2, a3] = opOfCase(op, "file").actions;
    expect(a0).toMatchObject({ input: 0n, secondaryInput: -1n, output: -1n });
    expect(a0?.action.case).toBe("mkdir");
    expect(a0?.action.value).toMatchObject({
      path: "/app/data",
      mode: 0o700,
      makeParents: true,
      timestamp: -1n,
    });
    const owner = a0?.action.case === "mkdir" ? a0.action.value.owner : undefined;
    expect(owner?.user?.user).toEqual({
      case: "byName",
      value: expect.objectContaining({ name: "app", input: 0n }),
    });
    expect(owner?.group?.user).toEqual({ case: "byID", value: 1000 });
    expect(a1).toMatchObject({ input: 2n, secondaryInput: -1n, output: -1n });
    expect(a1?.action.value).toMatchObject({
      path: "/app/data/x.txt",
      mode: 0o644,
      data: new TextEncoder().encode("hello"),
      timestamp: 1_000_000_000n,
    });
    expect(a2).toMatchObject({ input: 3n, secondaryInput: 1n, output: -1n });
    expect(a2?.action.value).toMatchObject({
      src: "/src",
      dest: "/app/lib/",
      mode: 0o644,
      createDestPath: true,
      dirCopyContents: true,
      timestamp: -1n,
    });
    expect(a3).toMatchObject({ input: 4n, secondaryInput: -1n, output: 0n });
    expect(a3?.action.value).toMatchObject({ path: "/tmp/*", allowWildcard: true, allowNotFound: true });
    const md = def.definition.metadata[def.head!]!;
    expect(md.description["llb.customname"]).toBe("prepare");
    expect(md.caps).toMatchObject({ "file.base": true, "file.rm.wildcard": true });
  });

  it("copies keep the source mode by default and resolve src against the source's dir", () => {
    const from = image("alpine").dir("/build");
    const op = headOp(marshalDefinition(scratch().copy(from, "dist", "/")));
    const action = opOfCase(op, "file").actions[0]!;
    expect(action).toMatchObject({ input: -1n, secondaryInput: 0n, output: 0n });
    expect(action.action.value).toMatchObject({ src: "/build/dist", dest: "/", mode: -1 });
  });

  it("keeps a trailing /. on copy destinations", () => {
    const op = headOp(marshalDefinition(scratch().dir("/a").copy(image("alpine"), "/x", "./")));
    expect(opOfCase(op, "file").actions[0]!.action.value).toMatchObject({ dest: "/a/" });
    const op2 = headOp(marshalDefinition(scratch().copy(image("alpine"), "/x", "/b/.")));
    expect(opOfCase(op2, "file").actions[0]!.action.value).toMatchObject({ dest: "/b/." });
  });

  it("asks for the patterns cap only when include/exclude patterns are used", () => {
    const ctx = local("context");
    const plain = marshalDefinition(scratch().file(copy(ctx, "/", "/")));
    expect(plain.definition.metadata[plain.head!]!.caps["file.copy.includeexcludepatterns"]).toBeUndefined();
    const filtered = marshalDefinition(
      scratch().file(copy(ctx, "/", "/", { excludePatterns: ["**/*.pyc"] })),
    );
    expect(filtered.definition.metadata[filtered.head!]!.caps["file.copy.includeexcludepatterns"]).toBe(true);
    expect(opOfCase(headOp(filtered), "file").actions[0]!.action.value).toMatchObject({
      excludePatterns: ["**/*.pyc"],
    });
  });

  it("builds standalone chains and refuses an empty one", () => {
    const chain = mkfile("/a", new Uint8Array([1, 2])).rm("/b");
    expect(chain.actions.map((a) => a.kind)).toEqual(["mkfile", "rm"]);
    expect(rm("/x").actions).toHaveLength(1);
    expect(() => scratch().file(new FileActions([]))).toThrow(/empty/);
  });
});
