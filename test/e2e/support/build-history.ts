// BuildKit's build-history records, read from the engine the tests use: the daemon serves
// BuildKit's control API on its /grpc endpoint (an HTTP/1.1 upgrade to h2c, as buildx's docker
// driver dials it). BuildKit 0.11 and later keep one record per build (frontend attrs, exporter
// response, errors) and store its logs, trace and attestations as blobs in the content store;
// `docker buildx history` reads them, but the buildx here (0.13) has no such command, so the
// tests read them the same way: Control.ListenBuildHistory, then containerd's Content.Read.
// The messages are few and small, so they are decoded by field number (control.proto) instead
// of vendoring BuildKit's protos.
import { connect as connectHttp2 } from "node:http2";
import { connect as connectSocket, type Socket } from "node:net";
import { gunzipSync } from "node:zlib";
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { engineEnv } from "./engine.js";

/** A gRPC call's outcome: the response messages and the status from the trailers. */
export interface GrpcReply {
  status: number;
  message: string;
  messages: Buffer[];
}

export const GRPC_UNIMPLEMENTED = 12;

/** The daemon's unix socket, from DOCKER_HOST. */
function daemonSocket(): string {
  const host = engineEnv().vars.DOCKER_HOST ?? "unix:///var/run/docker.sock";
  if (!host.startsWith("unix://")) throw new Error(`build history needs a unix DOCKER_HOST, not ${host}`);
  return host.slice("unix://".length);
}

/** POST /grpc with `Upgrade: h2c`; resolves with the socket once the daemon answered 101. */
function upgradeToH2c(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectSocket(path);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end === -1) return;
      socket.off("data", onData);
      socket.pause();
      const status = head.subarray(0, end).toString("latin1");
      // Bytes after the headers are already HTTP/2: give them back to the stream.
      if (end + 4 < head.length) socket.unshift(head.subarray(end + 4));
      if (!/^HTTP\/1\.1 101 /.test(status)) {
        socket.destroy();
        reject(new Error(`the daemon refused the /grpc upgrade: ${status.split("\r\n")[0]}`));
        return;
      }
      resolve(socket);
    };
    socket.on("data", onData);
    socket.once("error", reject);
    socket.once("connect", () =>
      socket.write(
        "POST /grpc HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nContent-Length: 0\r\n\r\n",
      ),
    );
  });
}

/** One call (unary or server streaming) on a fresh /grpc connection of the selected engine. */
export async function grpcCall(method: string, request: Uint8Array): Promise<GrpcReply> {
  const socket = await upgradeToH2c(daemonSocket());
  const session = connectHttp2("http://localhost", { createConnection: () => socket });
  try {
    return await new Promise<GrpcReply>((resolve, reject) => {
      const stream = session.request({
        ":method": "POST",
        ":path": method,
        "content-type": "application/grpc",
        te: "trailers",
      });
      const frame = Buffer.alloc(5 + request.length);
      frame.writeUInt32BE(request.length, 1);
      frame.set(request, 5);
      stream.end(frame);
      let body = Buffer.alloc(0);
      let trailers: Record<string, string | string[] | undefined> = {};
      stream.on("response", (headers) => {
        // A call refused at once comes back trailers-only: the status is in the headers.
        if (headers["grpc-status"] !== undefined) trailers = headers;
      });
      stream.on("trailers", (t) => {
        trailers = t;
      });
      stream.on("data", (chunk: Buffer) => {
        body = Buffer.concat([body, chunk]);
      });
      stream.on("error", reject);
      stream.on("end", () => {
        const messages: Buffer[] = [];
        for (let at = 0; at + 5 <= body.length; ) {
          const length = body.readUInt32BE(at + 1);
          messages.push(body.subarray(at + 5, at + 5 + length));
          at += 5 + length;
        }
        resolve({
          status: Number(trailers["grpc-status"] ?? 0),
          message: decodeURIComponent(String(trailers["grpc-message"] ?? "")),
          messages,
        });
      });
    });
  } finally {
    session.destroy();
    socket.destroy();
  }
}

/** A content-store descriptor as BuildKit's control.proto writes it. */
export interface HistoryDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations: Record<string, string>;
}

/** The parts of a BuildHistoryRecord a leak could hide in, named as in control.proto. */
export interface BuildHistoryRecord {
  ref: string;
  frontend: string;
  frontendAttrs: Record<string, string>;
  exporters: { type: string; attrs: Record<string, string> }[];
  /** google.rpc.Status, message and details (errdefs.Source holds a spec's text) as raw bytes. */
  error?: { code: number; message: string; details: string[] };
  exporterResponse: Record<string, string>;
  logs?: HistoryDescriptor;
  trace?: HistoryDescriptor;
  externalError?: HistoryDescriptor;
  /** Result (field 10) and Results (field 11): the result descriptors and their attestations. */
  results: HistoryDescriptor[];
  attestations: HistoryDescriptor[];
  /** The record's protobuf bytes as the daemon sent them. */
  raw: Buffer;
}

