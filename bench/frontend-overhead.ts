/**
 * What pyfront's frontend costs, on one engine in one run:
 *  - a fully cached rebuild through pyfront's frontend (`docker build -f pyproject.toml`) against
 *    the stock Dockerfile frontend building the Dockerfile `pyfront dockerfile` prints, interleaved;
 *  - the frontend image's compressed size (`docker save | gzip`);
 *  - the frontend's start-up: node loading the bundle until it finds no gateway and exits,
 *    timed inside the image.
 *
 *   eval "$(scripts/engine env A)"; npx tsx bench/frontend-overhead.ts [--runs N] [--example webapp]
 *
 * Writes bench/results/frontend-overhead-<engine>.json and prints a Markdown table.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const FRONTEND_IMAGE = "pyfront/frontend:dev";

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

function main(): void {
  const { values } = parseArgs({
    options: { runs: { type: "string", default: "7" }, example: { type: "string", default: "webapp" } },
  });
  const runs = Number(values.runs);
  const example = values.example ?? "webapp";
  const engine = process.env.PYFRONT_ENGINE ?? "A";
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
    const ways = {
      frontend: [
        "build",
        "--network",
        "host",
        "-f",
        join(context, "pyproject.toml"),
        "-t",
        "pyfront-bench-fe",
        context,
      ],
      dockerfile: ["build", "--network", "host", "-f", dockerfile, "-t", "pyfront-bench-df", context],
    };
    // Warm both caches, then time fully cached rebuilds, interleaved.
    timed(ways.frontend);
    timed(ways.dockerfile);
    const samples: Record<keyof typeof ways, number[]> = { frontend: [], dockerfile: [] };
    for (let i = 0; i < runs; i++) {
      samples.frontend.push(timed(ways.frontend));
      samples.dockerfile.push(timed(ways.dockerfile));
    }

    const compressed = gzipSync(docker(["save", FRONTEND_IMAGE])).length;
    const startup = JSON.parse(
      docker([
        "run",
        "--rm",
        "--entrypoint",
        "node",
        FRONTEND_IMAGE,
        "-e",
        `const { spawnSync } = require("node:child_process");
         const out = [];
         for (let i = 0; i < ${runs}; i++) {
           const t = process.hrtime.bigint();
           spawnSync("node", ["/pyfront/frontend.mjs"], { stdio: ["ignore", "ignore", "ignore"] });
           out.push(Number(process.hrtime.bigint() - t) / 1e9);
         }
         console.log(JSON.stringify(out));`,
      ]).toString(),
    ) as number[];

    const result = {
      engine,
      example,
      runs,
      date: new Date().toISOString(),
      cachedRebuild: { frontend: summarize(samples.frontend), dockerfile: summarize(samples.dockerfile) },
      frontendImageCompressedBytes: compressed,
      frontendStartup: summarize(startup),
    };
    mkdirSync(join(root, "bench", "results"), { recursive: true });
    writeFileSync(
      join(root, "bench", "results", `frontend-overhead-${engine}.json`),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    const fmt = (s: Summary) => `${s.median.toFixed(2)} s (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
    const ratio = result.cachedRebuild.frontend.median / result.cachedRebuild.dockerfile.median;
    process.stdout.write(
      [
        `| engine ${engine}, ${example}, ${runs} runs | median (min–max) |`,
        "| --- | --- |",
        `| cached rebuild, pyfront frontend | ${fmt(result.cachedRebuild.frontend)} |`,
        `| cached rebuild, stock frontend on the generated Dockerfile | ${fmt(result.cachedRebuild.dockerfile)} |`,
        `| ratio frontend / stock | ${ratio.toFixed(2)} |`,
        `| frontend image, compressed | ${(compressed / 1024 / 1024).toFixed(1)} MiB |`,
        `| frontend start-up (node loads the bundle, finds no gateway, exits) | ${fmt(result.frontendStartup)} |`,
        "",
      ].join("\n"),
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
