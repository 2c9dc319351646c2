import { Duplex } from "node:stream";
import type { Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";

/**
 * A gRPC transport over one already-open byte stream (h2c, prior knowledge). BuildKit serves
 * the frontend's LLBBridge this way on the frontend's stdin/stdout.
 *
 * `open` runs once: a second HTTP/2 preface on the same pipe would corrupt it, so a re-dial
 * throws instead. Idle timeout and keepalive pings are off because the pipe cannot be reopened.
 */
export function createDuplexTransport(open: () => Duplex): Transport {
  let opened = false;
  return createGrpcTransport({
    baseUrl: "http://localhost",
    idleConnectionTimeoutMs: 2 ** 31 - 1,
    pingIntervalMs: Number.POSITIVE_INFINITY,
    acceptCompression: [],
    nodeOptions: {
      createConnection: () => {
        if (opened) throw new Error("the gateway connection closed and cannot be reopened");
        opened = true;
        return open();
      },
    },
  });
}

/** The transport a gateway frontend uses: this process's stdin (from BuildKit) and stdout (to it). */
export function createStdioTransport(): Transport {
  return createDuplexTransport(() => Duplex.from({ readable: process.stdin, writable: process.stdout }));
}
