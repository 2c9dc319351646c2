// What users get by default and for each Python series the test world has: a package with a
// console script and a dependency, built through pyfront's frontend, runs on the Python it asked
// for (or, with nothing pinned, the newest series: the default image), as the non-root user.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, engineEnv, imageInspect, removeImage, run } from "./support/engine.js";
import { combined, expectBestPractice } from "./support/examples.js";
import { ensureFrontendImage, FRONTEND_IMAGE } from "./support/frontend.js";

const env = engineEnv();
const scratch: string[] = [];
const images: string[] = [];

beforeAll(() => ensureFrontendImage());

afterAll(async () => {
  for (const image of images) await removeImage(image);
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A small project as people write it: src layout, one dependency, a console script. */
function project(pin: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), "pyfront-e2e-pyver-"));
  scratch.push(dir);
  mkdirSync(join(dir, "src", "hello"), { recursive: true });
  writeFileSync(
    join(dir, "pyproject.toml"),
    [
      `#syntax=${FRONTEND_IMAGE}`,
      "[build-system]",
      'requires = ["setuptools>=61"]',
      'build-backend = "setuptools.build_meta"',
      "",
      "[project]",
      'name = "hello"',
      'version = "1.0.0"',
      'dependencies = ["click>=8"]',
      "",
      "[project.scripts]",
      'hello = "hello:main"',
      "",
      "[tool.pyfront]",
      ...(pin ? [`python_version = "${pin}"`] : []),
      `indices = [{ url = "${env.indexUrl}", primary = true, trust = true }]`,
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "src", "hello", "__init__.py"),
    [
      "import platform, sys",
      "import click",
      "",
      "@click.command()",
      "def main():",
      '    click.echo(f"hello on Python {platform.python_version()} from {sys.prefix} (base {sys.base_prefix})")',
      "",
    ].join("\n"),
  );
  return dir;
}

const CASES = [
  { name: "nothing pinned", pin: undefined, series: "3.14" },
  { name: "3.11", pin: "3.11", series: "3.11" },
  { name: "3.13", pin: "3.13", series: "3.13" },
  { name: "3.14", pin: "3.14", series: "3.14" },
] as const;

describe(`Python versions through pyfront's frontend on engine ${env.engine}`, () => {
  for (const c of CASES) {
    it(`${c.name}: builds on python:${c.series} and runs on python:${c.series}-slim's interpreter`, async () => {
      const dir = project(c.pin);
      const tag = `pyfront-e2e-pyver-${c.name.replace(/\W+/g, "-")}:${env.engine.toLowerCase()}`;
      images.push(tag);
      const result = await docker([
        "build",
        "--progress=plain",
        "--network",
        "host",
        "-f",
        join(dir, "pyproject.toml"),
        "-t",
        tag,
        dir,
      ]);
      expect(result.code, combined(result)).toBe(0);
      const log = combined(result);
      expect(log).toContain(`FROM python:${c.series}-slim`);
      expect(log).toContain(`FROM python:${c.series}`);

      const slimVersion = (await imageInspect(`python:${c.series}-slim`))?.Config.Env?.find((kv) =>
        kv.startsWith("PYTHON_VERSION="),
      );
      expect(slimVersion).toBeDefined();
      const out = await run(tag);
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout.trim()).toBe(
        `hello on Python ${slimVersion?.split("=")[1]} from /opt/venv (base /usr/local)`,
      );
      await expectBestPractice(tag);
    });
  }
});
