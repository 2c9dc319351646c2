/**
 * The start-up benchmark's figures (bench/cli-start.ts): the commands timed, hyperfine's results
 * turned into milliseconds against the floor (`node -e 0`, the first command) and the Markdown
 * table. Pure: everything is handed in.
 */

/** One command hyperfine times. */
export interface CliStartCommand {
  name: string;
  command: string;
  /** The goal in milliseconds, where issue 17 sets one. */
  goalMs?: number;
}

/** The commands, the floor first: the installed `pyfront` at `pyfront`, the project copied to `project`. */
export function cliStartCommands(node: string, pyfront: string, project: string): CliStartCommand[] {
  return [
    { name: "node -e 0", command: `${node} -e 0` },
    { name: "pyfront --help", command: `${pyfront} --help`, goalMs: 100 },
    { name: "pyfront plan (webapp)", command: `${pyfront} plan ${project}`, goalMs: 150 },
  ];
}

/** What hyperfine's --export-json holds per command, in seconds. */
export interface HyperfineResult {
  mean: number;
  stddev: number | null;
  median: number;
  min: number;
  max: number;
}

export interface CliStartFigure extends CliStartCommand {
  meanMs: number;
  stddevMs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Mean over the floor's mean. */
  timesFloor: number;
}

/** One recorded run: bench/results/cli-start.json. */
export interface CliStartRun {
  date: string;
  node: string;
  pyfront: string;
  runs: number;
  cpus: number;
  /** The 1-minute load average before and after the timed run: above the core count, figures are noise. */
  loadAverage: { before: number; after: number };
  /** NODE_EXTRA_CA_CERTS was set: every Node start, the floor's too, then parses those certificates. */
  extraCaCerts: boolean;
  figures: CliStartFigure[];
}

export function cliStartFigures(
  commands: readonly CliStartCommand[],
  results: readonly HyperfineResult[],
): CliStartFigure[] {
  if (results.length !== commands.length) {
    throw new Error(`hyperfine reported ${results.length} results for ${commands.length} commands`);
  }
  const floor = results[0]!.mean;
  return commands.map((command, i) => {
    const r = results[i]!;
    return {
      ...command,
      meanMs: r.mean * 1000,
      stddevMs: (r.stddev ?? 0) * 1000,
      medianMs: r.median * 1000,
      minMs: r.min * 1000,
      maxMs: r.max * 1000,
      timesFloor: r.mean / floor,
    };
  });
}

/** "≤ 100 ms: met" (the mean against the goal), or "" for a command without a goal. */
export function goalVerdict(figure: CliStartFigure): string {
  if (figure.goalMs === undefined) return "";
  return `≤ ${figure.goalMs} ms: ${figure.meanMs <= figure.goalMs ? "met" : "missed"}`;
}

export function renderCliStartTable(figures: readonly CliStartFigure[]): string {
  const lines = [
    "| command | mean ± σ (ms) | median (ms) | × node -e 0 | goal |",
    "|---|---|---|---|---|",
    ...figures.map(
      (f) =>
        `| \`${f.name}\` | ${f.meanMs.toFixed(1)} ± ${f.stddevMs.toFixed(1)} | ${f.medianMs.toFixed(1)} | ` +
        `×${f.timesFloor.toFixed(2)} | ${goalVerdict(f)} |`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

/** A warning when the machine was busy enough to make the figures noise, else undefined. */
export function loadWarning(run: Pick<CliStartRun, "cpus" | "loadAverage">): string | undefined {
  const worst = Math.max(run.loadAverage.before, run.loadAverage.after);
  if (worst <= run.cpus) return undefined;
  return (
    `the 1-minute load average reached ${worst.toFixed(1)} on ${run.cpus} cores during the run: ` +
    "other work shared the CPUs, so these figures overstate the start-up; run again on a quiet machine"
  );
}
