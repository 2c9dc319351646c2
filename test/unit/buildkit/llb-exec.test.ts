import { describe, expect, it } from "vitest";
import { CacheSharingOpt, MountType, NetMode, SecurityMode } from "../../../src/buildkit/gen/pb/ops_pb.js";
import { image, local, marshalDefinition, scratch } from "../../../src/buildkit/llb/index.js";
import { decodeOps, headOp, opOfCase } from "./decode.js";

const base = image("python:3.12-slim");

describe("State.run", () => {
  it("writes args, env, cwd and user inherited from the state", () => {
    const st = base.addEnv("A", "1").addEnv("B", "2").addEnv("A", "3").dir("/app").dir("src").user("app");
    const exec = opOfCase(headOp(marshalDefinition(st.run({ args: ["python", "-V"] }).root())), "exec");
    expect(exec.meta).toMatchObject({
      args: ["python", "-V"],
      env: ["B=2", "A=3"],
      cwd: "/app/src",
      user: "app",
    });
    expect(exec.meta?.removeMountStubsRecursive).toBe(true);
  });

  it("lets run options override the state for that run only", () => {
    const st = base.addEnv("A", "1").dir("/app");
    const result = st.run({ args: ["x"], env: { A: "2", Z: "9" }, cwd: "sub", user: "root" });
    const exec = opOfCase(headOp(marshalDefinition(result.root())), "exec");
    expect(exec.meta).toMatchObject({ env: ["A=2", "Z=9"], cwd: "/app/sub", user: "root" });
    const next = opOfCase(
      headOp(
        marshalDefinition(
          result
            .root()
            .run({ args: ["y"] })
            .root(),
        ),
      ),
      "exec",
    );
    expect(next.meta).toMatchObject({ env: ["A=1"], cwd: "/app", user: "" });
  });

  it("lays out mounts sorted by target with BuildKit's input and output numbering", () => {
    const ctx = local("context");
    const deps = image("alpine");
    const result = base.run({
      args: ["make"],
      mounts: [
        { type: "tmpfs", target: "/tmp", size: 1024 },
        { type: "cache", target: "/root/.cache", id: "pip", sharing: "locked" },
        { type: "bind", target: "/src", source: ctx, readonly: true, selector: "app" },
        { type: "bind", target: "/out", source: scratch() },
        { type: "bind", target: "/deps", source: deps },
        { type: "secret", target: "/run/secrets/token", id: "token", uid: 1000, mode: 0o440 },
        { type: "ssh", id: "gh" },
      ],
    });
    const def = marshalDefinition(result.getMount("/out"));
    const ops = decodeOps(def);
    const execOp = ops.find((o) => o.op.op.case === "exec")!;
    const exec = opOfCase(execOp.op, "exec");
    expect(exec.mounts.map((m) => m.dest)).toEqual([
      "/",
      "/deps",
      "/out",
      "/root/.cache",
      "/src",
      "/tmp",
      "/run/secrets/token",
      "/run/buildkit/ssh_agent.0",
    ]);
    const [root, depsM, out, cache, src, tmp, secret, ssh] = exec.mounts;
    expect(root).toMatchObject({ input: 0n, output: 0n, readonly: false });
    expect(depsM).toMatchObject({ input: 1n, output: 1n });
    expect(out).toMatchObject({ input: -1n, output: 2n });
    expect(cache).toMatchObject({ input: -1n, output: -1n, mountType: MountType.CACHE });
    expect(cache?.cacheOpt).toMatchObject({ ID: "pip", sharing: CacheSharingOpt.LOCKED });
    expect(src).toMatchObject({ input: 2n, output: -1n, readonly: true, selector: "app" });
    expect(tmp).toMatchObject({ input: -1n, output: -1n, mountType: MountType.TMPFS });
    expect(tmp?.TmpfsOpt?.size).toBe(1024n);
    expect(secret).toMatchObject({ input: 0n, output: 0n, mountType: MountType.SECRET });
    expect(secret?.secretOpt).toMatchObject({ ID: "token", uid: 1000, gid: 0, mode: 0o440, optional: false });
    expect(ssh?.SSHOpt).toMatchObject({ ID: "gh", mode: 0o600 });
    expect(exec.meta?.env).toContain("SSH_AUTH_SOCK=/run/buildkit/ssh_agent.0");
    expect(execOp.op.inputs.map((i) => i.index)).toEqual([0n, 0n, 0n]);
    // The state asked for is output 2 of the exec.
    expect(ops.at(-1)!.op.inputs[0]).toMatchObject({ digest: execOp.digest, index: 2n });
    const caps = Object.keys(def.definition.metadata[execOp.digest]!.caps);
    expect(caps).toEqual(
      expect.arrayContaining([
        "exec.meta.base",
        "exec.mount.bind",
        "exec.mount.cache",
        "exec.mount.cache.sharing",
        "exec.mount.selector",
        "exec.mount.tmpfs",
        "exec.mount.tmpfs.size",
        "exec.mount.secret",
        "exec.mount.ssh",
      ]),
    );
  });

  it("reuses one input for two mounts of the same state", () => {
    const ctx = local("context");
    const result = base.run({
      args: ["ls"],
      mounts: [
        { type: "bind", target: "/a", source: ctx, readonly: true },
        { type: "bind", target: "/b", source: ctx, readonly: true },
      ],
    });
    const op = headOp(marshalDefinition(result.root()));
    expect(op.inputs).toHaveLength(2);
    expect(opOfCase(op, "exec").mounts.map((m) => m.input)).toEqual([0n, 1n, 1n]);
  });

  it("sets network and security modes with their caps", () => {
    const def = marshalDefinition(
      base
        .network("none")
        .run({ args: ["x"], security: "insecure" })
        .root(),
    );
    const exec = opOfCase(headOp(def), "exec");
    expect(exec.network).toBe(NetMode.NONE);
    expect(exec.security).toBe(SecurityMode.INSECURE);
    expect(def.definition.metadata[def.head!]!.caps).toMatchObject({
      "exec.meta.network": true,
      "exec.meta.security": true,
    });
  });

  it("writes secret env vars", () => {
    const def = marshalDefinition(
      base.run({ args: ["x"], secretEnv: [{ name: "TOKEN", id: "tok" }] }).root(),
    );
    expect(opOfCase(headOp(def), "exec").secretenv).toEqual([
      expect.objectContaining({ ID: "tok", name: "TOKEN" }),
    ]);
    expect(def.definition.metadata[def.head!]!.caps["exec.secretenv"]).toBe(true);
  });

  it("refuses bad mounts and empty args", () => {
    expect(() => base.run({ args: [] })).toThrow(/args/);
    expect(() => base.run({ args: ["x"], mounts: [{ type: "cache", target: "rel", id: "c" }] })).toThrow(
      /absolute/,
    );
    expect(() =>
      base.run({
        args: ["x"],
        mounts: [
          { type: "cache", target: "/c", id: "c" },
          { type: "tmpfs", target: "/c/" },
        ],
      }),
    ).toThrow(/two mounts target "\/c"/);
    const r = base.run({ args: ["x"], mounts: [{ type: "cache", target: "/c", id: "c" }] });
    expect(() => r.getMount("/c")).toThrow(/no output/);
    expect(() => r.getMount("/nope")).toThrow(/no mount/);
  });

  it("keeps a read-only root without output", () => {
    const r = base.run({
      args: ["x"],
      readonlyRootfs: true,
      mounts: [{ type: "bind", target: "/o", source: scratch() }],
    });
    expect(() => r.root()).toThrow(/no output/);
    const exec = opOfCase(headOp(marshalDefinition(r.getMount("/o"))), "exec");
    expect(exec.mounts.map((m) => m.output)).toEqual([-1n, 0n]);
  });

  it("takes Env, WorkingDir and User from an image config", () => {
    const st = base.withImageConfig({
      Env: ["PATH=/usr/local/bin:/usr/bin", "LANG=C.UTF-8"],
      WorkingDir: "/w",
      User: "1000",
    });
    expect(st.getEnv("LANG")).toBe("C.UTF-8");
    expect(st.getDir()).toBe("/w");
    expect(st.getUser()).toBe("1000");
  });
});

