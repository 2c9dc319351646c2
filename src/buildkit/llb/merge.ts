import { create } from "@bufbuild/protobuf";
import { FileActionSchema, type Input, OpSchema, WorkerConstraintsSchema } from "../gen/pb/ops_pb.js";
import { LlbCap } from "./caps.js";
import { type State, scratch } from "./state.js";
import {
  addInput,
  type MarshalContext,
  type OpDraft,
  type OpOptions,
  type Output,
  type Vertex,
} from "./vertex.js";

export interface MergeOptions extends OpOptions {
  /**
   * What to do on engines without cap "mergeop" (BuildKit < v0.10, e.g. Docker 20.10):
   * "copy" (default) copies each later input's root onto the first, giving the same files;
   * "error" fails the marshal with a message naming the cap.
   */
  fallback?: "copy" | "error";
}

/** A MergeOp: the layers of all inputs stacked, later inputs winning. */
export class MergeVertex implements Vertex {
  readonly kind = "merge";
  readonly options: MergeOptions;
  readonly #inputs: readonly Output[];

  constructor(inputs: readonly Output[], options: MergeOptions) {
    this.#inputs = inputs;
    this.options = options;
  }

  /** Whether marshalling against `ctx` falls back to copying. */
  usesCopyFallback(ctx: MarshalContext): boolean {
    return ctx.caps !== undefined && !ctx.caps.llb.has(LlbCap.mergeOp) && this.options.fallback !== "error";
  }

  inputs(): readonly Output[] {
    return this.#inputs;
  }

  marshal(ctx: MarshalContext): OpDraft {
    const inputs: Input[] = [];
    if (this.usesCopyFallback(ctx)) {
      const [first, ...rest] = this.#inputs;
      const base = addInput(inputs, ctx, first!);
      const sources = rest.map((o) => addInput(inputs, ctx, o));
      const n = BigInt(inputs.length);
      const actions = sources.map((src, i) =>
        create(FileActionSchema, {
          input: i === 0 ? base : n + BigInt(i - 1),
          secondaryInput: src,
          output: i === sources.length - 1 ? 0n : -1n,
          action: {
            case: "copy",
            value: {
              src: "/",
              dest: "/",
              mode: -1,
              dirCopyContents: true,
              createDestPath: true,
              allowWildcard: true,
              allowEmptyWildcard: true,
              timestamp: -1n,
            },
          },
        }),
      );
      const op = create(OpSchema, {
        inputs,
        op: { case: "file", value: { actions } },
        constraints: create(WorkerConstraintsSchema, {}),
      });
      return { op, caps: [LlbCap.fileBase] };
    }
    // BuildKit lists every merge input, repeats included.
    const mergeInputs = this.#inputs.map((o) => {
      inputs.push(ctx.input(o));
      return { input: BigInt(inputs.length - 1) };
    });
    const op = create(OpSchema, {
      inputs,
      op: { case: "merge", value: { inputs: mergeInputs } },
      constraints: create(WorkerConstraintsSchema, {}),
    });
    return { op, caps: [LlbCap.mergeOp] };
  }
}

/**
 * Stacks states like BuildKit's llb.Merge: scratch inputs are dropped, one input is returned as
 * is, and the result keeps the first input's settings.
 */
export function merge(states: readonly State[], options: MergeOptions = {}): State {
  const nonEmpty = states.filter((s) => !s.isScratch());
  if (nonEmpty.length === 0) return scratch();
  const [first] = nonEmpty;
  if (nonEmpty.length === 1) return first!;
  const outputs = nonEmpty.map((s) => s.output!);
  return first!.withOutput({ vertex: new MergeVertex(outputs, options), index: 0 });
}
