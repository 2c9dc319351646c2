// Every command README.md and docs/ show in a console block is run here, or, for the ones that
// need an engine or the network, checked against what runs them elsewhere: a doc cannot show a
// command or a flag that does not exist. test/e2e/docs.test.ts runs the docker builds and the
// frontend image script for real on an engine, and keeps the list of what no test can run.
import {
  accessSync,
  constants,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { planFrontendImage } from "../../../scripts/frontend-image.js";
import {
  EXTRA_INDEX_URL_ARG,
  INDEX_URL_ARG,
  REGISTRY_MIRROR_ARG,
  TRUSTED_HOST_ARG,
} from "../../../src/plan/platform-overrides.js";
import { PYENV_RELEASE_ARG, PYENV_SYNTAX_ARG } from "../../../src/render/pyenv-dockerfile.js";
import { MICROB_TARGET_ARG } from "../../../src/spec/microb-format.js";
import { docCommands } from "../../support/doc-commands.js";
import { cli } from "../cli/cli-harness.js";

const repoRoot = join(import.meta.dirname, "..", "..", "..");
const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
  version: string;
  scripts: Record<string, string>;
};

const commands = docCommands();

/** A scratch directory: the examples, and at its root a project of one's own without pyfront set up. */
const scratch = mkdtempSync(join(tmpdir(), "pyfront-docs-"));
cpSync(join(repoRoot, "examples"), join(scratch, "examples"), { recursive: true });
cpSync(join(repoRoot, "examples", "cli-package", "src"), join(scratch, "src"), { recursive: true });
writeFileSync(
  join(scratch, "pyproject.toml"),
  readFileSync(join(repoRoot, "examples", "cli-package", "pyproject.toml"), "utf8")
    .replace(/^#syntax=.*\n/, "")
    .replace(/\n\[tool\.pyfront\][\s\S]*$/, "\n"),
);
// docs/formats/pyenv.md's command: a PYENV Dockerfile beside it (no candidate of a folder's spec).
writeFileSync(
  join(scratch, "Dockerfile"),
  "FROM debian:trixie-slim\nPYENV 3.13 snowpark-env reqs/snowpark-reqs.txt\n",
);
mkdirSync(join(scratch, "reqs"));
writeFileSync(join(scratch, "reqs", "snowpark-reqs.txt"), "click\n");
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const DOCKER_BUILD_FLAGS = new Set(["-f", "-t", "--secret", "--build-arg", "--network", "--target", "--ssh"]);
const BUILDX_BUILD_FLAGS = new Set(["-f", "-t", "--build-arg", "--output"]);
/** The build args a docker build in the docs may pass: the ones BuildKit or pyfront reads. */
const KNOWN_BUILD_ARGS = new Set([
  "BUILDKIT_SYNTAX",
  "BUILDKIT_ATTEST_SBOM",
  MICROB_TARGET_ARG,
  INDEX_URL_ARG,
  EXTRA_INDEX_URL_ARG,
  TRUSTED_HOST_ARG,
  REGISTRY_MIRROR_ARG,
  PYENV_RELEASE_ARG,
  PYENV_SYNTAX_ARG,
]);

describe("commands shown in README.md and docs/", () => {
  test("there are commands to check", () => {
    expect(commands.length).toBeGreaterThanOrEqual(15);
  });

  test.each(commands.map((c) => [c.where, c] as const))("%s", async (_where, { words }) => {
    const [first, ...rest] = words;
    const pyfrontArgs =
      first === "npx" && rest[0] === "pyfront" ? rest.slice(1) : first === "pyfront" ? rest : undefined;
    if (pyfrontArgs?.[0] === "build") {
      // Built for real by test/e2e/build-client.test.ts, which needs an engine. Here the flags must
      // parse and the command must get as far as looking for the engine.
      const { code, stderr } = await cli(pyfrontArgs, {
        cwd: scratch,
        env: { ...process.env, DOCKER_HOST: "unix:///nonexistent/pyfront-docs.sock" },
      });
      expect(stderr).toContain(
        "pyfront build: cannot reach the Docker daemon at unix:///nonexistent/pyfront-docs.sock",
      );
      expect(code).toBe(1);
      return;
    }
    if (pyfrontArgs?.[0] === "images") {
      // Run in order on docs/images.md's own module by test/e2e/images.test.ts, which needs an
      // engine. Here the subcommand and its flags must exist.
      const { code, stderr } = await cli([...pyfrontArgs, "--help"], { cwd: scratch });
      expect(stderr).toBe("");
      expect(code).toBe(0);
      return;
    }
    if (pyfrontArgs?.[0] === "job") {
      // Run as docs/jobs.md shows them by test/e2e/job-images.test.ts, which needs an engine and
      // the published images. Here the subcommand and its flags must exist.
      const { code, stderr } = await cli([pyfrontArgs[0], pyfrontArgs[1] ?? "", "--help"], { cwd: scratch });
      expect(stderr).toBe("");
      expect(code).toBe(0);
      const known = new Set([
        "--image",
        "--outputs",
        "--input",
        "--network",
        "--env",
        "--user",
        "--tmp-size",
      ]);
      const beforeDashes = pyfrontArgs.slice(
        2,
        pyfrontArgs.includes("--") ? pyfrontArgs.indexOf("--") : undefined,
      );
      for (const word of beforeDashes.filter((w) => w.startsWith("-"))) expect(known).toContain(word);
      return;
    }
    if (first === "tar") {
      // docs/jobs.md packs a job's folder; test/e2e/job-images.test.ts runs it.
      expect(rest[0]).toBe("czf");
      return;
    }
    if (pyfrontArgs) {
      const { code, stderr } = await cli(pyfrontArgs, { cwd: scratch });
      expect(stderr).toBe("");
      expect(code).toBe(0);
      return;
    }
    if (first === "npm") {
      const [sub, name, ...more] = rest;
      if (sub === "run") {
        expect(Object.keys(pkg.scripts)).toContain(name);
        // The frontend image script's arguments are the ones it accepts.
        if (name === "frontend:image") {
          planFrontendImage(more.slice(1), { version: pkg.version, dockerfile: "D", contextDir: "C" });
        }
        return;
      }
      // npm ci, npm pack and the global install are what test/package/install.test.ts does.
      if (sub === "ci" || sub === "pack") return;
      if (sub === "install") {
        expect(rest).toEqual(["install", "-g", `./pyfront-${pkg.version}.tgz`]);
        return;
      }
    }
    if (first?.startsWith("./scripts/")) {
      accessSync(join(repoRoot, first), constants.X_OK);
      return;
    }
    if (first === "docker" && rest[0] === "buildx" && rest[1] === "build") {
      // Built for real by test/e2e/sbom.test.ts (docs/frontend.md's SBOM export), which needs an engine.
      const flags = rest.filter((w) => w.startsWith("-"));
      for (const flag of flags) expect(BUILDX_BUILD_FLAGS).toContain(flag);
      rest.forEach((word, i) => {
        if (rest[i - 1] === "--build-arg") expect(KNOWN_BUILD_ARGS).toContain(word.split("=")[0]);
        if (rest[i - 1] === "--output") expect(word).toMatch(/^type=(tar|local),dest=\S+$/);
      });
      return;
    }
    if (first === "docker" && rest[0] === "build") {
      // Built for real by test/e2e/docs.test.ts, which needs an engine.
      const flags = rest.filter((w) => w.startsWith("-"));
      for (const flag of flags) expect(DOCKER_BUILD_FLAGS).toContain(flag);
      rest.forEach((word, i) => {
        if (rest[i - 1] === "--build-arg") expect(KNOWN_BUILD_ARGS).toContain(word.split("=")[0]);
      });
      return;
    }
    expect.fail(`no check for this kind of command: ${words.join(" ")}`);
  });
});
