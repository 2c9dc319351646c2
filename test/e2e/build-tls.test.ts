// Issue 13's remote engines over TLS, on a real engine: `pyfront build --builder tcp://…` with
// buildctl's --tlscacert/--tlscert/--tlskey (mutual TLS, HTTP/2 by ALPN), and a Docker daemon at
// DOCKER_HOST=tcp://… with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, as the docker command takes
// them. The TLS endpoints are the test's own, in front of the engine (the engine's /grpc upgrade
// for the BuildKit one, its socket's bytes for the Docker one), with a CA of the test's making.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialHijack } from "../../src/client/dial.js";
import { resolveEngineAddress } from "../../src/client/engine-address.js";
import { pyfrontOnEngine } from "./support/cli.js";
import { engineEnv, removeImage, run } from "./support/engine.js";
import { combined, copyExample, type ExampleCopy } from "./support/examples.js";

const env = engineEnv();
const engine = env.engine.toLowerCase();
const certs = mkdtempSync(join(tmpdir(), "pyfront-e2e-tls-"));
const servers: tls.Server[] = [];
const open: Socket[] = [];
const copies: ExampleCopy[] = [];
const tag = `pyfront-e2e-client-tls:${engine}`;

function openssl(args: string[]): void {
  execFileSync("openssl", args, { cwd: certs, stdio: "ignore" });
}

/** A self-signed CA certificate: NAME.pem, and its key NAME-key.pem. */
function newCa(name: string, subject: string): void {
  openssl([
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-days",
    "2",
    "-subj",
    `/CN=${subject}`,
    "-keyout",
    `${name}-key.pem`,
    "-out",
    `${name}.pem`,
  ]);
}

/** A CA, a server certificate for 127.0.0.1 and localhost, and a client certificate, all signed by it. */
function makeCertificates(): void {
  newCa("ca", "pyfront e2e CA");
  for (const [name, ext] of [
    ["server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth"],
    ["client", "extendedKeyUsage=clientAuth"],
  ] as const) {
    writeFileSync(join(certs, `${name}.ext`), `${ext}\n`);
    openssl([
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-subj",
      `/CN=${name}`,
      "-keyout",
      `${name}-key.pem`,
      "-out",
      `${name}.csr`,
    ]);
    openssl([
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca-key.pem",
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
      "-out",
      `${name}.pem`,
    ]);
  }
}

/** A mutual-TLS endpoint on loopback; each connection is handed to `forward`. */
async function tlsEndpoint(
  alpn: string[] | undefined,
  forward: (client: tls.TLSSocket) => void,
): Promise<string> {
  const server = tls.createServer(
    {
      key: readFileSync(join(certs, "server-key.pem")),
      cert: readFileSync(join(certs, "server.pem")),
      ca: readFileSync(join(certs, "ca.pem")),
      requestCert: true,
      rejectUnauthorized: true,
      ...(alpn ? { ALPNProtocols: alpn } : {}),
    },
    (client) => {
      open.push(client);
      client.on("error", () => {});
      forward(client);
    },
  );
  server.on("tlsClientError", () => {});
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return `tcp://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
}

function pipeBoth(a: Socket, b: Socket): void {
  open.push(b);
  a.pipe(b).on("error", () => {});
  b.pipe(a).on("error", () => {});
  a.on("close", () => b.destroy());
  b.on("close", () => a.destroy());
}

let buildkitUrl = "";
let dockerUrl = "";

beforeAll(async () => {
  makeCertificates();
  // Another CA that signed nothing here: a client trusting only it must refuse the server.
  newCa("other-ca", "another CA");
  const daemon = resolveEngineAddress(undefined, { env: env.vars, readFile: () => undefined });
  const socketPath = daemon.socket.kind === "unix" ? daemon.socket.path : "";
  buildkitUrl = await tlsEndpoint(["h2"], (client) => {
    dialHijack(daemon, "/grpc").then(
      (upstream) => pipeBoth(client, upstream),
      () => client.destroy(),
    );
  });
  dockerUrl = await tlsEndpoint(undefined, (client) => pipeBoth(client, connect(socketPath)));
});

afterAll(async () => {
  for (const socket of open) socket.destroy();
  for (const server of servers) server.close();
  for (const copy of copies) copy.dispose();
  await removeImage(tag);
  rmSync(certs, { recursive: true, force: true });
});

function scriptCopy(): string {
  const copy = copyExample("script");
  copies.push(copy);
  return copy.dir;
}

describe(`pyfront build over TLS on engine ${env.engine}`, () => {
  it("builds on a BuildKit at tcp:// with buildctl's TLS flags (mutual TLS)", async () => {
    const built = await pyfrontOnEngine([
      "build",
      scriptCopy(),
      "--builder",
      buildkitUrl,
      "--tlscacert",
      join(certs, "ca.pem"),
      "--tlscert",
      join(certs, "client.pem"),
      "--tlskey",
      join(certs, "client-key.pem"),
      "--network",
      "host",
    ]);
    expect(built.code, combined(built)).toBe(0);
    expect(built.stderr).toContain("pyfront build: built; the result stays in BuildKit's cache");
  });

  it("refuses a server its CA did not sign, and a server refuses it without a client certificate", async () => {
    const wrongCa = await pyfrontOnEngine([
      "build",
      scriptCopy(),
      "--builder",
      buildkitUrl,
      "--tlscacert",
      join(certs, "other-ca.pem"),
      "--tlscert",
      join(certs, "client.pem"),
      "--tlskey",
      join(certs, "client-key.pem"),
    ]);
    expect(wrongCa.code, combined(wrongCa)).toBe(1);
    expect(wrongCa.stderr).toMatch(
      /cannot reach the BuildKit daemon at tcp:\/\/127\.0\.0\.1:\d+ \(from --builder\): .*certificate/i,
    );
    const noClientCert = await pyfrontOnEngine([
      "build",
      scriptCopy(),
      "--builder",
      buildkitUrl,
      "--tlscacert",
      join(certs, "ca.pem"),
    ]);
    expect(noClientCert.code, combined(noClientCert)).toBe(1);
    expect(noClientCert.stderr).toMatch(/pyfront build: .*BuildKit daemon at tcp:\/\/127\.0\.0\.1:\d+/);
    expect(noClientCert.stderr).not.toMatch(/internal error|at .*\.ts:\d+/);
  });

  it("builds and loads on a Docker daemon at DOCKER_HOST=tcp:// with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH", async () => {
    // The docker command's file names in DOCKER_CERT_PATH.
    const certPath = mkdtempSync(join(certs, "docker-"));
    writeFileSync(join(certPath, "ca.pem"), readFileSync(join(certs, "ca.pem")));
    writeFileSync(join(certPath, "cert.pem"), readFileSync(join(certs, "client.pem")));
    writeFileSync(join(certPath, "key.pem"), readFileSync(join(certs, "client-key.pem")));
    const built = await pyfrontOnEngine(["build", scriptCopy(), "-t", tag, "--network", "host"], {
      DOCKER_HOST: dockerUrl,
      DOCKER_TLS_VERIFY: "1",
      DOCKER_CERT_PATH: certPath,
    });
    expect(built.code, combined(built)).toBe(0);
    expect(built.stderr).toContain(`pyfront build: built ${tag} (sha256:`);
    const ran = await run(tag);
    expect(ran.stdout, combined(ran)).toMatch(/^hello from script on Python 3\.11\.\d+$/m);
  });
});
