import type { PythonVersion } from "./build-spec.js";
import type { Problem } from "./diagnostic-list.js";
import { satisfies, type VersionSpecifier } from "./pep440.js";

/** The Python series pyfront has base images for, oldest first. */
export const SUPPORTED_PYTHON_SERIES = ["3.9", "3.10", "3.11", "3.12", "3.13", "3.14"] as const;
export const NEWEST_PYTHON_SERIES = SUPPORTED_PYTHON_SERIES[SUPPORTED_PYTHON_SERIES.length - 1]!;
export const PYTHON_VERSION_PATTERN = /^[0-9]+(\.[0-9]+){0,2}$/;

/** Patch releases probed when matching a series against specifiers; far beyond any real series. */
const HIGHEST_PATCH_PROBED = 40;

const supportedList = SUPPORTED_PYTHON_SERIES.join(", ");

/** Reads "3", "3.11" or "3.11.4" into a PythonVersion, or says why it cannot be used. */
export function resolvePythonVersion(requested: string): PythonVersion | Problem {
  // Each part at most three digits: "3.12.99999999999999999999999" is no version.
  if (!PYTHON_VERSION_PATTERN.test(requested) || requested.split(".").some((part) => part.length > 3)) {
    return {
      code: "invalid-python-version",
      message: `${JSON.stringify(requested)} is not a Python version`,
      hint: 'write "3", "3.12" or "3.12.4"',
    };
  }
  const [major, minor] = requested.split(".");
  if (minor === undefined && major === "3") return { requested, series: NEWEST_PYTHON_SERIES };
  const series = `${major}.${minor ?? ""}`;
  if (!(SUPPORTED_PYTHON_SERIES as readonly string[]).includes(series)) {
    return {
      code: "unsupported-python-version",
      message: `Python ${requested} is not supported`,
      hint: `supported series: ${supportedList}`,
    };
  }
  return { requested, series };
}

export function isProblem(value: PythonVersion | Problem): value is Problem {
  return "code" in value;
}

/** True when some release of the series (3.11.0, 3.11.1, …) satisfies the specifiers. */
export function seriesMatches(series: string, specifiers: readonly VersionSpecifier[]): boolean {
  for (let patch = 0; patch <= HIGHEST_PATCH_PROBED; patch++) {
    if (satisfies(`${series}.${patch}`, specifiers)) return true;
  }
  return false;
}

/** The newest supported series with at least one release matching the specifiers. */
export function newestSeriesMatching(specifiers: readonly VersionSpecifier[]): string | undefined {
  return [...SUPPORTED_PYTHON_SERIES].reverse().find((series) => seriesMatches(series, specifiers));
}

export function noSeriesProblem(requiresPython: string): Problem {
  return {
    code: "unsatisfiable-python",
    message: `no supported Python series satisfies ${JSON.stringify(requiresPython)}`,
    hint: `supported series: ${supportedList}`,
  };
}

/** Default images: pinned patch versions pin the image too; otherwise the series tag. */
export function defaultImages(python: PythonVersion, flavor: "slim" | "full" = "slim") {
  const tag = python.requested.split(".").length === 3 ? python.requested : python.series;
  return {
    builderImage: `python:${tag}`,
    runtimeImage: flavor === "full" ? `python:${tag}` : `python:${tag}-slim`,
  };
}
