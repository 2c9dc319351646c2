/** The raw figures of one suite run (what bench/results/suite-<engine>.json holds) and their summary. */
import type { ExampleName, WayName } from "./examples.js";
import { ratio, type Summary, summarize } from "./stats.js";

export const MEASURES = [
  "coldSeconds",
  "cachedSeconds",
  "editSeconds",
  "dependencySeconds",
  "sizeBytes",
  "layers",
  "firstOutputSeconds",
  "editLayerBytes",
  "editPushBytes",
] as const;
export type Measure = (typeof MEASURES)[number];

export const MEASURE_LABELS: Record<Measure, string> = {
  coldSeconds: "cold build",
  cachedSeconds: "cached rebuild",
  editSeconds: "one-line edit",
  dependencySeconds: "one more dependency",
  sizeBytes: "image size",
  layers: "layers",
  firstOutputSeconds: "first output",
  editLayerBytes: "new layer bytes after the edit",
  editPushBytes: "pushed after the edit",
};

/** One build-edit-run sequence of one way on one example. */
export interface Sample {
  example: ExampleName;
  way: WayName;
  rep: number;
  coldSeconds: number;
  cachedSeconds: number;
  editSeconds: number;
  dependencySeconds: number;
  sizeBytes: number;
  layers: number;
  firstOutputSeconds: number;
  /**
   * Bytes (uncompressed tars) of the image's layers that the one-line edit made new: what an
   * export and a push send again. Absent in runs recorded before it was measured.
   */
  editLayerBytes?: number;
  /**
   * Compressed bytes the edited image's push to the local registry uploaded after the image before
   * the edit was pushed to the same repository (the blobs its manifest names and the first's did
   * not). Absent in runs recorded before it was measured.
   */
  editPushBytes?: number;
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  kernel: string;
  os: string;
}

export interface EngineVersions {
  client: string;
  server: string;
  apiVersion: string;
  /** Other server components (containerd, runc, ...) by name. */
  components: Record<string, string>;
}

export interface SuiteRun {
  schema: 1;
  engine: string;
  quick: boolean;
  /** ISO date-time the run started. */
  date: string;
  durationSeconds: number;
  repetitions: number;
  addedDependency: string;
  machine: Machine;
  engineVersions: EngineVersions;
  examples: ExampleName[];
  ways: WayName[];
  samples: Sample[];
}

export interface Cell {
  /** Absent when the run did not record the measure. */
  summary: Summary | undefined;
  /** Median of this way over the median of pyfront's frontend. */
  ratio: number | undefined;
}

export interface ExampleTable {
  example: ExampleName;
  rows: { way: WayName; cells: Record<Measure, Cell> }[];
}

/** Medians, ranges and ratios to pyfront's frontend, per example and way, in the run's order. */
export function tabulate(run: SuiteRun): ExampleTable[] {
  return run.examples.map((example) => {
    const summaries = new Map<WayName, Record<Measure, Summary | undefined>>();
    for (const way of run.ways) {
      const samples = run.samples.filter((s) => s.example === example && s.way === way);
      if (samples.length === 0) throw new Error(`no samples for ${example} / ${way}`);
      const byMeasure = {} as Record<Measure, Summary | undefined>;
      for (const measure of MEASURES) {
        const values = samples.flatMap((s) => (s[measure] === undefined ? [] : [s[measure]]));
        byMeasure[measure] = values.length > 0 ? summarize(values) : undefined;
      }
      summaries.set(way, byMeasure);
    }
    const baseline = summaries.get("frontend");
    return {
      example,
      rows: run.ways.map((way) => {
        const own = summaries.get(way)!;
        const cells = {} as Record<Measure, Cell>;
        for (const measure of MEASURES) {
          const summary = own[measure];
          const base = baseline?.[measure];
          cells[measure] = { summary, ratio: summary && base ? ratio(summary, base) : undefined };
        }
        return { way, cells };
      }),
    };
  });
}

export interface Shortfall {
  engine: string;
  example: ExampleName;
  measure: Measure;
  pyfront: number;
  microb: number;
}

/** Every measure where pyfront's frontend has a higher median than microb's Dockerfile (lower is better everywhere). */
export function shortfallsAgainstMicrob(run: SuiteRun): Shortfall[] {
  const out: Shortfall[] = [];
  for (const table of tabulate(run)) {
    const ours = table.rows.find((r) => r.way === "frontend");
    const theirs = table.rows.find((r) => r.way === "microb");
    if (!ours || !theirs) continue;
    for (const measure of MEASURES) {
      const pyfront = ours.cells[measure].summary?.median;
      const microb = theirs.cells[measure].summary?.median;
      if (pyfront !== undefined && microb !== undefined && pyfront > microb)
        out.push({ engine: run.engine, example: table.example, measure, pyfront, microb });
    }
  }
  return out;
}
