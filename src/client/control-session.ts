import * as http2 from "node:http2";
import type { Socket } from "node:net";
import { Duplex } from "node:stream";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { BytesMessageSchema, Control } from "../buildkit/gen/moby/buildkit/v1/control_pb.js";

/** gRPC's message prefix: one flag byte (0, uncompressed) and the length, big-endian. */
const PREFIX_BYTES = 5;

function frame(data: Uint8Array): Buffer {
  const message = toBinary(BytesMessageSchema, create(BytesMessageSchema, { data }));
  const out = Buffer.alloc(PREFIX_BYTES + message.length);
  out.writeUInt8(0, 0);
  out.writeUInt32BE(message.length, 1);
  out.set(message, PREFIX_BYTES);
  return out;
}

/**
 * A session's byte stream over Control.Session, as buildkit's grpchijack dials it: every chunk
 * is one BytesMessage each way, and the session's headers go as the call's metadata, one header
 * line per value (the methods list must not be joined with commas, which BuildKit would not split).
 *
 * The call is made with Node's own HTTP/2 client on a connection of its own: connect's clients
 * join repeated header values.
 */
export function controlSessionStream(socket: Socket, metadata: Record<string, string | string[]>): Duplex {
  const client = http2.connect("http://localhost", { createConnection: () => socket });
  client.on("error", () => {});
  const headers: http2.OutgoingHttpHeaders = {
    ":method": "POST",
    ":path": `/${Control.typeName}/Session`,
    "content-type": "application/grpc",
    te: "trailers",
  };
  for (const [name, value] of Object.entries(metadata)) headers[name.toLowerCase()] = value;
  const call = client.request(headers);
  let pending = Buffer.alloc(0);
  const stream = new Duplex({
    write(chunk: Buffer, _encoding, done) {
      call.write(frame(chunk), done);
    },
    final(done) {
      call.end();
      done();
    },
    read() {},
    destroy(error, done) {
      call.close();
      client.close();
      socket.destroy();
      done(error);
    },
  });
  const failed = (headers: http2.IncomingHttpHeaders) => {
    const status = headers["grpc-status"];
    if (status !== undefined && status !== "0") {
      const message = decodeURIComponent(String(headers["grpc-message"] ?? ""));
      stream.destroy(new Error(`Control.Session failed: ${message || `gRPC status ${status}`}`));
    }
  };
  call.on("response", failed);
  call.on("trailers", failed);
  call.on("data", (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= PREFIX_BYTES) {
      const length = pending.readUInt32BE(1);
      if (pending.length < PREFIX_BYTES + length) break;
      const message = fromBinary(BytesMessageSchema, pending.subarray(PREFIX_BYTES, PREFIX_BYTES + length));
      pending = pending.subarray(PREFIX_BYTES + length);
      if (message.data.length > 0) stream.push(Buffer.from(message.data));
    }
  });
  call.on("end", () => stream.push(null));
  call.on("error", (error) => stream.destroy(error));
  return stream;
}
