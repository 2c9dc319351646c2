import type { ContextReader, DirectoryEntry } from "../spec/index.js";

/** What the frontend learned about one context path. */
export type ProbedEntry =
  | { kind: "file"; text?: string }
  | { kind: "directory" }
  /** A FIFO, socket or device: it exists, but is never read. */
  | { kind: "other" }
  | { kind: "missing" };

export type EntryKind = "file" | "directory" | "other";

/** The asynchronous context BuildKit offers a frontend (a solved `local://context`). */
export interface AsyncContext {
  stat(path: string): Promise<EntryKind | "missing">;
  readFile(path: string): Promise<string>;
  /** The directory's entries; undefined when it is missing or not a directory. */
  listDirectory(path: string): Promise<DirectoryEntry[] | undefined>;
  /**
   * Every entry of a directory by name, with its kind as stat() would give it (not cut at any
   * length); undefined when it is missing or not a directory. When offered, the paths a round
   * asks about are answered with one listing per folder instead of one stat per path: a loader
   * checks a dozen candidate files at once, and each gateway call costs a round trip (on
   * BuildKit 0.8, a mount of the context).
   */
  entryKinds?(path: string): Promise<Map<string, EntryKind> | undefined>;
}

/** A path as folder and name, when it is a plain relative path a listing can answer for. */
export function splitProbePath(path: string): { folder: string; name: string } | undefined {
  const segments = path.split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) return undefined;
  const name = segments.pop()!;
  return { folder: segments.length === 0 ? "." : segments.join("/"), name };
}

type FolderListings = Map<string, Promise<Map<string, EntryKind> | undefined>>;

/**
 * A folder's entries by name, listed once per probe whichever round asks; a folder that its
 * parent's listing shows missing (or not a folder) is not asked for at all: a loader checks
 * `.config/mise/config.toml` and the like in every project, and most have no `.config`.
 */
function folderKinds(
  context: AsyncContext & Required<Pick<AsyncContext, "entryKinds">>,
  folder: string,
  folders: FolderListings,
): Promise<Map<string, EntryKind> | undefined> {
  let listed = folders.get(folder);
  if (listed === undefined) {
    const split = folder === "." ? undefined : splitProbePath(folder);
    listed =
      split === undefined
        ? context.entryKinds(folder)
        : folderKinds(context, split.folder, folders).then((parent) =>
            parent?.get(split.name) === "directory" ? context.entryKinds(folder) : undefined,
          );
    folders.set(folder, listed);
  }
  return listed;
}

/**
 * The kind of each path: one listing per folder where the context lists, one stat per path
 * otherwise.
 */
async function kindsOf(
  context: AsyncContext,
  paths: readonly string[],
  folders: FolderListings,
): Promise<Map<string, EntryKind | "missing">> {
  const kinds = new Map<string, EntryKind | "missing">();
  const byFolder = new Map<string, { path: string; name: string }[]>();
  const stats: string[] = [];
  const lists = context.entryKinds ? { ...context, entryKinds: context.entryKinds } : undefined;
  for (const path of paths) {
    const split = lists ? splitProbePath(path) : undefined;
    if (split === undefined) stats.push(path);
    else byFolder.set(split.folder, [...(byFolder.get(split.folder) ?? []), { path, name: split.name }]);
  }
  await Promise.all([
    ...stats.map(async (path) => {
      kinds.set(path, await context.stat(path));
    }),
    ...[...byFolder].map(async ([folder, entries]) => {
      const listed = await folderKinds(lists!, folder, folders);
      for (const { path, name } of entries) kinds.set(path, listed?.get(name) ?? "missing");
    }),
  ]);
  return kinds;
}

/** Rounds of look-ups before giving up: a loader that keeps asking for new paths is a bug. */
const MAX_ROUNDS = 32;

/**
 * Runs a synchronous reader-based computation (spec loading) against an asynchronous context.
 * Each round answers what is known and records what is not; the recorded paths are then fetched
 * and the computation runs again, until a round asks nothing new. The loader is pure and cheap,
 * so re-running it costs less than listing a whole context up front.
 */
export async function withProbedContext<T>(
  context: AsyncContext,
  compute: (reader: ContextReader) => T,
): Promise<T> {
  const known = new Map<string, ProbedEntry>();
  const listings = new Map<string, DirectoryEntry[] | undefined>();
  const folders: FolderListings = new Map();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const wanted = new Map<string, { text: boolean }>();
    const wantedListings = new Set<string>();
    const want = (path: string, text: boolean) => {
      const prior = wanted.get(path);
      wanted.set(path, { text: text || (prior?.text ?? false) });
    };
    const reader: ContextReader = {
      readFile(path) {
        const entry = known.get(path);
        if (entry === undefined || (entry.kind === "file" && entry.text === undefined)) {
          want(path, true);
          return undefined;
        }
        return entry.kind === "file" ? entry.text : undefined;
      },
      exists(path) {
        const entry = known.get(path);
        if (entry === undefined) want(path, false);
        return entry !== undefined && entry.kind !== "missing";
      },
      isDirectory(path) {
        const entry = known.get(path);
        if (entry === undefined) want(path, false);
        return entry?.kind === "directory";
      },
      isFile(path) {
        const entry = known.get(path);
        if (entry === undefined) want(path, false);
        return entry?.kind === "file";
      },
      listDirectory(path) {
        if (!listings.has(path)) {
          wantedListings.add(path);
          return undefined;
        }
        return listings.get(path);
      },
    };
    let result: T | undefined;
    let failure: unknown;
    try {
      result = compute(reader);
    } catch (error) {
      failure = error;
    }
    if (wanted.size === 0 && wantedListings.size === 0) {
      if (failure !== undefined) throw failure;
      return result as T;
    }
    // Paths and listings at once: each is a gateway round trip of its own.
    const probePaths = async () => {
      const kinds = await kindsOf(context, [...wanted.keys()], folders);
      await Promise.all(
        [...wanted].map(async ([path, { text }]) => {
          const kind = kinds.get(path) ?? "missing";
          if (kind === "file")
            known.set(path, text ? { kind, text: await context.readFile(path) } : { kind });
          else known.set(path, { kind });
        }),
      );
    };
    // A folder is listed only when it is one: its kind comes from its parent's listing.
    const listFolder = async (path: string) => {
      const kind =
        context.entryKinds && splitProbePath(path)
          ? (await kindsOf(context, [path], folders)).get(path)
          : "directory";
      return kind === "directory" ? context.listDirectory(path) : undefined;
    };
    await Promise.all([
      probePaths(),
      ...[...wantedListings].map(async (path) => {
        listings.set(path, await listFolder(path));
      }),
    ]);
  }
  throw new Error(`spec loading kept asking for new context paths after ${MAX_ROUNDS} rounds`);
}
