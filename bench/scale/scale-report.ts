/**
 * The scale benchmark's figures (bench/scale.ts): its raw record, per-project summaries, the
 * Markdown table and the SVG chart of cost against venv size. Pure: everything is handed in.
 */
import { formatMegabytes, formatSeconds } from "../suite/report.js";
import { type Summary, summarize } from "../suite/stats.js";

/** One project of the series, smallest dependency tree first. */
export interface ScaleProject {
  name: string;
  /** Where it is copied from, relative to the repository. */
  source: string;
  /** The spec file given to `docker build -f`, relative to the project. */
  specFile: string;
  /** The source file the one-line edit appends a comment to. */
  editFile: string;
  /** The Python series the image runs. */
  python: string;
  /** What the project declares, for the reader. */
  dependencies: string[];
  /** A corpus project names no index of its own: the build gets PIP_INDEX_URL, as a platform team passes it. */
  indexFromBuildArg: boolean;
}

export const SCALE_PROJECTS: readonly ScaleProject[] = [
  {
    name: "script",
    source: "examples/script",
    specFile: "pyproject.toml",
    editFile: "main.py",
    python: "3.11",
    dependencies: [],
    indexFromBuildArg: false,
  },
  {
    name: "webapp",
    source: "examples/webapp",
    specFile: "pyproject.toml",
    editFile: "webapp/__init__.py",
    python: "3.11",
    dependencies: ["flask>=2.2"],
    indexFromBuildArg: false,
  },
  {
    name: "fastapi",
    source: "test/projects/fastapi-pyproject",
    specFile: "pyproject.toml",
    editFile: "main.py",
    python: "3.14",
    dependencies: ["fastapi>=0.115", "uvicorn[standard]>=0.32"],
    indexFromBuildArg: true,
  },
  {
    name: "dataframe",
    source: "examples/dataframe",
    specFile: "pyproject.toml",
    editFile: "src/salesreport/__init__.py",
    python: "3.11",
    dependencies: ["numpy>=1.24", "pandas>=1.5"],
    indexFromBuildArg: false,
  },
];

/** How a cold build is made cold. */
export type ColdMode = "prune" | "no-cache";

export const COLD_MODE_LABELS: Record<ColdMode, string> = {
  prune: "build cache pruned (`docker builder prune -af`), base images kept",
  "no-cache": "`docker build --no-cache` (every step runs again; pip's cache mount and the base images kept)",
};

/** One project's sequence in one repetition. */
export interface ScaleSample {
  project: string;
  rep: number;
  coldSeconds: number;
  cachedSeconds: number;
  /** Whether the cached rebuild gave the cold build's layers (not an older build's results for the same steps). */
  cachedSameLayers: boolean;
  editSeconds: number;
  /** `du -sb /opt/venv` in the final image: apparent bytes. */
  venvBytes: number;
  /** `docker image inspect` Size of the final image. */
  imageBytes: number;
  layers: number;
  /** Layers (RootFS diff IDs) of the edited image that the image before the edit did not have. */
  newLayers: number;
  /** Their uncompressed tar bytes, as `docker save` writes them. */
  newLayerBytes: number;
  /** Compressed bytes of the blobs (layers and config) the edited image's manifest names and the first image's did not. */
  pushedBytes: number;
  /** How many blobs that is. */
  pushedBlobs: number;
  /** Layers `docker push` reported as pushed (not already there) for the edited image. */
  pushReportedLayers: number;
}

export interface ScaleRun {
  schema: 1;
  engine: string;
  date: string;
  durationSeconds: number;
  runs: number;
  coldMode: ColdMode;
  frontendImage: string;
  engineVersions: { client: string; server: string };
  projects: ScaleProject[];
  samples: ScaleSample[];
}

export const SCALE_MEASURES = [
  "venvBytes",
  "coldSeconds",
  "cachedSeconds",
  "editSeconds",
  "newLayerBytes",
  "pushedBytes",
  "imageBytes",
] as const;
export type ScaleMeasure = (typeof SCALE_MEASURES)[number];

export const SCALE_MEASURE_LABELS: Record<ScaleMeasure, string> = {
  venvBytes: "venv (/opt/venv)",
  coldSeconds: "cold build",
  cachedSeconds: "cached rebuild",
  editSeconds: "one-line edit",
  newLayerBytes: "new layers after the edit",
  pushedBytes: "pushed after the edit",
  imageBytes: "image size",
};

const BYTE_MEASURES = new Set<ScaleMeasure>(["venvBytes", "newLayerBytes", "pushedBytes", "imageBytes"]);

