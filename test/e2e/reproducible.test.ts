// Issue 16, item 4, on a real engine: with SOURCE_DATE_EPOCH set, two builds of the same inputs
// with no cache and fresh copies of the context (other file times) give the same files (every
// file's content, mode and time in the image's trees) and, on engine B, the same image digest: the
// layers' diff ids and the config with its dated history. Docker's image store (the moby exporter)
// has no rewrite-timestamp, so the LLB dates everything itself (src/render/llb.ts). On BuildKit 0.8
// (engine A) two folder times stay the build's clock (/opt, /opt/venv), so the digests differ there
// (docs/recipe.md says what).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build, docker, engineEnv, imageInspect, removeImage } from "./support/engine.js";
import { combined, copyExample, type ExampleCopy } from "./support/examples.js";
import { ensureFrontendImage, FRONTEND_IMAGE } from "./support/frontend.js";

const env = engineEnv();
const engineTag = env.engine.toLowerCase();
const images: string[] = [];
const copies: ExampleCopy[] = [];
const EPOCH = 1_700_000_000;

beforeAll(() => ensureFrontendImage());
afterAll(async () => {
  for (const image of images) await removeImage(image);
  for (const copy of copies) copy.dispose();
});

/**
 * Path, time, mode, size and content hash of everything the build wrote, one line each; not what
 * `docker run` itself adds (the mounted hosts files, /etc/mtab and so /etc's time).
 */
async function tree(tag: string): Promise<string[]> {
  const listed = await docker([
    "run",
    "--rm",
    "--user",
    "0",
    "--entrypoint",
    "sh",
    tag,
    "-c",
    "find /opt /app /etc /home /tmp -xdev ! -name hosts ! -name hostname ! -name resolv.conf ! -name mtab ! -path /etc -printf '%p %T@ %m %s %y\\n' 2>/dev/null | sort; " +
      "find /opt /app /home -xdev -type f -exec sha256sum {} + 2>/dev/null | sort",
  ]);
  expect(listed.code, combined(listed)).toBe(0);
  return listed.stdout.split("\n").filter((line) => line !== "");
}

describe(`reproducible images through pyfront's frontend on engine ${env.engine}`, () => {
  for (const example of ["webapp", "cli-package"] as const) {
    it(`${example}: two clean builds with one SOURCE_DATE_EPOCH give the same files`, async () => {
      const trees: string[][] = [];
      const digests: string[] = [];
      for (const run of [1, 2]) {
        const copy = copyExample(example);
        copies.push(copy);
        const tag = `pyfront-e2e-repro-${example}-${run}:${engineTag}`;
        images.push(tag);
        const built = await build({
          context: copy.dir,
          dockerfile: "pyproject.toml",
          tag,
          network: "host",
          noCache: true,
          buildArgs: {
            BUILDKIT_SYNTAX: FRONTEND_IMAGE,
            PIP_INDEX_URL: env.indexUrl,
            SOURCE_DATE_EPOCH: String(EPOCH),
          },
        });
        expect(built.code, combined(built)).toBe(0);
        trees.push(await tree(tag));
        digests.push((await imageInspect(tag))?.Id ?? "");
      }
      console.log(`${example} on engine ${env.engine}: image digests ${digests.join(" and ")}`);
      const [first, second] = trees as [string[], string[]];
      const differing = first.filter((line) => !second.includes(line));
      console.log(
        `${example} on engine ${env.engine}: ${first.length} entries, differing: ${JSON.stringify(differing)}`,
      );
      // Bytecode is hash-checked (no time in it), and every file the build wrote has the epoch's time.
      expect(first.some((line) => line.includes("__pycache__") && line.endsWith(".pyc"))).toBe(true);
      // BuildKit 0.8's copy neither dates the folder it copies into (/opt/venv) nor the one that
      // folder is created in (/opt); BuildKit 0.13's does both.
      expect(differing.map((line) => line.split(" ")[0])).toEqual(
        env.engine === "A" ? ["/opt", "/opt/venv"] : [],
      );
      if (env.engine === "B") {
        expect(digests[0]).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(digests[1]).toBe(digests[0]);
      }
      // Hash-based bytecode (PEP 552 flags bit 0): no source time in any .pyc of the venv.
      const timestamped = await docker([
        "run",
        "--rm",
        "--entrypoint",
        "python",
        `pyfront-e2e-repro-${example}-1:${engineTag}`,
        "-c",
        "import glob; pycs = glob.glob('/opt/venv/**/*.pyc', recursive=True); " +
          "print(len(pycs), sum(1 for p in pycs if not int.from_bytes(open(p, 'rb').read()[4:8], 'little') & 1))",
      ]);
      expect(timestamped.code, combined(timestamped)).toBe(0);
      const [pycCount, timestampedCount] = timestamped.stdout.trim().split(" ").map(Number);
      expect(pycCount).toBeGreaterThan(10);
      expect(timestampedCount).toBe(0);
      const venvTimes = first.filter((line) => line.startsWith("/opt/venv/") && / [fd]$/.test(line));
      expect(venvTimes.length).toBeGreaterThan(10);
      for (const line of venvTimes) expect(line.split(" ")[1]!.startsWith(String(EPOCH))).toBe(true);
    });
  }
});
