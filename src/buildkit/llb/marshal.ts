import { create, toBinary } from "@bufbuild/protobuf";
import {
  type Definition,
  DefinitionSchema,
  type Input,
  InputSchema,
  type OpMetadata,
  OpMetadataSchema,
  OpSchema,
} from "../gen/pb/ops_pb.js";
import { CAP_FIRST_RELEASE, type Capabilities, LlbCap } from "./caps.js";
import { type Digest, sha256Digest } from "./digest.js";
import { DEFAULT_PLATFORM, type Platform } from "./platform.js";
import type { State } from "./state.js";
import { type MarshalContext, type OpOptions, type Output, sortedRecord, type Vertex } from "./vertex.js";

export interface MarshalOptions {
  /** Platform for image sources and runs whose state names none; default linux/amd64. */
  platform?: Platform;
  /** The engine's capabilities: every cap used is checked, and fallbacks are chosen from them. */
  caps?: Capabilities;
}

export interface MarshalledDefinition {
  definition: Definition;
  /** definition as protobuf bytes: identical for identical graphs. */
  bytes: Uint8Array;
  /** Digest of the op producing the result; undefined for scratch. */
  head: Digest | undefined;
}

/** One cap the engine lacks, with the first BuildKit release that has it and who needs it. */
export interface MissingCap {
  cap: string;
  since: string | undefined;
  neededBy: string;
  reason: string;
}

/** Thrown when a graph needs capabilities the engine does not offer; lists all of them. */
export class LlbCapabilityError extends Error {
  readonly code = "LLB_MISSING_CAPS";
  readonly missing: readonly MissingCap[];

  constructor(missing: readonly MissingCap[]) {
    super(
      missing.length === 1
        ? `${missing[0]!.neededBy} needs ${missing[0]!.reason}`
        : `this build needs capabilities the engine lacks:\n${missing.map((m) => `  - ${m.neededBy}: ${m.reason}`).join("\n")}`,
    );
    this.name = "LlbCapabilityError";
    this.missing = missing;
  }
}

function describe(v: Vertex): string {
  return v.options.customName ? `${v.kind} op "${v.options.customName}"` : `${v.kind} op`;
}

function opMetadata(options: OpOptions, caps: readonly string[]): OpMetadata {
  const description: Record<string, string> = { ...(options.description ?? {}) };
  if (options.customName !== undefined) description["llb.customname"] = options.customName;
  const capMap: Record<string, boolean> = {};
  for (const c of caps) capMap[c] = true;
  return create(OpMetadataSchema, {
    ignoreCache: options.ignoreCache === true,
    description: sortedRecord(description),
    caps: sortedRecord(capMap),
    ...(options.progressGroup
      ? {
          progressGroup: {
            id: options.progressGroup.id,
            name: options.progressGroup.name,
            weak: options.progressGroup.weak === true,
          },
        }
      : {}),
  });
}

/** Two equal ops share one digest; their metadata merges as BuildKit's client merges it. */
function mergeMetadata(a: OpMetadata, b: OpMetadata): OpMetadata {
  return create(OpMetadataSchema, {
    ignoreCache: a.ignoreCache || b.ignoreCache,
    description: sortedRecord({ ...a.description, ...b.description }),
    caps: sortedRecord({ ...a.caps, ...b.caps }),
    ...((b.progressGroup ?? a.progressGroup) ? { progressGroup: b.progressGroup ?? a.progressGroup } : {}),
  });
}

/**
 * Walks the graph under `state` and produces a pb.Definition: ops deduplicated by digest in
 * topological order, then a terminal op naming the result. Pure and deterministic.
 */
export function marshalDefinition(state: State, options: MarshalOptions = {}): MarshalledDefinition {
  const digests = new Map<Vertex, Digest>();
  const ops: Uint8Array[] = [];
  const metadata = new Map<Digest, OpMetadata>();
  const missing = new Map<string, MissingCap>();
  const caps = options.caps;

  const ctx: MarshalContext = {
    platform: options.platform ?? DEFAULT_PLATFORM,
    caps,
    input(output: Output): Input {
      const digest = digests.get(output.vertex);
      if (digest === undefined)
        throw new Error(`internal: input ${output.vertex.kind} op marshalled out of order`);
      return create(InputSchema, { digest, index: BigInt(output.index) });
    },
  };

  const check = (cap: string, neededBy: string): void => {
    if (caps === undefined || caps.llb.has(cap) || missing.has(`${cap}\u0000${neededBy}`)) return;
    missing.set(`${cap}\u0000${neededBy}`, {
      cap,
      since: CAP_FIRST_RELEASE[cap],
      neededBy,
      reason: caps.llb.explain(cap),
    });
  };

  // Iterative post-order walk: long chains must not overflow the stack.
  const stack: { vertex: Vertex; expanded: boolean }[] = [];
  if (state.output) stack.push({ vertex: state.output.vertex, expanded: false });
  const onPath = new Set<Vertex>();
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (digests.has(top.vertex)) {
      stack.pop();
      continue;
    }
    if (!top.expanded) {
      top.expanded = true;
      if (onPath.has(top.vertex)) throw new Error("internal: the LLB graph has a cycle");
      onPath.add(top.vertex);
      const inputs = top.vertex.inputs();
      for (let i = inputs.length - 1; i >= 0; i--) {
        const v = inputs[i]!.vertex;
        if (!digests.has(v)) stack.push({ vertex: v, expanded: false });
      }
      continue;
    }
    stack.pop();
    onPath.delete(top.vertex);
    const draft = top.vertex.marshal(ctx);
    const bytes = toBinary(OpSchema, draft.op);
    const digest = sha256Digest(bytes);
    digests.set(top.vertex, digest);
    for (const cap of draft.caps) check(cap, describe(top.vertex));
    const md = opMetadata(top.vertex.options, draft.caps);
    const prev = metadata.get(digest);
    if (prev === undefined) ops.push(bytes);
    metadata.set(digest, prev ? mergeMetadata(prev, md) : md);
  }

  let head: Digest | undefined;
  if (state.output) {
    head = digests.get(state.output.vertex);
    const terminal = toBinary(OpSchema, create(OpSchema, { inputs: [ctx.input(state.output)] }));
    const termCaps: string[] = [LlbCap.constraints, LlbCap.platform];
    const all = [...metadata.values()];
    if (all.some((m) => m.ignoreCache)) termCaps.push(LlbCap.metaIgnoreCache);
    if (all.some((m) => Object.keys(m.description).length > 0)) termCaps.push(LlbCap.metaDescription);
    if (all.some((m) => m.exportCache !== undefined)) termCaps.push(LlbCap.metaExportCache);
    for (const cap of termCaps) check(cap, "the definition");
    ops.push(terminal);
    metadata.set(sha256Digest(terminal), opMetadata({}, termCaps));
  }

  if (missing.size > 0) throw new LlbCapabilityError([...missing.values()]);

  const sortedMetadata: Record<string, OpMetadata> = {};
  for (const key of [...metadata.keys()].sort()) sortedMetadata[key] = metadata.get(key)!;
  const definition = create(DefinitionSchema, { def: ops, metadata: sortedMetadata });
  return { definition, bytes: toBinary(DefinitionSchema, definition), head };
}
