import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EngineAddressError, resolveEngineAddress } from "../../../src/client/engine-address.js";

const home = "/home/u";
const metaPath = (name: string, dir = `${home}/.docker`) =>
  `${dir}/contexts/meta/${createHash("sha256").update(name).digest("hex")}/meta.json`;

function resolveWith(env: Record<string, string>, files: Record<string, string> = {}, builder?: string) {
  return resolveEngineAddress(builder, { env, readFile: (p) => files[p], homeDir: home });
}

describe("engine address, chosen as the docker CLI and buildx choose it", () => {
  it("is the default Docker socket when nothing names another", () => {
    expect(resolveWith({})).toMatchObject({
      kind: "docker",
      socket: { kind: "unix", path: "/var/run/docker.sock" },
      source: "the default socket",
    });
  });

  it("takes DOCKER_HOST over DOCKER_CONTEXT and the config's current context", () => {
    const files = { [`${home}/.docker/config.json`]: JSON.stringify({ currentContext: "remote" }) };
    expect(resolveWith({ DOCKER_HOST: "unix:///run/d.sock", DOCKER_CONTEXT: "remote" }, files)).toMatchObject(
      {
        kind: "docker",
        socket: { kind: "unix", path: "/run/d.sock" },
        source: "DOCKER_HOST",
      },
    );
  });

  it("reads the current context's endpoint from contexts/meta/<sha256 of its name>/meta.json", () => {
    const files = {
      [`${home}/.docker/config.json`]: JSON.stringify({ currentContext: "eng26" }),
      [metaPath("eng26")]: JSON.stringify({
        Name: "eng26",
        Endpoints: { docker: { Host: "unix:///run/eng26.sock" } },
      }),
    };
    expect(resolveWith({}, files)).toMatchObject({
      socket: { kind: "unix", path: "/run/eng26.sock" },
      source: 'docker context "eng26"',
    });
  });

  it("takes DOCKER_CONTEXT over the config's current context, under DOCKER_CONFIG", () => {
    const files = {
      "/cfg/config.json": JSON.stringify({ currentContext: "other" }),
      [metaPath("tcpctx", "/cfg")]: JSON.stringify({
        Endpoints: { docker: { Host: "tcp://127.0.0.1:2375" } },
      }),
    };
    expect(resolveWith({ DOCKER_CONFIG: "/cfg", DOCKER_CONTEXT: "tcpctx" }, files).socket).toEqual({
      kind: "tcp",
      host: "127.0.0.1",
      port: 2375,
    });
  });

  it("names a context that does not exist, and a context with TLS it cannot use", () => {
    expect(() => resolveWith({ DOCKER_CONTEXT: "gone" })).toThrow(
      /docker context "gone" \(from DOCKER_CONTEXT\) does not exist/,
    );
    const tls = {
      [metaPath("secure")]: JSON.stringify({ Endpoints: { docker: { Host: "tcp://h:2376" } } }),
      [`${home}/.docker/contexts/tls/${createHash("sha256").update("secure").digest("hex")}/docker/ca.pem`]:
        "x",
    };
    expect(() => resolveWith({ DOCKER_CONTEXT: "secure" }, tls)).toThrow(/uses TLS/);
    expect(() => resolveWith({ DOCKER_HOST: "tcp://h:2376", DOCKER_TLS_VERIFY: "1" })).toThrow(/TLS/);
  });

  it("takes --builder, then BUILDKIT_HOST, as a standalone BuildKit", () => {
    expect(
      resolveWith({ BUILDKIT_HOST: "tcp://10.0.0.1" }, {}, "unix:///run/buildkit/buildkitd.sock"),
    ).toMatchObject({
      kind: "buildkit",
      socket: { kind: "unix", path: "/run/buildkit/buildkitd.sock" },
      source: "--builder",
    });
    expect(resolveWith({ BUILDKIT_HOST: "tcp://[::1]:8000", DOCKER_HOST: "unix:///x" })).toMatchObject({
      kind: "buildkit",
      socket: { kind: "tcp", host: "::1", port: 8000 },
      source: "BUILDKIT_HOST",
    });
  });

  it("refuses schemes it cannot speak by name, with the forms it takes", () => {
    for (const [address, pattern] of [
      ["ssh://me@host", /ssh:\/\/ engine address is not supported/],
      ["docker-container://buildkitd", /docker-container:\/\/ engine address is not supported/],
      ["unix://relative.sock", /absolute socket path/],
      ["/var/run/docker.sock", /is not an engine address/],
    ] as const) {
      let caught: unknown;
      try {
        resolveWith({}, {}, address);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(EngineAddressError);
      expect((caught as Error).message).toMatch(pattern);
    }
  });
});
