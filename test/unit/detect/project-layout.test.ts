// The layout rules of src/detect/project-layout.ts, one test each, on in-memory contexts.
import { describe, expect, it } from "vitest";
import { memoryContext } from "../../../src/context/memory-context.js";
import {
  detectProjectKind,
  findRequirementsFile,
  findSpecFile,
  NOT_A_PACKAGE_SWITCHES,
  projectDirOf,
  REQUIREMENTS_FILE_CONVENTIONS,
  REQUIREMENTS_FOLDERS,
  SETUPTOOLS_FALLBACK_REQUIRES,
  SPEC_FILE_CANDIDATES,
} from "../../../src/detect/project-layout.js";
import type { SourceDocument } from "../../../src/spec/source-document.js";
import { parseTomlDocument } from "../../../src/spec/toml-document.js";

function toml(text: string, file = "pyproject.toml"): SourceDocument {
  const parsed = parseTomlDocument(file, text);
  if (!parsed.ok) throw new Error(parsed.diagnostics.map((d) => d.message).join("\n"));
  return parsed.doc;
}

describe("findRequirementsFile: REQUIREMENTS_FILE_CONVENTIONS in order", () => {
  it("takes requirements.txt before any file of a requirements/ folder", () => {
    const context = memoryContext({
      "requirements.txt": "flask\n",
      "requirements/production.txt": "-r base.txt\n",
      "requirements/base.txt": "flask\n",
    });
    expect(findRequirementsFile(context, ".")).toBe("requirements.txt");
  });

  it("takes the production file over the base one it includes", () => {
    const context = memoryContext({
      "requirements/base.txt": "django\n",
      "requirements/production.txt": "-r base.txt\ngunicorn\n",
      "requirements/local.txt": "-r base.txt\ndjango-debug-toolbar\n",
    });
    expect(findRequirementsFile(context, ".")).toBe("requirements/production.txt");
  });

  it("tries every convention in the listed order", () => {
    // Each file alone is found; with all of them, the first of the list wins.
    for (const name of REQUIREMENTS_FILE_CONVENTIONS) {
      expect(findRequirementsFile(memoryContext({ [name]: "x\n" }), ".")).toBe(name);
    }
    const all = Object.fromEntries(REQUIREMENTS_FILE_CONVENTIONS.map((n) => [n, "x\n"]));
    expect(findRequirementsFile(memoryContext(all), ".")).toBe("requirements.txt");
    expect(REQUIREMENTS_FILE_CONVENTIONS).toEqual([
      "requirements.txt",
      "requirements/production.txt",
      "requirements/prod.txt",
      "requirements/main.txt",
      "requirements/base.txt",
      "requirements/common.txt",
      "requirements/requirements.txt",
      "requirements-prod.txt",
      "requirements_prod.txt",
    ]);
  });

  it("looks in the project's folder only, not in the context root", () => {
    const context = memoryContext({ "requirements.txt": "flask\n", "services/api/main.py": "" });
    expect(findRequirementsFile(context, "services/api")).toBeUndefined();
    const own = memoryContext({
      "requirements.txt": "flask\n",
      "services/api/requirements.txt": "fastapi\n",
    });
    expect(findRequirementsFile(own, "services/api")).toBe("services/api/requirements.txt");
  });

  it("ignores a directory that has a conventional file's name, and other requirements files", () => {
    const context = memoryContext({ "requirements.txt/x": "", "requirements-dev.txt": "pytest\n" });
    expect(findRequirementsFile(context, ".")).toBeUndefined();
  });
});

describe("projectDirOf: REQUIREMENTS_FOLDERS belong to the project above them", () => {
  it("puts a requirements file of a requirements folder in the folder above", () => {
    expect(REQUIREMENTS_FOLDERS).toEqual(["requirements", "reqs", "requirements.d"]);
    expect(projectDirOf("requirements/prod.txt", "requirements")).toBe(".");
    expect(projectDirOf("reqs/base.txt", "requirements")).toBe(".");
    expect(projectDirOf("requirements.d/main.txt", "requirements")).toBe(".");
    expect(projectDirOf("svc/requirements/prod.txt", "requirements")).toBe("svc");
  });

  it("keeps every other file in its own folder", () => {
    expect(projectDirOf("requirements.txt", "requirements")).toBe(".");
    expect(projectDirOf("svc/requirements.txt", "requirements")).toBe("svc");
    expect(projectDirOf("deploy/prod.txt", "requirements")).toBe("deploy");
    // Only requirements files move up: a script in requirements/ is its own project.
    expect(projectDirOf("requirements/tool.py", "script")).toBe("requirements");
    expect(projectDirOf("svc/pyproject.toml", undefined)).toBe("svc");
    expect(projectDirOf("pyproject.toml", undefined)).toBe(".");
  });
});

