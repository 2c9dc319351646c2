import { randomBytes } from "node:crypto";
import { createServer as createHttpServer } from "node:http";
import { createServer as createTcpServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { identifyEngine } from "../../../src/client/dial.js";
import type { EngineAddress } from "../../../src/client/engine-address.js";

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

function socketPath(): string {
  return join(tmpdir(), `pyfront-identify-${randomBytes(4).toString("hex")}.sock`);
}

function listen(server: Server, path: string): Promise<void> {
  servers.push(server);
  return new Promise((resolve) => server.listen(path, resolve));
}

function builderAt(path: string): EngineAddress {
  return {
    kind: "buildkit",
    socket: { kind: "unix", path },
    source: "--builder",
    written: `unix://${path}`,
  };
}

describe("identifyEngine: what a --builder address is", () => {
  it("takes a server that answers /_ping with an Api-Version header for a Docker daemon", async () => {
    const path = socketPath();
    await listen(
      createHttpServer((request, response) => {
        response.setHeader("Api-Version", "1.41");
        response.end(request.url === "/_ping" ? "OK" : "");
      }),
      path,
    );
    expect((await identifyEngine(builderAt(path))).kind).toBe("docker");
  });

  it("keeps a server that closes an HTTP/1.1 request, as BuildKit's gRPC server does, a BuildKit", async () => {
    const path = socketPath();
    await listen(
      createTcpServer((socket) => socket.once("data", () => socket.destroy())),
      path,
    );
    expect((await identifyEngine(builderAt(path))).kind).toBe("buildkit");
  });

  it("keeps an HTTP server without Docker's header a BuildKit, and an address nobody listens on", async () => {
    const path = socketPath();
    await listen(
      createHttpServer((_request, response) => response.end("OK")),
      path,
    );
    expect((await identifyEngine(builderAt(path))).kind).toBe("buildkit");
    expect((await identifyEngine(builderAt(socketPath()))).kind).toBe("buildkit");
  });

  it("leaves a Docker daemon's address alone", async () => {
    const docker: EngineAddress = { ...builderAt(socketPath()), kind: "docker" };
    expect(await identifyEngine(docker)).toBe(docker);
  });
});
