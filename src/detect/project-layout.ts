/**
 * How pyfront reads a project nobody configured: which files name its dependencies, and whether
 * it is a package to build or an application to copy. The conventions are data, in the order they
 * apply; `pyfront plan` shows which one fired (spec.decisions).
 */
import type { Decision } from "../spec/build-spec.js";
import { contextDirname, contextJoin } from "../spec/context-checks.js";
import type { ContextReader } from "../spec/context-reader.js";
import type { SourceDocument } from "../spec/source-document.js";

/**
 * Requirements files people keep next to their code, most specific first: a production file
 * usually includes the base one (`-r base.txt`), so it is the one to install.
 */
export const REQUIREMENTS_FILE_CONVENTIONS: readonly string[] = [
  "requirements.txt",
  "requirements/production.txt",
  "requirements/prod.txt",
  "requirements/main.txt",
  "requirements/base.txt",
  "requirements/common.txt",
  "requirements/requirements.txt",
  "requirements-prod.txt",
  "requirements_prod.txt",
];

/** Folders that hold requirements files for the project around them. */
export const REQUIREMENTS_FOLDERS: readonly string[] = ["requirements", "reqs", "requirements.d"];

/**
 * The project's folder for a spec file: the file's own folder, except for a requirements file in
 * a requirements folder (`requirements/prod.txt`), which belongs to the project above it.
 */
export function projectDirOf(specFile: string, kind: string | undefined): string {
  const dir = contextDirname(specFile);
  const folder = dir.slice(dir.lastIndexOf("/") + 1);
  if (kind === "requirements" && dir !== "." && REQUIREMENTS_FOLDERS.includes(folder))
    return contextDirname(dir);
  return dir;
}

/** The first conventional requirements file in the project's folder. */
export function findRequirementsFile(context: ContextReader, projectDir: string): string | undefined {
  for (const name of REQUIREMENTS_FILE_CONVENTIONS) {
    const path = contextJoin(projectDir, name);
    if (context.readFile(path) !== undefined) return path;
  }
  return undefined;
}

/**
 * The file that stands for a folder when the build names none (the CLI given a directory; the
 * frontend run without a file name): the first that exists, else the folder's only .py file.
 */
export const SPEC_FILE_CANDIDATES: readonly string[] = [
  "pyproject.toml",
  "Mopyfile.yaml",
  "Mopyfile.yml",
  "Pipfile",
  ...REQUIREMENTS_FILE_CONVENTIONS,
  "setup.py",
  "setup.cfg",
  "main.py",
  "app.py",
];

/** The spec file of a folder, by SPEC_FILE_CANDIDATES; undefined when nothing there can be built. */
export function findSpecFile(context: ContextReader, dir: string): string | undefined {
  for (const name of SPEC_FILE_CANDIDATES) {
    const path = contextJoin(dir, name);
    if (context.exists(path)) return path;
  }
  const scripts = (context.listDirectory(dir) ?? []).filter((e) => e.kind === "file" && /\.py$/.test(e.name));
  return scripts.length === 1 ? contextJoin(dir, scripts[0]!.name) : undefined;
}

/** Switches with which a tool declares "this project is not a package; install its dependencies only". */
export const NOT_A_PACKAGE_SWITCHES: ReadonlyArray<{ tool: string; path: readonly string[] }> = [
  { tool: "uv", path: ["tool", "uv", "package"] },
  { tool: "Poetry", path: ["tool", "poetry", "package-mode"] },
  { tool: "PDM", path: ["tool", "pdm", "distribution"] },
];

/** Files that make a folder a setuptools project even without `[build-system]`. */
export const SETUPTOOLS_FILES: readonly string[] = ["setup.py", "setup.cfg"];

/**
 * What pip assumes for a project without `[build-system]` (PEP 517's fallback), plus wheel, which
 * setuptools before 70.1 needs to build one.
 */
export const SETUPTOOLS_FALLBACK_REQUIRES: readonly string[] = ["setuptools>=40.8.0", "wheel"];

export type ProjectKind =
  | { kind: "package"; decision: Decision; backendRequires?: readonly string[] }
  | { kind: "application"; decision: Decision };

/**
 * Package or application, by the first rule that applies: a tool's "not a package" switch; a
 * `[build-system]` table; setuptools configuration (`[tool.setuptools]`, setup.py, setup.cfg);
 * otherwise an application, whose files are copied and whose dependencies alone are installed.
 */
export function detectProjectKind(
  doc: SourceDocument | undefined,
  context: ContextReader,
  projectDir: string,
): ProjectKind {
  for (const { tool, path } of NOT_A_PACKAGE_SWITCHES) {
    if (doc?.get(path) === false) {
      return {
        kind: "application",
        decision: {
          choice: "application",
          rule: "declared-not-a-package",
          reason: `${path.join(".")} = false: ${tool} installs the dependencies, not the project`,
        },
      };
    }
  }
  if (doc?.get(["build-system"]) !== undefined) {
    const backend = doc.get(["build-system", "build-backend"]);
    return {
      kind: "package",
      decision: {
        choice: "package",
        rule: "build-system",
        reason: `[build-system] names ${typeof backend === "string" ? backend : "a build backend"}: built as a wheel`,
      },
    };
  }
  const setuptoolsFile = SETUPTOOLS_FILES.find(
    (name) => context.readFile(contextJoin(projectDir, name)) !== undefined,
  );
  if (doc?.get(["tool", "setuptools"]) !== undefined || setuptoolsFile !== undefined) {
    return {
      kind: "package",
      backendRequires: SETUPTOOLS_FALLBACK_REQUIRES,
      decision: {
        choice: "package",
        rule: "setuptools-config",
        reason: `${setuptoolsFile ?? "[tool.setuptools]"} without [build-system]: built with setuptools, as pip does`,
      },
    };
  }
  return {
    kind: "application",
    decision: {
      choice: "application",
      rule: "no-build-system",
      reason: "no [build-system] and no setuptools configuration: the files are copied to the app directory",
    },
  };
}
