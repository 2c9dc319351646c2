// The start-command rules of src/detect/start-command.ts, one test each, plus their order, the
// cases where a rule must not fire, and the forms real projects write.
import { describe, expect, it } from "vitest";
import { memoryContext } from "../../../src/context/memory-context.js";
import {
  APP_MODULE_CANDIDATES,
  type CommandFacts,
  detectStartCommand,
  START_COMMAND_RULES,
  setuptoolsConsoleScripts,
} from "../../../src/detect/start-command.js";

function facts(
  files: Record<string, string>,
  dependencies: string[] = [],
  more: Partial<CommandFacts> = {},
): CommandFacts {
  return {
    context: memoryContext(files),
    projectDir: ".",
    kind: "application",
    dependencyNames: new Set(dependencies),
    scripts: [],
    ...more,
  };
}

const UVICORN = 'exec uvicorn "$0" --host 0.0.0.0 --port "${PORT:-8000}"';

describe("START_COMMAND_RULES", () => {
  it("are tried in this order", () => {
    expect(START_COMMAND_RULES.map((r) => r.id)).toEqual([
      "named-script",
      "console-script",
      "procfile-web",
      "django-gunicorn",
      "asgi-uvicorn",
      "flask-gunicorn",
      "package-main",
      "main-file",
    ]);
  });

  it("named-script: the script given to the build runs with the venv's python", () => {
    expect(detectStartCommand(facts({ "tools/run.py": "" }, [], { namedScript: "tools/run.py" }))).toEqual({
      argv: ["/opt/venv/bin/python", "/app/tools/run.py"],
      asEntrypoint: false,
      web: false,
      decision: {
        choice: "/opt/venv/bin/python /app/tools/run.py",
        rule: "named-script",
        reason: "the build was given tools/run.py",
      },
    });
  });

  it("console-script: the one console script is the entrypoint", () => {
    expect(detectStartCommand(facts({}, [], { scripts: ["serve"] }))).toEqual({
      argv: ["serve"],
      asEntrypoint: true,
      web: false,
      decision: {
        choice: "serve",
        rule: "console-script",
        reason: "the project's one console script, serve",
      },
    });
  });

  it("console-script does not fire for several scripts", () => {
    expect(detectStartCommand(facts({ "main.py": "" }, [], { scripts: ["a", "b"] }))?.decision.rule).toBe(
      "main-file",
    );
  });

  it("procfile-web: the web: line runs as the platform runs it, through sh -c", () => {
    const found = detectStartCommand(
      facts({ Procfile: "release: python manage.py migrate\nweb: gunicorn app:app --bind 0.0.0.0:$PORT\n" }, [
        "flask",
        "gunicorn",
      ]),
    );
    expect(found).toEqual({
      argv: ["sh", "-c", "gunicorn app:app --bind 0.0.0.0:$PORT"],
      asEntrypoint: false,
      web: true,
      decision: {
        choice: "sh -c gunicorn app:app --bind 0.0.0.0:$PORT",
        rule: "procfile-web",
        reason: "the Procfile's web: line",
      },
    });
  });

  it("procfile-web reads a Procfile with Windows line endings", () => {
    const found = detectStartCommand(
      facts({ Procfile: "worker: celery -A x worker\r\nweb: uvicorn main:app\r\n" }),
    );
    expect(found?.argv).toEqual(["sh", "-c", "uvicorn main:app"]);
  });

  it("procfile-web does not fire for a Procfile without web:", () => {
    const found = detectStartCommand(facts({ Procfile: "worker: python worker.py\n", "main.py": "" }));
    expect(found?.decision.rule).toBe("main-file");
    expect(detectStartCommand(facts({ Procfile: "worker: python worker.py\n" }))).toBeUndefined();
  });

  it("django-gunicorn: manage.py's settings package names the wsgi module", () => {
    const files = {
      "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n",
      "mysite/wsgi.py":
        'import os\nfrom django.core.wsgi import get_wsgi_application\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\napplication = get_wsgi_application()\n',
      "mysite/settings.py": "",
    };
    expect(detectStartCommand(facts(files, ["django", "gunicorn"]))).toEqual({
      argv: ["gunicorn", "mysite.wsgi"],
      asEntrypoint: false,
      web: true,
      decision: {
        choice: "gunicorn mysite.wsgi",
        rule: "django-gunicorn",
        reason: "Django project mysite (manage.py, mysite/wsgi.py) with gunicorn among the dependencies",
      },
    });
  });

  it("django-gunicorn: a settings package (config.settings.production) still names config.wsgi", () => {
    // cookiecutter-django's layout: settings split by environment in config/settings/.
    const files = {
      "manage.py":
        'import os\nimport sys\nif __name__ == "__main__":\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")\n',
      "config/wsgi.py":
        'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")\napplication = get_wsgi_application()\n',
      "config/settings/__init__.py": "",
      "config/settings/production.py": "",
    };
    expect(detectStartCommand(facts(files, ["django", "gunicorn"]))?.argv).toEqual([
      "gunicorn",
      "config.wsgi",
    ]);
  });

  it("django-gunicorn reads the project's own folder of the context", () => {
    const files = {
      "manage.py": "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'other.settings')\n",
      "other/wsgi.py": "",
      "backend/manage.py": 'os.environ.setdefault(\n    "DJANGO_SETTINGS_MODULE", "core.settings"\n)\n',
      "backend/core/wsgi.py": "",
    };
    const found = detectStartCommand(facts(files, ["django", "gunicorn"], { projectDir: "backend" }));
    expect(found?.argv).toEqual(["gunicorn", "core.wsgi"]);
    expect(found?.decision.reason).toBe(
      "Django project core (manage.py, core/wsgi.py) with gunicorn among the dependencies",
    );
  });

  it("django-gunicorn does not fire without wsgi.py, without gunicorn or without manage.py", () => {
    const manage = { "manage.py": "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n" };
    expect(detectStartCommand(facts(manage, ["django", "gunicorn"]))).toBeUndefined();
    const full = { ...manage, "mysite/wsgi.py": "application = get_wsgi_application()\n" };
    expect(detectStartCommand(facts(full, ["django"]))).toBeUndefined();
    expect(detectStartCommand(facts({ "mysite/wsgi.py": "" }, ["django", "gunicorn"]))).toBeUndefined();
    // A folder named wsgi.py is not the module.
    expect(
      detectStartCommand(facts({ ...manage, "mysite/wsgi.py/x": "" }, ["django", "gunicorn"])),
    ).toBeUndefined();
  });

  it("asgi-uvicorn: app = FastAPI() served by uvicorn on $PORT, the module as an argument", () => {
    const found = detectStartCommand(
      facts({ "main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n" }, ["fastapi", "uvicorn"]),
    );
    expect(found).toEqual({
      argv: ["sh", "-c", UVICORN, "main:app"],
      asEntrypoint: false,
      web: true,
      decision: {
        choice: `sh -c ${UVICORN} main:app`,
        rule: "asgi-uvicorn",
        reason: "main.py provides app, and uvicorn is among the dependencies",
      },
    });
  });

  it("asgi-uvicorn reads the forms people write: annotated, through the module, with arguments, Starlette", () => {
    const argv = (text: string, file = "main.py", deps = ["fastapi", "uvicorn"]) =>
      detectStartCommand(facts({ [file]: text }, deps))?.argv.slice(3);
    expect(argv("from fastapi import FastAPI\napp: FastAPI = FastAPI()\n")).toEqual(["main:app"]);
    expect(argv('import fastapi\napi = fastapi.FastAPI(\n    title="Shop",\n)\n')).toEqual(["main:api"]);
    expect(argv("app = FastAPI(title='x', version=\"1\")\r\n", "app/main.py")).toEqual(["app.main:app"]);
    expect(argv("app = Starlette(routes=routes)\n", "server.py", ["starlette", "uvicorn"])).toEqual([
      "server:app",
    ]);
  });

  it("asgi-uvicorn does not fire for an app assigned inside a function, or without uvicorn", () => {
    const nested = "from fastapi import FastAPI\n\ndef build():\n    app = FastAPI()\n    return app\n";
    expect(detectStartCommand(facts({ "api.py": nested }, ["fastapi", "uvicorn"]))).toBeUndefined();
    const commented = "# app = FastAPI()\n";
    expect(detectStartCommand(facts({ "api.py": commented }, ["fastapi", "uvicorn"]))).toBeUndefined();
    expect(detectStartCommand(facts({ "api.py": "app = FastAPI()\n" }, ["fastapi"]))).toBeUndefined();
  });

  it("asgi-uvicorn tries APP_MODULE_CANDIDATES in order", () => {
    expect(APP_MODULE_CANDIDATES.slice(0, 6)).toEqual([
      "main.py",
      "app.py",
      "api.py",
      "server.py",
      "asgi.py",
      "wsgi.py",
    ]);
    const found = detectStartCommand(
      facts({ "server.py": "app = FastAPI()\n", "api.py": "api = FastAPI()\n" }, ["fastapi", "uvicorn"]),
    );
    expect(found?.argv[3]).toBe("api:api");
  });

  it("flask-gunicorn: app = Flask(__name__) served by gunicorn", () => {
    const found = detectStartCommand(
      facts({ "app.py": "from flask import Flask\napp = Flask(__name__)\n" }, ["flask", "gunicorn"]),
    );
    expect(found).toEqual({
      argv: ["gunicorn", "app:app"],
      asEntrypoint: false,
      web: true,
      decision: {
        choice: "gunicorn app:app",
        rule: "flask-gunicorn",
        reason: "app.py provides app, and gunicorn is among the dependencies",
      },
    });
  });

  it("flask-gunicorn: a create_app() factory in a top-level package, as flask --app finds it", () => {
    const found = detectStartCommand(
      facts(
        {
          "flaskr/__init__.py": "def create_app(test_config=None):\n    app = Flask(__name__)\n",
          "tests/x.py": "",
        },
        ["flask", "gunicorn"],
      ),
    );
    expect(found?.argv).toEqual(["gunicorn", "flaskr:create_app()"]);
    expect(found?.decision.reason).toBe(
      "flaskr/__init__.py defines create_app(), and gunicorn is among the dependencies",
    );
  });

  it("flask-gunicorn: wsgi.py re-exporting the app", () => {
    const found = detectStartCommand(
      facts({ "wsgi.py": "from shortener import app\n" }, ["flask", "gunicorn"]),
    );
    expect(found?.argv).toEqual(["gunicorn", "wsgi:app"]);
  });

  it("flask-gunicorn does not fire without gunicorn: app.py then runs as the main file", () => {
    const found = detectStartCommand(facts({ "app.py": "app = Flask(__name__)\napp.run()\n" }, ["flask"]));
    expect(found?.decision.rule).toBe("main-file");
    expect(found?.argv).toEqual(["/opt/venv/bin/python", "/app/app.py"]);
  });

  it("never uses a module name that is not a Python identifier", () => {
    // Folders that are not importable are not searched; the project name 2048-game is no module.
    const files = {
      "my-app/__init__.py": "app = Flask(__name__)\n",
      "2048_game/__main__.py": "",
      "src/2048_game/__init__.py": "app = Flask(__name__)\n",
    };
    expect(
      detectStartCommand(facts(files, ["flask", "gunicorn"], { importName: "2048_game" })),
    ).toBeUndefined();
    expect(
      detectStartCommand(facts(files, ["flask", "gunicorn"], { importName: "2048_game", kind: "package" })),
    ).toBeUndefined();
    // manage.py naming a settings module that is no identifier.
    const django = {
      "manage.py": "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'my-site.settings')\n",
      "my-site/wsgi.py": "",
    };
    expect(detectStartCommand(facts(django, ["django", "gunicorn"]))).toBeUndefined();
  });

  it("package-main: a package's __main__.py runs with python -m", () => {
    const found = detectStartCommand(
      facts({ "src/shop/__main__.py": "" }, [], { importName: "shop", kind: "package" }),
    );
    expect(found).toEqual({
      argv: ["/opt/venv/bin/python", "-m", "shop"],
      asEntrypoint: false,
      web: false,
      decision: {
        choice: "/opt/venv/bin/python -m shop",
        rule: "package-main",
        reason: "src/shop/__main__.py exists",
      },
    });
  });

  it("main-file: an application's main.py, before app.py; never a package's", () => {
    const files = { "main.py": "", "app.py": "" };
    expect(detectStartCommand(facts(files))).toEqual({
      argv: ["/opt/venv/bin/python", "/app/main.py"],
      asEntrypoint: false,
      web: false,
      decision: {
        choice: "/opt/venv/bin/python /app/main.py",
        rule: "main-file",
        reason: "the application has main.py",
      },
    });
    expect(detectStartCommand(facts(files, [], { kind: "package" }))).toBeUndefined();
  });

  it("earlier rules win: console script over Procfile over Django over FastAPI over Flask", () => {
    const files = {
      Procfile: "web: gunicorn mysite.wsgi\n",
      "manage.py": "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n",
      "mysite/wsgi.py": "",
      "main.py": "app = FastAPI()\n",
      "app.py": "app = Flask(__name__)\n",
    };
    const deps = ["django", "gunicorn", "fastapi", "uvicorn", "flask"];
    const rule = (f: Record<string, string>, more: Partial<CommandFacts> = {}) =>
      detectStartCommand(facts(f, deps, more))?.decision.rule;
    expect(rule(files, { scripts: ["serve"], namedScript: "main.py" })).toBe("named-script");
    expect(rule(files, { scripts: ["serve"] })).toBe("console-script");
    expect(rule(files)).toBe("procfile-web");
    const { Procfile: _p, ...noProcfile } = files;
    expect(rule(noProcfile)).toBe("django-gunicorn");
    const { "manage.py": _m, ...noDjango } = noProcfile;
    expect(rule(noDjango)).toBe("asgi-uvicorn");
    const { "main.py": _a, ...onlyFlask } = noDjango;
    expect(rule(onlyFlask)).toBe("flask-gunicorn");
  });

  it("an application's src/ files are imported from the app directory, as src.main", () => {
    // The app directory is on the import path, src/ is not: `uvicorn main:app` would not import.
    const found = detectStartCommand(facts({ "src/main.py": "app = FastAPI()\n" }, ["fastapi", "uvicorn"]));
    expect(found?.argv[3]).toBe("src.main:app");
    expect(found?.decision.reason).toBe("src/main.py provides app, and uvicorn is among the dependencies");
    const flask = detectStartCommand(
      facts({ "src/app.py": "app = Flask(__name__)\n" }, ["flask", "gunicorn"]),
    );
    expect(flask?.argv).toEqual(["gunicorn", "src.app:app"]);
  });

  it("package-main: an application's src/<name>/__main__.py is not importable as <name>", () => {
    const files = { "src/shop/__main__.py": "", "shop2/__main__.py": "" };
    expect(detectStartCommand(facts(files, [], { importName: "shop" }))).toBeUndefined();
    expect(detectStartCommand(facts(files, [], { importName: "shop2" }))?.argv).toEqual([
      "/opt/venv/bin/python",
      "-m",
      "shop2",
    ]);
  });

  it("a package's own modules are searched, not the files at its root", () => {
    const files = { "main.py": "app = FastAPI()\n", "src/shop/main.py": "app = FastAPI()\n" };
    const found = detectStartCommand(
      facts(files, ["fastapi", "uvicorn"], { importName: "shop", kind: "package" }),
    );
    expect(found?.argv[3]).toBe("shop.main:app");
  });
});

