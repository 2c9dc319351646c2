import type { PythonVersion } from "./build-spec.js";
import type { ContextReader } from "./context-reader.js";
import type { DiagnosticList } from "./diagnostic-list.js";
import { parseSpecifierSet, satisfies } from "./pep440.js";
import type { PyprojectFacts } from "./pyproject-project.js";
import {
  isProblem,
  NEWEST_PYTHON_SERIES,
  newestSeriesMatching,
  noSeriesProblem,
  resolvePythonVersion,
} from "./python-versions.js";
import type { SourceDocument, SourcePath } from "./source-document.js";

export const PYTHON_VERSION_FILE = ".python-version";

/**
 * Picks the interpreter: the explicit key, else `.python-version` in the context, else the newest
 * supported series allowed by `requires-python`, else the newest supported series.
 */
export function selectPython(args: {
  doc: SourceDocument;
  explicit?: { requested: string; path: SourcePath };
  facts?: PyprojectFacts;
  context: ContextReader;
  out: DiagnosticList;
}): PythonVersion {
  const { doc, explicit, facts, context, out } = args;
  const fallback: PythonVersion = { requested: NEWEST_PYTHON_SERIES, series: NEWEST_PYTHON_SERIES };
  const requires = facts?.requiresPython;
  const specifiers = requires ? parseSpecifierSet(requires.text) : [];
  if (requires && !specifiers) {
    out.error(
      { doc, path: requires.path },
      {
        code: "invalid-specifier",
        message: `${JSON.stringify(requires.text)} is not a version specifier`,
        hint: 'write e.g. ">=3.10" or ">=3.9,<3.13"',
      },
    );
  }

  let chosen: PythonVersion | undefined;
  if (explicit) {
    const resolved = resolvePythonVersion(explicit.requested);
    if (isProblem(resolved)) {
      out.error({ doc, path: explicit.path }, resolved);
      return fallback;
    }
    chosen = resolved;
  } else {
    const text = context.readFile(PYTHON_VERSION_FILE);
    if (text !== undefined) {
      const lines = text.split(/\r?\n/);
      const index = lines.findIndex((l) => l.trim() !== "" && !l.trim().startsWith("#"));
      const requested = index >= 0 ? lines[index]!.trim() : "";
      const resolved = resolvePythonVersion(requested);
      if (isProblem(resolved)) {
        out.error({ position: { file: PYTHON_VERSION_FILE, line: index + 1 || 1, column: 1 } }, resolved);
        return fallback;
      }
      chosen = resolved;
    }
  }

  if (chosen) {
    if (requires && specifiers && !seriesSatisfies(chosen, specifiers)) {
      out.warning(
        { doc, path: requires.path },
        {
          code: "python-outside-requires-python",
          message: `Python ${chosen.requested} does not satisfy ${JSON.stringify(requires.text)}`,
          hint: "change python_version or requires-python so they agree",
        },
      );
    }
    return chosen;
  }
  if (requires && specifiers) {
    const series = newestSeriesMatching(specifiers);
    if (!series) {
      out.error({ doc, path: requires.path }, noSeriesProblem(requires.text));
      return fallback;
    }
    return { requested: series, series };
  }
  return fallback;
}

function seriesSatisfies(python: PythonVersion, specifiers: Parameters<typeof satisfies>[1]): boolean {
  if (python.requested.split(".").length === 3) return satisfies(python.requested, specifiers);
  return newestSeriesMatching(specifiers) !== undefined && seriesHasMatch(python.series, specifiers);
}

function seriesHasMatch(series: string, specifiers: Parameters<typeof satisfies>[1]): boolean {
  for (let patch = 0; patch <= 40; patch++) if (satisfies(`${series}.${patch}`, specifiers)) return true;
  return false;
}
