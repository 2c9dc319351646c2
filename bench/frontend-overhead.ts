/**
 * What pyfront's frontend costs, on one engine in one run:
 *  - a fully cached rebuild of one example through each frontend image under test
 *    (`docker build -f pyproject.toml --build-arg BUILDKIT_SYNTAX=TAG`), through the do-nothing
 *    frontend (bench/floor-frontend.ts, built on the same base: the floor of any gateway
 *    frontend) and through the stock Dockerfile frontend on the Dockerfile `pyfront dockerfile`
 *    prints, all interleaved;
 *  - each frontend image's compressed size (`docker save | gzip`);
 *  - each frontend's start-up: node loading the bundle until it finds no gateway and exits,
 *    timed inside the image;
 *  - with --daemon-log FILE (the engine's dockerd log, where BuildKit writes a frontend's
 *    stderr), a traced cached rebuild per frontend (`--build-arg PYFRONT_TRACE=1`, see
 *    src/frontend/trace.ts): the frontend's own time from process start to Return.
 *
 *   eval "$(scripts/engine env A)"; npx tsx bench/frontend-overhead.ts [--runs N] [--example webapp]
 *     [--frontend TAG]... [--floor-node-image IMAGE]... [--skip-frontend-image] [--daemon-log FILE]
 *
 * --frontend (repeatable) names the images to compare, first is the one the ratios are about
 * (default pyfront/frontend:dev, built from the checkout first unless --skip-frontend-image);
 * --floor-node-image (repeatable) names the bases a floor frontend is built on, the frontend
 * image's default base when omitted; the first floor is the one the ×floor ratios are about, the
 * others get a ratio column each (a frontend on another base is compared with the floor on its own). Writes bench/results/frontend-overhead-<engine>.json and prints a Markdown table.
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { buildEntryPointImage } from "../scripts/frontend-image.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DEFAULT_FRONTEND = "pyfront/frontend:dev";
/** The floor frontend's tag on a base: the default base's, or one per --floor-node-image. */
function floorImage(base: string | undefined): string {
  return `pyfront-bench/floor-frontend:${base ? base.replace(/[^a-zA-Z0-9_.-]+/g, "-").slice(0, 100) : "default-base"}`;
}

interface Summary {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)!, samples };
}

/** The figures of one traced build, from the frontend's `pyfront trace: ... done:` line. */
export interface TracedRun {
  totalMs: number;
  bootstrapMs: number;
  gatewayCalls: number;
  gatewayMs: number;
  restMs: number;
  /** The process's CPU time (user and system) at Return, when the trace tells it. */
  cpuMs?: number;
}

const DONE_LINE =
  /pyfront trace: [\d.]+ ms done: ([\d.]+) ms from process start to Return answered; node bootstrap ([\d.]+) ms, (\d+) gateway calls outstanding for ([\d.]+) ms, the rest \(bundle load, spec, plan, render\) (-?[\d.]+) ms(?:; cpu ([\d.]+) ms)?/g;

/** Every `done:` line in a piece of log, in order. */
export function parseTraceDone(log: string): TracedRun[] {
  return [...log.matchAll(DONE_LINE)].map((m) => ({
    totalMs: Number(m[1]),
    bootstrapMs: Number(m[2]),
    gatewayCalls: Number(m[3]),
    gatewayMs: Number(m[4]),
    restMs: Number(m[5]),
    ...(m[6] !== undefined ? { cpuMs: Number(m[6]) } : {}),
  }));
}

function docker(args: string[], input?: Buffer): Buffer {
  const client = process.env.PYFRONT_DOCKER ?? "docker";
  return execFileSync(client, args, { maxBuffer: 1024 * 1024 * 1024, ...(input ? { input } : {}) });
}

