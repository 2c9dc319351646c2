import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSshFlags, SshFlagError } from "../../../src/client/ssh-flag.js";

const dir = mkdtempSync(join(tmpdir(), "pyfront-ssh-flag-"));
const socket = join(dir, "agent.sock");
const keyFile = join(dir, "id_ed25519");
let server: Server;

beforeAll(async () => {
  writeFileSync(keyFile, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
  server = createServer();
  await new Promise<void>((resolve) => server.listen(socket, resolve));
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("parseSshFlags", () => {
  it("takes default from SSH_AUTH_SOCK, and ID=SOCKET relative to the working directory", () => {
    const agents = parseSshFlags(["default", "work=agent.sock"], { SSH_AUTH_SOCK: socket }, dir);
    expect([...agents]).toEqual([
      ["default", socket],
      ["work", socket],
    ]);
  });

  it("refuses what it cannot forward, each with a hint", () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [["default"], {}, /SSH_AUTH_SOCK is not set/],
      [[`default=${keyFile}`], {}, /is not an agent's socket \(a key file\?/],
      [["default=/nonexistent/agent.sock"], {}, /does not exist/],
      [[`default=${socket},${socket}`], {}, /one agent socket per id/],
      [["de fault"], { SSH_AUTH_SOCK: socket }, /is not an id/],
      [["default", "default"], { SSH_AUTH_SOCK: socket }, /given twice/],
    ];
    for (const [flags, env, message] of cases) {
      expect(() => parseSshFlags(flags, env, dir), flags.join(" ")).toThrow(SshFlagError);
      expect(() => parseSshFlags(flags, env, dir), flags.join(" ")).toThrow(message);
    }
  });
});
