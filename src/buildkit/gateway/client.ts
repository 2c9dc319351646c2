import type { Duplex } from "node:stream";
import { create, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { type Client, Code, createClient, type Transport } from "@connectrpc/connect";
import type { Stat } from "../gen/fsutil/types/stat_pb.js";
import { type Status, StatusSchema } from "../gen/google/rpc/status_pb.js";
import {
  AttestationKind,
  LLBBridge,
  type Result,
  ResultSchema,
  type SolveRequest,
  SolveRequestSchema,
} from "../gen/moby/buildkit/v1/frontend/gateway_pb.js";
import type { WorkerRecord } from "../gen/moby/buildkit/v1/types/worker_pb.js";
import type { Definition } from "../gen/pb/ops_pb.js";
import { Capabilities, GatewayCap } from "../llb/caps.js";
import type { Platform } from "../llb/platform.js";
import { toPbPlatform } from "../llb/vertex.js";
import { GatewayError, statusFromError } from "./errors.js";
import { createDuplexTransport, createStdioTransport } from "./transport.js";

/** BuildKit's gRPC receive limit; a larger request fails with ResourceExhausted. */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
const PING_TIMEOUT_MS = 15_000;

export interface PingResult {
  caps: Capabilities;
  workers: WorkerRecord[];
}

export type SolveTarget =
  | { definition: Definition }
  | { frontend: string; frontendOpt?: Record<string, string>; frontendInputs?: Record<string, Definition> };

export interface SolveOptions {
  /** Build now so failures surface here (cap gateway.solve.evaluate), not at export. */
  evaluate?: boolean;
  cacheImports?: { type: string; attrs: Record<string, string> }[];
}

export interface SolveResult {
  /** Ref id for ReadFile/ReadDir/StatFile/Return; "" is an empty (scratch) result. */
  ref: string | undefined;
  /** Per-platform refs when the solved frontend returned several. */
  refs: Record<string, string> | undefined;
  metadata: Record<string, Uint8Array>;
  /** The daemon's Result as is, for forwarding into return(). */
  result: Result | undefined;
}

export interface ImageConfigResult {
  digest: string;
  /** The image config JSON, raw. */
  config: Uint8Array;
  ref: string;
}

export interface WarnInput {
  /** Digest of the vertex the warning belongs to, if any. */
  digest?: string;
  level?: number;
  short: string;
  detail?: string[];
  url?: string;
  /** The file the ranges point into. */
  source?: { filename: string; data: string | Uint8Array; language?: string };
  /** 1-based line ranges in sourceInfo. */
  ranges?: { start: number; end?: number }[];
}

/**
 * An in-toto attestation of the result (BuildKit v0.11+, cap reference.attestations): the file at
 * `path` in the solved `ref` is the predicate; its subject is the image (BuildKit fills it in).
 */
export interface AttestationInput {
  ref: string;
  path: string;
  predicateType: string;
  metadata?: Record<string, string>;
}

export type ReturnInput =
  | {
      ref?: string;
      refs?: Record<string, string>;
      metadata?: Record<string, Uint8Array | string>;
      /** By platform key (`linux/amd64`), as BuildKit's exporters look them up. */
      attestations?: Record<string, AttestationInput[]>;
    }
  | { result: Result }
  | { error: Status };

function sortedEntries<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(record).sort()) out[k] = record[k] as T;
  return out;
}

/**
 * The LLBBridge client a gateway frontend uses. Calls ping() first: later calls use the caps it
 * returns to refuse what the engine cannot do with a clear message.
 *
 * After return(), the caller must end the process (process.exit): the pipe and HTTP/2 session
 * stay open and BuildKit waits for the frontend to exit.
 */
export class GatewayClient {
  readonly #rpc: Client<typeof LLBBridge>;
  #caps: Capabilities | undefined;

  constructor(transport: Transport) {
    this.#rpc = createClient(LLBBridge, transport);
  }

  /** Capabilities from the last ping(), if any. */
  get caps(): Capabilities | undefined {
    return this.#caps;
  }

