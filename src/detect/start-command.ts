/**
 * What an image runs when the project did not say: rules tried in order, each a small function
 * of the project's files and dependencies. The spec's own `command`/`entrypoint` always wins
 * (the caller checks it first); `pyfront plan` names the rule that fired and why.
 *
 * Web servers listen on 0.0.0.0 and on `$PORT` (default 8000, set in the image and exposed):
 * gunicorn reads PORT itself; uvicorn is given it through a fixed `sh -c` script, with the
 * application's module as an argument, never as shell text.
 */
import { APP_DIR, VENV_PYTHON as PYTHON } from "../plan/recipe-constants.js";
import type { Decision } from "../spec/build-spec.js";
import { contextJoin } from "../spec/context-checks.js";
import type { ContextReader } from "../spec/context-reader.js";

export const DEFAULT_WEB_PORT = 8000;

export interface CommandFacts {
  context: ContextReader;
  /** The project's folder in the context. */
  projectDir: string;
  kind: "package" | "application";
  /** PEP 503 names of the project's dependencies, plus servers their extras bring (fastapi[standard]). */
  dependencyNames: ReadonlySet<string>;
  /** Console scripts the project declares, sorted. */
  scripts: readonly string[];
  /** The project's import name, from its distribution name (`my-app` → `my_app`). */
  importName?: string;
  /** The script the build was asked for (`-f main.py`), relative to the project's folder. */
  namedScript?: string;
}

export interface StartCommand {
  argv: string[];
  /** A console script runs as the entrypoint, so `docker run image --help` reaches it. */
  asEntrypoint: boolean;
  /** A web server: the image sets PORT and exposes it. */
  web: boolean;
  decision: Decision;
}

export interface StartCommandRule {
  id: string;
  /** What the rule looks for, for docs and `pyfront plan`. */
  looksFor: string;
  find(facts: CommandFacts): StartCommand | undefined;
}

/** A Python module path; anything else found in a file is not used as one. */
const MODULE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Files that hold a web app object, tried in order: the layouts tutorials and templates use. */
export const APP_MODULE_CANDIDATES: readonly string[] = [
  "main.py",
  "app.py",
  "api.py",
  "server.py",
  "asgi.py",
  "wsgi.py",
  "application.py",
  "app/main.py",
  "app/app.py",
  "app/__init__.py",
  "api/main.py",
  "src/main.py",
  "src/app.py",
];

/** Scripts people name their entry file, tried in order. */
export const MAIN_FILE_CANDIDATES: readonly string[] = [
  "main.py",
  "app.py",
  "server.py",
  "bot.py",
  "start.py",
];

/** Extras that bring a server along: `fastapi[standard]` installs uvicorn. */
export const SERVERS_IN_EXTRAS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  fastapi: { standard: "uvicorn", all: "uvicorn" },
};

function moduleOf(file: string): string | undefined {
  const withoutSrc = file.startsWith("src/") ? file.slice(4) : file;
  const module = withoutSrc
    .replace(/\/__init__\.py$/, "")
    .replace(/\.py$/, "")
    .replaceAll("/", ".");
  return MODULE.test(module) ? module : undefined;
}

/** Folders that hold no application code, never searched for an app object. */
const NOT_APPLICATION_FOLDERS = new Set([
  "tests",
  "test",
  "docs",
  "doc",
  "scripts",
  "migrations",
  "node_modules",
]);

/** The modules of a package folder that may hold its app object. */
function packageModules(name: string): string[] {
  return [`${name}/__init__.py`, `${name}/app.py`, `${name}/main.py`, `${name}/wsgi.py`, `${name}/asgi.py`];
}

function candidateFiles(facts: CommandFacts): string[] {
  const packaged = facts.importName ? packageModules(facts.importName).flatMap((f) => [f, `src/${f}`]) : [];
  // A package's own modules come first: its root files are not installed.
  if (facts.kind === "package") return [...new Set(packaged)];
  // An application's top-level packages, as `flask --app` finds a factory in `flaskr/`.
  const folders = (facts.context.listDirectory(facts.projectDir) ?? []).filter(
    (e) => e.kind === "directory" && !NOT_APPLICATION_FOLDERS.has(e.name) && MODULE.test(e.name),
  );
  const packages = folders
    .filter((e) => isFile(facts, `${e.name}/__init__.py`))
    .flatMap((e) => packageModules(e.name));
  return [...new Set([...APP_MODULE_CANDIDATES, ...packaged, ...packages])];
}

