/**
 * The suite's chart as hand-written SVG: one panel per engine and example, one group of bars per
 * measure, each bar a way's median over pyfront's frontend's (log scale; the line at 1 is the
 * frontend; left of it is better than pyfront's frontend, right of it worse).
 */
import { type ExampleName, WAY_SHORT, type WayName } from "./examples.js";
import { MEASURE_LABELS, MEASURES, type SuiteRun, tabulate } from "./results.js";

const COLORS: Record<WayName, string> = {
  frontend: "#1b6ac9",
  client: "#3d8b3d",
  dockerfile: "#6aa6f0",
  microb: "#e07b00",
  naive: "#8c8c8c",
};

const LABEL_W = 150;
const PLOT_W = 200;
const PANEL_W = LABEL_W + PLOT_W + 40;
const BAR_H = 7;
const GROUP_GAP = 9;
const PANEL_TOP = 34;
const AXIS_H = 26;

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function num(value: number): string {
  return Number(value.toFixed(1)).toString();
}

/** Ticks of a 1-2-5 sequence from lo to hi. */
export function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let exp = Math.floor(Math.log10(lo)); exp <= Math.ceil(Math.log10(hi)); exp++) {
    for (const step of [1, 2, 5]) {
      const tick = step * 10 ** exp;
      if (tick >= lo * 0.999 && tick <= hi * 1.001) ticks.push(Number(tick.toPrecision(3)));
    }
  }
  return ticks;
}

/** The 1-2-5 value at or below (`down`) or at or above `value`. */
function niceBound(value: number, down: boolean): number {
  const exp = Math.floor(Math.log10(value));
  const steps = [1, 2, 5, 10].map((step) => Number((step * 10 ** exp).toPrecision(3)));
  return down
    ? (steps.filter((s) => s <= value * 1.001).at(-1) ?? steps[0]!)
    : (steps.find((s) => s >= value * 0.999) ?? steps[3]!);
}

/** 1-2-5 bounds around every ratio, and at least 0.2–5 so that panels compare at a glance. */
export function ratioDomain(ratios: readonly number[]): { lo: number; hi: number } {
  const finite = ratios.filter((r) => Number.isFinite(r) && r > 0);
  return { lo: niceBound(Math.min(0.2, ...finite), true), hi: niceBound(Math.max(5, ...finite), false) };
}

interface Panel {
  engine: string;
  example: ExampleName;
  bars: { measure: (typeof MEASURES)[number]; way: WayName; ratio: number }[];
}

function panelsOf(runs: readonly SuiteRun[]): Panel[] {
  const panels: Panel[] = [];
  for (const run of runs) {
    for (const table of tabulate(run)) {
      const bars: Panel["bars"] = [];
      for (const measure of MEASURES) {
        for (const row of table.rows) {
          if (row.way === "frontend") continue;
          const ratio = row.cells[measure].ratio;
          if (ratio !== undefined) bars.push({ measure, way: row.way, ratio });
        }
      }
      panels.push({ engine: run.engine, example: table.example, bars });
    }
  }
  return panels;
}

export function renderChart(runs: readonly SuiteRun[]): string {
  const panels = panelsOf(runs);
  const ways = [...new Set(runs.flatMap((r) => r.ways))].filter((w) => w !== "frontend");
  const { lo, hi } = ratioDomain(panels.flatMap((p) => p.bars.map((b) => b.ratio)));
  const x = (ratio: number) =>
    LABEL_W + (PLOT_W * (Math.log10(ratio) - Math.log10(lo))) / (Math.log10(hi) - Math.log10(lo));
  const groupH = ways.length * BAR_H + GROUP_GAP;
  const panelH = PANEL_TOP + MEASURES.length * groupH + AXIS_H;
  const columns = Math.max(1, ...runs.map((r) => r.examples.length));
  const width = columns * PANEL_W + 20;
  const height = 50 + runs.length * panelH + 10;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="18" font-size="13" font-weight="bold">Each way's median over pyfront's frontend's (log scale; 1 = pyfront's frontend; lower is better)</text>`,
  ];
  ways.forEach((way, i) => {
    const lx = 10 + i * 170;
    parts.push(
      `<rect x="${lx}" y="28" width="12" height="10" fill="${COLORS[way]}"/>`,
      `<text x="${lx + 16}" y="37">${escapeXml(WAY_SHORT[way])}</text>`,
    );
  });

  runs.forEach((run, row) => {
    run.examples.forEach((example, column) => {
      const panel = panels.find((p) => p.engine === run.engine && p.example === example);
      if (!panel) return;
      const ox = 10 + column * PANEL_W;
      const oy = 50 + row * panelH;
      parts.push(`<g transform="translate(${ox},${oy})">`);
      parts.push(
        `<text x="0" y="16" font-size="12" font-weight="bold">${escapeXml(`engine ${run.engine} (Docker ${run.engineVersions.server}): ${example}`)}</text>`,
      );
      const plotTop = PANEL_TOP - 6;
      const plotBottom = PANEL_TOP + MEASURES.length * groupH;
      for (const tick of logTicks(lo, hi)) {
        const tx = num(x(tick));
        const strong = tick === 1;
        parts.push(
          `<line x1="${tx}" y1="${plotTop}" x2="${tx}" y2="${plotBottom}" stroke="${strong ? "#1b6ac9" : "#dddddd"}" stroke-width="${strong ? 1.5 : 1}"/>`,
          `<text x="${tx}" y="${plotBottom + 14}" text-anchor="middle" fill="#555555">${tick}</text>`,
        );
      }
      MEASURES.forEach((measure, g) => {
        const gy = PANEL_TOP + g * groupH;
        parts.push(
          `<text x="${LABEL_W - 28}" y="${num(gy + (ways.length * BAR_H) / 2 + 4)}" text-anchor="end">${escapeXml(MEASURE_LABELS[measure])}</text>`,
        );
        ways.forEach((way, i) => {
          const bar = panel.bars.find((b) => b.measure === measure && b.way === way);
          if (!bar) return;
          const clamped = Math.min(hi, Math.max(lo, bar.ratio));
          const x0 = Math.min(x(1), x(clamped));
          const w = Math.max(1, Math.abs(x(clamped) - x(1)));
          const by = gy + i * BAR_H;
          parts.push(
            `<rect x="${num(x0)}" y="${by}" width="${num(w)}" height="${BAR_H - 1}" fill="${COLORS[way]}"><title>${escapeXml(`${WAY_SHORT[way]}, ${MEASURE_LABELS[measure]}: ×${bar.ratio.toFixed(2)}`)}</title></rect>`,
          );
          const labelX = bar.ratio >= 1 ? x0 + w + 3 : x0 - 3;
          parts.push(
            `<text x="${num(labelX)}" y="${by + BAR_H - 1}" font-size="8" text-anchor="${bar.ratio >= 1 ? "start" : "end"}" fill="#333333">${bar.ratio.toFixed(bar.ratio >= 10 ? 0 : 2)}</text>`,
          );
        });
      });
      parts.push("</g>");
    });
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
