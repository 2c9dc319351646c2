// The layouts people already have, read through loadBuildSpec as both edges read them: which file
// names the dependencies (one test per rule of dependencySources), what runs, and what pyfront
// says about it, decisions and warnings exact.
import { describe, expect, it } from "vitest";
import { memoryContext } from "../../../src/context/memory-context.js";
import type { BuildSpec } from "../../../src/spec/build-spec.js";
import { formatDiagnostic, SpecError } from "../../../src/spec/diagnostics.js";
import { detectFileKind } from "../../../src/spec/format-detection.js";
import { loadBuildSpec } from "../../../src/spec/load-build-spec.js";

function load(specFile: string, files: Record<string, string>): { spec: BuildSpec; warnings: string[] } {
  const text = files[specFile];
  if (text === undefined) throw new Error(`no ${specFile} in the files`);
  const { spec, warnings } = loadBuildSpec(text, { specFile }, memoryContext(files));
  return { spec, warnings: warnings.map(formatDiagnostic) };
}

function failure(specFile: string, files: Record<string, string>): string[] {
  try {
    load(specFile, files);
  } catch (error) {
    if (error instanceof SpecError) return error.diagnostics.map(formatDiagnostic);
    throw error;
  }
  throw new Error("the spec loaded");
}

/** Every decision but the Python one, which has tests of its own. */
function decided(spec: BuildSpec) {
  const { python: _python, ...rest } = spec.decisions;
  return rest;
}

const NO_BUILD_SYSTEM = {
  choice: "application",
  rule: "no-build-system",
  reason: "no [build-system] and no setuptools configuration: the files are copied to the app directory",
};
const UVICORN = 'exec uvicorn "$0" --host 0.0.0.0 --port "${PORT:-8000}"';
const NOTHING_TO_RUN =
  "pyproject.toml:1:1: warning: found nothing to run: the image starts the base image's python3\n" +
  '  hint: add [tool.pyfront] with command = ["python", "-m", "<module>"] to pyproject.toml';

describe("detectFileKind: NAME_RULES, then the content", () => {
  it("knows the files people have by their names", () => {
    const kinds = Object.fromEntries(
      [
        "pyproject.toml",
        "svc/pyproject.toml",
        "Mopyfile.yaml",
        "mopyfile",
        "build.yml",
        "Pipfile",
        "setup.py",
        "setup.cfg",
        "main.py",
        "gui.pyw",
        "requirements.py",
        "requirements.txt",
        "requirements/prod.txt",
        "requirements-dev.in",
        "requirements.lock",
        "deps.pip",
        "constraints.txt",
      ].map((file) => [file, detectFileKind(file, "")]),
    );
    expect(kinds).toEqual({
      "pyproject.toml": "pyproject",
      "svc/pyproject.toml": "pyproject",
      "Mopyfile.yaml": "mopy",
      mopyfile: "mopy",
      "build.yml": "mopy",
      Pipfile: "pipfile",
      "setup.py": "setup",
      "setup.cfg": "setup",
      "main.py": "script",
      "gui.pyw": "script",
      "requirements.py": "script",
      "requirements.txt": "requirements",
      "requirements/prod.txt": "requirements",
      "requirements-dev.in": "requirements",
      "requirements.lock": "requirements",
      "deps.pip": "requirements",
      "constraints.txt": "requirements",
    });
  });

  it("reads the content of a file whose name says nothing", () => {
    expect(detectFileKind("spec", "#syntax=pyfront\n[project]\nname = 'x'\n")).toBe("pyproject");
    expect(detectFileKind("spec", "# comment\npython: '3.12'\n")).toBe("mopy");
    expect(detectFileKind("Dockerfile", "FROM python:3.12\nPYENV 3.12 default\n")).toBe("pyenv");
    expect(detectFileKind("spec", "flask\n")).toBeUndefined();
    expect(detectFileKind("Pipfile.lock", '{\n  "_meta": {}\n}\n')).toBeUndefined();
  });
});