type Fields = Map<number, Uint8Array[]>;

/** The length-delimited fields of one message by number (other wire types are skipped). */
function fields(bytes: Uint8Array): Fields {
  const out: Fields = new Map();
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [number, wireType] = reader.tag();
    if (wireType === WireType.LengthDelimited) {
      const list = out.get(number) ?? [];
      list.push(reader.bytes());
      out.set(number, list);
    } else if (wireType === WireType.Varint) {
      const list = out.get(number) ?? [];
      list.push(new BinaryWriter().uint64(reader.uint64()).finish());
      out.set(number, list);
    } else {
      reader.skip(wireType);
    }
  }
  return out;
}

const text = (bytes: Uint8Array | undefined): string => (bytes ? Buffer.from(bytes).toString("utf8") : "");
const varint = (bytes: Uint8Array | undefined): number =>
  bytes ? Number(new BinaryReader(bytes).uint64()) : 0;

function stringMap(entries: Uint8Array[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries ?? []) {
    const f = fields(entry);
    out[text(f.get(1)?.[0])] = text(f.get(2)?.[0]);
  }
  return out;
}

function descriptor(bytes: Uint8Array | undefined): HistoryDescriptor | undefined {
  if (!bytes) return undefined;
  const f = fields(bytes);
  return {
    mediaType: text(f.get(1)?.[0]),
    digest: text(f.get(2)?.[0]),
    size: varint(f.get(3)?.[0]),
    annotations: stringMap(f.get(5)),
  };
}

/** BuildResultInfo: ResultDeprecated (1), Attestations (2), Results (3, map<int64, Descriptor>). */
function resultInfo(bytes: Uint8Array, record: BuildHistoryRecord): void {
  const f = fields(bytes);
  const deprecated = descriptor(f.get(1)?.[0]);
  if (deprecated) record.results.push(deprecated);
  for (const a of f.get(2) ?? []) record.attestations.push(descriptor(a)!);
  for (const entry of f.get(3) ?? []) {
    const d = descriptor(fields(entry).get(2)?.[0]);
    if (d) record.results.push(d);
  }
}

export function decodeRecord(raw: Buffer): BuildHistoryRecord {
  const f = fields(raw);
  const record: BuildHistoryRecord = {
    ref: text(f.get(1)?.[0]),
    frontend: text(f.get(2)?.[0]),
    frontendAttrs: stringMap(f.get(3)),
    exporters: (f.get(4) ?? []).map((e) => {
      const ef = fields(e);
      return { type: text(ef.get(1)?.[0]), attrs: stringMap(ef.get(2)) };
    }),
    exporterResponse: stringMap(f.get(9)),
    results: [],
    attestations: [],
    raw,
  };
  const error = f.get(5)?.[0];
  if (error) {
    const ef = fields(error);
    record.error = {
      code: varint(ef.get(1)?.[0]),
      message: text(ef.get(2)?.[0]),
      details: (ef.get(3) ?? []).map((d) => Buffer.from(d).toString("latin1")),
    };
  }
  const logs = descriptor(f.get(8)?.[0]);
  const trace = descriptor(f.get(13)?.[0]);
  const externalError = descriptor(f.get(18)?.[0]);
  if (logs) record.logs = logs;
  if (trace) record.trace = trace;
  if (externalError) record.externalError = externalError;
  const result = f.get(10)?.[0];
  if (result) resultInfo(result, record);
  for (const entry of f.get(11) ?? []) {
    const value = fields(entry).get(2)?.[0];
    if (value) resultInfo(value, record);
  }
  return record;
}

/**
 * Every finished build record the engine keeps, or undefined when its BuildKit keeps none
 * (before 0.11, as engine A's: the method is unimplemented).
 */
export async function buildHistoryRecords(): Promise<BuildHistoryRecord[] | undefined> {
  // BuildHistoryRequest { EarlyExit = 3 }: the records there are now, then the stream ends.
  const request = new BinaryWriter().tag(3, WireType.Varint).bool(true).finish();
  const reply = await grpcCall("/moby.buildkit.v1.Control/ListenBuildHistory", request);
  if (reply.status === GRPC_UNIMPLEMENTED) return undefined;
  if (reply.status !== 0) throw new Error(`ListenBuildHistory failed: ${reply.status} ${reply.message}`);
  return reply.messages.flatMap((event) => {
    const record = fields(event).get(2)?.[0];
    return record ? [decodeRecord(Buffer.from(record))] : [];
  });
}

