// Issue 10 on a real engine: a lock's git source is installed at its locked commit, not at the
// branch's newest one, from uv.lock and from pylock.toml. The repository is served by the test
// itself over git's "dumb" HTTP protocol (static files after `git update-server-info`), on
// loopback, which the build reaches with --network host as it reaches the local index.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProject } from "../../src/cli/project-input.js";
import { planBuild } from "../../src/plan/plan-build.js";
import { build, engineEnv, removeImage, run } from "./support/engine.js";
import { combined } from "./support/examples.js";
import { ensureFrontendImage, FRONTEND_IMAGE } from "./support/frontend.js";
import { git } from "./support/git.js";

const env = engineEnv();
const engineTag = env.engine.toLowerCase();
const roots: string[] = [];
const images: string[] = [];
let server: Server;
let repositoryUrl: string;
/** The commit the locks name (version 1.0.0), and the branch's newer head (2.0.0). */
let lockedCommit: string;
let headCommit: string;

function scratch(prefix: string): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  roots.push(root);
  return root;
}

function write(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

/** A flit project whose version is the one given: what the image reports tells the commits apart. */
function libraryFiles(version: string): Record<string, string> {
  return {
    "pyproject.toml": [
      "[build-system]",
      'requires = ["flit_core>=3.2,<4"]',
      'build-backend = "flit_core.buildapi"',
      "",
      "[project]",
      'name = "pfgitdep"',
      `version = "${version}"`,
      'description = "A library only a git repository has"',
      "",
    ].join("\n"),
    "pfgitdep/__init__.py": `VERSION = "${version}"\n`,
  };
}

beforeAll(async () => {
  await ensureFrontendImage();
  const work = scratch("pyfront-e2e-git-work-");
  git(work, ["init", "-q", "-b", "main"]);
  write(work, libraryFiles("1.0.0"));
  git(work, ["add", "."]);
  git(work, ["commit", "-q", "-m", "1.0.0"]);
  lockedCommit = git(work, ["rev-parse", "HEAD"]);
  write(work, libraryFiles("2.0.0"));
  git(work, ["commit", "-q", "-am", "2.0.0"]);
  headCommit = git(work, ["rev-parse", "HEAD"]);

  const served = scratch("pyfront-e2e-git-served-");
  git(served, ["clone", "-q", "--bare", work, "pfgitdep.git"]);
  git(join(served, "pfgitdep.git"), ["update-server-info"]);
  server = createServer((request, response) => {
    const path = normalize(
      join(served, decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname)),
    );
    if (!path.startsWith(`${served}/`) || !statSync(path, { throwIfNoEntry: false })?.isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200).end(readFileSync(path));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  repositoryUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pfgitdep.git`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  for (const image of images) await removeImage(image);
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

const APP = {
  "main.py":
    "import importlib.metadata, pfgitdep\nprint('pfgitdep', pfgitdep.VERSION, importlib.metadata.version('pfgitdep'))\n",
  ".python-version": "3.13\n",
};

function uvProject(): Record<string, string> {
  return {
    ...APP,
    "pyproject.toml": [
      "[project]",
      'name = "gitapp"',
      'version = "0.1.0"',
      'requires-python = ">=3.13"',
      'dependencies = ["pfgitdep"]',
      "",
      "[tool.uv.sources]",
      `pfgitdep = { git = "${repositoryUrl}", branch = "main" }`,
      "",
    ].join("\n"),
    // As uv writes it: the repository with the requested branch, the commit after `#`.
    "uv.lock": [
      "version = 1",
      "revision = 3",
      'requires-python = ">=3.13"',
      "",
      "[[package]]",
      'name = "gitapp"',
      'version = "0.1.0"',
      'source = { virtual = "." }',
      "dependencies = [",
      '    { name = "pfgitdep" },',
      "]",
      "",
      "[package.metadata]",
      `requires-dist = [{ name = "pfgitdep", git = "${repositoryUrl}?branch=main" }]`,
      "",
      "[[package]]",
      'name = "pfgitdep"',
      'version = "1.0.0"',
      `source = { git = "${repositoryUrl}?branch=main#${lockedCommit}" }`,
      "",
    ].join("\n"),
  };
}

function pylockProject(): Record<string, string> {
  return {
    ...APP,
    "pyproject.toml": [
      "[project]",
      'name = "gitapp"',
      'version = "0.1.0"',
      'requires-python = ">=3.13"',
      `dependencies = ["pfgitdep @ git+${repositoryUrl}@main"]`,
      "",
    ].join("\n"),
    "pylock.toml": [
      'lock-version = "1.0"',
      'created-by = "pip"',
      'requires-python = ">=3.13"',
      "",
      "[[packages]]",
      'name = "pfgitdep"',
      'version = "1.0.0"',
      `vcs = { type = "git", url = "${repositoryUrl}", requested-revision = "main", commit-id = "${lockedCommit}" }`,
      "",
    ].join("\n"),
  };
}

describe.concurrent(`git sources of a lock through pyfront's frontend on engine ${env.engine}`, () => {
  for (const [format, files] of [
    ["uv.lock", uvProject],
    ["pylock.toml", pylockProject],
  ] as const) {
    it(`${format}: installs the locked commit, not the branch's newer head`, async () => {
      expect(headCommit).not.toBe(lockedCommit);
      const dir = scratch("pyfront-e2e-git-app-");
      write(dir, files());
      const { spec } = loadProject({ dir, file: join(dir, "pyproject.toml"), buildArgs: {} });
      const plan = planBuild(spec, { buildArgs: {} });
      expect(plan.locked?.file).toBe(format);
      expect(plan.locked?.packages.map((p) => `${p.name}==${p.version}`)).toEqual(["pfgitdep==1.0.0"]);

      const tag = `pyfront-e2e-git-${format.replace(".", "-")}:${engineTag}`;
      images.push(tag);
      const built = await build({
        context: dir,
        tag,
        dockerfile: "pyproject.toml",
        network: "host",
        buildArgs: { BUILDKIT_SYNTAX: FRONTEND_IMAGE, PIP_INDEX_URL: env.indexUrl },
      });
      expect(built.code, combined(built)).toBe(0);
      const ran = await run(tag);
      expect(ran.code, combined(ran)).toBe(0);
      expect(ran.stdout.trim()).toBe("pfgitdep 1.0.0 1.0.0");
    });
  }
});