describe("dependency sources, one rule each", () => {
  it("requirements-key: the spec's requirements files, after the declared dependencies", () => {
    const { spec, warnings } = load("pyproject.toml", {
      "pyproject.toml": [
        "[project]",
        'name = "svc"',
        'dependencies = ["flask"]',
        "[tool.pyfront]",
        'requirements = ["reqs/lock.txt"]',
        'command = ["gunicorn", "app:app"]',
        "",
      ].join("\n"),
      "reqs/lock.txt": "flask==3.0.3\n",
      "requirements.txt": "django\n",
    });
    expect(warnings).toEqual([]);
    expect(spec.decisions.dependencies).toEqual({
      choice: "reqs/lock.txt",
      rule: "requirements-key",
      reason: "the spec's requirements key",
    });
    expect(spec.dependencies).toEqual([
      { kind: "index", requirement: "flask" },
      { kind: "requirements-file", path: "reqs/lock.txt" },
    ]);
  });

  it("inline-script-metadata: a PEP 723 script alone, its dependencies and Python from its block", () => {
    const { spec, warnings } = load("tools/report.py", {
      "tools/report.py": [
        "# /// script",
        '# requires-python = ">=3.11,<3.13"',
        '# dependencies = ["rich>=13", "httpx"]',
        "# ///",
        "print('report')",
        "",
      ].join("\n"),
      "tools/other.py": "",
      "requirements.txt": "django\n",
    });
    expect(warnings).toEqual([]);
    expect(spec.decisions).toEqual({
      python: {
        choice: "3.12",
        rule: "inline-script-metadata",
        reason:
          'newest supported series allowed by the inline script metadata\'s `requires-python` ">=3.11,<3.13" in tools/report.py',
      },
      layout: {
        choice: "script",
        rule: "inline-script-metadata",
        reason: 'tools/report.py has a "# /// script" block: the file alone is copied and run',
      },
      dependencies: {
        choice: "tools/report.py metadata",
        rule: "inline-script-metadata",
        reason: "the script's # /// script block",
      },
      command: {
        choice: "/opt/venv/bin/python /app/report.py",
        rule: "named-script",
        reason: "the build was given report.py",
      },
    });
    expect(spec.project).toEqual({ kind: "scripts", path: "tools/report.py", main: "report.py" });
    expect(spec.dependencies).toEqual([
      { kind: "index", requirement: "rich>=13" },
      { kind: "index", requirement: "httpx" },
    ]);
  });

  it("inline-script-metadata: a bad requirement is reported where the script writes it", () => {
    expect(
      failure("job.py", { "job.py": '# /// script\n# dependencies = [\n#   "-r other.txt",\n# ]\n# ///\n' }),
    ).toEqual([
      'job.py:3:5: dependencies[0]: "-r other.txt" is a pip option, not a requirement\n  hint: use the requirements, indices or dependencies keys instead of pip options',
    ]);
  });

  it("lone-script: a script without metadata takes its folder and no dependencies", () => {
    const { spec, warnings } = load("tools/run.py", {
      "tools/run.py": "print(1)\n",
      "tools/helper.py": "",
      "requirements.txt": "rich\n",
    });
    expect(warnings).toEqual([]);
    expect(decided(spec)).toEqual({
      layout: {
        choice: "application",
        rule: "named-script",
        reason: "the build was given tools/run.py: its folder is copied and the script run",
      },
      dependencies: { choice: "none", rule: "lone-script", reason: "tools/run.py declares no dependencies" },
      command: {
        choice: "/opt/venv/bin/python /app/run.py",
        rule: "named-script",
        reason: "the build was given run.py",
      },
    });
    expect(spec.project).toEqual({ kind: "scripts", path: "tools", main: "run.py" });
    expect(spec.dependencies).toEqual([]);
  });

  it("pipfile: a Pipfile given to the build, with its sources and its Python", () => {
    const { spec, warnings } = load("Pipfile", {
      Pipfile: [
        "[[source]]",
        'url = "https://pkgs.example.org/simple"',
        "verify_ssl = true",
        'name = "corp"',
        "",
        "[packages]",
        'flask = "*"',
        'gunicorn = ">=22"',
        "",
        "[dev-packages]",
        'pytest = "*"',
        "",
        "[requires]",
        'python_version = "3.12"',
        "",
      ].join("\n"),
      "app.py": "from flask import Flask\napp = Flask(__name__)\n",
    });
    expect(warnings).toEqual([]);
    expect(spec.decisions).toEqual({
      python: {
        choice: "3.12",
        rule: "pipfile-requires",
        reason: "`requires.python_version` in Pipfile says 3.12",
      },
      layout: NO_BUILD_SYSTEM,
      dependencies: {
        choice: "Pipfile [packages]",
        rule: "pipfile",
        reason: "Pipfile: [packages], without [dev-packages]",
      },
      command: {
        choice: "gunicorn app:app",
        rule: "flask-gunicorn",
        reason: "app.py provides app, and gunicorn is among the dependencies",
      },
    });
    expect(spec.dependencies).toEqual([
      { kind: "index", requirement: "flask" },
      { kind: "index", requirement: "gunicorn>=22" },
    ]);
    expect(spec.indices).toEqual([{ url: "https://pkgs.example.org/simple", primary: true, trusted: false }]);
  });

  it("pipfile: found next to a pyproject.toml that declares no dependencies", () => {
    const { spec, warnings } = load("pyproject.toml", {
      "pyproject.toml": '[project]\nname = "site"\nversion = "1"\n',
      Pipfile: '[packages]\nrequests = "*"\n',
    });
    expect(warnings).toEqual([NOTHING_TO_RUN]);
    expect(spec.decisions.dependencies).toEqual({
      choice: "Pipfile [packages]",
      rule: "pipfile",
      reason: "Pipfile: [packages], without [dev-packages]",
    });
    expect(spec.dependencies).toEqual([{ kind: "index", requirement: "requests" }]);
  });

  it("pipfile: a broken Pipfile found next to the project is reported once, in the Pipfile", () => {
    const broken = [
      "Pipfile:2:1: TOML syntax error: Unterminated table-key\n  hint: see https://toml.io for the syntax",
    ];
    const files = { "pyproject.toml": '[project]\nname = "site"\n', Pipfile: "[packages\n" };
    expect(failure("pyproject.toml", files)).toEqual(broken);
    // Also when the Python version comes from elsewhere, and only the dependencies read it.
    expect(failure("pyproject.toml", { ...files, ".python-version": "3.12\n" })).toEqual(broken);
  });

  it("requirements-file: the requirements file given to the build, with what it includes", () => {
    const { spec, warnings } = load("requirements.txt", {
      "requirements.txt": "-r requirements/base.txt\r\nfastapi[standard]==0.115.0\r\n",
      "requirements/base.txt": "pydantic>=2\r\n",
      "main.py": "from fastapi import FastAPI\r\n\r\napp: FastAPI = FastAPI()\r\n",
    });
    expect(warnings).toEqual([]);
    expect(decided(spec)).toEqual({
      layout: NO_BUILD_SYSTEM,
      dependencies: {
        choice: "requirements.txt",
        rule: "requirements-file",
        reason: "the spec file of the build",
      },
      command: {
        choice: `sh -c ${UVICORN} main:app`,
        rule: "asgi-uvicorn",
        reason: "main.py provides app, and uvicorn is among the dependencies",
      },
    });
    expect(spec.dependencies).toEqual([
      { kind: "requirements-file", path: "requirements.txt", includes: ["requirements/base.txt"] },
    ]);
    // A web server listens on $PORT, 8000 unless told otherwise, and the image says so.
    expect(spec.env).toEqual([["PORT", "8000"]]);
    expect(spec.expose).toEqual([{ port: 8000, protocol: "tcp" }]);
    expect(spec.command).toEqual(["sh", "-c", UVICORN, "main:app"]);
  });

  it("requirements-file: found next to a project that declares no dependencies", () => {
    const { spec, warnings } = load("pyproject.toml", {
      "pyproject.toml": '[project]\nname = "site"\nversion = "1"\n',
      "requirements.txt": "flask\ngunicorn\n",
      Procfile: "web: gunicorn app:app --bind 0.0.0.0:$PORT\r\n",
      "app.py": "app = Flask(__name__)\n",
    });
    expect(warnings).toEqual([]);
    expect(decided(spec)).toEqual({
      layout: NO_BUILD_SYSTEM,
      dependencies: {
        choice: "requirements.txt",
        rule: "requirements-file",
        reason: "found next to the project",
      },
      command: {
        choice: "sh -c gunicorn app:app --bind 0.0.0.0:$PORT",
        rule: "procfile-web",
        reason: "the Procfile's web: line",
      },
    });
    expect(spec.command).toEqual(["sh", "-c", "gunicorn app:app --bind 0.0.0.0:$PORT"]);
    expect(spec.env).toEqual([["PORT", "8000"]]);
  });

  it("requirements-file-then-package: a package resolves its own dependencies on top of the file", () => {
    const { spec, warnings } = load("pyproject.toml", {
      "pyproject.toml": [
        "[build-system]",
        'requires = ["hatchling"]',
        'build-backend = "hatchling.build"',
        "[project]",
        'name = "shop"',
        'version = "1"',
        'dependencies = ["flask", "click"]',
        "[project.scripts]",
        'shop = "shop.cli:main"',
        "",
      ].join("\n"),
      "requirements.txt": "flask==3.0.3\n",
    });
    expect(warnings).toEqual([
      "pyproject.toml:7:16: warning: project.dependencies: requirements.txt does not list click from [project].dependencies; requirements.txt is installed first, then the package resolves its own dependencies on top\n" +
        "  hint: add them to requirements.txt, or remove it if [project].dependencies is the one to use",
    ]);
    expect(decided(spec)).toEqual({
      layout: {
        choice: "package",
        rule: "build-system",
        reason: "[build-system] names hatchling.build: built as a wheel",
      },
      dependencies: {
        choice: "requirements.txt, then [project].dependencies",
        rule: "requirements-file-then-package",
        reason:
          "requirements.txt (found next to the project) pins the set; pip resolves the package's [project].dependencies on top",
      },
      command: { choice: "shop", rule: "console-script", reason: "the project's one console script, shop" },
    });
    expect(spec.dependencies).toEqual([{ kind: "requirements-file", path: "requirements.txt" }]);
    expect(spec.project).toMatchObject({ kind: "package", dependenciesComplete: false });
    expect(spec.entrypoint).toEqual(["shop"]);
    expect(spec.command).toBeUndefined();
  });

  it("hashed-requirements-file: an application's hash-pinned file is installed alone", () => {
    const { spec, warnings } = load("pyproject.toml", {
      "pyproject.toml": '[project]\nname = "site"\nversion = "1"\ndependencies = [\n  "flask",\n]\n',
      "requirements.txt": [
        'flask==3.0.3 ; python_version >= "3.8" \\',
        "    --hash=sha256:34e815dfaa43340d1d15a5c3a02b8476004037eb4840b34910c6e21679d288f3",
        "    # via site (pyproject.toml)",
        "",
      ].join("\n"),
      "main.py": "",
    });
    expect(warnings).toEqual([
      "pyproject.toml:4:16: warning: project.dependencies: [project].dependencies is not installed: requirements.txt pins hashes, so it is installed alone\n" +
        "  hint: keep requirements.txt complete (regenerate it from [project].dependencies)",
    ]);
    expect(spec.decisions.dependencies).toEqual({
      choice: "requirements.txt",
      rule: "hashed-requirements-file",
      reason: "requirements.txt pins hashes (found next to the project)",
    });
    expect(spec.dependencies).toEqual([{ kind: "requirements-file", path: "requirements.txt" }]);
  });

  it("requirements-file-and-declared: an application installs both together, saying what differs", () => {
    const { spec, warnings } = load("pyproject.toml", {
      "pyproject.toml": '[project]\nname = "site"\nversion = "1"\ndependencies = ["Flask", "gunicorn"]\n',
      "requirements.txt": "flask==3.0.3\n",
      "app.py": "app = Flask(__name__)\n",
    });
    expect(warnings).toEqual([
      "pyproject.toml:4:16: warning: project.dependencies: requirements.txt does not list gunicorn from [project].dependencies; both are installed together\n" +
        "  hint: keep one list of dependencies: requirements.txt or [project].dependencies",
    ]);
    expect(spec.decisions.dependencies).toEqual({
      choice: "requirements.txt and [project].dependencies",
      rule: "requirements-file-and-declared",
      reason:
        "requirements.txt (found next to the project) and the project's [project].dependencies, resolved together",
    });
    expect(spec.dependencies).toEqual([
      { kind: "requirements-file", path: "requirements.txt" },
      { kind: "index", requirement: "Flask" },
      { kind: "index", requirement: "gunicorn" },
    ]);
    // gunicorn from pyproject.toml and flask from the file together fire the Flask rule.
    expect(spec.command).toEqual(["gunicorn", "app:app"]);
  });

  it("declared-dependencies: [project].dependencies alone, or Poetry's", () => {
    const { spec, warnings } = load("pyproject.toml", {
      "pyproject.toml":
        '[project]\nname = "site"\nversion = "1"\ndependencies = ["fastapi[standard]>=0.110"]\n',
      "app/main.py": "import fastapi\napp = fastapi.FastAPI(title='Shop')\n",
      "app/__init__.py": "",
    });
    expect(warnings).toEqual([]);
    expect(decided(spec)).toEqual({
      layout: NO_BUILD_SYSTEM,
      dependencies: {
        choice: "[project].dependencies",
        rule: "declared-dependencies",
        reason: "the project's [project].dependencies",
      },
      command: {
        choice: `sh -c ${UVICORN} app.main:app`,
        rule: "asgi-uvicorn",
        reason: "app/main.py provides app, and uvicorn is among the dependencies",
      },
    });
    const poetry = load("pyproject.toml", {
      "pyproject.toml":
        '[tool.poetry]\nname = "site"\npackage-mode = false\n[tool.poetry.dependencies]\npython = "^3.11"\nrequests = "^2.31"\n',
      "main.py": "",
    });
    expect(poetry.spec.decisions.dependencies).toEqual({
      choice: "[tool.poetry.dependencies]",
      rule: "declared-dependencies",
      reason: "the project's [tool.poetry.dependencies]",
    });
    expect(poetry.spec.decisions.layout).toEqual({
      choice: "application",
      rule: "declared-not-a-package",
      reason: "tool.poetry.package-mode = false: Poetry installs the dependencies, not the project",
    });
  });
});

