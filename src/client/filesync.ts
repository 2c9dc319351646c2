import {
  type BigIntStats,
  createReadStream,
  type Dirent,
  lstatSync,
  readdirSync,
  readlinkSync,
} from "node:fs";
import { join, posix } from "node:path";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { type Stat, StatSchema } from "../buildkit/gen/fsutil/types/stat_pb.js";
import { type Packet, Packet_PacketType, PacketSchema } from "../buildkit/gen/fsutil/types/wire_pb.js";
import { ignoreMatcher } from "../context/dockerignore.js";

/** What BuildKit asks of one DiffCopy, from the request's gRPC metadata. */
export interface SyncRequest {
  /** The local's name: "context", "dockerfile". */
  dirName: string;
  includePatterns: string[];
  excludePatterns: string[];
  followPaths: string[];
}

/** Go's os.FileMode bits, which fsutil's Stat.mode carries. */
const GO_MODE = {
  dir: 0x80000000,
  symlink: 0x08000000,
  device: 0x04000000,
  namedPipe: 0x02000000,
  setuid: 0x00800000,
  setgid: 0x00400000,
  charDevice: 0x00200000,
  sticky: 0x00100000,
} as const;
/** Every type bit: a mode without them is a regular file, the only kind whose data can be requested. */
const GO_MODE_TYPE = 0x80000000 | 0x08000000 | 0x04000000 | 0x02000000 | 0x01000000 | 0x00200000 | 0x00080000;

/** Go's io.Copy buffer in fsutil: file data goes in chunks of this size. */
const DATA_CHUNK_BYTES = 32 * 1024;

/**
 * Reads the DiffCopy options from the request metadata. Each value is one header line; BuildKit
 * v0.13 URL-encodes non-ASCII values and then adds `<key>-encoded: 1`.
 */
