// Issue 20, items 7 and 9 on a real engine: `docker build -f services/api/pyproject.toml .` builds
// the api's project, not the repository root's; a spec outside the context builds the context
// root; and without a .dockerignore, virtual environments, caches and VCS data never reach BuildKit
// or the image.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, engineEnv, removeImage, run, runShell } from "./support/engine.js";
import { combined } from "./support/examples.js";
import { ensureFrontendImage, FRONTEND_IMAGE } from "./support/frontend.js";

const env = engineEnv();
const engineTag = env.engine.toLowerCase();
const images: string[] = [];
const roots: string[] = [];

beforeAll(() => ensureFrontendImage());

afterAll(async () => {
  for (const image of images) await removeImage(image);
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A scratch folder with these files (content as text or bytes); returns its path. */
function tree(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), "pyfront-e2e-mono-"));
  roots.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** A setuptools project of one module, installed from the local index, that runs that module. */
function packageSpec(name: string, dependencies: string[]): string {
  return [
    `#syntax=${FRONTEND_IMAGE}`,
    "[build-system]",
    'requires = ["setuptools>=61"]',
    'build-backend = "setuptools.build_meta"',
    "",
    "[project]",
    `name = "${name}"`,
    'version = "0.1.0"',
    `dependencies = [${dependencies.map((d) => JSON.stringify(d)).join(", ")}]`,
    "",
    "[tool.setuptools]",
    `py-modules = ["${name}"]`,
    "",
    "[tool.pyfront]",
    'python_version = "3.11"',
    `indices = [{ url = "${env.indexUrl}", primary = true, trust = true }]`,
    `command = ["python", "-m", "${name}"]`,
    "",
  ].join("\n");
}

/** `docker build -f SPEC CONTEXT` through the frontend the spec's first line names. */
async function buildWith(spec: string, context: string, tag: string, client: "docker" | "buildx" = "docker") {
  images.push(tag);
  const command = client === "buildx" ? ["buildx", "build"] : ["build"];
  return docker([...command, "--progress=plain", "--network", "host", "-f", spec, "-t", tag, context]);
}

/** The sizes BuildKit's log gives for each transfer of the build context, in bytes. */
function contextTransfers(log: string): number[] {
  const units: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9 };
  return [...log.matchAll(/transferring context: ([\d.]+)([kKMG]?B)/g)].map(
    (m) => Number(m[1]) * (units[m[2] ?? "B"] ?? 1),
  );
}

const MONOREPO = {
  "pyproject.toml": packageSpec("rootpkg", []),
  "rootpkg.py": 'print("rootpkg")\n',
  "services/api/pyproject.toml": packageSpec("apisvc", ["click>=8.0"]),
  "services/api/apisvc.py": 'import click\n\nprint(f"apisvc with click {click.__version__}")\n',
  "services/web/pyproject.toml": packageSpec("websvc", []),
  "services/web/websvc.py": 'print("websvc")\n',
};

