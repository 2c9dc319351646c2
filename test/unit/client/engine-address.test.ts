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

  it("names a context that does not exist; a context with TLS files and DOCKER_TLS_VERIFY use TLS", () => {
    expect(() => resolveWith({ DOCKER_CONTEXT: "gone" })).toThrow(
      /docker context "gone" \(from DOCKER_CONTEXT\) does not exist/,
    );
    const tlsDir = `${home}/.docker/contexts/tls/${createHash("sha256").update("secure").digest("hex")}/docker`;
    const context = {
      [metaPath("secure")]: JSON.stringify({ Endpoints: { docker: { Host: "tcp://h:2376" } } }),
      [`${tlsDir}/ca.pem`]: "CA",
      [`${tlsDir}/cert.pem`]: "CERT",
      [`${tlsDir}/key.pem`]: "KEY",
    };
    expect(resolveWith({ DOCKER_CONTEXT: "secure" }, context)).toMatchObject({
      kind: "docker",
      socket: { kind: "tcp", host: "h", port: 2376 },
      tls: { ca: "CA", cert: "CERT", key: "KEY" },
    });
    const certs = { "/certs/ca.pem": "CA2", "/certs/cert.pem": "C2", "/certs/key.pem": "K2" };
    expect(
      resolveWith({ DOCKER_HOST: "tcp://h", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: "/certs" }, certs),
    ).toMatchObject({ socket: { port: 2376 }, tls: { ca: "CA2", cert: "C2", key: "K2" } });
    expect(() => resolveWith({ DOCKER_HOST: "tcp://h:2376", DOCKER_TLS_VERIFY: "1" })).toThrow(
      /ca\.pem cannot be read/,
    );
    expect(() =>
      resolveWith(
        { DOCKER_HOST: "tcp://h", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: "/certs" },
        {
          "/certs/ca.pem": "CA",
          "/certs/cert.pem": "C",
        },
      ),
    ).toThrow(/only one of cert.pem and key.pem/);
  });

  it("takes buildctl's TLS files for a --builder tcp:// BuildKit, and refuses them elsewhere", () => {
    const environment = {
      env: {},
      readFile: (path: string) => ({ "/t/ca.pem": "CA", "/t/c.pem": "C", "/t/k.pem": "K" })[path],
      homeDir: home,
    };
    expect(
      resolveEngineAddress("tcp://bk:1234", environment, {
        caCert: "/t/ca.pem",
        cert: "/t/c.pem",
        key: "/t/k.pem",
        serverName: "buildkitd",
      }),
    ).toMatchObject({ kind: "buildkit", tls: { ca: "CA", cert: "C", key: "K", serverName: "buildkitd" } });
    expect(() => resolveEngineAddress(undefined, environment, { caCert: "/t/ca.pem" })).toThrow(
      /for a standalone BuildKit/,
    );
    expect(() => resolveEngineAddress("unix:///bk.sock", environment, { caCert: "/t/ca.pem" })).toThrow(
      /TLS needs a tcp:\/\/ address/,
    );
    expect(() => resolveEngineAddress("tcp://bk:1234", environment, { cert: "/t/c.pem" })).toThrow(
      /go together/,
    );
    expect(() => resolveEngineAddress("tcp://bk:1234", environment, { caCert: "/t/none.pem" })).toThrow(
      /--tlscacert \/t\/none.pem cannot be read/,
    );
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