export type ProjectSummary = Record<ScaleMeasure, Summary> & { project: string };

/** Per project, in the run's order, the summary of every measure over the repetitions. */
export function summarizeRun(run: ScaleRun): ProjectSummary[] {
  return run.projects
    .map((project) => run.samples.filter((s) => s.project === project.name))
    .filter((samples) => samples.length > 0)
    .map((samples) => {
      const summary = { project: samples[0]!.project } as ProjectSummary;
      for (const measure of SCALE_MEASURES) summary[measure] = summarize(samples.map((s) => s[measure]));
      return summary;
    });
}

/** Bytes in decimal MB, or kB below 0.1 MB, where MB with one decimal would read 0.0. */
export function formatBytes(bytes: number): string {
  return bytes < 1e5 ? `${(bytes / 1e3).toFixed(1)} kB` : `${formatMegabytes(bytes)} MB`;
}

function formatValue(measure: ScaleMeasure, value: number): string {
  return BYTE_MEASURES.has(measure) ? formatBytes(value) : `${formatSeconds(value)} s`;
}

/** "median unit (min–max)"; the median alone when the range is a point. */
export function formatScaleCell(measure: ScaleMeasure, summary: Summary): string {
  const median = formatValue(measure, summary.median);
  const [min, max] = [formatValue(measure, summary.min), formatValue(measure, summary.max)];
  const range = summary.count > 1 && min !== max ? ` (${min}–${max})` : "";
  return `${median}${range}`;
}

/** The run as one Markdown table: a row per project, a column per measure. */
export function renderScaleTable(run: ScaleRun): string {
  const header = [
    `engine ${run.engine} (Docker ${run.engineVersions.server}), ${run.runs} run(s)`,
    ...SCALE_MEASURES.map((m) => SCALE_MEASURE_LABELS[m]),
  ];
  const lines = [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`];
  for (const summary of summarizeRun(run)) {
    const project = run.projects.find((p) => p.name === summary.project)!;
    const cells = SCALE_MEASURES.map((m) => formatScaleCell(m, summary[m]));
    lines.push(`| ${project.name} (${project.source}) | ${cells.join(" | ")} |`);
  }
  return `${lines.join("\n")}\n`;
}

// The chart: two panels side by side, cost against venv size (linear axes), one line per measure
// and engine (engine A solid, B dashed), a point per project at its median.

const SERIES_COLORS: Record<string, string> = {
  coldSeconds: "#1b6ac9",
  cachedSeconds: "#8c8c8c",
  editSeconds: "#e07b00",
  newLayerBytes: "#3d8b3d",
  pushedBytes: "#b8336a",
};

const CHART_PANEL_W = 380;
const CHART_PANEL_H = 260;
const MARGIN_L = 52;
const MARGIN_B = 36;
const PLOT_W = CHART_PANEL_W - MARGIN_L - 20;
const PLOT_H = CHART_PANEL_H - MARGIN_B - 34;

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function coord(value: number): string {
  return Number(value.toFixed(1)).toString();
}

/** A 1-2-5 step that puts about five ticks between 0 and max, and the ticks. */
export function linearTicks(max: number): number[] {
  const top = max > 0 ? max : 1;
  const raw = top / 5;
  const exp = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((s) => s * exp).find((s) => s >= raw) ?? 10 * exp;
  const ticks: number[] = [];
  for (let t = 0; t <= top + step * 0.999; t += step) ticks.push(Number(t.toPrecision(6)));
  return ticks;
}

interface Series {
  measure: ScaleMeasure;
  engine: string;
  /** [venv MB, value in the panel's unit] per project, by venv size. */
  points: Array<[number, number, string]>;
}

function seriesOf(runs: readonly ScaleRun[], measures: readonly ScaleMeasure[], scale: number): Series[] {
  const series: Series[] = [];
  for (const run of runs) {
    const summaries = summarizeRun(run);
    for (const measure of measures) {
      const points = summaries
        .map(
          (s) => [s.venvBytes.median / 1e6, s[measure].median / scale, s.project] as [number, number, string],
        )
        .sort((a, b) => a[0] - b[0]);
      series.push({ measure, engine: run.engine, points });
    }
  }
  return series;
}

function renderPanel(title: string, unit: string, series: readonly Series[], ox: number): string[] {
  const maxX = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[0])));
  const maxY = Math.max(0.1, ...series.flatMap((s) => s.points.map((p) => p[1])));
  const xTicks = linearTicks(maxX);
  const yTicks = linearTicks(maxY);
  const x = (v: number) => MARGIN_L + (PLOT_W * v) / xTicks.at(-1)!;
  const y = (v: number) => 34 + PLOT_H - (PLOT_H * v) / yTicks.at(-1)!;
  const parts = [`<g transform="translate(${ox},40)">`];
  parts.push(`<text x="${MARGIN_L}" y="16" font-size="12" font-weight="bold">${escapeXml(title)}</text>`);
  for (const t of yTicks) {
    parts.push(
      `<line x1="${MARGIN_L}" y1="${coord(y(t))}" x2="${MARGIN_L + PLOT_W}" y2="${coord(y(t))}" stroke="#dddddd"/>`,
      `<text x="${MARGIN_L - 4}" y="${coord(y(t) + 4)}" text-anchor="end" fill="#555555">${t}</text>`,
    );
  }
  for (const t of xTicks) {
    parts.push(
      `<line x1="${coord(x(t))}" y1="${34 + PLOT_H}" x2="${coord(x(t))}" y2="${34 + PLOT_H + 4}" stroke="#555555"/>`,
      `<text x="${coord(x(t))}" y="${34 + PLOT_H + 16}" text-anchor="middle" fill="#555555">${t}</text>`,
    );
  }
  parts.push(
    `<line x1="${MARGIN_L}" y1="${34 + PLOT_H}" x2="${MARGIN_L + PLOT_W}" y2="${34 + PLOT_H}" stroke="#555555"/>`,
    `<text x="${MARGIN_L + PLOT_W / 2}" y="${34 + PLOT_H + 32}" text-anchor="middle">venv size (MB)</text>`,
    `<text x="12" y="${34 + PLOT_H / 2}" text-anchor="middle" transform="rotate(-90 12 ${34 + PLOT_H / 2})">${escapeXml(unit)}</text>`,
  );
  for (const s of series) {
    const color = SERIES_COLORS[s.measure] ?? "#000000";
    const dash = s.engine === "A" ? "" : ' stroke-dasharray="5 3"';
    const path = s.points
      .map(([px, py], i) => `${i === 0 ? "M" : "L"}${coord(x(px))} ${coord(y(py))}`)
      .join(" ");
    parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="1.5"${dash}/>`);
    for (const [px, py, project] of s.points) {
      const label = `engine ${s.engine}, ${project}, ${SCALE_MEASURE_LABELS[s.measure]}: ${py.toFixed(2)} ${unit} at ${px.toFixed(1)} MB of venv`;
      parts.push(
        `<circle cx="${coord(x(px))}" cy="${coord(y(py))}" r="2.5" fill="${color}"><title>${escapeXml(label)}</title></circle>`,
      );
    }
  }
  parts.push("</g>");
  return parts;
}

