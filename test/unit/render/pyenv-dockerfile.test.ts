import { describe, expect, it } from "vitest";
import { memoryContext } from "../../../src/context/memory-context.js";
import { expandPyenvDockerfile } from "../../../src/render/pyenv-dockerfile.js";
import { SpecError } from "../../../src/spec/diagnostics.js";
import { loadBuildSpec } from "../../../src/spec/load-build-spec.js";

function expand(
  lines: string[],
  options: { buildArgs?: Record<string, string>; imageUsers?: Record<string, string> } = {},
  files: Record<string, string> = { "reqs/a.txt": "click\n" },
) {
  const text = lines.join("\n");
  const context = memoryContext({ ...files, Dockerfile: text });
  const spec = loadBuildSpec(
    text,
    { specFile: "Dockerfile", buildArgs: options.buildArgs ?? {} },
    context,
  ).spec;
  const expansion = expandPyenvDockerfile(spec, { buildArgs: options.buildArgs ?? {}, ...options });
  return { ...expansion, out: expansion.text.split("\n"), user: lines };
}

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof SpecError)
      return error.diagnostics.map((d) => `${d.position?.line ?? "-"}: ${d.message}`);
    throw error;
  }
  return [];
}

describe("PYENV expansion", () => {
  const twoVenvs = [
    "# syntax=pyfront/frontend:dev",
    "ARG TAG=trixie-slim",
    "FROM debian:trixie-slim AS base",
    "RUN useradd -m app",
    "USER app",
    "PYENV 3.13 first reqs/a.txt",
    "PYENV 3.14 second",
    "RUN $ASTRO_PYENV_first -V",
  ];

  it("keeps every other line as written and maps each line of the result to the user's", () => {
    const x = expand(twoVenvs);
    for (const [i, text] of x.out.entries()) {
      const from = x.lineMap[i]!;
      if (from !== 6 && from !== 7) expect(text).toBe(x.user[from - 1]);
    }
    expect(x.lineMap.filter((l) => l !== 6 && l !== 7)).toEqual([1, 2, 3, 4, 5, 8]);
    // The added stages come before the first FROM, after the global ARGs.
    expect(x.out.indexOf("ARG TAG=trixie-slim")).toBeLessThan(
      x.out.indexOf("FROM python:3.13-slim-trixie AS pyfront-pyenv-python-1"),
    );
    expect(x.out.indexOf("FROM python:3.14-slim-trixie AS pyfront-pyenv-python-2")).toBeLessThan(
      x.out.indexOf("FROM debian:trixie-slim AS base"),
    );
  });

  it("builds each venv in its own stage, its requirements bound from the context with pip's cache", () => {
    const x = expand(twoVenvs);
    expect(x.out).toContain("FROM pyfront-pyenv-python-1 AS pyfront-pyenv-venv-1");
    expect(x.out).toContain('RUN ["/usr/local/bin/python3.13","-m","venv","/home/astro/.venv/first"]');
    expect(x.text).toContain(
      "RUN --mount=type=cache,target=/root/.cache/pip,id=pyfront-pyenv-pip-3.13 --mount=type=bind,source=reqs/a.txt,target=/tmp/pyfront-pyenv-requirements.txt",
    );
    expect(x.out).toContain("FROM pyfront-pyenv-python-2 AS pyfront-pyenv-venv-2");
    // No requirements file, no pip step for the second venv.
    expect(x.text).not.toMatch(/\.venv\/second\/bin\/python","-m","pip"/);
  });

  it("brings the venv into the stage owned by the USER in effect, and sets astro's variable", () => {
    const x = expand(twoVenvs);
    const at = x.out.indexOf("USER app");
    expect(x.out.slice(at + 1, at + 7)).toEqual([
      "COPY --from=pyfront-pyenv-python-1 /usr/local/ /usr/local/",
      "COPY --from=pyfront-pyenv-venv-1 --chown=app /home/astro/.venv/first /home/astro/.venv/first",
      "USER root",
      'RUN ["ldconfig"]',
      "USER app",
      "ENV ASTRO_PYENV_first=/home/astro/.venv/first/bin/python",
    ]);
  });

  it("takes the user from the base image's config when no USER line says, and from a parent stage", () => {
    const viaImage = expand(["FROM astro/runtime:9", "PYENV 3.13 a"], {
      imageUsers: { "astro/runtime:9": "astro" },
    });
    expect(viaImage.imagesToResolve).toEqual(["astro/runtime:9"]);
    expect(viaImage.text).toContain("--chown=astro /home/astro/.venv/a");
    const viaParent = expand(["FROM debian:12 AS one", "USER 1000:1000", "FROM one", "PYENV 3.11 a"]);
    expect(viaParent.text).toContain("FROM python:3.11-slim-bookworm AS");
    expect(viaParent.text).toContain("--chown=1000:1000 /home/astro/.venv/a");
    const asRoot = expand(["FROM debian:12", "USER root", "PYENV 3.11 a"]);
    expect(asRoot.text).not.toContain("--chown");
    expect(asRoot.text).not.toContain("USER root\nRUN");
  });

  it("takes the interpreter's release from FROM, or from PYFRONT_PYENV_RELEASE", () => {
    expect(expand(["FROM debian:bookworm-slim", "PYENV 3.11 a"]).interpreters.map((i) => i.image)).toEqual([
      "python:3.11-slim-bookworm",
    ]);
    expect(expand(["FROM python:3.13-slim", "PYENV 3.8 a"]).interpreters[0]!.image).toBe("python:3.8-slim");
    const set = expand(["FROM python:3.13-slim", "PYENV 3.8 a"], {
      buildArgs: { PYFRONT_PYENV_RELEASE: "bullseye" },
    });
    expect(set.interpreters[0]).toEqual({
      image: "python:3.8-slim-bullseye",
      position: { file: "Dockerfile", line: 2, column: 1 },
    });
    expect(
      problems(() => expand(["FROM x", "PYENV 3.8 a"], { buildArgs: { PYFRONT_PYENV_RELEASE: "a b" } })),
    ).toEqual(['-: PYFRONT_PYENV_RELEASE="a b" is not a Debian codename']);
  });

  it("says above each interpreter stage why that image", () => {
    expect(expand(["FROM debian:13", "PYENV 3.13 a"]).out).toContain(
      "# PYENV 3.13: the interpreter of python:3.13-slim-trixie (the Debian release of debian:13)",
    );
    expect(expand(["FROM python:3.13-slim", "PYENV 3.8 a"]).out).toContain(
      "# PYENV 3.8: the interpreter of python:3.8-slim (python:3.13-slim names no Debian release)",
    );
    expect(
      expand(["FROM debian:13", "PYENV 3.8 a"], { buildArgs: { PYFRONT_PYENV_RELEASE: "bookworm" } }).out,
    ).toContain("# PYENV 3.8: the interpreter of python:3.8-slim-bookworm (PYFRONT_PYENV_RELEASE=bookworm)");
  });

  it("shifts numeric stage references past the added stages, in flags only", () => {
    const x = expand([
      "FROM debian:12",
      "PYENV 3.11 a",
      "FROM debian:12",
      "COPY --from=0 /x /x",
      "RUN --mount=type=bind,from=0,target=/m echo --from=0",
    ]);
    expect(x.out).toContain("COPY --from=2 /x /x");
    expect(x.out).toContain("RUN --mount=type=bind,from=2,target=/m echo --from=0");
  });

  it("reads continuations, heredocs and the escape directive as the Dockerfile frontend does", () => {
    const x = expand([
      "# escape=`",
      "FROM debian:12",
      "RUN <<EOF",
      "FROM scratch",
      "USER nobody",
      "EOF",
      "RUN echo `",
      "  USER x",
      "PYENV 3.11 a",
      "RUN true",
    ]);
    expect(x.text).not.toContain("--chown");
    expect(x.lineMap.filter((l) => l !== 9)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 10]);
    const continued = expand(["FROM debian:12", "PYENV 3.11 \\", "  a \\", "  reqs/a.txt", "RUN true"]);
    expect(continued.text).toContain("source=reqs/a.txt,");
    expect(continued.lineMap.filter((l) => l < 2 || l > 4)).toEqual([1, 5]);
  });

  it("leaves a PYENV word inside a heredoc or another instruction's continuation as it is", () => {
    const x = expand([
      "FROM debian:12",
      "RUN <<EOF",
      "PYENV 3.13 inside",
      "EOF",
      "RUN echo \\",
      "PYENV 3.13 cont",
      "PYENV 3.11 a",
    ]);
    expect(x.out).toContain("PYENV 3.13 inside");
    expect(x.out).toContain("PYENV 3.13 cont");
    expect(x.interpreters.map((i) => i.position.line)).toEqual([7]);
  });

  it("refuses PYENV before FROM, pyfront's stage names and a USER it cannot repeat, at their lines", () => {
    expect(problems(() => expand(["PYENV 3.11 a", "FROM debian:12"]))).toEqual([
      "1: PYENV comes before the first FROM: it installs into a stage",
    ]);
    expect(problems(() => expand(["FROM debian:12 AS pyfront-pyenv-x", "PYENV 3.11 a"]))).toEqual([
      '1: the stage name "pyfront-pyenv-x" is pyfront\'s: PYENV adds stages named pyfront-pyenv-*',
    ]);
    expect(problems(() => expand(["FROM debian:12", "USER a;b", "PYENV 3.11 a"]))).toEqual([
      '3: the user "a;b" in effect here cannot own the venv: pyfront repeats it in COPY --chown',
    ]);
  });

  it("refuses a requirements path that would break the mount flag, and a missing one", () => {
    expect(
      problems(() => expand(["FROM debian:12", "PYENV 3.11 a reqs/a,b.txt"], {}, { "reqs/a,b.txt": "" })),
    ).toEqual([
      '2: PYENV: the requirements file "reqs/a,b.txt" has a character its RUN --mount flag cannot carry',
    ]);
    expect(problems(() => expand(["FROM debian:12", "PYENV 3.11 a reqs/none.txt"]))).toHaveLength(1);
  });

  it("is deterministic", () => {
    expect(expand(twoVenvs).text).toBe(expand(twoVenvs).text);
  });
});