export function syncRequestFromMetadata(raw: readonly [string, string][]): SyncRequest {
  const values = new Map<string, string[]>();
  for (const [name, value] of raw) {
    const key = name.toLowerCase();
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  const get = (key: string): string[] => {
    const list = values.get(key) ?? [];
    if (values.get(`${key}-encoded`)?.[0] !== "1" && values.get(`${key}-encoded`)?.[0] !== "true")
      return list;
    return list.map((v) => decodeURIComponent(v.replace(/\+/g, " ")));
  };
  return {
    dirName: get("dir-name")[0] ?? "",
    includePatterns: get("include-patterns"),
    excludePatterns: get("exclude-patterns"),
    followPaths: get("followpaths"),
  };
}

/** Go's byte order of names (UTF-8), not JavaScript's UTF-16 order. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** A pattern as fsutil compares prefixes: a trailing `/**` or `/*` dropped. */
function withoutTrailingGlob(pattern: string): string {
  return pattern.replace(/\/\*\*$/, "").replace(/\/\*$/, "");
}

const PATTERN_CHARS = /[*[\]?^\\]/;

/** Patterns cleaned as moby/patternmatcher cleans them (filepath.Clean, no leading `/`). */
function cleanPatterns(patterns: readonly string[]): string[] {
  return patterns
    .map((raw) => {
      const exception = raw.startsWith("!");
      let p = posix.normalize(exception ? raw.slice(1) : raw);
      while (p.startsWith("/")) p = p.slice(1);
      if (p.endsWith("/") && p.length > 1) p = p.slice(0, -1);
      return exception ? `!${p}` : p;
    })
    .filter((p) => p !== "" && p !== "!");
}

/** One entry of the walk: its stat as sent, and where its bytes are. */
export interface SyncEntry {
  stat: Stat;
  fullPath: string;
}

/**
 * The entries of `root` that the request selects, in fsutil's order (depth-first, names in byte
 * order, a folder before what is in it, the root itself left out), with fsutil's filter rules:
 * an entry is sent when an include pattern matches it or a folder above it (all when there are
 * none) and no exclude pattern takes it out; a folder left out is still walked when a pattern may
 * select something below it, and then sent just before the first entry that is.
 */
export function walkForSync(root: string, request: Omit<SyncRequest, "dirName">): SyncEntry[] {
  const includes = cleanPatterns([...request.includePatterns, ...followTargets(root, request.followPaths)]);
  const excludes = cleanPatterns(request.excludePatterns);
  const includeMatch = includes.length > 0 ? ignoreMatcher(includes) : undefined;
  const excludeMatch = excludes.length > 0 ? ignoreMatcher(excludes) : undefined;
  const onlyPrefixIncludes = includes.every(
    (p) => p.startsWith("!") || !PATTERN_CHARS.test(withoutTrailingGlob(p)),
  );
  const exceptions = excludes.filter((p) => p.startsWith("!")).map((p) => p.slice(1));
  const onlyPrefixExceptions = exceptions.every((p) => !PATTERN_CHARS.test(withoutTrailingGlob(p)));
  const positiveIncludes = includes.filter((p) => !p.startsWith("!"));
  const leadsInto = (patterns: readonly string[], dir: string) =>
    patterns.some((p) => `${withoutTrailingGlob(p)}/`.startsWith(`${dir}/`));

  const entries: SyncEntry[] = [];
  const firstOfInode = new Map<bigint, string>();
  // Folders walked but not sent yet: they go out just before the first entry below them that is.
  const pending: SyncEntry[] = [];
  const walk = (dir: string, rel: string) => {
    let names: Dirent[];
    try {
      names = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      // A folder that vanished meanwhile is skipped, as Go's WalkDir skips it.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    names.sort((a, b) => byteOrder(a.name, b.name));
    for (const dirent of names) {
      const path = rel === "" ? dirent.name : `${rel}/${dirent.name}`;
      const fullPath = join(dir, dirent.name);
      const isDir = dirent.isDirectory();
      let skip = false;
      if (includeMatch && !includeMatch.excludes(path)) {
        if (!isDir || (onlyPrefixIncludes && !leadsInto(positiveIncludes, path))) continue;
        skip = true;
      }
      if (excludeMatch?.excludes(path)) {
        if (!isDir || (onlyPrefixExceptions && !leadsInto(exceptions, path))) continue;
        skip = true;
      }
      const entry = statEntry(fullPath, path, firstOfInode);
      if (entry === undefined) continue;
      if (!skip) {
        entries.push(...pending.splice(0), entry);
        if (isDir) walk(fullPath, path);
      } else {
        pending.push(entry);
        walk(fullPath, path);
        if (pending.at(-1) === entry) pending.pop();
      }
    }
  };
  walk(root, "");
  return entries;
}

/** Follow paths are included with the targets of those that are symlinks inside the root. */
function followTargets(root: string, followPaths: readonly string[]): string[] {
  const targets: string[] = [];
  for (const path of followPaths) {
    targets.push(path);
    try {
      const link = readlinkSync(join(root, path));
      const target = posix.normalize(posix.join(posix.dirname(path), link));
      if (!posix.isAbsolute(link) && !target.startsWith("../") && target !== "..") targets.push(target);
    } catch {
      // Not a symlink, or missing: the path itself is the pattern.
    }
  }
  return targets;
}

/** The fsutil Stat of one entry, or undefined when it vanished meanwhile. */
function statEntry(fullPath: string, path: string, firstOfInode: Map<bigint, string>): SyncEntry | undefined {
  let st: BigIntStats;
  try {
    st = lstatSync(fullPath, { bigint: true });
  } catch {
    return undefined;
  }
  const mode = Number(st.mode);
  let goMode = mode & 0o777;
  if (mode & 0o4000) goMode |= GO_MODE.setuid;
  if (mode & 0o2000) goMode |= GO_MODE.setgid;
  if (mode & 0o1000) goMode |= GO_MODE.sticky;
  if (st.isDirectory()) goMode |= GO_MODE.dir;
  else if (st.isSymbolicLink()) goMode |= GO_MODE.symlink;
  else if (st.isFIFO()) goMode |= GO_MODE.namedPipe;
  else if (st.isBlockDevice()) goMode |= GO_MODE.device;
  else if (st.isCharacterDevice()) goMode |= GO_MODE.device | GO_MODE.charDevice;
  // A socket is sent with no type bit, as fsutil clears ModeSocket.
  const stat = create(StatSchema, {
    path,
    mode: goMode >>> 0,
    uid: Number(st.uid),
    gid: Number(st.gid),
    modTime: st.mtimeNs,
  });
  if (!st.isDirectory()) {
    stat.size = st.size;
    if (st.isSymbolicLink()) stat.linkname = readlinkSync(fullPath);
    if (st.isBlockDevice() || st.isCharacterDevice()) {
      const rdev = st.rdev;
      stat.devmajor = (rdev >> 8n) & 0xfffn;
      stat.devminor = (rdev & 0xffn) | ((rdev >> 12n) & 0xfff00n);
    }
    if (st.nlink > 1n) {
      const first = firstOfInode.get(st.ino);
      if (first !== undefined) {
        stat.linkname = first;
        stat.size = 0n;
      } else {
        firstOfInode.set(st.ino, path);
      }
    }
  }
  return { stat, fullPath };
}

/**
 * fsutil's sender side of DiffCopy: every selected entry as a STAT packet, an empty STAT to end
 * the list, then the data of each file the receiver asks for (REQ with the entry's index) in
 * DATA packets closed by an empty one, until the receiver's FIN, answered with FIN.
 */
export async function* diffCopySend(
  root: string,
  request: SyncRequest,
  incoming: AsyncIterable<Packet>,
): AsyncGenerator<Packet> {
  const entries = walkForSync(root, request);
  for (const entry of entries)
    yield create(PacketSchema, { type: Packet_PacketType.PACKET_STAT, stat: entry.stat });
  yield create(PacketSchema, { type: Packet_PacketType.PACKET_STAT });
  for await (const packet of incoming) {
    switch (packet.type) {
      case Packet_PacketType.PACKET_REQ: {
        const entry = entries[packet.ID];
        if (entry === undefined || (entry.stat.mode & GO_MODE_TYPE) !== 0) {
          throw new ConnectError(`invalid file id ${packet.ID}`, Code.InvalidArgument);
        }
        yield* fileData(packet.ID, entry.fullPath);
        break;
      }
      case Packet_PacketType.PACKET_FIN:
        yield create(PacketSchema, { type: Packet_PacketType.PACKET_FIN });
        return;
      case Packet_PacketType.PACKET_ERR:
        throw new ConnectError(`error from receiver: ${new TextDecoder().decode(packet.data)}`, Code.Unknown);
      default:
        break;
    }
  }
}

async function* fileData(id: number, fullPath: string): AsyncGenerator<Packet> {
  try {
    for await (const chunk of createReadStream(fullPath, { highWaterMark: DATA_CHUNK_BYTES })) {
      const data = chunk as Buffer;
      if (data.length > 0) yield create(PacketSchema, { type: Packet_PacketType.PACKET_DATA, ID: id, data });
    }
  } catch {
    // A file that vanished is sent empty, as fsutil's sender does when Open fails.
  }
  yield create(PacketSchema, { type: Packet_PacketType.PACKET_DATA, ID: id });
}
