import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { type Any, AnySchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, decodeBinaryHeader } from "@connectrpc/connect";
import { type Status, StatusSchema } from "../gen/google/rpc/status_pb.js";

/** The detail type BuildKit prints as a source snippet with the offending lines marked. */
export const SOURCE_DETAIL_TYPE_URL = "github.com/moby/buildkit/errdefs.Source+json";

/** gRPC code 2: BuildKit prints the bare message for it, without a "Code: " prefix. */
export const STATUS_UNKNOWN = 2;

/**
 * An Any whose value is JSON, as BuildKit's typeurl registry expects for "+json" type URLs
 * (protobuf-encoded values would not decode there).
 */
export function jsonAny(typeUrl: string, value: unknown): Any {
  return create(AnySchema, { typeUrl, value: new TextEncoder().encode(JSON.stringify(value)) });
}

/** A 1-based line range; BuildKit marks whole lines, so character stays 0. */
export interface SourceLineRange {
  start: number;
  end?: number;
}

export interface SourceErrorInput {
  message: string;
  /** Shown as the file name above the snippet. */
  filename: string;
  /** The whole file, so BuildKit can print the lines around the error. */
  data: string | Uint8Array;
  /** Syntax hint for BuildKit's printer, e.g. "toml" or "yaml". */
  language?: string;
  ranges: readonly SourceLineRange[];
}

/** The JSON BuildKit's errdefs.Source takes; lowercase keys match both v0.8 and v0.13. */
export interface SourceDetailJson {
  info: { filename: string; data: string; language?: string };
  ranges: { start: { line: number }; end: { line: number } }[];
}

export function sourceDetailJson(input: SourceErrorInput): SourceDetailJson {
  const bytes = typeof input.data === "string" ? new TextEncoder().encode(input.data) : input.data;
  return {
    info: {
      filename: input.filename,
      data: Buffer.from(bytes).toString("base64"),
      ...(input.language ? { language: input.language } : {}),
    },
    // One range per line, as BuildKit's own Dockerfile errors do.
    ranges: input.ranges.flatMap((r) => {
      if (!Number.isInteger(r.start) || r.start < 1) throw new Error(`source line ${r.start} is not 1-based`);
      const end = r.end ?? r.start;
      const lines: { start: { line: number }; end: { line: number } }[] = [];
      for (let line = r.start; line <= end; line++) lines.push({ start: { line }, end: { line } });
      return lines;
    }),
  };
}

/** A Status (code Unknown) that makes BuildKit print `message` and the offending source lines. */
export function sourceErrorStatus(input: SourceErrorInput): Status {
  return create(StatusSchema, {
    code: STATUS_UNKNOWN,
    message: input.message,
    details: [jsonAny(SOURCE_DETAIL_TYPE_URL, sourceDetailJson(input))],
  });
}

/** A plain Status (code Unknown) carrying only a message. */
export function messageStatus(message: string, details: MessageInitShape<typeof AnySchema>[] = []): Status {
  return create(StatusSchema, { code: STATUS_UNKNOWN, message, details });
}

/**
 * The google.rpc.Status behind a failed call, details verbatim (type URLs untouched, so
 * BuildKit's own Source/Vertex details survive when forwarded into Return).
 */
export function statusFromError(err: unknown): Status {
  if (err instanceof ConnectError) {
    const bin = err.metadata.get("grpc-status-details-bin");
    if (bin !== null) {
      try {
        const status = decodeBinaryHeader(bin, StatusSchema);
        if (status.code !== 0) return status;
      } catch {
        // Fall through to code and message.
      }
    }
    return create(StatusSchema, { code: err.code, message: err.rawMessage });
  }
  return messageStatus(err instanceof Error ? err.message : String(err));
}

/** A failed LLBBridge call: the message for people plus the daemon's Status to forward. */
export class GatewayError extends Error {
  readonly code = "BUILDKIT_GATEWAY";
  readonly status: Status;
  readonly rpc: string;

  constructor(rpc: string, status: Status) {
    super(`${rpc}: ${status.message || Code[status.code] || `gRPC code ${status.code}`}`);
    this.name = "GatewayError";
    this.rpc = rpc;
    this.status = status;
  }
}