describe("a named file with a broken neighbour", () => {
  it("a Pipfile given to the build that does not parse is reported once", () => {
    expect(failure("Pipfile", { Pipfile: '[packages]\nflask = "*\n' })).toEqual([
      "Pipfile:2:11: TOML syntax error: Unterminated string constant\n  hint: see https://toml.io for the syntax",
    ]);
  });

  it("the folder's pyproject.toml is read for the project, and reported when it does not parse", () => {
    expect(
      failure("requirements.txt", { "requirements.txt": "flask\n", "pyproject.toml": "[project\n" }),
    ).toEqual([
      "pyproject.toml:2:1: TOML syntax error: Unterminated table-key\n  hint: see https://toml.io for the syntax",
    ]);
  });
});

describe("where the project is", () => {
  it("a requirements file named from a requirements/ folder belongs to the project above it", () => {
    const { spec, warnings } = load("requirements/production.txt", {
      "pyproject.toml": '[project]\nname = "site"\nversion = "1"\nrequires-python = ">=3.12,<3.13"\n',
      "requirements/production.txt": "-r base.txt\ngunicorn==23.0.0\n",
      "requirements/base.txt": "Django==5.1.2\n",
      "manage.py": "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.local')\n",
      "config/wsgi.py": "application = get_wsgi_application()\n",
      "config/settings/production.py": "",
    });
    expect(warnings).toEqual([]);
    expect(spec.project).toEqual({ kind: "scripts", path: "." });
    expect(spec.python.series).toBe("3.12");
    expect(decided(spec)).toEqual({
      layout: NO_BUILD_SYSTEM,
      dependencies: {
        choice: "requirements/production.txt",
        rule: "requirements-file",
        reason: "the spec file of the build",
      },
      command: {
        choice: "gunicorn config.wsgi",
        rule: "django-gunicorn",
        reason: "Django project config (manage.py, config/wsgi.py) with gunicorn among the dependencies",
      },
    });
    expect(spec.dependencies).toEqual([
      { kind: "requirements-file", path: "requirements/production.txt", includes: ["requirements/base.txt"] },
    ]);
  });

  it("a spec in a subfolder finds its own requirements.txt, not the root's", () => {
    const { spec, warnings } = load("services/api/pyproject.toml", {
      "requirements.txt": "flask\n",
      "pyproject.toml": '[project]\nname = "root"\n',
      "services/api/pyproject.toml": '[project]\nname = "api"\nversion = "1"\n',
      "services/api/requirements.txt": "fastapi\nuvicorn[standard]\n",
      "services/api/main.py": "app = FastAPI()\n",
    });
    expect(warnings).toEqual([]);
    expect(spec.project).toEqual({ kind: "scripts", path: "services/api" });
    expect(spec.decisions.dependencies).toEqual({
      choice: "services/api/requirements.txt",
      rule: "requirements-file",
      reason: "found next to the project",
    });
    expect(spec.dependencies).toEqual([{ kind: "requirements-file", path: "services/api/requirements.txt" }]);
    expect(spec.command).toEqual(["sh", "-c", UVICORN, "main:app"]);
  });

  it("a spec in a subfolder without a requirements file does not take the root's", () => {
    const { spec } = load("services/api/pyproject.toml", {
      "requirements.txt": "flask\n",
      "services/api/pyproject.toml": '[project]\nname = "api"\ndependencies = ["fastapi"]\n',
    });
    expect(spec.dependencies).toEqual([{ kind: "index", requirement: "fastapi" }]);
  });

  it("setup.py given to the build: a setuptools package with its console script", () => {
    const { spec, warnings } = load("setup.py", {
      "setup.py":
        "from setuptools import setup\nsetup(name='tool', install_requires=['click'], entry_points={'console_scripts': ['tool=tool.cli:main']})\n",
      "requirements.txt": "click\n",
    });
    expect(warnings).toEqual([]);
    expect(decided(spec)).toEqual({
      layout: {
        choice: "package",
        rule: "setuptools-config",
        reason: "setup.py without [build-system]: built with setuptools, as pip does",
      },
      dependencies: {
        choice: "requirements.txt",
        rule: "requirements-file",
        reason: "found next to the project",
      },
      command: { choice: "tool", rule: "console-script", reason: "the project's one console script, tool" },
    });
    expect(spec.project).toEqual({
      kind: "package",
      path: ".",
      extras: [],
      extraDependencies: [],
      dependenciesComplete: false,
      buildRequirements: [
        { kind: "index", requirement: "setuptools>=40.8.0" },
        { kind: "index", requirement: "wheel" },
      ],
    });
  });
});