describe(`a spec in a folder of the context, on engine ${env.engine}`, () => {
  it("docker build -f services/api/pyproject.toml builds the api's project, not the root's", async () => {
    const context = tree(MONOREPO);
    const tag = `pyfront-e2e-mono-api:${engineTag}`;
    const built = await buildWith(join(context, "services/api/pyproject.toml"), context, tag);
    const log = combined(built);
    expect(built.code, log).toBe(0);

    const started = await run(tag);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toMatch(/^apisvc with click 8\.\d+/m);
    // What the venv holds, by distribution: the api and its dependency, not the root's project.
    const installed = await run(tag, {
      entrypoint: "python",
      command: [
        "-c",
        "import importlib.metadata as m; print(sorted(d.metadata['Name'].lower() for d in m.distributions()))",
      ],
    });
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stdout).toContain("'apisvc'");
    expect(installed.stdout).toContain("'click'");
    expect(installed.stdout).not.toContain("rootpkg");
    const root = await run(tag, { entrypoint: "python", command: ["-c", "import rootpkg"] });
    expect(root.code).not.toBe(0);
    expect(root.stderr).toContain("No module named 'rootpkg'");

    if (env.engine === "B") {
      // buildx (engine B's other client) sends the spec's folder and base name the same way.
      const viaBuildx = await buildWith(
        join(context, "services/api/pyproject.toml"),
        context,
        `${tag}-buildx`,
        "buildx",
      );
      const buildxLog = combined(viaBuildx);
      expect(viaBuildx.code, buildxLog).toBe(0);
      expect((await run(`${tag}-buildx`)).stdout).toMatch(/^apisvc with click 8\.\d+/m);
    }
  });

  it("the root's spec still builds the root's project from the same context", async () => {
    const context = tree(MONOREPO);
    const tag = `pyfront-e2e-mono-root:${engineTag}`;
    const built = await buildWith(join(context, "pyproject.toml"), context, tag);
    expect(built.code, combined(built)).toBe(0);
    expect((await run(tag)).stdout.trim()).toBe("rootpkg");
  });

  it("a spec error names the file by its place in the context", async () => {
    const context = tree({
      ...MONOREPO,
      "services/api/pyproject.toml": MONOREPO["services/api/pyproject.toml"].replace(
        'python_version = "3.11"',
        'python_version = "2.7"',
      ),
    });
    const built = await buildWith(
      join(context, "services/api/pyproject.toml"),
      context,
      `pyfront-e2e-mono-bad:${engineTag}`,
    );
    expect(built.code).not.toBe(0);
    expect(combined(built)).toMatch(
      /services\/api\/pyproject\.toml:15:18: tool\.pyfront\.python_version: Python 2\.7/,
    );
  });

  it("a spec outside the context builds the context root's project", async () => {
    const outer = tree({
      "elsewhere/pyproject.toml": `#syntax=${FRONTEND_IMAGE}\n# kept outside the context\n[tool.pyfront]\npython_version = "3.11"\n`,
      "context/main.py": 'print("the context root runs")\n',
      "context/services/tool/main.py": 'print("not this one")\n',
    });
    const tag = `pyfront-e2e-mono-outside:${engineTag}`;
    const built = await buildWith(join(outer, "elsewhere/pyproject.toml"), join(outer, "context"), tag);
    const log = combined(built);
    expect(built.code, log).toBe(0);
    const started = await run(tag);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout.trim()).toBe("the context root runs");

    if (env.engine === "B") {
      // Docker 20.10's client shows no warnings; buildx on BuildKit 0.13 shows the frontend's.
      const viaBuildx = await buildWith(
        join(outer, "elsewhere/pyproject.toml"),
        join(outer, "context"),
        `${tag}-buildx`,
        "buildx",
      );
      const buildxLog = combined(viaBuildx);
      expect(viaBuildx.code, buildxLog).toBe(0);
      expect(buildxLog).toContain(
        "pyproject.toml:1:1: warning: the spec is not in the build context (no pyproject.toml there has its content): the context root is the project",
      );
    }
  });
});

describe(`default context excludes, on engine ${env.engine}`, () => {
  it("without a .dockerignore, .venv, caches, .git and node_modules stay out of the context and the image", async () => {
    // 20 MB of random bytes: incompressible, so a transfer of it cannot hide in the log's sizes.
    const big = randomBytes(20 * 1024 * 1024);
    const context = tree({
      "pyproject.toml": `#syntax=${FRONTEND_IMAGE}\n[tool.pyfront]\npython_version = "3.11"\n`,
      "main.py": "import helper\n\nhelper.greet()\n",
      "helper.py": 'def greet():\n    print("hello, clean image")\n',
      ".venv/lib/python3.11/site-packages/huge.bin": big,
      ".venv/pyvenv.cfg": "home = /usr/bin\n",
      "__pycache__/helper.cpython-311.pyc": "stale",
      "pkg/__pycache__/mod.cpython-311.pyc": "stale",
      "pkg/mod.py": "",
      "pkg/stray.pyc": "stale",
      "tools/venv/bin/python": "",
      ".git/HEAD": "ref: refs/heads/main\n",
      ".mypy_cache/3.11/x.json": "{}",
      ".pytest_cache/v/cache/lastfailed": "{}",
      ".tox/py311/bin/python": "",
      "web/node_modules/left-pad/index.js": "",
    });
    const tag = `pyfront-e2e-mono-clean:${engineTag}`;
    const built = await buildWith(join(context, "pyproject.toml"), context, tag);
    const log = combined(built);
    expect(built.code, log).toBe(0);
    const transfers = contextTransfers(log);
    expect(transfers.length, log).toBeGreaterThan(0);
    expect(Math.max(...transfers), log).toBeLessThan(1e6);

    const started = await run(tag);
    expect(started.stdout.trim()).toBe("hello, clean image");
    // The recipe compiles its own bytecode into /app; none of the context's stale .pyc files survive.
    const found = await runShell(
      tag,
      "cd /app && find . \\( -name .venv -o -name venv -o -name .git -o -name .mypy_cache -o -name .pytest_cache" +
        " -o -name .tox -o -name node_modules -o -name huge.bin -o -name stray.pyc \\) -print; grep -rl stale . ; ls pkg",
    );
    // Only pkg's listing: its module and the recipe's bytecode, nothing from the context's excludes.
    expect(found.stdout.trim().split("\n"), found.stderr).toEqual(["__pycache__", "mod.py"]);
  });
});
