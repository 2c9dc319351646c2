import type { Timestamp } from "@bufbuild/protobuf/wkt";
import type { StatusResponse } from "../buildkit/gen/moby/buildkit/v1/control_pb.js";

/** One step of the build as the engine reported it. */
export interface StepRecord {
  /** Its number in the output, `#N`, in the order the engine first named it. */
  number: number;
  digest: string;
  name: string;
  cached: boolean;
  /** A step built from other steps (run, copy, ...), not a source or the export: what caching can skip. */
  hasInputs: boolean;
  started?: number;
  completed?: number;
  error?: string;
  /** The step's last log lines (stdout and stderr), kept for a failure's summary. */
  tail: string[];
}

/** Log lines kept per step, and shown for a failed one. */
export const FAILURE_TAIL_LINES = 12;

function millis(ts: Timestamp | undefined): number | undefined {
  return ts === undefined ? undefined : Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6);
}

/**
 * BuildKit's progress in the `--progress plain` form docker build prints: `#N name` when a step
 * starts, `#N <seconds> <line>` for its output, then `#N DONE 1.2s`, `#N CACHED` or
 * `#N ERROR: ...`; warnings as `WARNING: ...`.
 */
export class PlainProgress {
  readonly steps = new Map<string, StepRecord>();
  readonly #partial = new Map<string, string>();
  readonly #write: (text: string) => void;
  #count = 0;

  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  #step(digest: string, name?: string): StepRecord {
    let step = this.steps.get(digest);
    if (!step) {
      step = {
        number: ++this.#count,
        digest,
        name: name ?? digest,
        cached: false,
        hasInputs: false,
        tail: [],
      };
      this.steps.set(digest, step);
    }
    return step;
  }

  #announced = new Set<string>();

  #announce(step: StepRecord): void {
    if (this.#announced.has(step.digest)) return;
    this.#announced.add(step.digest);
    this.#write(`#${step.number} ${step.name}\n`);
  }

  update(status: StatusResponse): void {
    for (const vertex of status.vertexes) {
      const step = this.#step(vertex.digest, vertex.name);
      step.name = vertex.name || step.name;
      if (vertex.inputs.length > 0) step.hasInputs = true;
      const started = millis(vertex.started);
      const completed = millis(vertex.completed);
      if (started !== undefined || vertex.cached) this.#announce(step);
      if (started !== undefined) step.started = started;
      if (completed === undefined || step.completed !== undefined) continue;
      step.completed = completed;
      step.cached = vertex.cached;
      this.#flushPartial(step);
      if (vertex.error) {
        step.error = vertex.error;
        this.#write(`#${step.number} ERROR: ${vertex.error}\n`);
      } else if (vertex.cached) {
        this.#write(`#${step.number} CACHED\n`);
      } else {
        const seconds = step.started === undefined ? 0 : (completed - step.started) / 1000;
        this.#write(`#${step.number} DONE ${seconds.toFixed(1)}s\n`);
      }
    }
    for (const item of status.statuses) {
      if (millis(item.completed) === undefined) continue;
      const step = this.#step(item.vertex);
      this.#announce(step);
      const amount =
        item.total > 0n
          ? ` ${formatBytes(item.current)} / ${formatBytes(item.total)}`
          : item.current > 0n
            ? ` ${formatBytes(item.current)}`
            : "";
      this.#write(`#${step.number} ${item.name || item.ID}${amount} done\n`);
    }
    for (const log of status.logs) {
      const step = this.#step(log.vertex);
      this.#announce(step);
      const key = `${log.vertex}/${log.stream}`;
      const text = (this.#partial.get(key) ?? "") + new TextDecoder().decode(log.msg);
      const lines = text.split("\n");
      this.#partial.set(key, lines.pop() ?? "");
      const at = millis(log.timestamp);
      const offset =
        at !== undefined && step.started !== undefined ? ((at - step.started) / 1000).toFixed(3) : "0.000";
      for (const line of lines) this.#logLine(step, offset, line.replace(/\r$/, ""));
    }
    for (const warning of status.warnings) {
      this.#write(`WARNING: ${new TextDecoder().decode(warning.short)}\n`);
    }
  }

  #logLine(step: StepRecord, offset: string, line: string): void {
    this.#write(`#${step.number} ${offset} ${line}\n`);
    step.tail.push(line);
    if (step.tail.length > FAILURE_TAIL_LINES) step.tail.shift();
  }

  #flushPartial(step: StepRecord): void {
    for (const [key, rest] of this.#partial) {
      if (!key.startsWith(`${step.digest}/`) || rest === "") continue;
      const offset =
        step.completed !== undefined && step.started !== undefined
          ? ((step.completed - step.started) / 1000).toFixed(3)
          : "0.000";
      this.#logLine(step, offset, rest);
      this.#partial.set(key, "");
    }
  }

  /** The steps that failed, with their last lines, for the summary under a failed build. */
  failureSummary(): string {
    const failed = [...this.steps.values()].filter((s) => s.error !== undefined);
    return failed
      .map((s) => {
        const tail = s.tail.length > 0 ? `\n${s.tail.map((l) => `  > ${l}`).join("\n")}` : "";
        return `failed step #${s.number}: ${s.name}${tail}`;
      })
      .join("\n");
  }
}

export function formatBytes(value: bigint): string {
  const n = Number(value);
  if (n < 1000) return `${n}B`;
  const units = ["kB", "MB", "GB", "TB"];
  let scaled = n / 1000;
  let unit = 0;
  while (scaled >= 1000 && unit < units.length - 1) {
    scaled /= 1000;
    unit++;
  }
  return `${scaled.toFixed(2)}${units[unit]}`;
}
