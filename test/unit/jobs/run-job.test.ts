import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import * as tar from "tar-stream";
import { afterEach, describe, expect, it } from "vitest";
import { StreamDemultiplexer } from "../../../src/client/docker-api.js";
import { extractOutputs, packDirectory } from "../../../src/jobs/run-job.js";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "pyfront-run-job-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function entries(
  stream: Readable,
): Promise<{ name: string; type: string; mode?: number; body: string; link?: string }[]> {
  const out: { name: string; type: string; mode?: number; body: string; link?: string }[] = [];
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on("entry", (header, body, next) => {
      const chunks: Buffer[] = [];
      body.on("data", (c: unknown) => chunks.push(c as Buffer));
      body.on("end", () => {
        out.push({
          name: header.name,
          type: header.type ?? "file",
          ...(header.mode !== undefined ? { mode: header.mode } : {}),
          body: Buffer.concat(chunks).toString(),
          ...(header.linkname ? { link: header.linkname } : {}),
        });
        next();
      });
    });
    extract.on("finish", resolve);
    extract.on("error", reject);
  });
  stream.pipe(extract);
  await done;
  return out;
}

function tarOf(
  items: { name: string; type?: "file" | "directory" | "symlink"; body?: string; link?: string }[],
): Readable {
  const pack = tar.pack();
  for (const item of items)
    pack.entry(
      {
        name: item.name,
        type: item.type ?? "file",
        ...(item.link ? { linkname: item.link } : {}),
        mode: 0o644,
      },
      item.body ?? "",
    );
  pack.finalize();
  return Readable.from(pack, { objectMode: false });
}

describe("packing a job's folder", () => {
  it("packs files, folders and links in name order, owned by root, executables kept executable", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "pkg"));
    writeFileSync(join(dir, "main.py"), "print(1)\n");
    writeFileSync(join(dir, "run.sh"), "#!/bin/sh\n", { mode: 0o700 });
    writeFileSync(join(dir, "pkg", "a.py"), "");
    symlinkSync("main.py", join(dir, "link.py"));
    const packed = await entries(packDirectory(dir));
    expect(packed.map((e) => [e.name, e.type])).toEqual([
      ["link.py", "symlink"],
      ["main.py", "file"],
      ["pkg", "directory"],
      ["pkg/a.py", "file"],
      ["run.sh", "file"],
    ]);
    expect(packed.find((e) => e.name === "main.py")).toMatchObject({ body: "print(1)\n", mode: 0o644 });
    expect(packed.find((e) => e.name === "run.sh")?.mode).toBe(0o755);
    expect(packed.find((e) => e.name === "link.py")?.link).toBe("main.py");
  });
});

describe("copying /outputs back", () => {
  it("writes the files under the outputs folder, without its top entry", async () => {
    const into = join(tempDir(), "out");
    const written = await extractOutputs(
      tarOf([
        { name: "outputs/", type: "directory" },
        { name: "outputs/requirements.log", body: "log\n" },
        { name: "outputs/sub/", type: "directory" },
        { name: "outputs/sub/r.csv", body: "a,b\n" },
      ]),
      into,
      () => {},
    );
    expect(written).toEqual(["requirements.log", "sub/r.csv"]);
    expect(readFileSync(join(into, "sub", "r.csv"), "utf8")).toBe("a,b\n");
  });

  it("skips links and names that leave the folder, saying so", async () => {
    const base = tempDir();
    const into = join(base, "out");
    const said: string[] = [];
    const written = await extractOutputs(
      tarOf([
        { name: "outputs/", type: "directory" },
        { name: "outputs/../../escaped.txt", body: "x" },
        { name: "outputs/passwd", type: "symlink", link: "/etc/passwd" },
        { name: "outputs/ok.txt", body: "ok" },
      ]),
      into,
      (line) => said.push(line),
    );
    expect(written).toEqual(["ok.txt"]);
    expect(existsSync(join(base, "escaped.txt"))).toBe(false);
    expect(existsSync(join(into, "passwd"))).toBe(false);
    expect(said.join("\n")).toContain("leaves the folder");
    expect(said.join("\n")).toContain("a symlink, not a file");
  });
});

describe("Docker's multiplexed stream", () => {
  it("splits frames into stdout and stderr, across chunk boundaries", () => {
    const frame = (kind: number, text: string) => {
      const body = Buffer.from(text);
      const header = Buffer.alloc(8);
      header[0] = kind;
      header.writeUInt32BE(body.length, 4);
      return Buffer.concat([header, body]);
    };
    const seen: string[] = [];
    const demux = new StreamDemultiplexer((stream, data) => seen.push(`${stream}:${data.toString()}`));
    const all = Buffer.concat([frame(1, "out 1\n"), frame(2, "err\n"), frame(1, "out 2\n")]);
    for (let i = 0; i < all.length; i += 5) demux.push(all.subarray(i, i + 5));
    expect(seen).toEqual(["stdout:out 1\n", "stderr:err\n", "stdout:out 2\n"]);
  });
});