describe("requirements files that install the project itself", () => {
  it("-e . with a package: the other lines go to pip one by one, includes as files", () => {
    const { spec, warnings } = load("requirements.txt", {
      "requirements.txt": "-e .\n-r base.txt\n-c constraints.txt\nclick>=8 ; python_version >= '3.9'\n",
      "base.txt": "rich\n",
      "constraints.txt": "rich<14\n",
      "pyproject.toml":
        '[build-system]\nrequires = ["flit_core"]\nbuild-backend = "flit_core.buildapi"\n[project]\nname = "tool"\n',
    });
    expect(warnings).toEqual([NOTHING_TO_RUN.replace("pyproject.toml:1:1", "requirements.txt:1:1")]);
    expect(spec.dependencies).toEqual([
      { kind: "index", requirement: "click>=8 ; python_version >= '3.9'" },
      { kind: "requirements-file", path: "base.txt" },
      { kind: "constraints-file", path: "constraints.txt" },
    ]);
  });

  it("refuses -e . in an included file, and pip options beside -e ., naming the option", () => {
    expect(
      failure("requirements.txt", {
        "requirements.txt": "-r dev.txt\n",
        "dev.txt": "-e .\npytest\n",
        "pyproject.toml": '[build-system]\nrequires = ["hatchling"]\n[project]\nname = "tool"\n',
      }),
    ).toEqual([
      "dev.txt:1:1: dev.txt installs the project itself (-e .), from inside requirements.txt\n" +
        "  hint: move the -e . line into requirements.txt, or drop it: pyfront installs the project after its dependencies",
    ]);
    expect(
      failure("requirements.lock", {
        "requirements.lock": "# generated by rye\n-e file:.\nflask==3.0.3 \\\n    --hash=sha256:abc\n",
        "pyproject.toml": '[build-system]\nrequires = ["hatchling"]\n[project]\nname = "tool"\n',
      }),
    ).toEqual([
      'requirements.lock:3:1: pyfront cannot pass "--hash" to pip together with "-e ." in one file\n' +
        "  hint: move the pip options into a file this one includes with -r, or drop the -e . line",
    ]);
  });
});