/** Seconds (cold, cached, edit) and MB (new layers, pushed) against venv MB, every engine recorded. */
export function renderScaleChart(runs: readonly ScaleRun[]): string {
  const width = 2 * CHART_PANEL_W + 20;
  const height = 40 + CHART_PANEL_H + 44;
  const timeMeasures: ScaleMeasure[] = ["coldSeconds", "cachedSeconds", "editSeconds"];
  const byteMeasures: ScaleMeasure[] = ["newLayerBytes", "pushedBytes"];
  const engines = runs.map((r) => `${r.engine} (Docker ${r.engineVersions.server})`).join(", ");
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="18" font-size="13" font-weight="bold">${escapeXml(`Cost against the venv's size, pyfront's frontend, medians; engine ${engines}`)}</text>`,
    `<text x="10" y="34" fill="#555555">engine A solid, engine B dashed; a point per project (script, webapp, fastapi, dataframe)</text>`,
    ...renderPanel("seconds", "s", seriesOf(runs, timeMeasures, 1), 0),
    ...renderPanel("MB after a one-line edit", "MB", seriesOf(runs, byteMeasures, 1e6), CHART_PANEL_W),
  ];
  const legend = [...timeMeasures, ...byteMeasures];
  legend.forEach((measure, i) => {
    const lx = 10 + i * 150;
    const ly = height - 12;
    parts.push(
      `<rect x="${lx}" y="${ly - 9}" width="12" height="10" fill="${SERIES_COLORS[measure]}"/>`,
      `<text x="${lx + 16}" y="${ly}">${escapeXml(SCALE_MEASURE_LABELS[measure])}</text>`,
    );
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

/** Diff IDs of the edited image that the first image has not, each once, in the edited image's order. */
export function newLayerIds(before: readonly string[], after: readonly string[]): string[] {
  const known = new Set(before);
  return [...new Set(after.filter((id) => !known.has(id)))];
}