/** A blob of the engine's content store, or undefined when the store does not hold it. */
export async function readContent(digest: string): Promise<Buffer | undefined> {
  const request = new BinaryWriter().tag(1, WireType.LengthDelimited).string(digest).finish();
  const reply = await grpcCall("/containerd.services.content.v1.Content/Read", request);
  if (reply.status !== 0) return undefined;
  // ReadContentResponse { offset = 1, data = 2 }, in order.
  return Buffer.concat(reply.messages.map((m) => Buffer.from(fields(m).get(2)?.[0] ?? new Uint8Array())));
}

/** The record as JSON, the fields `docker buildx history inspect` shows. */
export function recordJson(record: BuildHistoryRecord): string {
  const { raw: _raw, ...rest } = record;
  return JSON.stringify(rest, null, 2);
}

const DIGEST = /sha256:[0-9a-f]{64}/g;
const BASE64 = /^[A-Za-z0-9+/]{16,}={0,2}$/;

/**
 * The blobs a record points to: its logs, trace, attestations (provenance), results and the
 * digests its exporter response names, and in turn what a manifest or index among them names
 * (configs, manifests; not layers, which the saved-image search covers, nor the base images a
 * provenance lists), read from the content store; gzip-compressed blobs are also given unpacked.
 * Keyed by digest.
 */
export async function recordBlobs(record: BuildHistoryRecord): Promise<Map<string, Buffer>> {
  const blobs = new Map<string, Buffer>();
  const named = [record.logs, record.trace, record.externalError, ...record.attestations, ...record.results]
    .filter((d): d is HistoryDescriptor => d !== undefined)
    .map((d) => d.digest);
  const pending = [...named, ...(record.raw.toString("latin1").match(DIGEST) ?? [])];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const digest = pending.shift()!;
    if (seen.has(digest)) continue;
    seen.add(digest);
    const blob = await readContent(digest);
    if (!blob) continue;
    blobs.set(digest, blob);
    if (blob[0] === 0x1f && blob[1] === 0x8b) blobs.set(`${digest} (gunzipped)`, gunzipSync(blob));
    pending.push(...manifestReferences(blob));
  }
  return blobs;
}

/** The config and manifests an image manifest or index names; nothing for any other blob. */
function manifestReferences(blob: Buffer): string[] {
  let parsed: { mediaType?: string; config?: { digest?: string }; manifests?: { digest?: string }[] };
  try {
    parsed = JSON.parse(blob.toString("utf8"));
  } catch {
    return [];
  }
  if (typeof parsed !== "object" || parsed === null || !/manifest|index/.test(parsed.mediaType ?? ""))
    return [];
  return [parsed.config?.digest, ...(parsed.manifests ?? []).map((m) => m.digest)].filter(
    (d): d is string => typeof d === "string",
  );
}

/** Whether the selected engine keeps build records (BuildKit 0.11 and later). */
export async function engineKeepsBuildHistory(): Promise<boolean> {
  return (await buildHistoryRecords()) !== undefined;
}

/**
 * Everything the engine kept of the build whose frontend attrs hold `build-arg:<name>=<value>`
 * (a marker each test passes): the record's bytes and JSON, the base64 values in its maps
 * decoded, and every blob it points to, by name for a leak search. Throws when there is no
 * such record: a search of nothing would find nothing.
 */
export async function buildRecordOutputs(
  name: string,
  value: string,
): Promise<Record<string, Buffer | string>> {
  const records = await buildHistoryRecords();
  if (records === undefined) throw new Error(`engine ${engineEnv().engine} keeps no build records`);
  const record = records.find((r) => r.frontendAttrs[`build-arg:${name}`] === value);
  if (!record) throw new Error(`no build record has build-arg:${name}=${value} (of ${records.length})`);
  const outputs: Record<string, Buffer | string> = {
    "record bytes": record.raw,
    "record JSON": recordJson(record),
  };
  for (const [key, v] of Object.entries({ ...record.frontendAttrs, ...record.exporterResponse })) {
    if (BASE64.test(v)) outputs[`record ${key} (base64-decoded)`] = Buffer.from(v, "base64");
  }
  // An error's errdefs.Source detail holds the spec's text as base64 inside JSON.
  const sources = [...record.raw.toString("latin1").matchAll(/"data":"([A-Za-z0-9+/]+={0,2})"/g)];
  sources.forEach((m, i) => {
    outputs[`record error source ${i} (base64-decoded)`] = Buffer.from(m[1]!, "base64");
  });
  for (const [digest, blob] of await recordBlobs(record)) outputs[`blob ${digest}`] = blob;
  return outputs;
}
