// The editor schema against pyfront itself: what pyfront rejects in [tool.pyfront], the schema
// rejects too, unless a schema cannot say it (listed below with the reason); and what pyfront
// accepts, the schema accepts, so an editor never underlines a valid file.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, test } from "vitest";
import type { ContextReader } from "../../../src/spec/context-reader.js";
import { formatDiagnostic } from "../../../src/spec/diagnostics.js";
import { loadBuildSpec } from "../../../src/spec/load-build-spec.js";
import { pyfrontJsonSchema, pyprojectJsonSchema } from "../../../src/spec/pyfront-json-schema.js";
import { parseTomlDocument } from "../../../src/spec/toml-document.js";
import { BAD_INPUTS } from "./bad-inputs.cases.js";

const ajv = new Ajv({ allErrors: true, strictSchema: true, strictTuples: false });
// Editor extensions a draft-07 validator does not know: Taplo's links, VS Code's deprecation text.
ajv.addKeyword("x-taplo");
ajv.addKeyword("deprecationMessage");
const validate = ajv.compile(pyfrontJsonSchema());

/** Rejected cases a JSON schema cannot catch, and why. Each must still pass the schema (or move out). */
const BEYOND_A_SCHEMA: Record<string, string> = {
  "missing requirements file": "the build context is not in the file",
  "requirements is a directory": "the build context is not in the file",
  "missing known_hosts": "the build context is not in the file",
  "copy source missing": "the build context is not in the file",
  "unknown extra": "the extras are declared in [project], outside the [tool.pyfront] table",
  "extras without package": "whether the project is a package depends on [project] and [build-system]",
  "several scripts without entrypoint": "the scripts are declared in [project.scripts]",
  "unknown pyfront target": "the target is chosen on the command line",
};

function pyfrontTable(text: string): unknown {
  const parsed = parseTomlDocument("pyproject.toml", text);
  return parsed.ok ? parsed.doc.get(["tool", "pyfront"]) : undefined;
}

const rejected = BAD_INPUTS.filter(
  (c) =>
    (c.specFile ?? "pyproject.toml").endsWith(".toml") &&
    pyfrontTable(c.text) !== undefined &&
    c.expected.some((d) => !/^[^\n]*: warning: /.test(d)),
);

describe("schema/pyfront.schema.json against pyfront's own checks", () => {
  test("there are rejected [tool.pyfront] cases to check", () => {
    expect(rejected.length).toBeGreaterThanOrEqual(20);
  });

  test.each(rejected.map((c) => [c.name, c] as const))("rejects what pyfront rejects: %s", (name, c) => {
    const valid = validate(pyfrontTable(c.text));
    if (name in BEYOND_A_SCHEMA)
      expect(valid, `now caught by the schema: remove it from BEYOND_A_SCHEMA`).toBe(true);
    else expect(valid, `${c.expected.join("\n")}\nis not caught by the schema`).toBe(false);
  });
});

const repoRoot = join(import.meta.dirname, "..", "..", "..");

/** Every [tool.pyfront] table pyfront accepts that the repository holds: docs, examples, fixtures, warning-only cases. */
function acceptedTables(): Array<[string, unknown]> {
  const tables: Array<[string, unknown]> = [];
  const add = (name: string, text: string) => {
    const table = pyfrontTable(text);
    if (table !== undefined) tables.push([name, table]);
  };
  const docs = join(repoRoot, "docs", "formats");
  for (const file of readdirSync(docs).filter((f) => f.endsWith(".md"))) {
    const text = readFileSync(join(docs, file), "utf8");
    for (const [i, m] of [...text.matchAll(/```toml\n([\s\S]*?)```/g)].entries()) {
      add(`docs/formats/${file} example ${i + 1}`, m[1]!);
    }
  }
  for (const dir of ["examples", "test/unit/spec/fixtures"]) {
    for (const name of readdirSync(join(repoRoot, dir))) {
      try {
        add(`${dir}/${name}`, readFileSync(join(repoRoot, dir, name, "pyproject.toml"), "utf8"));
      } catch {
        // no pyproject.toml here (a Mopyfile or PYENV project)
      }
    }
  }
  for (const c of BAD_INPUTS) {
    if (c.expected.every((d) => /^[^\n]*: warning: /.test(d))) add(`warning-only case: ${c.name}`, c.text);
  }
  return tables;
}

