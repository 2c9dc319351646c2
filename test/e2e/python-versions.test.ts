// What users get by default and for each Python series the test world has: a package with a
// console script and a dependency, built through pyfront's frontend, runs on the Python it asked
// for (or, with nothing pinned, the newest series: the default image), as the non-root user. One
// case pins through Heroku's runtime.txt instead of the spec, down to the patch release.
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
function project(pin: string | undefined, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "pyfront-e2e-pyver-"));
  scratch.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
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

/** `tag`: the python image tag the pin selects. */
const CASES: ReadonlyArray<{ name: string; pin?: string; files?: Record<string, string>; tag: string }> = [
  { name: "nothing pinned", tag: "3.14" },
  { name: "3.11", pin: "3.11", tag: "3.11" },
  { name: "3.13", pin: "3.13", tag: "3.13" },
  { name: "3.14", pin: "3.14", tag: "3.14" },
  { name: "runtime.txt python-3.13.5", files: { "runtime.txt": "python-3.13.5\n" }, tag: "3.13.5" },
];

describe(`Python versions through pyfront's frontend on engine ${env.engine}`, () => {
  for (const c of CASES) {
    it(`${c.name}: builds on python:${c.tag} and runs on python:${c.tag}-slim's interpreter`, async () => {
      const dir = project(c.pin, c.files);
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
      // BuildKit may show an image step under the name another build on the shared engine gave
      // the same vertex (the Dockerfile frontend's docker.io/library/ form).
      const from = (image: string) =>
        new RegExp(`FROM (docker\\.io/library/)?${image.replaceAll(".", "\\.")}\\s`);
      expect(log).toMatch(from(`python:${c.tag}-slim`));
      expect(log).toMatch(from(`python:${c.tag}`));

      const slimVersion = (await imageInspect(`python:${c.tag}-slim`))?.Config.Env?.find((kv) =>
        kv.startsWith("PYTHON_VERSION="),
      );
      expect(slimVersion).toBeDefined();
      if (c.tag.split(".").length === 3) expect(slimVersion).toBe(`PYTHON_VERSION=${c.tag}`);
      const version = await run(tag, { entrypoint: "python", command: ["--version"] });
      expect(version.code, version.stderr).toBe(0);
      expect(version.stdout.trim()).toBe(`Python ${slimVersion?.split("=")[1]}`);
      const out = await run(tag);
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout.trim()).toBe(
        `hello on Python ${slimVersion?.split("=")[1]} from /opt/venv (base /usr/local)`,
      );
      await expectBestPractice(tag);
    });
  }
});
