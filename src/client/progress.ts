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

/** What a progress display is told, in the order the engine's status stream says it. */
export interface ProgressRenderer {
  started(step: StepRecord): void;
  /** `offset` is the seconds since the step started, as text ("1.250"). */
  log(step: StepRecord, offset: string, line: string): void;
  /** A transfer or export sub-task that finished ("transferring context 1.49kB"). */
  detail(step: StepRecord, text: string): void;
  completed(step: StepRecord): void;
  warning(text: string): void;
  /** The build is over: a live display draws its last frame. */
  finish(): void;
}

/** The build's steps, followed from Control.Status and shown by a renderer. */
export class BuildProgress {
  readonly steps = new Map<string, StepRecord>();
  readonly #partial = new Map<string, string>();
  readonly #announced = new Set<string>();
  readonly #renderer: ProgressRenderer;
  #count = 0;

  constructor(renderer: ProgressRenderer) {
    this.#renderer = renderer;
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

  #announce(step: StepRecord): void {
    if (this.#announced.has(step.digest)) return;
    this.#announced.add(step.digest);
    this.#renderer.started(step);
  }

  update(status: StatusResponse): void {
    for (const vertex of status.vertexes) {
      const step = this.#step(vertex.digest, vertex.name);
      step.name = vertex.name || step.name;
      if (vertex.inputs.length > 0) step.hasInputs = true;
      const started = millis(vertex.started);
      const completed = millis(vertex.completed);
      if (started !== undefined) step.started = started;
      if (started !== undefined || vertex.cached) this.#announce(step);
      if (completed === undefined || step.completed !== undefined) continue;
      step.completed = completed;
      step.cached = vertex.cached;
      if (vertex.error) step.error = vertex.error;
      this.#flushPartial(step);
      this.#renderer.completed(step);
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
      this.#renderer.detail(step, `${item.name || item.ID}${amount}`);
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
      this.#renderer.warning(new TextDecoder().decode(warning.short));
    }
  }

  #logLine(step: StepRecord, offset: string, line: string): void {
    step.tail.push(line);
    if (step.tail.length > FAILURE_TAIL_LINES) step.tail.shift();
    this.#renderer.log(step, offset, line);
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

  finish(): void {
    this.#renderer.finish();
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

function seconds(step: StepRecord): string {
  const ms = step.started !== undefined && step.completed !== undefined ? step.completed - step.started : 0;
  return `${(ms / 1000).toFixed(1)}s`;
}

/**
 * The `--progress plain` form docker build prints: `#N name` when a step starts, `#N <seconds>
 * <line>` for its output, then `#N DONE 1.2s`, `#N CACHED` or `#N ERROR: ...`; warnings as
 * `WARNING: ...`.
 */
export function plainRenderer(write: (text: string) => void): ProgressRenderer {
  return {
    started: (step) => write(`#${step.number} ${step.name}\n`),
    log: (step, offset, line) => write(`#${step.number} ${offset} ${line}\n`),
    detail: (step, text) => write(`#${step.number} ${text} done\n`),
    completed(step) {
      if (step.error !== undefined) write(`#${step.number} ERROR: ${step.error}\n`);
      else if (step.cached) write(`#${step.number} CACHED\n`);
      else write(`#${step.number} DONE ${seconds(step)}\n`);
    },
    warning: (text) => write(`WARNING: ${text}\n`),
    finish: () => {},
  };
}

/** `--progress quiet`: nothing is shown (a failure is still summed up by the command). */
export const QUIET_RENDERER: ProgressRenderer = {
  started: () => {},
  log: () => {},
  detail: () => {},
  completed: () => {},
  warning: () => {},
  finish: () => {},
};

/** Plain progress written to one function: what `--progress plain` uses. */
export class PlainProgress extends BuildProgress {
  constructor(write: (text: string) => void) {
    super(plainRenderer(write));
  }
}

export interface TtyOptions {
  write(text: string): void;
  /** Terminal width, for cutting long lines (which would break the redraw). */
  columns: number;
  colour: boolean;
  /** The time in milliseconds since the epoch (the engine's step times are too); tests hand in their own clock. */
  now(): number;
}

/** Log lines shown under each running step. */
export const TTY_LOG_LINES = 6;

/**
 * A live display for a terminal: each finished step is printed once (` => name  1.2s`, CACHED or
 * ERROR marked), and below them a redrawn area shows the build's time and count, then every
 * running step with its time and its last lines of output.
 */
export function ttyRenderer(options: TtyOptions): ProgressRenderer & { redraw(): void } {
  const started = options.now();
  const running = new Map<string, { step: StepRecord; lines: string[] }>();
  let done = 0;
  let total = 0;
  let liveHeight = 0;
  const paint = (code: number, text: string) => (options.colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const toWidth = (text: string) => {
    const width = Math.max(20, options.columns);
    return text.length > width ? `${text.slice(0, width - 1)}…` : text;
  };
  const clearLive = () => {
    if (liveHeight > 0) options.write(`\u001b[${liveHeight}A\u001b[J`);
    liveHeight = 0;
  };
  const drawLive = () => {
    const elapsed = ((options.now() - started) / 1000).toFixed(1);
    const lines = [paint(36, `[+] Building ${elapsed}s (${done}/${total})`)];
    for (const { step, lines: logs } of running.values()) {
      const time =
        step.started !== undefined
          ? ` ${(Math.max(0, options.now() - step.started) / 1000).toFixed(1)}s`
          : "";
      lines.push(toWidth(` => ${step.name}${time}`));
      for (const log of logs) lines.push(paint(2, toWidth(` => => # ${log}`)));
    }
    options.write(`${lines.join("\n")}\n`);
    liveHeight = lines.length;
  };
  const redraw = () => {
    clearLive();
    drawLive();
  };
  return {
    redraw,
    started(step) {
      total++;
      running.set(step.digest, { step, lines: [] });
      redraw();
    },
    log(step, _offset, line) {
      const entry = running.get(step.digest);
      if (!entry) return;
      entry.lines.push(line);
      if (entry.lines.length > TTY_LOG_LINES) entry.lines.shift();
      redraw();
    },
    detail: () => {},
    completed(step) {
      running.delete(step.digest);
      done++;
      clearLive();
      const line =
        step.error !== undefined
          ? paint(31, toWidth(` => ERROR ${step.name}  ${seconds(step)}`))
          : step.cached
            ? paint(34, toWidth(` => CACHED ${step.name}`))
            : toWidth(` => ${step.name}  ${seconds(step)}`);
      options.write(`${line}\n`);
      drawLive();
    },
    warning(text) {
      clearLive();
      options.write(`${paint(33, toWidth(`WARNING: ${text}`))}\n`);
      drawLive();
    },
    finish() {
      running.clear();
      redraw();
    },
  };
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
