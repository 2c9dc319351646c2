// The program that puts an application on the venv's import path and writes its console scripts,
// taken from a real plan and run with the host's python3 in a real venv made as the recipe makes
// it (--without-pip).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { memoryContext } from "../../../src/context/memory-context.js";
import type { RunStep } from "../../../src/plan/build-plan.js";
import { APP_IMPORT_PATH_SCRIPT, planBuild } from "../../../src/plan/plan-build.js";
import { loadBuildSpec } from "../../../src/spec/load-build-spec.js";

function run(command: string, args: string[], cwd?: string) {
  return spawnSync(command, args, { encoding: "utf8", cwd, env: { PATH: process.env.PATH ?? "" } });
}

const temporaryDirs: string[] = [];
afterEach(() => {
  for (const dir of temporaryDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A venv as the builder makes it, and the application's files where the image has /app. */
function venvAndApp(): { venv: string; python: string; app: string; home: string } {
  const home = mkdtempSync(join(tmpdir(), "pyfront-app-path-"));
  temporaryDirs.push(home);
  const venv = join(home, "venv");
  const venvRun = run("python3", ["-m", "venv", "--without-pip", venv]);
  expect(venvRun.stderr).toBe("");
  const app = join(home, "app");
  mkdirSync(join(app, "shop"), { recursive: true });
  writeFileSync(join(app, "shop", "__init__.py"), "");
  writeFileSync(
    join(app, "shop", "cli.py"),
    [
      "import sys",
      "def main():",
      "    print('serve', sys.argv[1:])",
      "    return 3",
      "class admin:",
      "    @staticmethod",
      "    def run():",
      "        print('admin')",
      "",
    ].join("\n"),
  );
  return { venv, python: join(venv, "bin", "python"), app, home };
}

/** The plan's step for a zero-config application with two console scripts. */
function importPathStep(): RunStep {
  const { spec } = loadBuildSpec(
    [
      "[project]",
      'name = "shop"',
      "[project.scripts]",
      'shop-serve = "shop.cli:main"',
      'shop-admin = "shop.cli:admin.run"',
      "[tool.pyfront]",
      'command = ["shop-serve"]',
      "",
    ].join("\n"),
    { specFile: "pyproject.toml" },
    memoryContext({ "shop/__init__.py": "", "shop/cli.py": "" }),
  );
  const builder = planBuild(spec, { buildArgs: {} }).stages.find((s) => s.name === "builder")!;
  const steps = builder.steps.filter(
    (s): s is RunStep => s.kind === "run" && s.argv.includes(APP_IMPORT_PATH_SCRIPT),
  );
  expect(steps).toHaveLength(1);
  return steps[0]!;
}

describe("APP_IMPORT_PATH_SCRIPT", () => {
  it("is run by the plan with the venv's python, /app and the console scripts as arguments", () => {
    const step = importPathStep();
    expect(step.argv).toEqual([
      "/opt/venv/bin/python",
      "-c",
      APP_IMPORT_PATH_SCRIPT,
      "/app",
      "shop-admin",
      "shop.cli",
      "admin.run",
      "shop-serve",
      "shop.cli",
      "main",
    ]);
    expect(step.description).toBe(
      "put /app on the venv's import path and write the console scripts shop-admin, shop-serve",
    );
  });

  it("writes the .pth and console scripts that run from any directory", () => {
    const { python, venv, app, home } = venvAndApp();
    const [, , script, , ...scripts] = importPathStep().argv;
    const made = run(python, ["-c", script!, app, ...scripts]);
    expect(made.stderr).toBe("");
    expect(made.status).toBe(0);

    const purelib = run(python, [
      "-c",
      "import sysconfig; print(sysconfig.get_paths()['purelib'])",
    ]).stdout.trim();
    expect(readFileSync(join(purelib, "_pyfront_app.pth"), "utf8")).toBe(`${app}\n`);
    const imported = run(python, ["-c", "import shop.cli; print(shop.cli.__file__)"], home);
    expect(imported.stdout).toBe(`${join(app, "shop", "cli.py")}\n`);

    const bin = join(venv, "bin");
    expect(
      readdirSync(bin)
        .filter((f) => f.startsWith("shop-"))
        .sort(),
    ).toEqual(["shop-admin", "shop-serve"]);
    expect(statSync(join(bin, "shop-serve")).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(bin, "shop-serve"), "utf8")).toBe(
      `#!${python}\nimport sys\nfrom shop.cli import main\nif __name__ == '__main__':\n    sys.exit(main())\n`,
    );
    // Run through its #! line, from another directory, with arguments and the function's exit status.
    const serve = run(join(bin, "shop-serve"), ["--port", "8000"], home);
    expect(serve.stderr).toBe("");
    expect(serve.stdout).toBe("serve ['--port', '8000']\n");
    expect(serve.status).toBe(3);
    const admin = run(join(bin, "shop-admin"), [], tmpdir());
    expect(admin.stdout).toBe("admin\n");
    expect(admin.status).toBe(0);
  });

  it("puts the app directory on the path with no console scripts at all", () => {
    const { python, app, home } = venvAndApp();
    const made = run(python, ["-c", APP_IMPORT_PATH_SCRIPT, app]);
    expect(made.status).toBe(0);
    expect(run(python, ["-c", "import shop"], home).status).toBe(0);
  });
});
