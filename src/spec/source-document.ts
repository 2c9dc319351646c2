import type { SourcePosition } from "./build-spec.js";

/** A path into a parsed document: table keys and array indices, e.g. ["tool", "pyfront", "indices", 0]. */
export type SourcePath = ReadonlyArray<string | number>;

interface NodeLocation {
  /** Where the key naming this node was written (absent for array elements and the root). */
  key?: SourcePosition;
  value: SourcePosition;
  /** The value exactly as written, for scalars (YAML turns `3.10` into 3.1; the text keeps it). */
  raw?: string;
}

/**
 * A parsed TOML or YAML file: its plain value plus where every key and value was written, so
 * problems found later (schema, rules, context) can point at the exact line and column.
 */
export class SourceDocument {
  readonly file: string;
  readonly value: unknown;
  readonly #locations = new Map<string, NodeLocation>();

  constructor(file: string, value: unknown) {
    this.file = file;
    this.value = value;
  }

  /** Records where a node was written; the first record of a path wins (dotted TOML keys repeat). */
  record(path: SourcePath, location: NodeLocation): void {
    const id = pathId(path);
    if (!this.#locations.has(id)) this.#locations.set(id, location);
  }

  /** Position of the value at `path`, or of its nearest recorded ancestor. */
  valuePosition(path: SourcePath): SourcePosition {
    return this.#nearest(path, (l) => l.value);
  }

  /** Position of the key naming `path` (falls back to its value, then to ancestors). */
  keyPosition(path: SourcePath): SourcePosition {
    return this.#nearest(path, (l) => l.key ?? l.value);
  }

  /** Source text of the scalar at `path`, when recorded. */
  rawText(path: SourcePath): string | undefined {
    return this.#locations.get(pathId(path))?.raw;
  }

  /** The value at `path` in the plain value, or undefined. */
  get(path: SourcePath): unknown {
    let node: unknown = this.value;
    for (const part of path) {
      if (node === null || typeof node !== "object") return undefined;
      node = (node as Record<string | number, unknown>)[part];
    }
    return node;
  }

  #nearest(path: SourcePath, pick: (l: NodeLocation) => SourcePosition): SourcePosition {
    for (let n = path.length; n >= 0; n--) {
      const found = this.#locations.get(pathId(path.slice(0, n)));
      if (found) return pick(found);
    }
    return { file: this.file, line: 1, column: 1 };
  }
}

function pathId(path: SourcePath): string {
  return JSON.stringify(path);
}
