/**
 * Read-only view of the build context, handed in by the edge (CLI: the file system; frontend:
 * BuildKit's context). Paths are relative to the context root, `/`-separated, already checked not
 * to leave it; "." is the root.
 */
export interface ContextReader {
  /** The file's text, or undefined when it is missing or not a file. */
  readFile(path: string): string | undefined;
  exists(path: string): boolean;
  isDirectory(path: string): boolean;
  /** Whether the path is a regular file (not a FIFO, device or socket); readers that cannot tell omit it. */
  isFile?(path: string): boolean;
  /**
   * The entries of a directory, sorted by name, or undefined when it is missing or not a directory.
   * Layout detection lists a few directories (the project's own, `requirements/`); it never walks
   * the context.
   */
  listDirectory(path: string): DirectoryEntry[] | undefined;
}

export interface DirectoryEntry {
  name: string;
  kind: "file" | "directory" | "other";
}

/** How the caller wants the spec read. */
export interface LoadOptions {
  /** Path of the spec file inside the context, e.g. "pyproject.toml" or "Mopyfile.yaml". */
  specFile: string;
  /** Target to build, for formats with targets; also read from build arg `microb_target`. */
  target?: string;
  buildArgs?: Record<string, string>;
}
