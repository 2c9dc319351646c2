import type { PythonVersion } from "./build-spec.js";
import type { Problem } from "./diagnostic-list.js";
import { satisfies, type VersionSpecifier } from "./pep440.js";

/** A CPython release series with official `python:<series>` images, and when upstream support ends. */
export interface PythonSeries {
  series: string;
  /**
   * The end of upstream support (security fixes), as the Python devguide gives it: a day
   * (`YYYY-MM-DD`) once the last release is out, a month (`YYYY-MM`) while it is planned.
   */
  endOfLife: string;
}

/**
 * Every series with an official image, oldest first. Older series (3.7 and before) have no
 * maintained image; newer ones (3.15) none released yet. A series past its end of life still
 * builds, with a warning.
 */
export const PYTHON_SERIES: readonly PythonSeries[] = [
  { series: "3.8", endOfLife: "2024-10-07" },
  { series: "3.9", endOfLife: "2025-10-31" },
  { series: "3.10", endOfLife: "2026-10" },
  { series: "3.11", endOfLife: "2027-10" },
  { series: "3.12", endOfLife: "2028-10" },
  { series: "3.13", endOfLife: "2029-10" },
  { series: "3.14", endOfLife: "2030-10" },
];

/** The Python series pyfront has base images for, oldest first. */
export const SUPPORTED_PYTHON_SERIES: readonly string[] = PYTHON_SERIES.map((s) => s.series);
export const OLDEST_PYTHON_SERIES = SUPPORTED_PYTHON_SERIES[0]!;
export const NEWEST_PYTHON_SERIES = SUPPORTED_PYTHON_SERIES[SUPPORTED_PYTHON_SERIES.length - 1]!;
export const PYTHON_VERSION_PATTERN = /^[0-9]+(\.[0-9]+){0,2}$/;

/** Patch releases probed when matching a series against specifiers; far beyond any real series. */
const HIGHEST_PATCH_PROBED = 40;

const supportedList = SUPPORTED_PYTHON_SERIES.join(", ");
const supportedRange = `${OLDEST_PYTHON_SERIES} to ${NEWEST_PYTHON_SERIES}`;

/** Reads "3", "3.11" or "3.11.4" into a PythonVersion, or says why it cannot be used. */
export function resolvePythonVersion(requested: string): PythonVersion | Problem {
  // Each part at most three digits: "3.12.99999999999999999999999" is no version.
  if (!PYTHON_VERSION_PATTERN.test(requested) || requested.split(".").some((part) => part.length > 3)) {
    return {
      code: "invalid-python-version",
      message: `${JSON.stringify(shownWord(requested))} is not a Python version`,
      hint: 'write "3", "3.12" or "3.12.4"',
    };
  }
  const [major, minor] = requested.split(".");
  if (minor === undefined && major === "3") return { requested, series: NEWEST_PYTHON_SERIES };
  const series = `${major}.${minor ?? ""}`;
  if (!SUPPORTED_PYTHON_SERIES.includes(series)) {
    return {
      code: "unsupported-python-version",
      message: `Python ${requested} is not supported`,
      hint: `supported series: ${supportedList}${unsupportedReason(Number(major), Number(minor))}`,
    };
  }
  return { requested, series };
}

/** Why a well-formed version has no image: too old, not released yet, or no Python 3 at all. */
function unsupportedReason(major: number, minor: number): string {
  const [oldestMajor, oldestMinor] = OLDEST_PYTHON_SERIES.split(".").map(Number) as [number, number];
  const [newestMajor, newestMinor] = NEWEST_PYTHON_SERIES.split(".").map(Number) as [number, number];
  if (major < oldestMajor || (major === oldestMajor && minor < oldestMinor)) {
    return ` (older series have no maintained official image)`;
  }
  if (major > newestMajor || (major === newestMajor && minor > newestMinor)) {
    return ` (newer series have no released official image yet)`;
  }
  return "";
}

/** Longer words are shortened in messages: a 1 MB line should not make a 1 MB error. */
const SHOWN_WORD_LENGTH = 40;

export function shownWord(word: string): string {
  return word.length > SHOWN_WORD_LENGTH ? `${word.slice(0, SHOWN_WORD_LENGTH)}…` : word;
}

export function isProblem(value: PythonVersion | Problem): value is Problem {
  return "code" in value;
}

/** The version as the image tag names it: a pinned patch release, else the series. */
export function imageVersion(python: PythonVersion): string {
  return python.requested.split(".").length === 3 ? python.requested : python.series;
}

/** True when some release of the series (3.11.0, 3.11.1, …) satisfies the specifiers. */
export function seriesMatches(series: string, specifiers: readonly VersionSpecifier[]): boolean {
  for (let patch = 0; patch <= HIGHEST_PATCH_PROBED; patch++) {
    if (satisfies(`${series}.${patch}`, specifiers)) return true;
  }
  return false;
}

/**
 * The newest supported series with at least one release matching the specifiers. End-of-life
 * series are the oldest ones, so this picks one only when no maintained series matches, and the
 * choice never depends on the date.
 */
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

/** Today as `YYYY-MM-DD` (UTC): the one clock read behind end-of-life warnings. */
export function currentDate(): string {
  return new Date().toISOString().slice(0, 10);
}

/** The series' table entry, for a supported series. */
export function seriesInfo(series: string): PythonSeries | undefined {
  return PYTHON_SERIES.find((s) => s.series === series);
}

/**
 * Whether the series is past its end of life on `today` (`YYYY-MM-DD`). A month-precision date
 * means support runs through that month.
 */
export function isPastEndOfLife(series: string, today: string): boolean {
  const info = seriesInfo(series);
  return info !== undefined && today.slice(0, info.endOfLife.length) > info.endOfLife;
}

/** The supported series still maintained on `today`, oldest first. */
export function maintainedSeries(today: string): string[] {
  return SUPPORTED_PYTHON_SERIES.filter((series) => !isPastEndOfLife(series, today));
}

/** A warning for a series past its end of life on `today`, or undefined. */
export function endOfLifeProblem(python: PythonVersion, today: string): Problem | undefined {
  if (!isPastEndOfLife(python.series, today)) return undefined;
  const { endOfLife } = seriesInfo(python.series)!;
  const maintained = maintainedSeries(today);
  return {
    code: "python-end-of-life",
    message: `Python ${python.series} reached its end of life ${endOfLife.length === 10 ? "on" : "in"} ${endOfLife}: it gets no more security fixes`,
    hint:
      maintained.length > 0
        ? `move to a maintained series: ${maintained.join(", ")}`
        : `no supported series is maintained any more; supported: ${supportedRange}`,
  };
}

/** Default images: pinned patch versions pin the image too; otherwise the series tag. */
export function defaultImages(python: PythonVersion, flavor: "slim" | "full" = "slim") {
  const tag = imageVersion(python);
  return {
    builderImage: `python:${tag}`,
    runtimeImage: flavor === "full" ? `python:${tag}` : `python:${tag}-slim`,
  };
}
