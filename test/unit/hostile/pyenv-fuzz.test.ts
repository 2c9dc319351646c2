// The fuzz suite's PYENV family (issue 19): seeded hostile astro-style Dockerfiles through the
// PYENV reader and expander. Every case ends in the expanded file or positioned user errors, in
// time; every line pyfront adds is one of its own templates, with the user's bytes only where a
// checked word may stand; every other line is the user's own, in order; no path leaves the
// context and no planted credential reaches a line pyfront wrote or an index build arg.
import { describe, expect, it } from "vitest";
import { memoryContext } from "../../../src/context/memory-context.js";
import { checkPipArgs } from "../../../src/frontend/pyenv-forward.js";
import { expandPyenvDockerfile } from "../../../src/render/pyenv-dockerfile.js";
import { type Diagnostic, SpecError } from "../../../src/spec/diagnostics.js";
import { loadBuildSpec } from "../../../src/spec/load-build-spec.js";
import { CASE_BUDGET_MS } from "./fuzz-classify.js";
import { type PyenvFuzzCase, pyenvFuzzCase } from "./fuzz-inputs.js";

const CASES = 400;
/** Problems of a build arg, not of a line: they have no position to give. */
const BUILD_ARG_CODES = new Set(["invalid-pyenv-release", "pyenv-index-credentials"]);
const SEED_BASE = 19_000;

const VERSION = String.raw`\d+(?:\.\d+){0,2}`;
const NAME = "[A-Za-z0-9][A-Za-z0-9_.-]*";
const PATH = "[A-Za-z0-9_][A-Za-z0-9_.+@/-]*";
const USER = String.raw`[A-Za-z0-9_.\${}:-]+`;
const IMAGE = `python:${VERSION}-slim(?:-[a-z][a-z0-9]*)?`;
const RM = String.raw`RUN \["rm","-f"(?:,"/usr/local/(?:bin|lib)/[a-z0-9./-]+")+\]`;
/** Every line the expansion may add: anything else is an injection. */
const TEMPLATES = [
  "",
  `# PYENV ${VERSION}: the interpreter of ${IMAGE} \\((?:PYFRONT_PYENV_RELEASE=[a-z][a-z0-9]*|the Debian release of [A-Za-z0-9][A-Za-z0-9._:/@-]*|(?:[A-Za-z0-9][A-Za-z0-9._:/@-]*|the stage's base image) names no Debian release)\\)`,
  `FROM ${IMAGE} AS pyfront-pyenv-python-\\d+`,
  RM,
  `# PYENV ${NAME}: the venv`,
  "FROM pyfront-pyenv-python-\\d+ AS pyfront-pyenv-venv-\\d+",
  "ARG PIP_(?:INDEX_URL|EXTRA_INDEX_URL|TRUSTED_HOST)",
  `RUN \\["/usr/local/bin/python3\\.\\d+","-m","venv","/home/astro/\\.venv/${NAME}"\\]`,
  `RUN --mount=type=cache,target=/root/\\.cache/pip,id=pyfront-pyenv-pip-3\\.\\d+ --mount=type=bind,source=(?<path>${PATH}),target=/tmp/pyfront-pyenv-requirements\\.txt \\["/home/astro/\\.venv/${NAME}/bin/python","-m","pip","install","--disable-pip-version-check","-r","/tmp/pyfront-pyenv-requirements\\.txt"\\]`,
  "COPY --from=pyfront-pyenv-python-\\d+ /usr/local/ /usr/local/",
  `COPY --from=pyfront-pyenv-venv-\\d+(?: --chown=${USER})? /home/astro/\\.venv/${NAME} /home/astro/\\.venv/${NAME}`,
  "USER root",
  'RUN \\["ldconfig"\\]',
  `USER ${USER}`,
  `ENV ASTRO_PYENV_${NAME}=/home/astro/\\.venv/${NAME}/bin/python`,
].map((t) => new RegExp(`^${t}$`));

