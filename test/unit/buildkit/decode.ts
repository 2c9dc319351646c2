import { fromBinary } from "@bufbuild/protobuf";
import { type Op, OpSchema } from "../../../src/buildkit/gen/pb/ops_pb.js";
import { sha256Digest } from "../../../src/buildkit/llb/digest.js";
import type { MarshalledDefinition } from "../../../src/buildkit/llb/marshal.js";

/** Decodes every op of a marshalled definition, in order, with its digest. */
export function decodeOps(def: MarshalledDefinition): { digest: string; op: Op }[] {
  return def.definition.def.map((bytes) => ({ digest: sha256Digest(bytes), op: fromBinary(OpSchema, bytes) }));
}

/** The op producing the result (the one the terminal op points at). */
export function headOp(def: MarshalledDefinition): Op {
  const ops = decodeOps(def);
  const found = ops.find((o) => o.digest === def.head);
  if (!found) throw new Error("head op not found");
  return found.op;
}

export function opOfCase<C extends NonNullable<Op["op"]["case"]>>(op: Op, c: C): Extract<Op["op"], { case: C }>["value"] {
  if (op.op.case !== c) throw new Error(`expected ${c} op, got ${op.op.case}`);
  return op.op.value as Extract<Op["op"], { case: C }>["value"];
}
