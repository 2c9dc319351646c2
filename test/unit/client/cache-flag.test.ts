import { describe, expect, it } from "vitest";
import { cacheImportsAttr, cacheProblems, parseCacheFlag } from "../../../src/client/cache-flag.js";
import type { EngineAddress } from "../../../src/client/engine-address.js";

const docker: EngineAddress = {
  kind: "docker",
  socket: { kind: "unix", path: "/d.sock" },
  source: "DOCKER_HOST",
  written: "",
};
const buildkit: EngineAddress = { ...docker, kind: "buildkit", source: "--builder" };

describe("parseCacheFlag", () => {
  it("reads buildx's forms: a bare image, key=value fields, registry when no type", () => {
    expect(parseCacheFlag("--cache-from", "ghcr.io/o/app:cache")).toEqual({
      type: "registry",
      attrs: { ref: "ghcr.io/o/app:cache" },
    });
    expect(parseCacheFlag("--cache-to", "type=inline")).toEqual({ type: "inline", attrs: {} });
    expect(parseCacheFlag("--cache-to", "ref=r/a:c,mode=max")).toEqual({
      type: "registry",
      attrs: { ref: "r/a:c", mode: "max" },
    });
    expect(() => parseCacheFlag("--cache-to", "type=inline,oops")).toThrow(/"oops" is not key=value/);
    expect(() => parseCacheFlag("--cache-from", " ")).toThrow(/--cache-from is empty/);
  });

  it("keeps a key named __proto__ a plain key", () => {
    const entry = parseCacheFlag("--cache-to", "type=registry,__proto__=x,ref=r");
    expect(Object.keys(entry.attrs)).toEqual(["__proto__", "ref"]);
  });
});

describe("cacheProblems", () => {
  const messages = (...args: Parameters<typeof cacheProblems>) =>
    cacheProblems(...args).map((p) => p.message);

  it("lets a Docker daemon export inline cache only, and import from registries", () => {
    expect(
      messages([{ type: "registry", attrs: { ref: "a" } }], [{ type: "inline", attrs: {} }], docker),
    ).toEqual([]);
    expect(messages([], [{ type: "registry", attrs: { ref: "a" } }], docker)).toEqual([
      "--cache-to type=registry: a Docker daemon's BuildKit exports only inline cache",
    ]);
    expect(messages([], [{ type: "registry", attrs: { ref: "a" } }], buildkit)).toEqual([]);
    expect(messages([], [{ type: "registry", attrs: {} }], buildkit)).toEqual([
      "--cache-to type=registry has no ref",
    ]);
  });

  it("refuses local caches, several exports and an import without a ref, by name", () => {
    expect(messages([{ type: "local", attrs: { src: "c" } }], [], buildkit)).toEqual([
      "--cache-from type=local is not supported by pyfront build yet",
    ]);
    expect(messages([{ type: "registry", attrs: {} }], [], docker)).toEqual([
      "--cache-from type=registry has no ref",
    ]);
    expect(
      messages(
        [],
        [
          { type: "inline", attrs: {} },
          { type: "inline", attrs: {} },
        ],
        docker,
      ),
    ).toEqual(["more than one --cache-to"]);
  });
});

describe("cacheImportsAttr", () => {
  it("is the JSON buildx sends as the cache-imports frontend option", () => {
    expect(JSON.parse(cacheImportsAttr([{ type: "registry", attrs: { ref: "a" } }]))).toEqual([
      { Type: "registry", Attrs: { ref: "a" } },
    ]);
  });
});