/** Problems with one case ([] when it is handled as it must be), and whether it was expanded. */
function check(c: PyenvFuzzCase): { problems: string[]; expanded: boolean } {
  const problems: string[] = [];
  const unpositioned = (diagnostics: Diagnostic[]) => {
    for (const d of diagnostics) {
      // Only a build arg's own problem has no line of the file to point at.
      if (d.severity === "error" && !d.position && !BUILD_ARG_CODES.has(d.code)) {
        problems.push(`unpositioned: ${d.code} ${d.message}`);
      }
    }
  };
  const attempt = <T>(run: () => T): T | undefined => {
    try {
      return run();
    } catch (error) {
      if (!(error instanceof SpecError)) {
        problems.push(`crash: ${error instanceof Error ? error.stack : String(error)}`);
        return undefined;
      }
      unpositioned(error.diagnostics);
      return undefined;
    }
  };
  const context = memoryContext({ ...c.files, Dockerfile: c.text });
  const loaded = attempt(() =>
    loadBuildSpec(c.text, { specFile: "Dockerfile", buildArgs: c.buildArgs }, context),
  );
  if (c.buildArgs.PIP_INDEX_URL?.includes("PLANTED")) {
    const refused = attempt(() => {
      checkPipArgs(c.buildArgs);
      return "accepted";
    });
    if (refused === "accepted") problems.push("leak: a PIP_INDEX_URL with credentials was accepted");
  }
  if (loaded?.spec.format !== "pyenv") return { problems, expanded: false };
  const spec = loaded.spec;
  const expanded = attempt(() => expandPyenvDockerfile(spec, { buildArgs: c.buildArgs }));
  if (!expanded) return { problems, expanded: false };
  const again = expandPyenvDockerfile(spec, { buildArgs: c.buildArgs });
  if (again.text !== expanded.text || again.lineMap.join() !== expanded.lineMap.join()) {
    problems.push("nondeterministic expansion");
  }

  const userLines = c.text.split(/\r?\n/);
  const pyenvLines = new Set<number>();
  for (const e of spec.pyenv!.environments) {
    for (let l = e.position.line; l < e.position.line + e.lineCount; l++) pyenvLines.add(l);
  }
  const kept: number[] = [];
  const out = expanded.text.split("\n");
  out.forEach((text, i) => {
    const from = expanded.lineMap[i]!;
    if (!pyenvLines.has(from)) {
      kept.push(from);
      // The user's line as written; only a numeric stage reference may have moved.
      const same = (s: string) => s.replace(/(--from=|[=,]from=)\d+/g, "$1N");
      if (same(text) !== same(userLines[from - 1] ?? "")) {
        problems.push(`user line ${from} changed: ${JSON.stringify(text)}`);
      }
      return;
    }
    const template = TEMPLATES.find((t) => t.test(text));
    if (!template) {
      problems.push(`injection: pyfront wrote ${JSON.stringify(text)}`);
      return;
    }
    if (text.includes(c.planted)) problems.push(`leak: ${JSON.stringify(text)}`);
    const path = template.exec(text)?.groups?.path;
    if (path && (path.startsWith("/") || path.split("/").includes(".."))) {
      problems.push(`escape: ${path}`);
    }
  });
  const expected = userLines.map((_, i) => i + 1).filter((l) => !pyenvLines.has(l));
  if (kept.join() !== expected.join()) problems.push("the user's lines are not all kept, in order");
  return { problems, expanded: true };
}

describe("fuzz: PYENV Dockerfiles", () => {
  it(`${CASES} cases: 0 crashes, hangs, injections, escapes, leaks, unpositioned errors`, () => {
    const findings: string[] = [];
    let expanded = 0;
    for (let i = 0; i < CASES; i++) {
      const c = pyenvFuzzCase(SEED_BASE + i);
      const started = performance.now();
      const { problems, expanded: wasExpanded } = check(c);
      const ms = performance.now() - started;
      if (ms > CASE_BUDGET_MS) problems.push(`hang: ${Math.round(ms)} ms`);
      if (wasExpanded) expanded++;
      for (const p of problems) {
        if (findings.length < 30)
          findings.push(`${c.name}: ${p}\n  input: ${JSON.stringify(c.text).slice(0, 400)}`);
      }
    }
    console.log(`fuzz PYENV: ${CASES} cases, ${expanded} expanded, the rest refused with user errors`);
    expect(findings).toEqual([]);
    // The generator must reach the expander, not only the reader's errors.
    expect(expanded).toBeGreaterThan(CASES / 10);
  }, 60_000);
});

describe("fuzz PYENV: the templates see what they are meant to see", () => {
  const allowed = (line: string) => TEMPLATES.some((t) => t.test(line));
  it("accept the lines the expander writes", () => {
    expect(allowed("ENV ASTRO_PYENV_snowpark-env=/home/astro/.venv/snowpark-env/bin/python")).toBe(true);
    expect(
      allowed("COPY --from=pyfront-pyenv-venv-2 --chown=app /home/astro/.venv/a /home/astro/.venv/a"),
    ).toBe(true);
  });
  it("refuse a line with a shell, a second mount or a broken word", () => {
    for (const line of [
      "RUN id",
      "USER app;id",
      "ENV ASTRO_PYENV_a=/home/astro/.venv/a/bin/python x=1",
      'RUN --mount=type=cache,target=/root/.cache/pip,id=pyfront-pyenv-pip-3.13 --mount=type=bind,source=a,src=/,target=/tmp/pyfront-pyenv-requirements.txt ["/home/astro/.venv/a/bin/python","-m","pip","install","--disable-pip-version-check","-r","/tmp/pyfront-pyenv-requirements.txt"]',
      "FROM python:3.13-slim AS pyfront-pyenv-python-1 x",
    ]) {
      expect(allowed(line), line).toBe(false);
    }
  });
});