describe("findSpecFile: SPEC_FILE_CANDIDATES, then a folder's only script", () => {
  it("takes the first candidate present", () => {
    expect(SPEC_FILE_CANDIDATES.slice(0, 4)).toEqual([
      "pyproject.toml",
      "Mopyfile.yaml",
      "Mopyfile.yml",
      "Pipfile",
    ]);
    const context = memoryContext({
      "svc/requirements.txt": "flask\n",
      "svc/Pipfile": "[packages]\n",
      "svc/setup.py": "",
      "svc/main.py": "",
    });
    expect(findSpecFile(context, "svc")).toBe("svc/Pipfile");
    expect(findSpecFile(memoryContext({ "pyproject.toml": "", Pipfile: "" }), ".")).toBe("pyproject.toml");
    expect(findSpecFile(memoryContext({ "setup.cfg": "", "app.py": "" }), ".")).toBe("setup.cfg");
    expect(findSpecFile(memoryContext({ "requirements/prod.txt": "", "app.py": "" }), ".")).toBe(
      "requirements/prod.txt",
    );
    expect(findSpecFile(memoryContext({ "main.py": "", "app.py": "" }), ".")).toBe("main.py");
  });

  it("takes the folder's only .py file when no candidate is there", () => {
    expect(findSpecFile(memoryContext({ "tool.py": "", "README.md": "" }), ".")).toBe("tool.py");
    expect(findSpecFile(memoryContext({ "a.py": "", "b.py": "" }), ".")).toBeUndefined();
    // A folder named like a script is not one.
    expect(findSpecFile(memoryContext({ "pkg.py/x": "", "README.md": "" }), ".")).toBeUndefined();
    expect(findSpecFile(memoryContext({}), "missing")).toBeUndefined();
  });
});

describe("detectProjectKind: package or application, first rule wins", () => {
  const empty = memoryContext({});

  it("declared-not-a-package: each tool's switch makes an application, even with [build-system]", () => {
    expect(NOT_A_PACKAGE_SWITCHES.map((s) => s.path.join("."))).toEqual([
      "tool.uv.package",
      "tool.poetry.package-mode",
      "tool.pdm.distribution",
    ]);
    const cases: Array<[string, string]> = [
      [
        "[tool.uv]\npackage = false\n",
        "tool.uv.package = false: uv installs the dependencies, not the project",
      ],
      [
        "[tool.poetry]\npackage-mode = false\n",
        "tool.poetry.package-mode = false: Poetry installs the dependencies, not the project",
      ],
      [
        "[tool.pdm]\ndistribution = false\n",
        "tool.pdm.distribution = false: PDM installs the dependencies, not the project",
      ],
    ];
    for (const [text, reason] of cases) {
      const doc = toml(
        `[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n${text}`,
      );
      expect(detectProjectKind(doc, empty, ".")).toEqual({
        kind: "application",
        decision: { choice: "application", rule: "declared-not-a-package", reason },
      });
    }
  });

  it("declared-not-a-package fires on false only: package = true keeps the other rules", () => {
    const doc = toml('[tool.uv]\npackage = true\n[build-system]\nbuild-backend = "hatchling.build"\n');
    expect(detectProjectKind(doc, empty, ".").decision.rule).toBe("build-system");
  });

  it("build-system: a [build-system] table makes a package built as a wheel", () => {
    const doc = toml('[build-system]\nrequires = ["flit_core>=3.4"]\nbuild-backend = "flit_core.buildapi"\n');
    expect(detectProjectKind(doc, memoryContext({ "setup.py": "" }), ".")).toEqual({
      kind: "package",
      decision: {
        choice: "package",
        rule: "build-system",
        reason: "[build-system] names flit_core.buildapi: built as a wheel",
      },
    });
    const noBackend = toml('[build-system]\nrequires = ["setuptools"]\n');
    expect(detectProjectKind(noBackend, empty, ".").decision.reason).toBe(
      "[build-system] names a build backend: built as a wheel",
    );
  });

  it("setuptools-config: setup.py, setup.cfg or [tool.setuptools] without [build-system]", () => {
    const expected = (file: string) => ({
      kind: "package",
      backendRequires: SETUPTOOLS_FALLBACK_REQUIRES,
      decision: {
        choice: "package",
        rule: "setuptools-config",
        reason: `${file} without [build-system]: built with setuptools, as pip does`,
      },
    });
    expect(SETUPTOOLS_FALLBACK_REQUIRES).toEqual(["setuptools>=40.8.0", "wheel"]);
    expect(detectProjectKind(undefined, memoryContext({ "svc/setup.py": "" }), "svc")).toEqual(
      expected("setup.py"),
    );
    expect(
      detectProjectKind(toml('[project]\nname = "x"\n'), memoryContext({ "setup.cfg": "" }), "."),
    ).toEqual(expected("setup.cfg"));
    expect(detectProjectKind(toml("[tool.setuptools]\npackages = []\n"), empty, ".")).toEqual(
      expected("[tool.setuptools]"),
    );
    // A setup.py of another folder is not this project's.
    expect(detectProjectKind(undefined, memoryContext({ "setup.py": "" }), "svc").kind).toBe("application");
  });

  it("no-build-system: anything else is an application", () => {
    const doc = toml('[project]\nname = "site"\ndependencies = ["flask"]\n');
    expect(detectProjectKind(doc, memoryContext({ "app.py": "" }), ".")).toEqual({
      kind: "application",
      decision: {
        choice: "application",
        rule: "no-build-system",
        reason:
          "no [build-system] and no setuptools configuration: the files are copied to the app directory",
      },
    });
    expect(detectProjectKind(undefined, empty, ".").decision.rule).toBe("no-build-system");
  });
});
