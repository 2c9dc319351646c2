/** The lock benchmark's figures: its raw record, per-way summaries and the Markdown table (pure). */
import { formatMegabytes, formatRatio, formatSeconds } from "../suite/report.js";
import { ratio, type Summary, summarize } from "../suite/stats.js";

export const LOCK_WAYS = ["locked", "unlocked"] as const;
export type LockWay = (typeof LOCK_WAYS)[number];

export const LOCK_MEASURES = ["coldSeconds", "cachedSeconds", "dependencySeconds", "sizeBytes"] as const;
export type LockMeasure = (typeof LOCK_MEASURES)[number];

export const LOCK_MEASURE_LABELS: Record<LockMeasure, string> = {
  coldSeconds: "cold build (build cache pruned)",
  cachedSeconds: "cached rebuild (nothing changed)",
  dependencySeconds: "one more dependency (pfhello), after a cached build",
  sizeBytes: "image size",
};

/** One repetition of one way. */
export interface LockSample {
  way: LockWay;
  rep: number;
  coldSeconds: number;
  cachedSeconds: number;
  dependencySeconds: number;
  sizeBytes: number;
  /** `name==version` of every distribution in the image's venv after the dependency was added. */
  distributions: string[];
}

export interface LockRun {
  schema: 1;
  engine: string;
  date: string;
  durationSeconds: number;
  repetitions: number;
  /** The fixture under test/locks/ the project was copied from. */
  project: string;
  pythonVersion: string;
  frontendImage: string;
  engineVersions: { client: string; server: string };
  addedDependency: { name: string; version: string; url: string; sha256: string };
  samples: LockSample[];
}

export type LockRow = Record<LockWay, Summary> & { ratio?: number };

/** Per measure: each way's summary and the ratio locked / unlocked. */
export function tabulateLockRun(run: LockRun): Record<LockMeasure, LockRow> {
  const table = {} as Record<LockMeasure, LockRow>;
  for (const measure of LOCK_MEASURES) {
    const of = (way: LockWay) => {
      const values = run.samples.filter((s) => s.way === way).map((s) => s[measure]);
      if (values.length === 0) throw new Error(`no ${way} samples in the run`);
      return summarize(values);
    };
    const locked = of("locked");
    const unlocked = of("unlocked");
    const r = ratio(locked, unlocked);
    table[measure] = { locked, unlocked, ...(r === undefined ? {} : { ratio: r }) };
  }
  return table;
}

function formatSummary(measure: LockMeasure, summary: Summary): string {
  const one = (v: number) => (measure === "sizeBytes" ? formatMegabytes(v) : formatSeconds(v));
  const unit = measure === "sizeBytes" ? "MB" : "s";
  const [min, max] = [one(summary.min), one(summary.max)];
  // A range that rounds to one figure says nothing.
  return min === max ? `${one(summary.median)} ${unit}` : `${one(summary.median)} ${unit} (${min}–${max})`;
}

/** The run's table: median (min–max) of each way and the ratio locked / unlocked. */
export function renderLockTable(run: LockRun): string {
  const table = tabulateLockRun(run);
  const lines = [
    `| engine ${run.engine} (Docker ${run.engineVersions.server}), ${run.project}, ${run.repetitions} repetition(s) | locked | unlocked (\`lock = false\`) | locked / unlocked |`,
    "| --- | --- | --- | --- |",
  ];
  for (const measure of LOCK_MEASURES) {
    const row = table[measure];
    lines.push(
      `| ${LOCK_MEASURE_LABELS[measure]} | ${formatSummary(measure, row.locked)} | ${formatSummary(measure, row.unlocked)} | ${formatRatio(row.ratio)} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Distributions one way installs and the other does not (or at another version), per way. */
export function distributionDifferences(run: LockRun): Record<LockWay, string[]> {
  const first = (way: LockWay) => new Set(run.samples.find((s) => s.way === way)?.distributions ?? []);
  const locked = first("locked");
  const unlocked = first("unlocked");
  return {
    locked: [...locked].filter((d) => !unlocked.has(d)).sort(),
    unlocked: [...unlocked].filter((d) => !locked.has(d)).sort(),
  };
}
