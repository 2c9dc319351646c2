import { create } from "@bufbuild/protobuf";
import {
  type Input,
  InputSchema,
  type Op,
  type Platform as PbPlatform,
  PlatformSchema,
} from "../gen/pb/ops_pb.js";
import type { Capabilities } from "./caps.js";
import type { Platform } from "./platform.js";

/** Per-vertex metadata that does not change the vertex digest. */
export interface OpOptions {
  /** Name shown in build progress (description "llb.customname"). */
  customName?: string;
  /** Extra description entries; "llb.customname" is set from customName. */
  description?: Readonly<Record<string, string>>;
  /** Re-run this vertex even when a cached result exists. */
  ignoreCache?: boolean;
  /** Groups vertices in progress output (BuildKit v0.10+; older engines ignore it). */
  progressGroup?: { id: string; name: string; weak?: boolean };
}

/** What a vertex's marshal step hands back: the op (inputs included) and the caps it needs. */
export interface OpDraft {
  op: Op;
  caps: readonly string[];
}

export interface MarshalContext {
  /** Platform for image sources and execs whose state names none. */
  readonly platform: Platform;
  /** Engine capabilities, when known; some ops pick a fallback from them. */
  readonly caps: Capabilities | undefined;
  /** The pb.Input for an output whose vertex has already been marshalled (inputs go first). */
  input(output: Output): Input;
}

/** One node of the graph before marshalling. Implementations are immutable. */
export interface Vertex {
  /** Short kind for messages ("image", "exec", "file", ...). */
  readonly kind: string;
  readonly options: OpOptions;
  /** Outputs this vertex reads, in a fixed order; they are marshalled first. */
  inputs(): readonly Output[];
  marshal(ctx: MarshalContext): OpDraft;
}

/** A result of a vertex: output `index` of `vertex`. */
export interface Output {
  readonly vertex: Vertex;
  readonly index: number;
}

export function toPbPlatform(p: Platform): PbPlatform {
  return create(PlatformSchema, { OS: p.os, Architecture: p.architecture, Variant: p.variant ?? "" });
}

/** Adds `output` to `inputs` unless an equal input is already there; returns its index. */
export function addInput(inputs: Input[], ctx: MarshalContext, output: Output): bigint {
  const inp = ctx.input(output);
  const found = inputs.findIndex((i) => i.digest === inp.digest && i.index === inp.index);
  if (found >= 0) return BigInt(found);
  inputs.push(create(InputSchema, { digest: inp.digest, index: inp.index }));
  return BigInt(inputs.length - 1);
}

/** Copies a string map with its keys sorted, so protobuf-es writes entries in Go's order. */
export function sortedRecord<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key] as T;
  return out;
}

/** JSON list text as Go's encoding/json writes it (HTML-sensitive characters escaped). */
export function goJsonStringList(list: readonly string[]): string {
  return JSON.stringify(list).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