interface FoundObject {
  file: string;
  module: string;
  /** `app`, or `create_app()` for a factory. */
  target: string;
}

/** The first candidate file assigning `<name> = <constructor>(` at the top level, or defining the factory. */
function findAppObject(
  facts: CommandFacts,
  constructors: readonly string[],
  factory?: string,
): FoundObject | undefined {
  const assignment = new RegExp(
    `^([A-Za-z_][A-Za-z0-9_]*)\\s*(?::[^=\\n]*)?=\\s*(?:[A-Za-z_][A-Za-z0-9_]*\\.)?(?:${constructors.join("|")})\\(`,
    "m",
  );
  for (const file of candidateFiles(facts)) {
    const text = facts.context.readFile(contextJoin(facts.projectDir, file));
    if (text === undefined) continue;
    const module = moduleOf(file);
    if (module === undefined) continue;
    const variable = assignment.exec(text)?.[1];
    if (variable !== undefined) return { file, module, target: variable };
    if (factory !== undefined && new RegExp(`^def ${factory}\\(`, "m").test(text)) {
      return { file, module, target: `${factory}()` };
    }
    // `from shortener import app` in wsgi.py: the entry module re-exports the app.
    const imported = REEXPORTED_APP.exec(text)?.[1];
    if (imported !== undefined) return { file, module, target: imported };
  }
  return undefined;
}

