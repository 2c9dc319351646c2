import type { Decision, PythonVersion, SourcePosition } from "./build-spec.js";
import type { ContextReader } from "./context-reader.js";
import type { DiagnosticList, ProblemSite } from "./diagnostic-list.js";
import { parseSpecifierSet, satisfies, type VersionSpecifier } from "./pep440.js";
import type { PyprojectFacts } from "./pyproject-project.js";
import { findPythonSource, type PythonSourceFinding } from "./python-sources.js";
import {
  currentDate,
  endOfLifeProblem,
  imageVersion,
  maintainedSeries,
  NEWEST_PYTHON_SERIES,
  newestSeriesMatching,
  noSeriesProblem,
  seriesMatches,
} from "./python-versions.js";
import type { SourceDocument, SourcePath } from "./source-document.js";

export interface PythonSelection {
  python: PythonVersion;
  /** Which rule chose it and why, for `decisions.python`. */
  decision: Decision;
}

/** A version range that constrains the choice, parsed once. */
interface Constraint {
  text: string;
  specifiers: readonly VersionSpecifier[];
  site: ProblemSite;
  rule: PythonSourceFinding["rule"];
}

/**
 * Picks the interpreter by PYTHON_SOURCE_RULES (python-sources.ts): the spec's key, else a
 * version manager's file (the spec's folder first, then the context root), else the newest
 * supported series the script's or the project's `requires-python` allows, else the newest
 * supported series. A pinned version that a `requires-python` excludes is kept, with a warning;
 * a series past its end of life on `today` (default: the clock) builds, with a warning.
 */
export function selectPython(args: {
  doc: SourceDocument;
  explicit?: { requested: string; path: SourcePath };
  facts?: PyprojectFacts;
  /** `requires-python` of a PEP 723 inline script block, as the layout reader found it. */
  inlineScriptRequiresPython?: { text: string; position: SourcePosition };
  /** Directory of the spec file; its files win over the context root's. */
  projectDir: string;
  context: ContextReader;
  out: DiagnosticList;
  /** `YYYY-MM-DD`, for end-of-life warnings only: the choice itself never depends on it. */
  today?: string;
}): PythonSelection {
  const { doc, out } = args;
  const requires = args.facts?.requiresPython;
  const inline = args.inlineScriptRequiresPython;
  const constraints: Constraint[] = [];
  const addConstraint = (text: string, site: ProblemSite, rule: Constraint["rule"]) => {
    const specifiers = parseSpecifierSet(text);
    if (specifiers) constraints.push({ text, specifiers, site, rule });
    else out.error(site, invalidSpecifier(text));
  };
  if (inline) {
    const site = { position: inline.position, key: "requires-python" };
    addConstraint(inline.text, site, "inline-script-metadata");
  }
  if (requires) addConstraint(requires.text, { doc, path: requires.path }, "requires-python");

  const finding = findPythonSource({
    doc,
    ...(args.explicit ? { specKey: args.explicit } : {}),
    ...(inline ? { inlineScriptRequiresPython: inline } : {}),
    ...(requires ? { requiresPython: requires } : {}),
    projectDir: args.projectDir,
    context: args.context,
  });
  const fallback: PythonVersion = { requested: NEWEST_PYTHON_SERIES, series: NEWEST_PYTHON_SERIES };
  const decided = (python: PythonVersion, reason: string): PythonSelection => ({
    python,
    decision: { choice: imageVersion(python), rule: finding.rule, reason },
  });
  const { pin, site } = finding;
  const source = `${finding.label}${finding.file ? ` in ${finding.file}` : ""}`;

  if (pin.kind === "problem") {
    if (site) out.error(site, pin.problem);
    return decided(fallback, `${source} names no usable Python version`);
  }

  let python: PythonVersion;
  let reason: string;
  if (pin.kind === "specifier") {
    const own = constraints.find((c) => c.rule === finding.rule);
    // requires-python (the project's or the script's) was parsed, and reported if bad, above.
    const reported = finding.rule === "requires-python" || finding.rule === "inline-script-metadata";
    const specifiers = own?.specifiers ?? (reported ? undefined : parseSpecifierSet(pin.text));
    if (!specifiers) {
      if (site && !reported) out.error(site, invalidSpecifier(pin.text));
      return decided(fallback, `${source} names no usable Python version`);
    }
    const series = newestSeriesMatching(specifiers);
    if (!series) {
      const errorSite = own?.site ?? site;
      if (errorSite) out.error(errorSite, noSeriesProblem(pin.text));
      return decided(fallback, `no supported series satisfies ${source}`);
    }
    python = { requested: series, series };
    const where = finding.file ? ` in ${finding.file}` : "";
    reason = `newest supported series allowed by ${finding.label} ${JSON.stringify(pin.text)}${where}`;
  } else {
    python = pin.python;
    reason =
      finding.rule === "default"
        ? "nothing pins a Python version: the newest supported series"
        : `${source} says ${pin.python.requested}`;
  }

  for (const constraint of constraints) {
    if (constraint.rule === finding.rule || satisfiesConstraint(python, constraint.specifiers)) continue;
    out.warning(constraint.site, {
      code: "python-outside-requires-python",
      message: `Python ${python.requested} does not satisfy ${JSON.stringify(constraint.text)}`,
      hint: `change ${finding.name} or requires-python so they agree`,
    });
  }

  const today = args.today ?? currentDate();
  const endOfLife = endOfLifeProblem(python, today);
  if (endOfLife && site) {
    const maintained = maintainedSeries(today);
    out.warning(
      site,
      pin.kind === "specifier" && maintained.length > 0
        ? {
            ...endOfLife,
            hint: `no maintained series satisfies ${JSON.stringify(pin.text)}; let ${finding.name} allow one of ${maintained.join(", ")}`,
          }
        : endOfLife,
    );
  }
  return decided(python, reason);
}

function invalidSpecifier(text: string) {
  return {
    code: "invalid-specifier",
    message: `${JSON.stringify(text)} is not a version specifier`,
    hint: 'write e.g. ">=3.10" or ">=3.9,<3.13"',
  };
}

/** A pinned patch release must satisfy the range itself; a series needs one matching release. */
function satisfiesConstraint(python: PythonVersion, specifiers: readonly VersionSpecifier[]): boolean {
  if (python.requested.split(".").length === 3) return satisfies(python.requested, specifiers);
  return seriesMatches(python.series, specifiers);
}
