/**
 * Where an image's installed Python bytes go (issue 17, the dataframe image against microb's):
 * the three things microb's recipe deletes or shrinks after installing, measured in an image
 * that keeps them. For each image, from its exported filesystem (`docker create`, `docker
 * export`):
 *  - bytecode: `.pyc` files (under `__pycache__` or beside their source);
 *  - test suites: files under a directory named `tests` inside a `site-packages` (what microb's
 *    `find -name tests -exec rm -r` removes);
 *  - symbols: what `strip -s` takes off every shared object in a `site-packages` (microb strips the
 *    ones `file` calls "not stripped"; one stripped already loses nothing more);
 * each as bytes of regular files, overlapping where a test suite holds bytecode or a shared object.
 *
 *   npx tsx bench/size-split.ts IMAGE [IMAGE...] [--out FILE]
 *
 * The engine is PYFRONT_DOCKER's (`eval "$(scripts/engine env A)"`); strip is the host's binutils.
 */
import { execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { extract } from "tar-stream";
import { classify, renderSizeSplit, type SizeSplit } from "./scale/size-split-report.js";

function strippedSize(scratch: string, bytes: Buffer): Promise<number> {
  return (async () => {
    const file = join(scratch, "object.so");
    await writeFile(file, bytes);
    execFileSync("strip", ["-s", file], { stdio: "ignore" });
    return (await stat(file)).size;
  })();
}

async function sizeSplit(docker: string, image: string): Promise<SizeSplit> {
  const container = execFileSync(docker, ["create", image], { encoding: "utf8" }).trim();
  const scratch = await mkdtemp(join(tmpdir(), "pyfront-size-split-"));
  const split: SizeSplit = {
    image,
    totalBytes: 0,
    sitePackagesBytes: 0,
    bytecodeBytes: 0,
    testSuiteBytes: 0,
    testSuiteBytecodeBytes: 0,
    sharedObjectBytes: 0,
    strippableBytes: 0,
  };
  try {
    const exported = spawn(docker, ["export", container], { stdio: ["ignore", "pipe", "inherit"] });
    const entries = extract();
    entries.on("entry", (header, stream, next) => {
      if (header.type !== "file") {
        stream.resume();
        stream.on("end", next);
        return;
      }
      const size = header.size ?? 0;
      const kind = classify(header.name);
      split.totalBytes += size;
      if (kind.sitePackages) split.sitePackagesBytes += size;
      if (kind.bytecode) split.bytecodeBytes += size;
      if (kind.testSuite) split.testSuiteBytes += size;
      if (kind.testSuite && kind.bytecode) split.testSuiteBytecodeBytes += size;
      if (!kind.sharedObject) {
        stream.resume();
        stream.on("end", next);
        return;
      }
      split.sharedObjectBytes += size;
      const chunks: Buffer[] = [];
      stream.on("data", (chunk) => chunks.push(chunk as Buffer));
      stream.on("end", () => {
        strippedSize(scratch, Buffer.concat(chunks)).then((after) => {
          split.strippableBytes += size - after;
          next();
        }, next);
      });
    });
    await new Promise<void>((resolve, reject) => {
      entries.on("finish", resolve);
      entries.on("error", reject);
      exported.on("error", reject);
      exported.stdout.pipe(entries);
    });
    return split;
  } finally {
    execFileSync(docker, ["rm", container], { stdio: "ignore" });
    await rm(scratch, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { out: { type: "string" } },
    allowPositionals: true,
  });
  if (positionals.length === 0)
    throw new Error("usage: npx tsx bench/size-split.ts IMAGE [IMAGE...] [--out FILE]");
  const docker = process.env.PYFRONT_DOCKER ?? "docker";
  const splits: SizeSplit[] = [];
  for (const image of positionals) splits.push(await sizeSplit(docker, image));
  if (values.out)
    writeFileSync(values.out, `${JSON.stringify({ date: new Date().toISOString(), splits }, null, 2)}\n`);
  process.stdout.write(`${renderSizeSplit(splits)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