describe("schema/pyfront.schema.json accepts what pyfront accepts", () => {
  const tables = acceptedTables();
  test("there are accepted tables to check", () => {
    expect(tables.length).toBeGreaterThanOrEqual(10);
  });
  test.each(tables)("%s", (_name, table) => {
    validate(table);
    expect(validate.errors ?? []).toEqual([]);
  });
});

describe("schema/pyfront.schema.json at the edges of what pyfront accepts", () => {
  const everythingExists: ContextReader = {
    readFile: () => undefined,
    listDirectory: () => undefined,
    exists: () => true,
    isDirectory: () => false,
  };
  const sha = `sha256:${"a".repeat(64)}`;
  test.each([
    ['python_version = "3"'],
    ['python_version = "3.12.4"'],
    ['expose = [1, 65535, "8000/tcp", "5353/udp"]'],
    ['env = { A = "$${HOME}", B = "${X:-a b}", C = "${Y:+on}", D = "cost: $5", E = 1, F = true }'],
    ['labels = { "org.example.v" = "${VERSION:-dev}" }'],
    [
      'indices = [{ url = "HTTPS://mirror.example/simple", primary = true }, { url = "http://10.0.0.1:3141/x", trust = true }]',
    ],
    ['indices = [{ url = "https://a.example/simple" }, { url = "https://b.example/simple", secret = "b" }]'],
    [
      'dependencies = ["numpy==1.26.*", "pkg[extra] >= 2 ; python_version < \'3.12\'", "rich @ git+https://github.com/o/rich.git@v1", "git+ssh://git@host/o/r.git"]',
    ],
    ['requirements = ["./requirements.txt", "deps/../requirements-dev.txt"]'],
    [
      `add_files = [{ src = "https://example.com/tool.tgz", dst = "/opt/tool.tgz", checksum = "${sha}" }, { src = "conf/app.ini", dst = "conf/" }]`,
    ],
    [
      'copy_files = [{ src = "/usr/bin/tini", dst = "/usr/bin/tini", from = "krallin/ubuntu-tini:latest" }, { src = "static/*", dst = "/app/static/" }]',
    ],
    ['workdir = "/srv/app"'],
    [
      'healthcheck = { command = ["true"], interval = "1m30s", timeout = 5, start_period = "0s", retries = 0 }',
    ],
    ["[tool.pyfront.targets.dev]\nexpose = [5000]"],
  ])("%s", (body) => {
    const text = `[tool.pyfront]\n${body}\n`;
    const { warnings } = loadBuildSpec(text, { specFile: "pyproject.toml" }, everythingExists);
    expect(warnings.map(formatDiagnostic)).toEqual([]);
    validate(pyfrontTable(text));
    expect(validate.errors ?? []).toEqual([]);
  });
});

describe("schema/pyproject-pyfront.schema.json, for editors that attach schemas to whole files", () => {
  const validateFile = ajv.compile(pyprojectJsonSchema());
  const fileValue = (text: string) => {
    const parsed = parseTomlDocument("pyproject.toml", text);
    if (!parsed.ok) throw new Error("bad TOML");
    return parsed.doc.value;
  };
  test("checks [tool.pyfront] and nothing else", () => {
    const ok =
      '[project]\nname = "x"\nanything = 1\n[tool.other]\nport = 80000\n[tool.pyfront]\nexpose = [8000]\n';
    expect(validateFile(fileValue(ok))).toBe(true);
    expect(validateFile(fileValue("[tool.pyfront]\nexpose = [80000]\n"))).toBe(false);
    expect(
      validateFile(
        fileValue(
          '[[tool.pyfront.indices]]\nurl = "https://a/s"\nprimary = true\n[[tool.pyfront.indices]]\nurl = "https://b/s"\nprimary = true\n',
        ),
      ),
    ).toBe(false);
  });
});
