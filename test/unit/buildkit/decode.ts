import { fromBinary } from "@bufbuild/protobuf";
import { type Op, OpSchema } from "../../../src/buildkit/gen/pb/ops_pb.js";
import { sha256Digest } from "../../../src/buildkit/llb/digest.js";
import type { MarshalledDefinition } from "../../../src/buildkit/llb/marshal.js";

/** Decodes every op of a marshalled definition, in order, with its digest. */
export function decodeOps(def: MarshalledDefinition): { digest: string; op: Op }[] {
  return def.definition.def.map((bytes) => ({
    digest: sha256Digest(bytes),
    op: fromBinary(OpSchema, bytes),
  }));
}

/** The op producing the result (the one the terminal op points at). */
export function headOp(def: MarshalledDefinition): Op {
  const ops = decodeOps(def);
  const found = ops.find((o) => o.digest === def.head);
  if (!found) throw new Error("head op not found");
  return found.op;
}

type OpCase = NonNullable<Op["op"]["case"]>;
type OpValue<C extends OpCase> = Extract<Op["op"], { case: C }>["value"];

/** The op's payload, asserting its kind. */
export function opOfCase<C extends OpCase>(op: Op, c: C): OpValue<C> {
  const o = op.op as { case: OpCase | undefined; value?: unknown };
  if (o.case !== c) throw new Error(`expected ${c} op, got ${o.case}`);
  return o.value as OpValue<C>;
}
