import { fromBinary, type JsonValue, toJson } from "@bufbuild/protobuf";
import { type Definition, OpMetadataSchema, OpSchema } from "../gen/pb/ops_pb.js";
import { type Digest, sha256Digest } from "./digest.js";

export interface OpJson {
  digest: Digest;
  /** The decoded op in protobuf JSON form (int64 as strings, bytes as base64). */
  op: JsonValue;
  metadata?: JsonValue;
}

export interface DefinitionJson {
  /** Digest of the op producing the result (the terminal op's input). */
  head: string | undefined;
  ops: OpJson[];
}

/** A Definition for people: every op decoded and labelled with its digest, in definition order. */
export function definitionToJson(definition: Definition): DefinitionJson {
  const ops = definition.def.map((bytes): OpJson => {
    const digest = sha256Digest(bytes);
    const md = definition.metadata[digest];
    return {
      digest,
      op: toJson(OpSchema, fromBinary(OpSchema, bytes)),
      ...(md ? { metadata: toJson(OpMetadataSchema, md) } : {}),
    };
  });
  const last = definition.def.at(-1);
  const head = last ? fromBinary(OpSchema, last).inputs[0]?.digest : undefined;
  return { head, ops };
}
