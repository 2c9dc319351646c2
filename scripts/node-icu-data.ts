/**
 * Trims the ICU data built into a Node binary to what the frontend can use: the root and English
 * locales, as Node's own small-icu builds had. nodejs.org builds carry full ICU (about 33 MB of
 * the binary, 12.8 MB of the frontend image compressed), while the frontend reads UTF-8 and sorts
 * with code-unit order: it never formats for a locale, converts a legacy encoding or
 * transliterates.
 *
 * The data is one ICU "common data" package (format CmnD: a data header, a table of contents of
 * name and data offsets, the names, then the items, each 16-byte aligned) linked into the binary
 * as a symbol that ICU reads in place. The trimmed package is written where the full one was,
 * same start, with the items it keeps; the bytes after it are zeroed (they compress to nothing).
 * No ICU tool reads a package out of a binary, so this small format is read and written here.
 */

/** Why a Node binary cannot be trimmed: the binary is not the build this expects. */
export class IcuDataError extends Error {}

export interface IcuItem {
  /** The item's name inside the package, e.g. `icudt78l/coll/root.res`. */
  name: string;
  /** Offset of the item from the start of the table of contents. */
  offset: number;
  /** Bytes up to the next item (alignment included); the last item's length is not recorded. */
  length: number | undefined;
}

export interface IcuPackage {
  /** Offset of the package's data header in the binary. */
  start: number;
  headerSize: number;
  items: IcuItem[];
}

const MAGIC = Buffer.from([0xda, 0x27]);
const COMMON_DATA_FORMAT = "CmnD";

/** Finds the one little-endian ASCII CmnD package in `binary` and reads its table of contents. */
export function findIcuPackage(binary: Buffer): IcuPackage {
  const found: number[] = [];
  for (let at = binary.indexOf(MAGIC, 2); at !== -1; at = binary.indexOf(MAGIC, at + 1)) {
    const start = at - 2;
    // UDataInfo after the magic: size, reserved, isBigEndian, charsetFamily, sizeofUChar, reserved, format.
    const info = start + 4;
    if (
      binary.toString("latin1", info + 8, info + 12) === COMMON_DATA_FORMAT &&
      binary[info + 4] === 0 &&
      binary[info + 5] === 0
    ) {
      found.push(start);
    }
  }
  if (found.length !== 1) {
    throw new IcuDataError(`expected one ICU common data package in the binary, found ${found.length}`);
  }
  const start = found[0]!;
  const headerSize = binary.readUInt16LE(start);
  const toc = start + headerSize;
  const count = binary.readUInt32LE(toc);
  if (count === 0 || toc + 4 + 8 * count > binary.length) {
    throw new IcuDataError(`the ICU package's table of contents is not readable (${count} items)`);
  }
  const items: IcuItem[] = [];
  for (let i = 0; i < count; i++) {
    const nameOffset = binary.readUInt32LE(toc + 4 + 8 * i);
    const offset = binary.readUInt32LE(toc + 8 + 8 * i);
    const end = binary.indexOf(0, toc + nameOffset);
    items.push({ name: binary.toString("latin1", toc + nameOffset, end), offset, length: undefined });
  }
  for (let i = 0; i + 1 < count; i++) items[i]!.length = items[i + 1]!.offset - items[i]!.offset;
  return { start, headerSize, items };
}

/** A locale's bundle name (`de`, `zh_Hant_TW`), as against `root`, `pool`, `supplementalData`... */
const LOCALE_BUNDLE = /^[a-z]{2,3}(_[A-Za-z0-9]+)*$/;

/**
 * Whether the frontend's Node keeps an item: everything but other locales' bundles (every tree:
 * formats, collation, names, currencies, units, zones), the break iterators' dictionaries (Thai,
 * Chinese and Japanese word breaks), the legacy encodings' converters and the transliterators.
 */
export function keepsIcuItem(name: string): boolean {
  const path = name.slice(name.indexOf("/") + 1);
  const file = path.slice(path.lastIndexOf("/") + 1);
  const dot = file.lastIndexOf(".");
  const [stem, extension] = [file.slice(0, dot), file.slice(dot + 1)];
  if (path.startsWith("translit/") || extension === "dict" || extension === "cnv") return false;
  if (extension === "res" && LOCALE_BUNDLE.test(stem) && stem !== "res_index") {
    return stem === "en" || stem.startsWith("en_US");
  }
  return true;
}

export interface TrimResult {
  binary: Buffer;
  kept: number;
  dropped: number;
  /** Bytes of the package before and after. */
  before: number;
  after: number;
}

const ALIGN = 16;

/**
 * A copy of `binary` with its ICU package rewritten in place, keeping the items `keep` accepts in
 * their order (ICU looks names up by binary search). The last item's length is unknown, so it must
 * be one that is dropped.
 */
export function trimIcuData(binary: Buffer, keep: (name: string) => boolean = keepsIcuItem): TrimResult {
  const pkg = findIcuPackage(binary);
  const last = pkg.items[pkg.items.length - 1]!;
  if (keep(last.name)) {
    throw new IcuDataError(
      `the ICU package's last item (${last.name}) would be kept, and its length is unknown`,
    );
  }
  const kept = pkg.items.filter((item) => keep(item.name));
  const toc = pkg.start + pkg.headerSize;
  const oldEnd = toc + last.offset;
  const names = Buffer.concat(kept.map((item) => Buffer.from(`${item.name}\0`, "latin1")));
  const namesStart = 4 + 8 * kept.length;
  const itemsStart = Math.ceil((namesStart + names.length) / ALIGN) * ALIGN;
  const table = Buffer.alloc(itemsStart);
  table.writeUInt32LE(kept.length, 0);
  let nameOffset = namesStart;
  let dataOffset = itemsStart;
  const bodies: Buffer[] = [];
  kept.forEach((item, i) => {
    table.writeUInt32LE(nameOffset, 4 + 8 * i);
    table.writeUInt32LE(dataOffset, 8 + 8 * i);
    nameOffset += Buffer.byteLength(item.name, "latin1") + 1;
    bodies.push(binary.subarray(toc + item.offset, toc + item.offset + item.length!));
    dataOffset += item.length!;
  });
  names.copy(table, namesStart);
  const rewritten = Buffer.concat([table, ...bodies]);
  const out = Buffer.from(binary);
  out.fill(0, toc, oldEnd);
  rewritten.copy(out, toc);
  return {
    binary: out,
    kept: kept.length,
    dropped: pkg.items.length - kept.length,
    before: oldEnd - pkg.start,
    after: pkg.headerSize + rewritten.length,
  };
}
