import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { Code, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Packet,
  Packet_PacketType,
  PacketSchema,
} from "../../../src/buildkit/gen/fsutil/types/wire_pb.js";
import {
  Health,
  HealthCheckResponse_ServingStatus,
} from "../../../src/buildkit/gen/grpc/health/v1/health_pb.js";
import { Secrets } from "../../../src/buildkit/gen/moby/buildkit/secrets/v1/secrets_pb.js";
import { Auth, FileSync } from "../../../src/buildkit/gen/moby/filesync/v1/filesync_pb.js";
import { createDuplexTransport } from "../../../src/buildkit/index.js";
import { newSessionId, SESSION_METHODS, serveSession } from "../../../src/client/session.js";

// BuildKit's side of a session, played by a connect client over a real socket: the daemon is the
// gRPC client there, and pyfront's session the HTTP/2 server.
const root = mkdtempSync(join(tmpdir(), "pyfront-session-"));
const context = join(root, "context");
mkdirSync(join(context, "app"), { recursive: true });
writeFileSync(join(context, "app", "main.py"), "print('hi')\n");
writeFileSync(join(context, "secret.txt"), "not for the context\n");
const socketPath = join(root, "session.sock");
const accepted: Socket[] = [];
const server = createServer((socket) => {
  accepted.push(socket);
  void serveSession(socket, {
    localDirs: { context },
    secrets: new Map([["pypi", new TextEncoder().encode("user:pw")]]),
    credentials: (host) =>
      host === "registry.example:5000"
        ? { username: "ci", password: "reg-pw" }
        : host === "ghcr.io"
          ? { identityToken: "refresh-token" }
          : undefined,
  });
});
const daemon = createDuplexTransport(() => connect(socketPath));

beforeAll(() => new Promise<void>((resolve) => server.listen(socketPath, resolve)));
afterAll(() => {
  for (const socket of accepted) socket.destroy();
  server.close();
});

/** Packets the receiver sends, pushed as the exchange goes. */
function queue() {
  const items: Packet[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  return {
    push(packet: Packet) {
      items.push(packet);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const next = items.shift();
        if (next) yield next;
        else if (ended) return;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

describe("the client's session, as BuildKit calls it", () => {
  it("answers the health check BuildKit polls", async () => {
    const health = createClient(Health, daemon);
    expect((await health.check({})).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });

  it("lists every method it serves, and ids in BuildKit's form", () => {
    expect(SESSION_METHODS).toEqual([
      "/grpc.health.v1.Health/Check",
      "/moby.filesync.v1.FileSync/DiffCopy",
      "/moby.filesync.v1.Auth/Credentials",
      "/moby.buildkit.secrets.v1.Secrets/GetSecret",
    ]);
    expect(newSessionId()).toMatch(/^[0-9a-z]{25}$/);
    expect(newSessionId()).not.toBe(newSessionId());
  });

  it("hands over a secret by id, NotFound for another, and a registry's login by host", async () => {
    const secrets = createClient(Secrets, daemon);
    expect(new TextDecoder().decode((await secrets.getSecret({ ID: "pypi" })).data)).toBe("user:pw");
    await expect(secrets.getSecret({ ID: "other" })).rejects.toMatchObject({ code: Code.NotFound });
    const auth = createClient(Auth, daemon);
    const login = await auth.credentials({ Host: "registry.example:5000" });
    expect([login.Username, login.Secret]).toEqual(["ci", "reg-pw"]);
    // An identity token goes as the secret alone, as docker's auth provider sends it.
    const token = await auth.credentials({ Host: "ghcr.io" });
    expect([token.Username, token.Secret]).toEqual(["", "refresh-token"]);
    // Nothing for the host: an empty answer, which BuildKit takes for anonymous access.
    const anonymous = await auth.credentials({ Host: "registry-1.docker.io" });
    expect([anonymous.Username, anonymous.Secret]).toEqual(["", ""]);
  });

  it("syncs the local named in dir-name with the request's excludes, and refuses other names", async () => {
    const sync = createClient(FileSync, daemon);
    const requests = queue();
    const received: Packet[] = [];
    const headers = { "dir-name": "context", "exclude-patterns": "secret.txt" };
    for await (const packet of sync.diffCopy(requests, { headers })) {
      received.push(packet);
      if (packet.type === Packet_PacketType.PACKET_STAT && packet.stat === undefined) {
        requests.push(create(PacketSchema, { type: Packet_PacketType.PACKET_REQ, ID: 1 }));
      }
      if (packet.type === Packet_PacketType.PACKET_DATA && packet.data.length === 0) {
        requests.push(create(PacketSchema, { type: Packet_PacketType.PACKET_FIN }));
        requests.end();
      }
    }
    expect(received.filter((p) => p.stat).map((p) => p.stat?.path)).toEqual(["app", "app/main.py"]);
    expect(new TextDecoder().decode(received.find((p) => p.data.length > 0)?.data)).toBe("print('hi')\n");
    expect(received.at(-1)?.type).toBe(Packet_PacketType.PACKET_FIN);

    const other = queue();
    other.end();
    const refused = async () => {
      for await (const _ of sync.diffCopy(other, { headers: { "dir-name": "elsewhere" } })) {
        // nothing arrives
      }
    };
    await expect(refused()).rejects.toMatchObject({ code: Code.NotFound });
  });
});
