import { existsSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import {
  type ContextExcludes,
  contextExcludes,
  type FoundIgnoreFile,
  invalidIgnoreFile,
  withContextDecision,
} from "../context/default-excludes.js";
import { directoryContext } from "../context/directory-context.js";
import { describeUnreadable, MAX_INPUT_FILE_BYTES, readRegularFile } from "../context/regular-file.js";
import { findSpecFile as findLayoutSpecFile, SPEC_FILE_CANDIDATES } from "../detect/project-layout.js";
// The spec's own modules, not its index: the index also exports the JSON Schema generator, which
// `pyfront plan` need not load.
import { type Diagnostic, SpecError } from "../spec/diagnostics.js";
import { detectFileKind } from "../spec/format-detection.js";
import { type LoadedBuildSpec, loadBuildSpec } from "../spec/load-build-spec.js";
import { usageError } from "./usage-error.js";

/** What every command that reads a project takes from the command line. */
export interface ProjectArguments {
  /** The positional DIR: the build context, or a spec file whose directory is the context. */
  dir: string;
  /** `-f FILE`: the spec file, relative to the current directory like `docker build -f`; `-` is stdin. */
  file?: string;
  target?: string;
  buildArgs: Record<string, string>;
  /** The directory relative paths (arguments and diagnostics) start from; default the process's. */
  cwd?: string;
  /** The spec text read from standard input, for `-f -`. */
  stdinText?: string;
}

/** Spec file names tried, in order, when `-f` is not given. */
export const DEFAULT_SPEC_FILES = ["pyproject.toml", "Mopyfile.yaml", "Mopyfile.yml"] as const;

/** The name diagnostics give a spec read from standard input. */
export const STDIN_NAME = "<stdin>";

export interface LoadedProject extends LoadedBuildSpec {
  contextDir: string;
  /** The spec file's path inside the context, `/`-separated. */
  specFile: string;
  specText: string;
  buildArgs: Record<string, string>;
  /**
   * What is left out of the context: `<spec>.dockerignore` or the context's `.dockerignore`, as
   * docker build reads them, else pyfront's defaults. The spec was loaded without these paths.
   */
  contextExcludes: ContextExcludes;
  /** Rewrites a diagnostic's context-relative position to one clickable from where the command ran. */
  display: (diagnostic: Diagnostic) => Diagnostic;
}

/** Where the spec comes from and which directory is the context, once the arguments are checked. */
interface ProjectLocation {
  contextDir: string;
  /** Absolute path of the spec file, or "-" for standard input. */
  specPath: string;
}

/**
 * Finds, reads and validates the project's spec. User mistakes come back as SpecError, with
 * positions relative to `cwd` so they can be clicked in the terminal the command ran in.
 */
export function loadProject(args: ProjectArguments): LoadedProject {
  const cwd = args.cwd ?? process.cwd();
  const { contextDir, specPath } = locateProject({ ...args, cwd });
  const fromStdin = specPath === "-";
  if (fromStdin && args.stdinText === undefined)
    throw usageError("-f - reads the spec from standard input, and there is none");
  // The file must resolve inside the context before a byte of it is read.
  const contextPath = fromStdin ? undefined : toContextPath(contextDir, specPath, args);
  const specText = fromStdin ? stdinText(args.stdinText ?? "") : readSpecFile(specPath, args);
  const specFile = contextPath ?? stdinSpecName(specText);
  const display = displayPaths(contextDir, cwd, fromStdin ? specFile : undefined);
  const excludes = contextExcludes(readIgnore(fromStdin ? undefined : specPath, specFile, contextDir, cwd));
  try {
    const loaded = loadBuildSpec(
      specText,
      { specFile, ...(args.target ? { target: args.target } : {}), buildArgs: args.buildArgs },
      directoryContext(contextDir, { excludes: excludes.patterns }),
    );
    return {
      spec: withContextDecision(loaded.spec, excludes),
      warnings: loaded.warnings.map(display),
      contextDir,
      specFile,
      specText,
      buildArgs: args.buildArgs,
      contextExcludes: excludes,
      display,
    };
  } catch (error) {
    if (error instanceof SpecError) throw new SpecError(error.diagnostics.map(display));
    throw error;
  }
}

/** Checks DIR and `-f` the way docker build users expect, with one clear message per mistake. */
export function locateProject(
  args: Pick<ProjectArguments, "dir" | "file"> & { cwd: string },
): ProjectLocation {
  const dirPath = resolve(args.cwd, args.dir);
  const dirKind = pathKind(dirPath);
  if (dirKind === "missing") throw usageError(`build context ${quote(args.dir)} does not exist`);
  if (dirKind === "file") {
    // `pyfront plan app/pyproject.toml`: the spec file itself, its directory the context.
    if (args.file !== undefined) {
      throw usageError(
        `build context ${quote(args.dir)} is a file, and -f names the spec already`,
        `give the context directory: -f ${args.file} ${dirname(args.dir)}`,
      );
    }
    return { contextDir: dirname(dirPath), specPath: dirPath };
  }
  if (dirKind === "other") throw usageError(`build context ${quote(args.dir)} is not a directory`);
  if (args.file === undefined) return { contextDir: dirPath, specPath: findSpecFile(dirPath, args.dir) };
  if (args.file === "-") return { contextDir: dirPath, specPath: "-" };

  const specPath = resolve(args.cwd, args.file);
  const specKind = pathKind(specPath);
  if (specKind === "missing") {
    const inContext = resolve(dirPath, args.file);
    const hint =
      !isAbsolute(args.file) && pathKind(inContext) === "file"
        ? `-f is relative to the current directory, as for docker build: -f ${relative(args.cwd, inContext) || args.file}`
        : undefined;
    throw usageError(`spec file ${quote(args.file)} does not exist`, hint);
  }
  if (specKind === "directory") {
    const found = DEFAULT_SPEC_FILES.find((name) => pathKind(resolve(specPath, name)) === "file");
    throw usageError(
      `spec file ${quote(args.file)} is a directory`,
      found
        ? `-f names a file, e.g. -f ${joinDisplay(args.file, found)}; the build context is the DIR argument`
        : "-f names the spec file (pyproject.toml, Mopyfile.yaml); the build context is the DIR argument",
    );
  }
  if (specKind === "other") throw usageError(`spec file ${quote(args.file)} is not a regular file`);
  return { contextDir: dirPath, specPath };
}

type PathKind = "missing" | "file" | "directory" | "other";

function pathKind(path: string): PathKind {
  try {
    const stat = statSync(path);
    return stat.isFile() ? "file" : stat.isDirectory() ? "directory" : "other";
  } catch {
    return "missing";
  }
}

/**
 * The spec file's path inside the context, `/`-separated. The file itself must resolve inside the
 * context too: a `pyproject.toml` that is a symlink to `../outside.toml` is refused like
 * `-f ../outside.toml`.
 */
function toContextPath(contextDir: string, specPath: string, args: ProjectArguments): string {
  const outside = () =>
    usageError(
      `spec file ${quote(args.file ?? specPath)} is outside the build context ${quote(args.dir)}`,
      "the spec file must be inside the build context (DIR), as docker build requires",
    );
  const rel = relative(contextDir, specPath);
  if (isOutside(rel)) throw outside();
  let realRel: string;
  try {
    realRel = relative(realpathSync(contextDir), realpathSync(specPath));
  } catch {
    throw usageError(`spec file ${quote(args.file ?? rel)} cannot be read`);
  }
  if (isOutside(realRel)) throw outside();
  return rel.split(sep).join("/");
}

function isOutside(rel: string): boolean {
  return rel.startsWith(`..${sep}`) || rel === ".." || isAbsolute(rel);
}

/** Only a regular file, of bounded size: a FIFO or /dev/zero never makes a command wait. */
function readSpecFile(specPath: string, args: ProjectArguments): string {
  const read = readRegularFile(specPath);
  if (!read.ok)
    throw usageError(`spec file ${quote(args.file ?? specPath)} ${describeUnreadable(read.reason)}`);
  return read.text;
}

function stdinText(text: string): string {
  if (Buffer.byteLength(text) > MAX_INPUT_FILE_BYTES) {
    throw usageError(`the spec on standard input is larger than ${MAX_INPUT_FILE_BYTES} bytes`);
  }
  return text;
}

/** A spec from stdin is named for its format, so detection and the recipe treat it like a file in the context root. */
function stdinSpecName(text: string): string {
  const kind = detectFileKind("", text);
  return kind === "mopy" ? "Mopyfile.yaml" : kind === "pyenv" ? "Dockerfile" : "pyproject.toml";
}

/** Rewrites context-relative positions to paths relative to `cwd` (or `<stdin>`). */
function displayPaths(contextDir: string, cwd: string, stdinSpecFile: string | undefined) {
  return (d: Diagnostic): Diagnostic => {
    if (!d.position) return d;
    const file =
      d.position.file === stdinSpecFile
        ? STDIN_NAME
        : relative(cwd, resolve(contextDir, d.position.file)).split(sep).join("/");
    return { ...d, position: { ...d.position, file } };
  };
}

/**
 * The ignore file docker build would read: `<spec>.dockerignore` next to the spec, else the
 * context's `.dockerignore`; none means pyfront's default excludes. A pattern BuildKit would refuse
 * is refused here too.
 */
function readIgnore(
  specPath: string | undefined,
  specFile: string,
  contextDir: string,
  cwd: string,
): FoundIgnoreFile | undefined {
  const candidates: Array<Omit<FoundIgnoreFile, "text"> & { path: string }> = [
    ...(specPath
      ? [
          {
            kind: "spec-dockerignore" as const,
            file: `${specFile}.dockerignore`,
            path: `${specPath}.dockerignore`,
          },
        ]
      : []),
    { kind: "dockerignore", file: ".dockerignore", path: resolve(contextDir, ".dockerignore") },
  ];
  for (const { path, ...candidate } of candidates) {
    if (!existsSync(path)) continue;
    const shown = relative(cwd, path) || path;
    const read = readRegularFile(path);
    if (!read.ok) throw usageError(`${quote(shown)} ${describeUnreadable(read.reason)}`);
    const found = { ...candidate, text: read.text };
    const invalid = invalidIgnoreFile(found, shown);
    if (invalid) throw new SpecError([invalid]);
    return found;
  }
  return undefined;
}

function findSpecFile(contextDir: string, given: string): string {
  // A pyproject.toml that is a directory or a FIFO is named as such, not skipped: it is the spec
  // the user meant, and readSpecFile says what is wrong with it.
  // Looked up here rather than through the context reader, which hides what leaves the context.
  const candidate = SPEC_FILE_CANDIDATES.find((name) => pathKind(resolve(contextDir, name)) !== "missing");
  if (candidate !== undefined) return resolve(contextDir, candidate);
  const found = findLayoutSpecFile(directoryContext(contextDir), ".");
  if (found !== undefined) return resolve(contextDir, found);
  throw usageError(
    `nothing to build in ${quote(given)}: no pyproject.toml, Mopyfile.yaml, Pipfile, requirements file, setup.py or Python script`,
    `name the spec file with -f FILE, or run pyfront init ${given} to create a pyproject.toml`,
  );
}

function joinDisplay(dir: string, name: string): string {
  return dir.endsWith("/") ? `${dir}${name}` : `${dir}/${name}`;
}

function quote(text: string): string {
  return JSON.stringify(text);
}

export { usageError };