describe("exec working directory", () => {
  it("defaults to / when neither the state nor the run sets one (runc refuses an empty Cwd)", async () => {
    const { scratch, marshalDefinition, definitionToJson } = await import("../../../src/buildkit/index.js");
    const def = marshalDefinition(
      scratch()
        .run({ args: ["true"] })
        .root(),
    ).definition;
    const json = JSON.stringify(definitionToJson(def));
    expect(json).toContain('"cwd":"/"');
  });
});

describe("writable bind mounts without output", () => {
  it("write output -1, so BuildKit keeps hashing the source by content", () => {
    const src = local("context", { sessionId: "s" });
    const run = scratch().run({
      args: ["true"],
      mounts: [
        { type: "bind", target: "/discard", source: src, noOutput: true },
        { type: "bind", target: "/keep", source: src },
      ],
    });
    const exec = opOfCase(headOp(marshalDefinition(run.root())), "exec");
    const byDest = Object.fromEntries(exec.mounts.map((m) => [m.dest, m]));
    expect(byDest["/discard"]).toMatchObject({ readonly: false, output: -1n });
    expect(byDest["/keep"]).toMatchObject({ readonly: false, output: 1n });
    expect(run.getMount("/keep")).toBeDefined();
    expect(() => run.getMount("/discard")).toThrow(/no output/);
  });
});
