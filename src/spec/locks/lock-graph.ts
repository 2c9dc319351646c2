import type { SourcePosition } from "../build-spec.js";

/**
 * What a lockfile says, in one shape for every tool's format: the locked distributions, with
 * their files and hashes, and how to walk from the project to the ones a target needs. Readers
 * (one module per format, next to this one) only translate; choosing for a target Python and
 * platform happens once, in lock-selection.ts, for all of them.
 */
export type LockFormat = "uv" | "poetry" | "pdm" | "pipfile" | "pylock";

/** One file of a locked distribution (a wheel or an sdist) and the hashes pip checks it against. */
export interface LockedFile {
  /**
   * The file name, e.g. `flask-3.1.1-py3-none-any.whl`; its wheel tags decide where it installs.
   * Absent when the lock records hashes only (Pipfile.lock): then one entry holds all of the
   * package's hashes, and pip checks whichever file it downloads against them.
   */
  name?: string;
  /** `sha256:<hex>` (or another algorithm pip knows: sha384, sha512), lowercase. */
  hashes: string[];
  /** Where the lock says the file is, when it says (an index's file URL or a direct URL). */
  url?: string;
}

/** Where a locked distribution comes from. */
export type LockedSource =
  /** A package index: pip fetches `name==version` from the build's indices and checks the hashes. */
  | { kind: "registry"; url?: string }
  /** A direct archive URL (`name @ https://...`), hash-checked like an index file. */
  | { kind: "url"; url: string }
  /** A git repository at the locked commit (full hex id), installed without hash checking. */
  | { kind: "git"; url: string; commit: string; subdirectory?: string }
  /**
   * A directory in the build context (a path dependency or a uv workspace member), relative to
   * the lock file's folder as written; installed from the context without hash checking.
   */
  | { kind: "directory"; path: string; editable: boolean }
  /** The project the lock belongs to (uv's root entry): installed as the project, never as a dependency. */
  | { kind: "project" };

/** A dependency edge: from the project (a root) or from a locked package to another one. */
export interface LockEdge {
  /** PEP 503-normalized name (lowercase, runs of `-_.` as one `-`). */
  name: string;
  /** Which locked version, when the lock holds several of one name (uv's forks); absent: the only one. */
  version?: string;
  /** PEP 508 environment marker guarding the edge; `extra == "x"` refers to the depending package's extras. */
  marker?: string;
  /** Extras of the target package this edge activates. */
  extras?: string[];
  /** The version range the depending side asked for, as written, for the freshness check. */
  specifier?: string;
}

export interface LockedPackage {
  /** PEP 503-normalized. */
  name: string;
  version: string;
  source: LockedSource;
  files: LockedFile[];
  /** The package's `Requires-Python`, when the lock records it. */
  requiresPython?: string;
  /**
   * Flattened formats (pdm, Pipfile.lock, pylock, poetry lock 2.1): the marker under which this
   * package is installed at all. pylock markers may also test `extras` and `dependency_groups`.
   */
  marker?: string;
  /** Flattened formats: the groups (and for pdm, extras) that pull this package in. */
  groups?: string[];
  /** Graph formats (uv, poetry): what this package depends on. */
  dependencies: LockEdge[];
  /** Graph formats: the package's extras and the edges each adds. */
  optionalDependencies: Record<string, LockEdge[]>;
  /**
   * The lock names the package without pinning it: pipenv writes `"version": "*"` (and no hashes)
   * for an entry whose marker fails where it locked. Fine while the target skips it too.
   */
  unpinned?: true;
  /** Where the package's entry starts in the lock file. */
  position: SourcePosition;
}

/** How to go from the project to the packages a target needs. */
export type LockSelectionRule =
  /**
   * Walk the dependency graph from the roots of the selected groups, following edges whose
   * markers hold for the target (uv.lock, and poetry.lock before lock-version 2.1).
   */
  | {
      kind: "graph";
      /** Group name → the project's own edges in it. The main dependencies are the group "default". */
      roots: Record<string, LockEdge[]>;
      /** The project's extras → the edges each adds (selected with the spec's `extras`). */
      extras: Record<string, LockEdge[]>;
    }
  /** Take every package whose groups meet the selected ones and whose marker holds (pdm, Pipfile.lock, pylock, poetry 2.1). */
  | { kind: "flat" };

export interface LockGraph {
  format: LockFormat;
  /** Context path of the lock file, e.g. `poetry.lock` or `services/api/uv.lock`. */
  file: string;
  /** The format's version as written (`lock-version = "2.0"`, uv's `version = 1`), for messages. */
  formatVersion?: string;
  packages: LockedPackage[];
  selection: LockSelectionRule;
  /** The groups installed when the user names none: the tool's production default (no dev groups). */
  defaultGroups: string[];
  /** Every group the lock knows, so a named group that does not exist can be refused. */
  groups: string[];
  /** Every extra of the project the lock knows. */
  extras: string[];
  /** The lock's `requires-python`, when it has one. */
  requiresPython?: string;
  /**
   * The environments the lock was made for (pylock's `environments`, uv's `supported-markers`),
   * when it names them: a target where none of these markers holds is outside the lock, which
   * must be refused rather than installed from (the edge markers were simplified against them).
   */
  environments?: string[];
  /**
   * Groups that take in other groups (Poetry 2.2's `include-groups`): a group named for the
   * build brings the groups it includes, transitively.
   */
  groupIncludes?: Record<string, string[]>;
}

/** Normalizes a distribution name as PEP 503 does, so names from any tool compare equal. */
export function normalizePackageName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}
