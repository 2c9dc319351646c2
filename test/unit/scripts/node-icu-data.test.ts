import { describe, expect, it } from "vitest";
import { findIcuPackage, IcuDataError, keepsIcuItem, trimIcuData } from "../../../scripts/node-icu-data.js";

/** An ICU common data package as ICU's tools lay it out: header, table, names, 16-byte aligned items. */
function icuPackage(items: [string, Buffer][]): Buffer {
  const header = Buffer.alloc(32);
  header.writeUInt16LE(32, 0);
  header[2] = 0xda;
  header[3] = 0x27;
  header.writeUInt16LE(20, 4); // UDataInfo size
  header[8] = 0; // little-endian
  header[9] = 0; // ASCII
  header[10] = 2; // sizeof(UChar)
  header.write("CmnD", 12, "latin1");
  header[16] = 1; // format version
  const names = Buffer.concat(items.map(([name]) => Buffer.from(`${name}\0`, "latin1")));
  const namesStart = 4 + 8 * items.length;
  const dataStart = Math.ceil((namesStart + names.length) / 16) * 16;
  const table = Buffer.alloc(dataStart);
  table.writeUInt32LE(items.length, 0);
  names.copy(table, namesStart);
  let nameOffset = namesStart;
  let dataOffset = dataStart;
  const bodies = items.map(([name, body], i) => {
    const padded = Buffer.alloc(Math.ceil(body.length / 16) * 16);
    body.copy(padded);
    table.writeUInt32LE(nameOffset, 4 + 8 * i);
    table.writeUInt32LE(dataOffset, 8 + 8 * i);
    nameOffset += name.length + 1;
    dataOffset += padded.length;
    return padded;
  });
  return Buffer.concat([header, table, ...bodies]);
}

/** What a package's items hold, read back through its table of contents. */
function contents(binary: Buffer): Record<string, string> {
  const pkg = findIcuPackage(binary);
  const toc = pkg.start + pkg.headerSize;
  return Object.fromEntries(
    pkg.items
      .filter((item) => item.length !== undefined)
      .map((item) => [
        item.name,
        binary.toString("latin1", toc + item.offset, toc + item.offset + item.length!).replace(/\0+$/, ""),
      ]),
  );
}

const items: [string, Buffer][] = [
  ["icudt78l/cnvalias.icu", Buffer.from("aliases")],
  ["icudt78l/coll/de.res", Buffer.from("german collation")],
  ["icudt78l/coll/root.res", Buffer.from("root collation")],
  ["icudt78l/de.res", Buffer.from("german")],
  ["icudt78l/en.res", Buffer.from("english")],
  ["icudt78l/en_US.res", Buffer.from("american")],
  ["icudt78l/ibm-943_P15A-2003.cnv", Buffer.from("shift-jis")],
  ["icudt78l/pool.res", Buffer.from("pool of strings, longer than sixteen bytes")],
  ["icudt78l/res_index.res", Buffer.from("index")],
  ["icudt78l/zu.res", Buffer.from("zulu")],
];

describe("the ICU data of the frontend's Node", () => {
  it("keeps root, English and what is not a locale's; drops other locales, converters, dictionaries, transliterators", () => {
    const kept = [
      "icudt78l/root.res",
      "icudt78l/en.res",
      "icudt78l/en_US_POSIX.res",
      "icudt78l/coll/root.res",
      "icudt78l/coll/ucadata.icu",
      "icudt78l/zone/en.res",
      "icudt78l/pool.res",
      "icudt78l/res_index.res",
      "icudt78l/supplementalData.res",
      "icudt78l/zoneinfo64.res",
      "icudt78l/nfc.nrm",
      "icudt78l/brkitr/word.brk",
      "icudt78l/cnvalias.icu",
    ];
    const dropped = [
      "icudt78l/de.res",
      "icudt78l/zh_Hant_TW.res",
      "icudt78l/en_GB.res",
      "icudt78l/coll/ja.res",
      "icudt78l/brkitr/cjdict.dict",
      "icudt78l/gb18030-2022.cnv",
      "icudt78l/translit/root.res",
    ];
    expect(kept.filter((name) => !keepsIcuItem(name))).toEqual([]);
    expect(dropped.filter(keepsIcuItem)).toEqual([]);
  });

  it("rewrites the package in place with the items kept, byte for byte, and zeroes what follows", () => {
    const before = Buffer.from("ELF and code before the data.");
    const after = Buffer.from("code after the data");
    const binary = Buffer.concat([before, icuPackage(items), after]);
    const result = trimIcuData(binary);
    expect(result.binary.length).toBe(binary.length);
    expect(result.binary.subarray(0, before.length)).toEqual(before);
    expect(result.binary.subarray(-after.length)).toEqual(after);
    expect(contents(result.binary)).toEqual({
      "icudt78l/cnvalias.icu": "aliases",
      "icudt78l/coll/root.res": "root collation",
      "icudt78l/en.res": "english",
      "icudt78l/en_US.res": "american",
      "icudt78l/pool.res": "pool of strings, longer than sixteen bytes",
    });
    // res_index.res is kept as the last item, whose length a table does not record.
    expect(
      findIcuPackage(result.binary)
        .items.map((item) => item.name)
        .at(-1),
    ).toBe("icudt78l/res_index.res");
    expect([result.kept, result.dropped]).toEqual([6, 4]);
    expect(result.after).toBeLessThan(result.before);
    const pkg = findIcuPackage(result.binary);
    const end = pkg.start + result.after;
    const oldEnd = pkg.start + result.before;
    expect(result.binary.subarray(end, oldEnd).every((byte) => byte === 0)).toBe(true);
    expect(pkg.items.every((item) => item.offset % 16 === 0)).toBe(true);
  });

  it("refuses a binary with no package, with two, or whose last item would be kept", () => {
    expect(() => trimIcuData(Buffer.from("no ICU here"))).toThrow(
      new IcuDataError("expected one ICU common data package in the binary, found 0"),
    );
    const twice = Buffer.concat([icuPackage(items), icuPackage(items)]);
    expect(() => trimIcuData(twice)).toThrow(/found 2/);
    const keptLast = icuPackage([...items, ["icudt78l/zoneinfo64.res", Buffer.from("zones")]]);
    expect(() => trimIcuData(keptLast)).toThrow(
      "the ICU package's last item (icudt78l/zoneinfo64.res) would be kept, and its length is unknown",
    );
  });
});