const REEXPORTED_APP =
  /^from\s+\.?[A-Za-z_][\w.]*\s+import\s+(?:[\w\s,]*,\s*)?(app|application)\s*(?:,|$|#)/m;

/**
 * The console scripts of a setuptools project configured in setup.cfg or setup.py, read as
 * text: what `entry_points={"console_scripts": ["name=module:function"]}` names.
 */
export function setuptoolsConsoleScripts(context: ContextReader, projectDir: string): string[] {
  const names = new Set<string>();
  // configparser reads CRLF files as LF ones; the patterns below match LF only.
  const cfg = context.readFile(contextJoin(projectDir, "setup.cfg"))?.replace(/\r\n?/g, "\n");
  if (cfg !== undefined) {
    const section = /^\[options\.entry_points\][^\n]*\n([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(cfg)?.[1] ?? "";
    const block = /^console_scripts\s*=[ \t]*\n?((?:[ \t]+.*(?:\n|$))*)/m.exec(section)?.[1] ?? "";
    for (const match of block.matchAll(/^\s*([A-Za-z0-9][\w.-]*)\s*=\s*[\w.]+:[\w.]+/gm))
      names.add(match[1]!);
  }
  const py = context.readFile(contextJoin(projectDir, "setup.py"));
  const list = py === undefined ? undefined : /["']console_scripts["']\s*:\s*\[([^\]]*)\]/.exec(py)?.[1];
  for (const match of (list ?? "").matchAll(/["']\s*([A-Za-z0-9][\w.-]*)\s*=\s*[\w.]+:[\w.]+\s*["']/g)) {
    names.add(match[1]!);
  }
  return [...names].sort();
}

/** A file in the project's folder, known without reading it. */
function isFile(facts: CommandFacts, file: string): boolean {
  const path = contextJoin(facts.projectDir, file);
  return facts.context.exists(path) && !facts.context.isDirectory(path);
}

function has(facts: CommandFacts, name: string): boolean {
  return facts.dependencyNames.has(name);
}

const DJANGO_SETTINGS = /DJANGO_SETTINGS_MODULE["']\s*,\s*["']([A-Za-z_][A-Za-z0-9_.]*)\.settings["']/;

/** A Procfile's `web:` line: the command as its authors run it on Heroku-like platforms. */
function procfileWeb(text: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const match = /^web\s*:\s*(.+)$/.exec(line.trim());
    if (match?.[1] !== undefined) return match[1].trim();
  }
  return undefined;
}

function web(argv: string[], rule: string, reason: string): StartCommand {
  return { argv, asEntrypoint: false, web: true, decision: { choice: argv.join(" "), rule, reason } };
}

export const START_COMMAND_RULES: readonly StartCommandRule[] = [
  {
    id: "named-script",
    looksFor: "the .py file given to the build (-f main.py)",
    find(facts) {
      if (facts.namedScript === undefined) return undefined;
      const argv = [PYTHON, `${APP_DIR}/${facts.namedScript}`];
      return {
        argv,
        asEntrypoint: false,
        web: false,
        decision: {
          choice: argv.join(" "),
          rule: "named-script",
          reason: `the build was given ${facts.namedScript}`,
        },
      };
    },
  },
  {
    id: "console-script",
    looksFor: "a single [project.scripts] entry",
    find(facts) {
      if (facts.scripts.length !== 1) return undefined;
      const script = facts.scripts[0]!;
      return {
        argv: [script],
        asEntrypoint: true,
        web: false,
        decision: {
          choice: script,
          rule: "console-script",
          reason: `the project's one console script, ${script}`,
        },
      };
    },
  },
  {
    id: "procfile-web",
    looksFor: "a Procfile with a web: line",
    find(facts) {
      const text = facts.context.readFile(contextJoin(facts.projectDir, "Procfile"));
      const command = text === undefined ? undefined : procfileWeb(text);
      if (command === undefined) return undefined;
      // The line is the user's own shell command, run as Procfile platforms run it.
      return web(["sh", "-c", command], "procfile-web", "the Procfile's web: line");
    },
  },
  {
    id: "django-gunicorn",
    looksFor:
      "Django and gunicorn among the dependencies, manage.py naming its settings, and that package's wsgi.py",
    find(facts) {
      if (!has(facts, "django") || !has(facts, "gunicorn")) return undefined;
      const manage = facts.context.readFile(contextJoin(facts.projectDir, "manage.py"));
      const project = manage === undefined ? undefined : DJANGO_SETTINGS.exec(manage)?.[1];
      if (project === undefined || !MODULE.test(project)) return undefined;
      const wsgi = `${project.replaceAll(".", "/")}/wsgi.py`;
      if (!isFile(facts, wsgi)) return undefined;
      return web(
        ["gunicorn", `${project}.wsgi`],
        "django-gunicorn",
        `Django project ${project} (manage.py, ${wsgi}) with gunicorn among the dependencies`,
      );
    },
  },
  {
    id: "asgi-uvicorn",
    looksFor:
      "FastAPI or Starlette and uvicorn among the dependencies, and a module assigning app = FastAPI(...)",
    find(facts) {
      if (!has(facts, "uvicorn") || !(has(facts, "fastapi") || has(facts, "starlette"))) return undefined;
      const found = findAppObject(facts, ["FastAPI", "Starlette"]);
      if (found === undefined) return undefined;
      const target = `${found.module}:${found.target}`;
      return web(
        ["sh", "-c", 'exec uvicorn "$0" --host 0.0.0.0 --port "${PORT:-8000}"', target],
        "asgi-uvicorn",
        `${found.file} provides ${found.target}, and uvicorn is among the dependencies`,
      );
    },
  },
  {
    id: "flask-gunicorn",
    looksFor:
      "Flask and gunicorn among the dependencies, and a module assigning app = Flask(...) or defining create_app()",
    find(facts) {
      if (!has(facts, "flask") || !has(facts, "gunicorn")) return undefined;
      const found = findAppObject(facts, ["Flask"], "create_app");
      if (found === undefined) return undefined;
      return web(
        ["gunicorn", `${found.module}:${found.target}`],
        "flask-gunicorn",
        `${found.file} ${found.target.endsWith("()") ? "defines" : "provides"} ${found.target}, and gunicorn is among the dependencies`,
      );
    },
  },
  {
    id: "package-main",
    looksFor: "a package with __main__.py named after the project",
    find(facts) {
      const name = facts.importName;
      if (name === undefined || !MODULE.test(name)) return undefined;
      const file = [`${name}/__main__.py`, `src/${name}/__main__.py`].find((f) => isFile(facts, f));
      if (file === undefined) return undefined;
      const argv = [PYTHON, "-m", name];
      return {
        argv,
        asEntrypoint: false,
        web: false,
        decision: { choice: argv.join(" "), rule: "package-main", reason: `${file} exists` },
      };
    },
  },
  {
    id: "main-file",
    looksFor: `an application's ${MAIN_FILE_CANDIDATES.join(", ")}`,
    find(facts) {
      if (facts.kind !== "application") return undefined;
      const file = MAIN_FILE_CANDIDATES.find((f) => isFile(facts, f));
      if (file === undefined) return undefined;
      const argv = [PYTHON, `${APP_DIR}/${file}`];
      return {
        argv,
        asEntrypoint: false,
        web: false,
        decision: { choice: argv.join(" "), rule: "main-file", reason: `the application has ${file}` },
      };
    },
  },
];

/** The first rule's command, or undefined when none applies. */
export function detectStartCommand(facts: CommandFacts): StartCommand | undefined {
  for (const rule of START_COMMAND_RULES) {
    const found = rule.find(facts);
    if (found) return found;
  }
  return undefined;
}