function timed(args: string[]): number {
  const client = process.env.PYFRONT_DOCKER ?? "docker";
  const start = process.hrtime.bigint();
  const result = spawnSync(client, args, { stdio: ["ignore", "ignore", "pipe"] });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`docker ${args.join(" ")} failed:\n${result.stderr}`);
  return seconds;
}

/**
 * The image's entrypoint (node and its arguments: the bundle, or the start-up snapshot) started
 * until it finds no gateway and exits, `runs` times, in the image.
 */
function startupSeconds(image: string, runs: number): number[] {
  const entrypoint = JSON.parse(
    docker(["image", "inspect", "--format", "{{json .Config.Entrypoint}}", image]).toString(),
  ) as string[];
  return JSON.parse(
    docker([
      "run",
      "--rm",
      "--entrypoint",
      "node",
      image,
      "-e",
      `const { spawnSync } = require("node:child_process");
       const out = [];
       for (let i = 0; i < ${runs}; i++) {
         const t = process.hrtime.bigint();
         spawnSync(process.execPath, ${JSON.stringify(entrypoint.slice(1))}, { stdio: ["ignore", "ignore", "ignore"] });
         out.push(Number(process.hrtime.bigint() - t) / 1e9);
       }
       console.log(JSON.stringify(out));`,
    ]).toString(),
  ) as number[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "7" },
      example: { type: "string", default: "webapp" },
      frontend: { type: "string", multiple: true },
      "floor-node-image": { type: "string", multiple: true },
      "skip-frontend-image": { type: "boolean", default: false },
      "daemon-log": { type: "string" },
    },
  });
  const runs = Number(values.runs);
  const example = values.example ?? "webapp";
  const engine = process.env.PYFRONT_ENGINE ?? "A";
  const frontends = values.frontend?.length ? values.frontend : [DEFAULT_FRONTEND];
  if (!values["skip-frontend-image"] && frontends.length === 1 && frontends[0] === DEFAULT_FRONTEND) {
    execFileSync(
      process.execPath,
      [join(root, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/frontend-image.ts"],
      {
        cwd: root,
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
  }
  const floorBases: (string | undefined)[] = values["floor-node-image"]?.length
    ? values["floor-node-image"]
    : [undefined];
  const floors = floorBases.map((base) => ({ base: base ?? "default base", image: floorImage(base) }));
  for (const [i, base] of floorBases.entries()) {
    await buildEntryPointImage(join(root, "bench", "floor-frontend.ts"), floors[i]!.image, base);
  }

  const work = mkdtempSync(join(tmpdir(), "pyfront-bench-fe-"));
  try {
    const context = join(work, "context");
    cpSync(join(root, "examples", example), context, { recursive: true });
    const dockerfile = join(work, "Dockerfile.pyfront");
    writeFileSync(
      dockerfile,
      execFileSync(process.execPath, [join(root, "bin", "pyfront.js"), "dockerfile", context], {
        encoding: "utf8",
      }),
    );
    const throughFrontend = (image: string, tag: string, extra: string[] = []) => [
      "build",
      "--network",
      "host",
      "--build-arg",
      `BUILDKIT_SYNTAX=${image}`,
      ...extra,
      "-f",
      join(context, "pyproject.toml"),
      "-t",
      tag,
      context,
    ];
    const ways: { name: string; args: string[] }[] = [
      ...frontends.map((image, i) => ({
        name: image,
        args: throughFrontend(image, `pyfront-bench-fe-${i}`),
      })),
      ...floors.map((f, i) => ({
        name: f.image,
        args: throughFrontend(f.image, `pyfront-bench-floor-${i}`),
      })),
      {
        name: "stock",
        args: ["build", "--network", "host", "-f", dockerfile, "-t", "pyfront-bench-df", context],
      },
    ];
    // Warm every cache, then time fully cached rebuilds, interleaved.
    for (const way of ways) timed(way.args);
    const samples = new Map<string, number[]>(ways.map((w) => [w.name, []]));
    for (let i = 0; i < runs; i++) for (const way of ways) samples.get(way.name)!.push(timed(way.args));

    const traced: Record<string, TracedRun[]> = {};
    const logPath = values["daemon-log"];
    if (logPath) {
      for (const image of frontends) traced[image] = [];
      for (let i = 0; i < runs; i++) {
        for (const [n, image] of frontends.entries()) {
          const offset = existsSync(logPath) ? statSync(logPath).size : 0;
          timed(throughFrontend(image, `pyfront-bench-fe-${n}`, ["--build-arg", "PYFRONT_TRACE=1"]));
          const log = readFileSync(logPath).subarray(offset).toString("utf8");
          traced[image]!.push(...parseTraceDone(log));
        }
      }
    }

    const images = [...frontends, ...floors.map((f) => f.image)];
    const compressed = Object.fromEntries(
      images.map((image) => [image, gzipSync(docker(["save", image])).length]),
    );
    const startup = Object.fromEntries(
      images.map((image) => [image, summarize(startupSeconds(image, runs))]),
    );
    const cached = Object.fromEntries([...samples].map(([name, s]) => [name, summarize(s)]));

    const result = {
      engine,
      example,
      runs,
      date: new Date().toISOString(),
      frontends,
      floors,
      cachedRebuild: cached,
      frontendImageCompressedBytes: compressed,
      frontendStartup: startup,
      traced: Object.fromEntries(
        Object.entries(traced).map(([image, list]) => [
          image,
          {
            runs: list,
            totalMs: summarize(list.map((r) => r.totalMs)),
            gatewayMs: summarize(list.map((r) => r.gatewayMs)),
            cpuMs: summarize(list.flatMap((r) => (r.cpuMs === undefined ? [] : [r.cpuMs]))),
          },
        ]),
      ),
    };
    mkdirSync(join(root, "bench", "results"), { recursive: true });
    writeFileSync(
      join(root, "bench", "results", `frontend-overhead-${engine}.json`),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    const fmt = (s: Summary) => `${s.median.toFixed(2)} s (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
    const fmtMs = (s: Summary) => `${s.median.toFixed(0)} ms (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
    const stock = cached.stock!.median;
    const floorColumns = floors.map((f) => ` ×floor (${f.base}) |`).join("");
    const ratios = (median: number) =>
      floors.map((f) => ` ×${(median / cached[f.image]!.median).toFixed(2)} |`).join("");
    const traceCell = (image: string) => {
      const t = result.traced[image];
      if (!t?.runs.length) return "not traced";
      return `${fmtMs(t.totalMs)}${t.cpuMs.samples.length ? `, cpu ${fmtMs(t.cpuMs)}` : ""}`;
    };
    const lines = [
      `| engine ${engine}, ${example}, ${runs} runs | cached rebuild |${floorColumns} ×stock | image, compressed | start-up in the image | own time, start to Return (traced), and its CPU time |`,
      `| --- | --- |${floors.map(() => " --- |").join("")} --- | --- | --- | --- |`,
      ...frontends.map((image) => {
        const c = cached[image]!;
        return `| ${image} | ${fmt(c)} |${ratios(c.median)} ×${(c.median / stock).toFixed(2)} | ${(compressed[image]! / 1e6).toFixed(1)} MB | ${fmt(startup[image]!)} | ${traceCell(image)} |`;
      }),
      ...floors.map((f) => {
        const c = cached[f.image]!;
        return `| do-nothing frontend on ${f.base} (floor) | ${fmt(c)} |${ratios(c.median)} ×${(c.median / stock).toFixed(2)} | ${(compressed[f.image]! / 1e6).toFixed(1)} MB | ${fmt(startup[f.image]!)} | |`;
      }),
      `| stock Dockerfile frontend, generated Dockerfile | ${fmt(cached.stock!)} |${ratios(stock)} ×1.00 | | | |`,
      "",
    ];
    process.stdout.write(lines.join("\n"));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
