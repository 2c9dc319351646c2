import { describe, expect, test } from "vitest";
import { memoryContext } from "../../../src/context/memory-context.js";
import type { ProjectSource } from "../../../src/spec/build-spec.js";
import { loadBuildSpec } from "../../../src/spec/load-build-spec.js";

/** The package part of the spec of a pyproject.toml with `[tool.pyfront]` choosing `extras`. */
function packageOf(pyproject: string, extras: string[] = []): Extract<ProjectSource, { kind: "package" }> {
  const backend = pyproject.includes("[build-system]") ? "" : '[build-system]\nrequires = ["setuptools"]\n';
  const text = `${pyproject}\n[tool.pyfront]\npython_version = "3.11"\nextras = ${JSON.stringify(extras)}\n${backend}`;
  const project = loadBuildSpec(text, { specFile: "pyproject.toml" }, memoryContext({})).spec.project;
  if (project.kind !== "package") throw new Error(`not a package: ${project.kind}`);
  return project;
}

describe("whether pyfront knows every requirement of a package", () => {
  test("static [project] metadata: complete, with the chosen extras' requirements", () => {
    const project = packageOf(
      `[project]
name = "svc"
dependencies = ["flask>=3"]
[project.optional-dependencies]
pg = ["psycopg[binary]>=3", "sqlalchemy"]
docs = ["sphinx"]`,
      ["pg"],
    );
    expect(project.dependenciesComplete).toBe(true);
    expect(project.extraDependencies).toEqual([
      { kind: "index", requirement: "psycopg[binary]>=3" },
      { kind: "index", requirement: "sqlalchemy" },
    ]);
  });

  test("no dependencies key and nothing dynamic means no dependencies, which is complete", () => {
    expect(packageOf(`[project]\nname = "svc"`).dependenciesComplete).toBe(true);
  });

  test("dynamic dependencies: pip has to resolve", () => {
    const project = packageOf(`[project]\nname = "svc"\ndynamic = ["dependencies", "version"]`);
    expect(project.dependenciesComplete).toBe(false);
  });

  test("dynamic optional dependencies: incomplete only when an extra is chosen", () => {
    const pyproject = `[project]\nname = "svc"\ndependencies = ["flask"]\ndynamic = ["optional-dependencies"]`;
    expect(packageOf(pyproject).dependenciesComplete).toBe(true);
    const withExtra = `${pyproject}\n[tool.setuptools.dynamic.optional-dependencies]\npg = { file = ["pg.txt"] }`;
    // The backend decides which extras exist, so any name is accepted and none is guessed at.
    expect(packageOf(withExtra, ["pg"])).toMatchObject({
      extraDependencies: [],
      dependenciesComplete: false,
    });
  });

  test("an extra that names the project itself is left to pip's resolver", () => {
    const project = packageOf(
      `[project]
name = "My_Svc"
[project.optional-dependencies]
cli = ["click"]
all = ["my-svc[cli]", "rich"]`,
      ["all"],
    );
    expect(project.dependenciesComplete).toBe(false);
    expect(project.extraDependencies).toEqual([]);
  });

  test("a Poetry-only project is resolved by pip (its metadata is computed by poetry-core)", () => {
    const project = packageOf(
      `[tool.poetry]
name = "svc"
version = "1.0.0"
[tool.poetry.dependencies]
python = "^3.11"
flask = "^3.0"
[build-system]
requires = ["poetry-core"]
build-backend = "poetry.core.masonry.api"`,
    );
    expect(project.dependenciesComplete).toBe(false);
  });
});
