/** BENCHMARKS.md from the suite's raw figures and the hand-written notes (pure: inputs handed in). */
import { EXAMPLES, WAY_LABELS } from "./examples.js";
import {
  type Cell,
  MEASURE_LABELS,
  MEASURES,
  type Measure,
  type Shortfall,
  type SuiteRun,
  shortfallsAgainstMicrob,
  tabulate,
} from "./results.js";
import type { Summary } from "./stats.js";

export function formatSeconds(seconds: number): string {
  return seconds >= 10 ? seconds.toFixed(1) : seconds.toFixed(2);
}

/** Decimal megabytes, as `docker images` shows them. */
export function formatMegabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

/** Bytes in decimal kB below a megabyte, in MB from there. */
export function formatBytes(bytes: number): string {
  return bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${formatMegabytes(bytes)} MB`;
}

export function formatValue(measure: Measure, value: number): string {
  if (measure === "sizeBytes") return `${formatMegabytes(value)} MB`;
  if (measure === "editLayerBytes" || measure === "editPushBytes") return formatBytes(value);
  if (measure === "layers") return Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${formatSeconds(value)} s`;
}

function formatRange(measure: Measure, summary: Summary): string {
  const [min, max] = [formatValue(measure, summary.min), formatValue(measure, summary.max)];
  // A range that rounds to one figure says nothing; the unit is said once, after the median.
  if (min === max) return "";
  const unit = / (s|kB|MB)$/;
  const sameUnit = min.match(unit)?.[1] === max.match(unit)?.[1];
  return sameUnit ? ` (${min.replace(unit, "")}–${max.replace(unit, "")})` : ` (${min}–${max})`;
}

export function formatRatio(ratio: number | undefined): string {
  if (ratio === undefined) return "n/a";
  return `×${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)}`;
}

/** "median (min–max) ×ratio"; the baseline row carries no ratio. */
export function formatCell(measure: Measure, cell: Cell, isBaseline: boolean): string {
  if (!cell.summary) return "not measured";
  const base = `${formatValue(measure, cell.summary.median)}${formatRange(measure, cell.summary)}`;
  return isBaseline ? base : `${base} ${formatRatio(cell.ratio)}`;
}

export function engineTitle(run: SuiteRun): string {
  return `Engine ${run.engine}: Docker ${run.engineVersions.server}`;
}

/** The tables of one engine's run, one per example. */
export function renderRunTables(run: SuiteRun): string {
  const out: string[] = [];
  out.push(
    `### ${engineTitle(run)}`,
    "",
    `Run of ${run.date.slice(0, 10)}: ${run.repetitions} repetition${run.repetitions === 1 ? "" : "s"} of every measure, ` +
      `ways interleaved, ${Math.round(run.durationSeconds / 60)} min in all` +
      `${run.quick ? " (quick mode: a check that the suite works, not figures to read)" : ""}. ` +
      `Client ${run.engineVersions.client}, API ${run.engineVersions.apiVersion}` +
      `${componentList(run)}.`,
    "",
  );
  for (const table of tabulate(run)) {
    out.push(`#### ${table.example} (examples/${EXAMPLES[table.example].dir})`, "");
    out.push(`| way | ${MEASURES.map((m) => MEASURE_LABELS[m]).join(" | ")} |`);
    out.push(`| --- | ${MEASURES.map(() => "---").join(" | ")} |`);
    for (const row of table.rows) {
      const cells = MEASURES.map((m) => formatCell(m, row.cells[m], row.way === "frontend"));
      out.push(`| ${WAY_LABELS[row.way]} | ${cells.join(" | ")} |`);
    }
    out.push("");
  }
  return out.join("\n");
}

function componentList(run: SuiteRun): string {
  const entries = Object.entries(run.engineVersions.components).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return "";
  return `; ${entries.map(([name, version]) => `${name} ${version}`).join(", ")}`;
}

export function renderShortfalls(shortfalls: readonly Shortfall[]): string {
  if (shortfalls.length === 0) {
    return "On every measure of every recorded run, pyfront's frontend is at least as good as microb's Dockerfile.\n";
  }
  const lines = shortfalls.map(
    (s) =>
      `- engine ${s.engine}, ${s.example}, ${MEASURE_LABELS[s.measure]}: ` +
      `${formatValue(s.measure, s.pyfront)} against ${formatValue(s.measure, s.microb)} ` +
      `(${formatRatio(s.microb === 0 ? undefined : s.pyfront / s.microb)})`,
  );
  return `${lines.join("\n")}\n`;
}

/** The measures with a shortfall whose notes have no `### <measure label>` heading. */
export function unexplainedMeasures(shortfalls: readonly Shortfall[], notes: string): Measure[] {
  const measures = [...new Set(shortfalls.map((s) => s.measure))];
  return measures.filter((m) => !new RegExp(`^### ${MEASURE_LABELS[m]}\\s*$`, "m").test(notes));
}

export interface BenchmarksInput {
  /** Full runs by engine, in the order to show them. */
  runs: readonly SuiteRun[];
  /** Engines named in the intro that have no recorded run yet. */
  missingEngines: readonly string[];
  /** Path of the chart, relative to BENCHMARKS.md. */
  chartPath: string;
  /** bench/notes/method.md: how the suite builds and measures. */
  method: string;
  /** bench/notes/shortfalls.md: why pyfront is worse where it is, and the plan. */
  shortfallNotes: string;
  /** Further sections kept by hand (bench/notes/*.md), appended as they are. */
  extraSections: readonly string[];
}

export function renderBenchmarks(input: BenchmarksInput): string {
  const first = input.runs[0];
  const out: string[] = [
    "# Benchmarks",
    "",
    "<!-- Generated by `npm run bench` from bench/results/*.json and bench/notes/*.md; edit those, not this file. -->",
    "",
  ];
  if (first) {
    const m = first.machine;
    out.push(
      `Machine: ${m.cpus} cores (${m.cpuModel}), ${(m.memoryBytes / 2 ** 30).toFixed(0)} GiB, ` +
        `Linux ${m.kernel}, ${m.os}. Raw figures: \`bench/results/suite-<engine>.json\`.`,
      "",
    );
  }
  out.push("## Four ways to build the same project", "", input.method.trim(), "");
  if (first) out.push(`![Ratio of each way to pyfront's frontend, per measure](${input.chartPath})`, "");
  for (const run of input.runs) out.push(renderRunTables(run));
  for (const engine of input.missingEngines) out.push(`### Engine ${engine}`, "", "No run recorded yet.", "");

  const shortfalls = input.runs.flatMap((run) => shortfallsAgainstMicrob(run));
  out.push("## Where pyfront's frontend is worse than microb's Dockerfile", "", renderShortfalls(shortfalls));
  const missing = unexplainedMeasures(shortfalls, input.shortfallNotes);
  if (missing.length > 0) {
    out.push(
      `Not explained yet in bench/notes/shortfalls.md: ${missing.map((m) => MEASURE_LABELS[m]).join(", ")}.`,
      "",
    );
  }
  out.push(input.shortfallNotes.trim(), "");
  for (const section of input.extraSections) out.push(section.trim(), "");
  return `${out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`;
}
