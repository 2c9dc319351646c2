import { describe, expect, it } from "vitest";
import { exporterFor } from "../../../src/client/build.js";
import type { EngineAddress } from "../../../src/client/engine-address.js";
import { OutputFlagError, parseOutputFlag } from "../../../src/client/output-flag.js";
import { outputProblems } from "../../../src/client/outputs.js";

const docker: EngineAddress = {
  kind: "docker",
  socket: { kind: "unix", path: "/d.sock" },
  source: "DOCKER_HOST",
  written: "",
};
const buildkit: EngineAddress = {
  kind: "buildkit",
  socket: { kind: "tcp", host: "b", port: 1234 },
  source: "--builder",
  written: "",
};

describe("parseOutputFlag", () => {
  it("takes the outputs pyfront build can give", () => {
    expect(parseOutputFlag("type=oci,dest=out/app.tar")).toEqual({ kind: "oci", dest: "out/app.tar" });
    expect(parseOutputFlag("type=docker,dest=-")).toEqual({ kind: "docker", dest: "-" });
    expect(parseOutputFlag("type=registry")).toEqual({ kind: "push" });
    expect(parseOutputFlag("type=image,push=true")).toEqual({ kind: "push" });
  });

  it("refuses by name what it cannot give, never dropping a field", () => {
    const cases: [string, RegExp][] = [
      ["out", /bare path as type=local/],
      ["type=local,dest=out", /cannot write type=local yet/],
      ["type=oci", /needs dest=FILE/],
      ["type=oci,dest=a,compression=zstd", /does not take "compression" for type=oci/],
      ["type=oci,dest=a,dest=b", /dest is given twice/],
      ["type=image", /without push=true/],
      ["dest=a", /no type= field/],
      ["type=cacheonly", /cannot write type=cacheonly/],
    ];
    for (const [flag, message] of cases) {
      expect(() => parseOutputFlag(flag), flag).toThrow(OutputFlagError);
      expect(() => parseOutputFlag(flag), flag).toThrow(message);
    }
  });
});

describe("outputProblems", () => {
  it("asks for a name to push to, and a Docker daemon for file outputs", () => {
    expect(outputProblems([{ kind: "push" }], [], docker, false).map((p) => p.message)).toEqual([
      "--push has no name to push to",
    ]);
    expect(outputProblems([{ kind: "oci", dest: "a.tar" }], [], buildkit, false)[0]?.message).toMatch(
      /standalone BuildKit is not supported/,
    );
    expect(outputProblems([{ kind: "oci", dest: "-" }], ["x"], docker, true)[0]?.message).toMatch(
      /to the terminal/,
    );
    expect(outputProblems([{ kind: "push" }, { kind: "oci", dest: "a.tar" }], ["x"], docker, false)).toEqual(
      [],
    );
  });
});

describe("exporterFor", () => {
  it("loads into a Docker daemon, and lets a standalone BuildKit's image exporter push", () => {
    expect(exporterFor({ address: docker, tags: ["a", "b"], push: true })).toEqual({
      type: "moby",
      attrs: { name: "a,b" },
    });
    expect(exporterFor({ address: buildkit, tags: ["r/a"], push: true })).toEqual({
      type: "image",
      attrs: { name: "r/a", push: "true" },
    });
    expect(exporterFor({ address: buildkit, tags: [] })).toBeUndefined();
  });
});
