import type { ContextReader, DirectoryEntry } from "../spec/index.js";

/** What the frontend learned about one context path. */
export type ProbedEntry =
  | { kind: "file"; text?: string }
  | { kind: "directory" }
  /** A FIFO, socket or device: it exists, but is never read. */
  | { kind: "other" }
  | { kind: "missing" };

/** The asynchronous context BuildKit offers a frontend (a solved `local://context`). */
export interface AsyncContext {
  stat(path: string): Promise<"file" | "directory" | "other" | "missing">;
  readFile(path: string): Promise<string>;
  /** The directory's entries; undefined when it is missing or not a directory. */
  listDirectory(path: string): Promise<DirectoryEntry[] | undefined>;
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
    await Promise.all(
      [...wanted].map(async ([path, { text }]) => {
        const kind = await context.stat(path);
        if (kind === "file") known.set(path, text ? { kind, text: await context.readFile(path) } : { kind });
        else known.set(path, { kind });
      }),
    );
    await Promise.all(
      [...wantedListings].map(async (path) => {
        listings.set(path, await context.listDirectory(path));
      }),
    );
  }
  throw new Error(`spec loading kept asking for new context paths after ${MAX_ROUNDS} rounds`);
}
