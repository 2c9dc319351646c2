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

const BLANK_OR_COMMENT = /^\s*(#|$)/;

/** The `# escape=` parser directive, if the file starts with one; else the backslash. */
export function escapeCharacter(lines: readonly string[]): string {
  for (const line of lines) {
    const directive = /^#\s*([A-Za-z]+)\s*=\s*(\S+)\s*$/.exec(line);
    if (!directive) break;
    if (directive[1]!.toLowerCase() === "escape" && (directive[2] === "`" || directive[2] === "\\")) {
      return directive[2];
    }
  }
  return "\\";
}

/**
 * The last line of the instruction that starts at `start`, as the Dockerfile frontend reads it:
 * continuations (a trailing escape character, with comments and blank lines inside) and the
 * bodies of heredocs (`RUN <<EOF`, `COPY <<-EOF /x`).
 */
export function instructionEnd(lines: readonly string[], start: number, escapeChar: string): number {
  let i = start;
  while (lines[i]!.trimEnd().endsWith(escapeChar) && i + 1 < lines.length) {
    i++;
    while (i + 1 < lines.length && BLANK_OR_COMMENT.test(lines[i]!)) i++;
  }
  const keyword = (/^\s*(\S+)/.exec(lines[start]!)?.[1] ?? "").toUpperCase();
  if (keyword !== "RUN" && keyword !== "COPY" && keyword !== "ADD") return i;
  const text = lines.slice(start, i + 1).join("\n");
  for (const match of text.matchAll(/<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g)) {
    const strip = match[1] === "-";
    while (i + 1 < lines.length) {
      i++;
      const body = strip ? lines[i]!.replace(/^\t+/, "") : lines[i]!;
      if (body === match[3]) break;
    }
  }
  return i;
}

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
  const escapeChar = escapeCharacter(lines);
  for (let i = 0; i < lines.length; i++) {
    if (BLANK_OR_COMMENT.test(lines[i]!)) continue;
    const match = PYENV_LINE.exec(lines[i]!);
    if (!match) {
      // Another instruction: a PYENV word in its continuation or heredoc is its text, not ours.
      i = instructionEnd(lines, i, escapeChar);
      continue;
    }
    const first = i;
    let instruction = lines[i]!;
    kept[i] = "";
    // A trailing escape character continues the instruction on the next line, as in any Dockerfile.
    while (instruction.endsWith(escapeChar) && i + 1 < lines.length) {
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
