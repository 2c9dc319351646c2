// A gzip'd ustar archive written byte by byte, so tests can pack exactly the members they mean,
// hostile ones included (`../` names, links out), which `tar` on the host would not write as asked.
import { gzipSync } from "node:zlib";

export interface TarEntry {
  name: string;
  /** File content; a regular file when `type` is not given. */
  content?: string;
  type?: "file" | "dir" | "symlink";
  /** A symlink's target. */
  link?: string;
  mode?: number;
}

const TYPE_FLAGS = { file: "0", dir: "5", symlink: "2" } as const;

function field(header: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length > length) throw new Error(`tar field too long: ${value}`);
  bytes.copy(header, offset);
}

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, "0")}\0`;
}

function header(entry: TarEntry, size: number): Buffer {
  const block = Buffer.alloc(512);
  const type = entry.type ?? "file";
  field(block, 0, 100, entry.name);
  field(block, 100, 8, octal(entry.mode ?? (type === "dir" ? 0o755 : 0o644), 8));
  field(block, 108, 8, octal(0, 8));
  field(block, 116, 8, octal(0, 8));
  field(block, 124, 12, octal(size, 12));
  field(block, 136, 12, octal(0, 12));
  field(block, 148, 8, "        "); // spaces while the checksum is summed
  field(block, 156, 1, TYPE_FLAGS[type]);
  field(block, 157, 100, entry.link ?? "");
  field(block, 257, 6, "ustar\0");
  field(block, 263, 2, "00");
  const sum = block.reduce((total, byte) => total + byte, 0);
  field(block, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return block;
}

/** The .tgz bytes of these entries, in this order. */
export function tgz(entries: readonly TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const data = Buffer.from(
      entry.type === undefined || entry.type === "file" ? (entry.content ?? "") : "",
      "utf8",
    );
    blocks.push(header(entry, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** A packed project folder: every file under one top directory, as `tar czf code.tgz job/` makes. */
export function packedProject(files: Record<string, string>, top = "job"): Buffer {
  return tgz([
    { name: `${top}/`, type: "dir" },
    ...Object.entries(files).map(([name, content]) => ({ name: `${top}/${name}`, content })),
  ]);
}
