import { existsSync, realpathSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { directoryContext } from "../context/directory-context.js";
import { parseDockerignore } from "../context/dockerignore.js";
import { describeUnreadable, readRegularFile } from "../context/regular-file.js";
import { type LoadedBuildSpec, loadBuildSpec, SpecError } from "../spec/index.js";

/** What every command that reads a project takes from the command line. */
export interface ProjectArguments {
  /** The build context directory (the positional DIR). */
  dir: string;
  /** `-f FILE`: the spec file, relative to the current directory like `docker build -f`. */
  file?: string;
  target?: string;
  buildArgs: Record<string, string>;
}

/** Spec file names tried, in order, when `-f` is not given. */
export const DEFAULT_SPEC_FILES = ["pyproject.toml", "Mopyfile.yaml", "Mopyfile.yml"] as const;

export interface LoadedProject extends LoadedBuildSpec {
  contextDir: string;
  /** The spec file's path inside the context, `/`-separated. */
  specFile: string;
  specText: string;
  buildArgs: Record<string, string>;
  /** Exclude patterns from `<spec>.dockerignore` or the context's `.dockerignore`, as docker build reads them. */
  dockerignore: string[];
}

/** Finds, reads and validates the project's spec; user mistakes come back as SpecError. */
export function loadProject(args: ProjectArguments): LoadedProject {
  const contextDir = resolve(args.dir);
  if (!existsSync(contextDir)) throw usageError(`build context ${JSON.stringify(args.dir)} does not exist`);
  const specPath = args.file ? resolve(args.file) : findSpecFile(contextDir);
  if (!existsSync(specPath))
    throw usageError(`spec file ${JSON.stringify(args.file ?? specPath)} does not exist`);
  const specFile = specPathInContext(contextDir, specPath, args);
  const read = readRegularFile(specPath);
  if (!read.ok) {
    throw usageError(`spec file ${JSON.stringify(args.file ?? specFile)} ${describeUnreadable(read.reason)}`);
  }
  const specText = read.text;
  const loaded = loadBuildSpec(
    specText,
    { specFile, ...(args.target ? { target: args.target } : {}), buildArgs: args.buildArgs },
    directoryContext(contextDir),
  );
  return {
    ...loaded,
    contextDir,
    specFile,
    specText,
    buildArgs: args.buildArgs,
    dockerignore: readIgnore(specPath, contextDir),
  };
}

/**
 * The spec file's path inside the context, `/`-separated. The file itself must resolve inside the
 * context: a `pyproject.toml` that is a symlink to `../outside.toml` is refused like `-f ../outside.toml`.
 */
function specPathInContext(contextDir: string, specPath: string, args: ProjectArguments): string {
  const outside = () =>
    usageError(
      `spec file ${JSON.stringify(args.file ?? relative(contextDir, specPath))} is outside the build context ${JSON.stringify(args.dir)}`,
      "move the spec file into the build context, or name a context that holds it",
    );
  const rel = relative(contextDir, specPath);
  if (isOutside(rel)) throw outside();
  let realRel: string;
  try {
    realRel = relative(realpathSync(contextDir), realpathSync(specPath));
  } catch {
    throw usageError(`spec file ${JSON.stringify(args.file ?? rel)} cannot be read`);
  }
  if (isOutside(realRel)) throw outside();
  const specFile = rel.split(sep).join("/");
  return specFile;
}

function isOutside(rel: string): boolean {
  return rel.startsWith(`..${sep}`) || rel === ".." || isAbsolute(rel);
}

function readIgnore(specPath: string, contextDir: string): string[] {
  for (const candidate of [`${specPath}.dockerignore`, resolve(contextDir, ".dockerignore")]) {
    if (!existsSync(candidate)) continue;
    const read = readRegularFile(candidate);
    if (!read.ok) throw usageError(`${JSON.stringify(candidate)} ${describeUnreadable(read.reason)}`);
    return parseDockerignore(read.text);
  }
  return [];
}

function findSpecFile(contextDir: string): string {
  for (const name of DEFAULT_SPEC_FILES) {
    const candidate = resolve(contextDir, name);
    if (existsSync(candidate)) return candidate;
  }
  throw usageError(
    `no ${DEFAULT_SPEC_FILES.join(" or ")} in ${contextDir}`,
    "name the spec file with -f FILE",
  );
}

function usageError(message: string, hint?: string): SpecError {
  return new SpecError([{ code: "usage", message, severity: "error", ...(hint ? { hint } : {}) }]);
}