describe("setuptoolsConsoleScripts", () => {
  it("reads setup.cfg's [options.entry_points] console_scripts", () => {
    const cfg = [
      "[metadata]",
      "name = tool",
      "[options.entry_points]",
      "console_scripts =",
      "    tool = tool.cli:main",
      "    tool-admin = tool.admin:run",
      "gui_scripts =",
      "    toolgui = tool.gui:main",
      "[options]",
      "packages = find:",
      "",
    ].join("\n");
    expect(setuptoolsConsoleScripts(memoryContext({ "setup.cfg": cfg }), ".")).toEqual([
      "tool",
      "tool-admin",
    ]);
  });

  it("reads a single console script written on the console_scripts line", () => {
    const cfg = "[options.entry_points]\nconsole_scripts = tool = tool.cli:main\n";
    expect(setuptoolsConsoleScripts(memoryContext({ "setup.cfg": cfg }), ".")).toEqual(["tool"]);
  });

  it("reads setup.cfg with Windows line endings", () => {
    const cfg = "[options.entry_points]\r\nconsole_scripts =\r\n    tool = tool.cli:main\r\n";
    expect(setuptoolsConsoleScripts(memoryContext({ "svc/setup.cfg": cfg }), "svc")).toEqual(["tool"]);
  });

  it("reads setup.py's entry_points console_scripts list", () => {
    const py = [
      "from setuptools import setup",
      "setup(",
      "    name='tool',",
      "    entry_points={",
      "        'console_scripts': [",
      "            'tool = tool.cli:main',",
      '            "tool-sync=tool.sync:run",',
      "        ],",
      "    },",
      ")",
    ].join("\n");
    expect(setuptoolsConsoleScripts(memoryContext({ "setup.py": py }), ".")).toEqual(["tool", "tool-sync"]);
    expect(setuptoolsConsoleScripts(memoryContext({}), ".")).toEqual([]);
  });
});
