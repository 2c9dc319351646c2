import type { PythonVersion } from "./build-spec.js";
import type { Problem } from "./diagnostic-list.js";
import { isProblem, NEWEST_PYTHON_SERIES, resolvePythonVersion, shownWord } from "./python-versions.js";

/**
 * What one version word in a version manager's file (pyenv's and uv's `.python-version`, asdf's
 * `.tool-versions`, mise, Pipfile, runtime.txt) asks for: a CPython version, or (uv only) a
 * version range.
 */
export type PinnedPython =
  | { kind: "version"; python: PythonVersion }
  | { kind: "specifier"; text: string }
  | { kind: "problem"; problem: Problem };

/** A version range in a version file longer than this is no range anyone wrote. */
const MAX_SPECIFIER_LENGTH = 200;

const EXAMPLE_HINT = 'write a CPython version, e.g. "3.13" or "3.13.5"';

/** Interpreters that are not CPython: the official python images hold CPython only. */
const OTHER_IMPLEMENTATIONS =
  /^(pypy|graalpy|graalpython|jython|ironpython|micropython|pyston|stackless|activepython|anaconda|miniconda|miniforge|mambaforge|cinder|nogil)/;

/**
 * Reads one version word as pyenv, uv, asdf and mise accept it, into what the official images
 * offer: `3`, `3.13`, `3.13.5`; `latest` (the newest supported series); an implementation prefix
 * (`cpython-3.13`, `cpython@3.13`, `cpython3.13`, `cp313`, `python3.13`, uv's
 * `cpython-3.13.5-linux-x86_64-gnu`); uv's `3.13+gil`; mise's `prefix:3.13`. Free-threaded and
 * debug builds, pre-releases, other interpreters and `system` have no official image: each is a
 * clear problem rather than a silent substitute. `strict` takes only pyfront's own forms (`3`,
 * `3.13`, `3.13.5`), for spec keys and files whose format says so.
 */
export function readPinnedVersion(
  word: string,
  options: { allowSpecifier?: boolean; strict?: boolean } = {},
): PinnedPython {
  const problem = (p: Problem): PinnedPython => ({ kind: "problem", problem: p });
  if (options.strict) {
    const resolved = resolvePythonVersion(word);
    return isProblem(resolved) ? problem(resolved) : { kind: "version", python: resolved };
  }
  const shown = JSON.stringify(shownWord(word.trim()));
  let text = word.trim().toLowerCase();
  if (options.allowSpecifier && /^[<>=!~]/.test(text)) {
    if (text.length <= MAX_SPECIFIER_LENGTH) return { kind: "specifier", text: word.trim() };
    return problem({
      code: "invalid-specifier",
      message: `${shown} is too long to be a version range`,
      hint: 'write e.g. ">=3.12"',
    });
  }
  if (text.startsWith("prefix:")) text = text.slice("prefix:".length);
  if (text === "latest" || text === "cpython" || text === "cp" || text === "python" || text === "python3") {
    return { kind: "version", python: { requested: NEWEST_PYTHON_SERIES, series: NEWEST_PYTHON_SERIES } };
  }
  if (text === "system") {
    return problem({
      code: "invalid-python-version",
      message: '"system" means whatever Python the machine has; an image needs a version',
      hint: EXAMPLE_HINT,
    });
  }
  if (OTHER_IMPLEMENTATIONS.test(text)) {
    return problem({
      code: "unsupported-python-implementation",
      message: `${shown} is not CPython; pyfront builds on the official CPython images`,
      hint: EXAMPLE_HINT,
    });
  }
  const shortTag = /^cp(3)(\d{1,2})$/.exec(text);
  if (shortTag) text = `${shortTag[1]}.${shortTag[2]}`;
  text = text.replace(/^(cpython|python)[-@]?(?=\d)/, "");
  // uv's full key: cpython-3.13.5-linux-x86_64-gnu (also with +freethreaded before the platform).
  const key = /^(\d+(?:\.\d+){0,2}(?:\+[a-z]+)?)-(linux|macos|windows|darwin|freebsd)\b/.exec(text);
  if (key) text = key[1]!;
  if (text.endsWith("+gil")) text = text.slice(0, -"+gil".length);

  const variant = /^(\d+(?:\.\d+){1,2})(t|d|td|\+freethreaded|\+debug|\+freethreaded\+debug)$/.exec(text);
  if (variant) {
    const suffix = variant[2]!;
    const debug = suffix === "d" || suffix === "td" || suffix.endsWith("+debug");
    return problem({
      code: "unsupported-python-build",
      message: `${shown} asks for a ${debug ? "debug" : "free-threaded"} build of Python; the official images have none`,
      hint: `pin the regular build, e.g. "${variant[1]}"`,
    });
  }
  const preRelease = /^(\d+\.\d+)(?:\.\d+)?(?:-?dev|a\d+|b\d+|rc\d+)$/.exec(text);
  if (preRelease) {
    return problem({
      code: "unsupported-python-version",
      message: `${shown} is a pre-release or development build; pyfront builds released versions`,
      hint: `pin the released series, e.g. "${preRelease[1]}"`,
    });
  }
  const resolved = resolvePythonVersion(text);
  if (isProblem(resolved)) {
    // Name the version as the user wrote it, not as it was normalized.
    return resolved.code === "invalid-python-version"
      ? problem({ ...resolved, message: `${shown} is not a Python version` })
      : problem(resolved);
  }
  return { kind: "version", python: resolved };
}
