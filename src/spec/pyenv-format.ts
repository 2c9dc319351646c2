import type { BuildSpec, PyenvEnvironment } from "./build-spec.js";
import { requireInContext } from "./context-checks.js";
import type { ContextReader, LoadOptions } from "./context-reader.js";
import type { DiagnosticList } from "./diagnostic-list.js";
import { defaultImages, isProblem, resolvePythonVersion } from "./python-versions.js";
import { DEFAULT_WORKDIR } from "./spec-assembly.js";
import { checkContextPath, normalizeContextPath } from "./value-rules.js";

const PYENV_LINE = /^(\s*)PYENV(\s+|$)/i;
const VENV_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/**
 * The bytes a requirements path may hold: it becomes the `source=` of a `RUN --mount` flag, a CSV
 * field the Dockerfile frontend also expands `$` in, so separators, quotes and `$` are refused.
 */
const REQUIREMENTS_PATH = /^[A-Za-z0-9_][A-Za-z0-9_.+@/-]*$/;

/** True when a Dockerfile holds at least one PYENV instruction. */
export function hasPyenvInstruction(text: string): boolean {
  return text.split(/\r?\n/).some((line) => PYENV_LINE.test(line));
}

/**
 * Reads the PYENV instructions of an astro-style Dockerfile. The rest of the Dockerfile is kept
 * as text for the renderer; PYENV lines are blanked in it so its line numbers stay true.
 */
export function readPyenvSpec(
  text: string,
  options: LoadOptions,
  context: ContextReader,
  out: DiagnosticList,
): BuildSpec | undefined {
  const file = options.specFile;
  const lines = text.split(/\r?\n/);
  const kept = [...lines];
  const environments: PyenvEnvironment[] = [];
  for (let i = 0; i < lines.length; i++) {
    const match = PYENV_LINE.exec(lines[i]!);
    if (!match) continue;
    const first = i;
    let instruction = lines[i]!;
    kept[i] = "";
    // A trailing backslash continues the instruction on the next line, as in any Dockerfile.
    while (instruction.endsWith("\\") && i + 1 < lines.length) {
      instruction = `${instruction.slice(0, -1)} ${lines[++i]}`;
      kept[i] = "";
    }
    const column = match[1]!.length + 1;
    const site = { position: { file, line: first + 1, column }, key: "PYENV" };
    const args = instruction.trim().split(/\s+/).slice(1);
    if (args.length < 2 || args.length > 3) {
      out.error(site, {
        code: "invalid-pyenv",
        message: `expected 2 or 3 arguments, got ${args.length}`,
        hint: "PYENV <python-version> <venv-name> [<requirements-file>]",
      });
      continue;
    }
    const [version, name, requirements] = args as [string, string, string | undefined];
    const python = resolvePythonVersion(version);
    if (isProblem(python)) {
      out.error(site, python);
      continue;
    }
    if (!VENV_NAME.test(name)) {
      out.error(site, {
        code: "invalid-venv-name",
        message: `${JSON.stringify(name)} is not a valid environment name`,
        hint: "use letters, digits, _ . -",
      });
      continue;
    }
    if (environments.some((e) => e.name === name)) {
      out.error(site, {
        code: "duplicate-venv",
        message: `environment ${JSON.stringify(name)} is defined twice`,
      });
      continue;
    }
    const environment: PyenvEnvironment = {
      python,
      name,
      position: site.position,
      lineCount: i - first + 1,
    };
    if (requirements !== undefined) {
      const problem = checkContextPath(requirements);
      if (problem) {
        out.error(site, problem);
        continue;
      }
      const path = normalizeContextPath(requirements);
      if (!REQUIREMENTS_PATH.test(path)) {
        out.error(site, {
          code: "invalid-pyenv-requirements",
          message: `the requirements file ${JSON.stringify(requirements)} has a character its RUN --mount flag cannot carry`,
          hint: "name it with letters, digits and _ . + @ / - only (no spaces, quotes, commas or $)",
        });
        continue;
      }
      if (!requireInContext(context, out, site, path, "file")) continue;
      environment.requirementsFile = path;
    }
    environments.push(environment);
  }
  const first = environments[0];
  if (!first) {
    if (!out.hasErrors) {
      out.error(
        { position: { file, line: 1, column: 1 } },
        { code: "no-pyenv", message: "the Dockerfile has no PYENV instruction" },
      );
    }
    return undefined;
  }
  const images = defaultImages(first.python);
  return {
    format: "pyenv",
    specFile: file,
    decisions: {},
    python: first.python,
    builderImage: images.builderImage,
    runtimeImage: images.runtimeImage,
    buildDeps: [],
    systemDeps: [],
    env: [],
    indices: [],
    labels: [],
    dependencies: [],
    project: { kind: "none" },
    workdir: DEFAULT_WORKDIR,
    expose: [],
    copyFiles: [],
    addFiles: [],
    metadata: { authors: [] },
    pyenv: { environments, dockerfile: kept.join("\n") },
    positions: { PYENV: first.position },
  };
}