  async #call<T>(rpc: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw new GatewayError(rpc, statusFromError(err));
    }
  }

  #require(cap: string, what: string): void {
    if (this.#caps && !this.#caps.frontend.has(cap)) {
      throw new Error(`${what} needs ${this.#caps.frontend.explain(cap)}`);
    }
  }

  async ping(): Promise<PingResult> {
    const pong = await this.#call("Ping", () => this.#rpc.ping({}, { timeoutMs: PING_TIMEOUT_MS }));
    this.#caps = new Capabilities(pong.LLBCaps, pong.FrontendAPICaps);
    return { caps: this.#caps, workers: pong.Workers };
  }

  async solve(target: SolveTarget, options: SolveOptions = {}): Promise<SolveResult> {
    if (options.evaluate) this.#require(GatewayCap.solveEvaluate, "solve with evaluate");
    const base: MessageInitShape<typeof SolveRequestSchema> = {
      allowResultReturn: true,
      allowResultArrayRef: true,
      Evaluate: options.evaluate === true,
      CacheImports: (options.cacheImports ?? []).map((c) => ({
        Type: c.type,
        Attrs: sortedEntries(c.attrs),
      })),
    };
    let req: SolveRequest;
    if ("definition" in target) {
      req = create(SolveRequestSchema, { ...base, Definition: target.definition });
    } else {
      if (target.frontendInputs && Object.keys(target.frontendInputs).length > 0) {
        this.#require(GatewayCap.frontendInputs, "solve with frontend inputs");
      }
      req = create(SolveRequestSchema, {
        ...base,
        Frontend: target.frontend,
        FrontendOpt: sortedEntries(target.frontendOpt ?? {}),
        FrontendInputs: sortedEntries(target.frontendInputs ?? {}),
      });
    }
    const size = toBinary(SolveRequestSchema, req).length;
    if (size > MAX_REQUEST_BYTES) {
      throw new Error(
        `the build definition is ${(size / 1048576).toFixed(1)} MiB, over BuildKit's 4 MiB request limit; ` +
          "move large inline files into the build context",
      );
    }
    const res = await this.#call("Solve", () => this.#rpc.solve(req));
    const result = res.result;
    let ref: string | undefined = res.ref || undefined;
    let refs: Record<string, string> | undefined;
    if (result) {
      switch (result.result.case) {
        case "ref":
          ref = result.result.value.id;
          break;
        case "refDeprecated":
          ref = result.result.value;
          break;
        case "refs":
          refs = {};
          for (const [k, v] of Object.entries(result.result.value.refs)) refs[k] = v.id;
          break;
        case "refsDeprecated":
          refs = { ...result.result.value.refs };
          break;
      }
    }
    return { ref, refs, metadata: result?.metadata ?? {}, result };
  }

  async readFile(ref: string, path: string, range?: { offset: number; length: number }): Promise<Uint8Array> {
    const res = await this.#call("ReadFile", () =>
      this.#rpc.readFile({
        Ref: ref,
        FilePath: path,
        ...(range ? { Range: { Offset: BigInt(range.offset), Length: BigInt(range.length) } } : {}),
      }),
    );
    return res.Data;
  }

  async readDir(ref: string, path: string, includePattern = ""): Promise<Stat[]> {
    const res = await this.#call("ReadDir", () =>
      this.#rpc.readDir({ Ref: ref, DirPath: path, IncludePattern: includePattern }),
    );
    return res.entries;
  }

  async statFile(ref: string, path: string): Promise<Stat> {
    const res = await this.#call("StatFile", () => this.#rpc.statFile({ Ref: ref, Path: path }));
    if (!res.stat)
      throw new GatewayError("StatFile", create(StatusSchema, { code: 5, message: `no stat for ${path}` }));
    return res.stat;
  }

  async resolveImageConfig(
    ref: string,
    options: {
      platform?: Platform;
      resolveMode?: "default" | "pull" | "local";
      logName?: string;
      sessionId?: string;
    } = {},
  ): Promise<ImageConfigResult> {
    const res = await this.#call("ResolveImageConfig", () =>
      this.#rpc.resolveImageConfig({
        Ref: ref,
        ...(options.platform ? { Platform: toPbPlatform(options.platform) } : {}),
        ResolveMode: options.resolveMode ?? "default",
        LogName: options.logName ?? "",
        SessionID: options.sessionId ?? "",
      }),
    );
    return { digest: res.Digest, config: res.Config, ref: res.Ref };
  }

  /**
   * The frontend inputs (e.g. "context", "dockerfile") a forwarding client passed; {} on engines
   * without the cap. Callable before ping() answers (one round trip less): an engine that has no
   * Inputs answers Unimplemented.
   */
  async inputs(): Promise<Record<string, Definition>> {
    if (this.#caps && !this.#caps.frontend.has(GatewayCap.frontendInputs)) return {};
    try {
      return (await this.#call("Inputs", () => this.#rpc.inputs({}))).Definitions;
    } catch (error) {
      if (error instanceof GatewayError && error.status.code === Code.Unimplemented) return {};
      throw error;
    }
  }

  /** Builds a ref now (cap gateway.evaluate, BuildKit v0.11+). */
  async evaluate(ref: string): Promise<void> {
    this.#require(GatewayCap.evaluate, "evaluate");
    await this.#call("Evaluate", () => this.#rpc.evaluate({ Ref: ref }));
  }

  /** Shows a warning to the user (cap gateway.warnings, BuildKit v0.10+); false when the engine cannot. */
  async warn(warning: WarnInput): Promise<boolean> {
    if (!this.#caps?.frontend.has(GatewayCap.warnings)) return false;
    const enc = new TextEncoder();
    await this.#call("Warn", () =>
      this.#rpc.warn({
        digest: warning.digest ?? "",
        level: BigInt(warning.level ?? 1),
        short: enc.encode(warning.short),
        detail: (warning.detail ?? []).map((d) => enc.encode(d)),
        url: warning.url ?? "",
        ...(warning.source
          ? {
              info: {
                filename: warning.source.filename,
                data:
                  typeof warning.source.data === "string"
                    ? enc.encode(warning.source.data)
                    : warning.source.data,
                language: warning.source.language ?? "",
              },
            }
          : {}),
        ranges: (warning.ranges ?? []).map((r) => ({
          start: { line: r.start },
          end: { line: r.end ?? r.start },
        })),
      }),
    );
    return true;
  }

  /**
   * Hands the build's result or error to BuildKit. Always sends one of the two (a Return with
   * neither crashes older daemons). The caller exits the process afterwards.
   */
  async return(input: ReturnInput): Promise<void> {
    if ("error" in input) {
      await this.#call("Return", () => this.#rpc.return({ error: input.error }));
      return;
    }
    if ("result" in input) {
      await this.#call("Return", () => this.#rpc.return({ result: input.result }));
      return;
    }
    const enc = new TextEncoder();
    const metadata: Record<string, Uint8Array> = {};
    for (const [k, v] of Object.entries(sortedEntries(input.metadata ?? {}))) {
      metadata[k] = typeof v === "string" ? enc.encode(v) : v;
    }
    const attestations = input.attestations ?? {};
    if (Object.keys(attestations).length > 0) {
      this.#require(GatewayCap.attestations, "returning attestations");
    }
    const attestationsPb = Object.fromEntries(
      Object.keys(attestations)
        .sort()
        .map((key) => [
          key,
          {
            attestation: (attestations[key] ?? []).map((a) => ({
              kind: AttestationKind.InToto,
              ref: { id: a.ref },
              path: a.path,
              inTotoPredicateType: a.predicateType,
              metadata: Object.fromEntries(
                Object.keys(a.metadata ?? {})
                  .sort()
                  .map((k) => [k, enc.encode(a.metadata?.[k] ?? "")]),
              ),
            })),
          },
        ]),
    );
    let result: Result;
    if (input.refs) {
      const refs: Record<string, { id: string }> = {};
      for (const [k, id] of Object.entries(sortedEntries(input.refs))) refs[k] = { id };
      result = create(ResultSchema, {
        result: { case: "refs", value: { refs } },
        metadata,
        attestations: attestationsPb,
      });
    } else {
      result = create(ResultSchema, {
        result: { case: "ref", value: { id: input.ref ?? "" } },
        metadata,
        attestations: attestationsPb,
      });
    }
    await this.#call("Return", () => this.#rpc.return({ result }));
  }
}

export function createGatewayClient(transport: Transport): GatewayClient {
  return new GatewayClient(transport);
}

/** A client over any byte stream; `open` runs once, on the first call. */
export function createGatewayClientOverDuplex(open: () => Duplex): GatewayClient {
  return new GatewayClient(createDuplexTransport(open));
}

/** The client a frontend process uses: LLBBridge on stdin/stdout. Nothing else may write to stdout. */
export function connectGatewayOverStdio(): GatewayClient {
  return new GatewayClient(createStdioTransport());
}