describe("the start command in the spec", () => {
  it("keeps the spec's own PORT and ports for a web rule", () => {
    const { spec } = load("pyproject.toml", {
      "pyproject.toml": [
        "[project]",
        'name = "site"',
        'dependencies = ["flask", "gunicorn"]',
        "[tool.pyfront]",
        "expose = [5000]",
        "[tool.pyfront.env]",
        'PORT = "5000"',
        "",
      ].join("\n"),
      "app.py": "app = Flask(__name__)\n",
    });
    expect(spec.command).toEqual(["gunicorn", "app:app"]);
    expect(spec.env).toEqual([["PORT", "5000"]]);
    expect(spec.expose).toEqual([{ port: 5000, protocol: "tcp" }]);
  });

  it("sets neither PORT nor a port for a command that is no web server", () => {
    const { spec } = load("pyproject.toml", {
      "pyproject.toml": '[project]\nname = "bot"\ndependencies = ["discord.py"]\n',
      "bot.py": "",
    });
    expect(spec.command).toEqual(["/opt/venv/bin/python", "/app/bot.py"]);
    expect(spec.env).toEqual([]);
    expect(spec.expose).toEqual([]);
  });

  it("the spec's command wins over every rule", () => {
    const { spec } = load("pyproject.toml", {
      "pyproject.toml": '[project]\nname = "site"\n[tool.pyfront]\ncommand = ["python", "-m", "site"]\n',
      "main.py": "",
      Procfile: "web: gunicorn app:app\n",
    });
    expect(spec.decisions.command).toEqual({
      choice: "python -m site",
      rule: "spec",
      reason: "tool.pyfront.command in pyproject.toml",
    });
    expect(spec.env).toEqual([]);
  });

  it("several scripts: a warning in zero config, an error with [tool.pyfront]", () => {
    const files = {
      "pyproject.toml":
        '[project]\nname = "site"\nversion = "1"\n\n[project.scripts]\nsite-serve = "site.web:main"\nsite-admin = "site.admin:main"\n',
    };
    expect(load("pyproject.toml", files).warnings).toEqual([
      NOTHING_TO_RUN,
      "pyproject.toml:5:1: warning: project.scripts: the project declares several scripts (site-admin, site-serve); none is used as entrypoint\n" +
        '  hint: add [tool.pyfront] with entrypoint = ["<script>"] to choose one',
    ]);
    const configured = {
      "pyproject.toml": `${files["pyproject.toml"]}\n[tool.pyfront]\npython_version = "3.12"\n`,
    };
    expect(failure("pyproject.toml", configured)).toEqual([
      "pyproject.toml:5:1: project.scripts: the project declares several scripts (site-admin, site-serve); none is used as entrypoint\n" +
        '  hint: set entrypoint = ["<script>"] to choose one',
    ]);
  });

  it("no-start-command: a warning at the spec file, dropped when the spec has errors", () => {
    expect(
      load("pyproject.toml", { "pyproject.toml": '[project]\nname = "lib"\ndependencies = ["attrs"]\n' })
        .warnings,
    ).toEqual([NOTHING_TO_RUN]);
    expect(failure("requirements.txt", { "requirements.txt": "attrs\n-r missing.txt\n" })).toEqual([
      'requirements.txt:2:1: "missing.txt" ("missing.txt" in the build context) does not exist\n  hint: -r and -c paths are relative to the file that names them',
    ]);
  });
});

describe("an application's console scripts", () => {
  it("are written into the venv, and a name the venv holds already is refused", () => {
    const ok = load("pyproject.toml", {
      "pyproject.toml": '[project]\nname = "svc"\nversion = "1"\n[project.scripts]\nserve = "svc.main:run"\n',
      "svc/__init__.py": "",
    });
    expect(ok.spec.project).toMatchObject({
      kind: "scripts",
      consoleScripts: [{ name: "serve", module: "svc.main", attribute: "run" }],
    });
    expect(ok.spec.entrypoint).toEqual(["serve"]);
    expect(
      failure("pyproject.toml", {
        "pyproject.toml":
          '[project]\nname = "svc"\nversion = "1"\n[project.scripts]\npython3 = "svc.main:run"\n',
      }),
    ).toEqual([
      'pyproject.toml:5:1: project.scripts.python3: console script "python3" would replace the venv\'s own python3\n  hint: give the script another name',
    ]);
  });
});
