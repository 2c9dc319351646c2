/**
 * An opt-in trace of the frontend's own time: Node's start-up, the bundle's load, every gateway
 * call (when it started, how long it took) and the Return. Lines go to stderr, which BuildKit
 * keeps as the frontend container's log (the daemon's log on BuildKit 0.8, the build's progress
 * on newer engines). Turned on by `--build-arg PYFRONT_TRACE=1` (no step of the build reads that
 * name, so it changes no cache key) or PYFRONT_TRACE=1 in the frontend's environment.
 */

export const TRACE_BUILD_ARG = "PYFRONT_TRACE";

/** Values that turn the trace on; anything else (unset, "", "0", "false") leaves it off. */
export function traceRequested(
  opts: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  const on = (value: string | undefined) =>
    value !== undefined && value !== "" && value !== "0" && value.toLowerCase() !== "false";
  return on(opts[`build-arg:${TRACE_BUILD_ARG}`]) || on(env[TRACE_BUILD_ARG]);
}

/** Milestones of Node's own start, in ms since the process's time origin (performance.nodeTiming). */
export interface StartupTiming {
  /** Node's bootstrap finished: from here on the time is the bundle's. */
  bootstrapComplete: number;
}

export interface TraceClock {
  /** ms since the process's time origin (performance.now()). */
  now(): number;
  /**
   * CPU time the process has used so far, in ms (user and system). Shown next to the wall-clock
   * times: on a busy machine it tells the frontend's own work from waiting for a core.
   */
  cpu?(): number;
}

/** The process's CPU time in ms, for TraceClock.cpu. */
export function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

interface CallRecord {
  name: string;
  startMs: number;
  durationMs: number;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

/** What a call was about, briefly: the path read, the image resolved, the size of a solve. */
function describeCall(method: string, args: readonly unknown[]): string {
  switch (method) {
    case "readFile":
    case "readDir":
    case "statFile":
      return typeof args[1] === "string" ? ` ${args[1]}` : "";
    case "resolveImageConfig":
      return typeof args[0] === "string" ? ` ${args[0]}` : "";
    case "solve": {
      const target = args[0] as { definition?: { def?: unknown[] }; frontend?: string } | undefined;
      if (target?.definition?.def) return ` (${target.definition.def.length} ops)`;
      return target?.frontend ? ` (frontend ${target.frontend})` : "";
    }
    default:
      return "";
  }
}

export class FrontendTrace {
  readonly #write: (line: string) => void;
  readonly #clock: TraceClock;
  readonly #calls: CallRecord[] = [];
  #inFlight = 0;
  #busySince = 0;
  /** Wall-clock time with at least one gateway call outstanding (calls overlap). */
  #gatewayMs = 0;

  constructor(write: (line: string) => void, clock: TraceClock) {
    this.#write = write;
    this.#clock = clock;
  }

  /** The start-up lines: Node's bootstrap, then the bundle's load up to now. */
  startup(timing: StartupTiming): void {
    const now = this.#clock.now();
    this.#line(`${ms(timing.bootstrapComplete)} node bootstrap done`);
    this.#line(
      `${ms(now)} bundle loaded (${ms(now - timing.bootstrapComplete)} after bootstrap)${this.#cpu()}`,
    );
  }

  /**
   * The client, with every method call timed. Methods run on the real client (private fields
   * need their own `this`); other properties read through.
   */
  gateway<T extends object>(client: T): T {
    return new Proxy(client, {
      get: (target, property) => {
        const value = Reflect.get(target, property, target);
        if (typeof value !== "function" || typeof property !== "string") return value;
        return (...args: unknown[]) => this.#timed(property, args, () => value.apply(target, args));
      },
    });
  }

  async #timed<R>(method: string, args: readonly unknown[], call: () => R): Promise<Awaited<R>> {
    const name = `${method}${describeCall(method, args)}`;
    const start = this.#clock.now();
    if (this.#inFlight++ === 0) this.#busySince = start;
    let outcome = "ok";
    try {
      return await call();
    } catch (error) {
      outcome = `failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
      throw error;
    } finally {
      const end = this.#clock.now();
      if (--this.#inFlight === 0) this.#gatewayMs += end - this.#busySince;
      this.#calls.push({ name, startMs: start, durationMs: end - start });
      this.#line(`${ms(start)} ${name}: ${ms(end - start)} ${outcome}`);
    }
  }

  /** The closing line, once Return has been answered: the frontend's own time, start to Return. */
  finish(timing: StartupTiming): void {
    const total = this.#clock.now();
    this.#line(
      `${ms(total)} done: ${ms(total)} from process start to Return answered; ` +
        `node bootstrap ${ms(timing.bootstrapComplete)}, ` +
        `${this.#calls.length} gateway calls outstanding for ${ms(this.#gatewayMs)}, ` +
        `the rest (bundle load, spec, plan, render) ${ms(total - timing.bootstrapComplete - this.#gatewayMs)}` +
        this.#cpu(),
    );
  }

  #cpu(): string {
    return this.#clock.cpu ? `; cpu ${ms(this.#clock.cpu())}` : "";
  }

  #line(text: string): void {
    this.#write(`pyfront trace: ${text}\n`);
  }
}
