// microb's own examples (01 to 09, modelled on in test/unit/spec/fixtures/microb-example-*), the
// microb keys they leave out (microb-before-build) and mopy's pip forms (mopy-wheels-sbom), each
// read, planned and rendered: golden plans and Dockerfiles, so what a user of those formats gets
// is a reviewable diff, plus the behaviour each fixture is there for.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { marshalDefinition } from "../../../src/buildkit/llb/index.js";
import type { RunStep, Stage } from "../../../src/plan/build-plan.js";
import {
  DEPENDENCY_BYTECODE_SCRIPT,
  REMOVE_TEST_SUITES_SCRIPT,
  WITHOUT_EDITABLE_LINES_SCRIPT,
} from "../../../src/plan/pip-steps.js";
import { planBuild } from "../../../src/plan/plan-build.js";
import { formatPlanJson } from "../../../src/plan/plan-json.js";
import { BUILD_BACKEND_DIR, VENV_PYTHON } from "../../../src/plan/recipe-constants.js";
import { renderDockerfile } from "../../../src/render/dockerfile.js";
import { renderLlb } from "../../../src/render/llb.js";
import { loadBuildSpec } from "../../../src/spec/load-build-spec.js";
import { fixtureContext } from "../spec/fixture-context.js";

const FIXTURES = join(import.meta.dirname, "..", "spec", "fixtures");
const GOLDEN = join(import.meta.dirname, "..", "..", "golden", "plan", "formats");

const NAMES = readdirSync(FIXTURES)
  .filter((name) => /^(microb-example-\d\d-|microb-before-build$|mopy-wheels-sbom$)/.test(name))
  .sort();

function planFixture(name: string) {
  const { context, files } = fixtureContext(join(FIXTURES, name));
  const specFile = files["pyproject.toml"] !== undefined ? "pyproject.toml" : "Mopyfile.yaml";
  const loaded = loadBuildSpec(files[specFile]!, { specFile }, context);
  const plan = planBuild(loaded.spec, { buildArgs: {} });
  return { ...loaded, plan, dockerfile: renderDockerfile(plan) };
}

function stage(plan: { stages: Stage[] }, name: string): Stage {
  const found = plan.stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
}

function runs(s: Stage): RunStep[] {
  return s.steps.filter((step): step is RunStep => step.kind === "run");
}

/** The pip steps of the builder, by what they install. */
/** The pip steps that install into the venv (the build backend's install goes elsewhere). */
/** A pip install into the venv: the venv's interpreter, then `install`, somewhere in its argv. */
function isVenvPip(step: RunStep): boolean {
  return step.argv.some((arg, i) => arg === VENV_PYTHON && step.argv[i + 1] === "install");
}

function pipRuns(s: Stage): RunStep[] {
  return runs(s).filter((step) => isVenvPip(step) && !step.argv.includes(BUILD_BACKEND_DIR));
}

/** The builder's pip steps into the venv, then the project's own (in its stage, when it has one). */
function venvInstalls(plan: { stages: Stage[] }): RunStep[] {
  return plan.stages.filter((s) => s.name === "builder" || s.name === "project").flatMap(pipRuns);
}

describe("microb and mopy fixtures: golden plans and Dockerfiles", () => {
  it("covers microb's nine examples", () => {
    expect(NAMES.filter((name) => name.startsWith("microb-example-"))).toHaveLength(9);
  });

  for (const name of NAMES) {
    it(name, async () => {
      const { plan, dockerfile } = planFixture(name);
      await expect(formatPlanJson(plan)).toMatchFileSnapshot(join(GOLDEN, `${name}.plan.json`));
      await expect(dockerfile).toMatchFileSnapshot(join(GOLDEN, `${name}.Dockerfile`));
      // The LLB renderer takes every plan the Dockerfile renderer takes, to the same bytes each time.
      const llb = () =>
        marshalDefinition(renderLlb(plan, { sessionId: "s", contextExcludes: [] }).state).bytes;
      expect(llb()).toEqual(llb());
    });
  }
});

describe("what each fixture is there for", () => {
  it("every microb target deletes the dependencies' test suites, as microb's Dockerfile does, before their bytecode", () => {
    const microbTables = NAMES.filter((name) => {
      const pyproject = join(FIXTURES, name, "pyproject.toml");
      return existsSync(pyproject) && readFileSync(pyproject, "utf8").includes("[tool.microb");
    });
    expect(microbTables.length).toBeGreaterThan(5);
    for (const name of microbTables) {
      const scripts = runs(stage(planFixture(name).plan, "builder")).map((r) => r.argv[2]);
      const removal = scripts.indexOf(REMOVE_TEST_SUITES_SCRIPT);
      expect(removal, name).toBeGreaterThan(-1);
      expect(scripts.indexOf(DEPENDENCY_BYTECODE_SCRIPT, removal), name).toBeGreaterThan(removal);
    }
  });

  it("a string requirements names a lock installed by a pip call of its own, the project without dependencies", () => {
    const { plan } = planFixture("microb-example-04-requirements-file");
    const [lock, project] = venvInstalls(plan);
    expect(venvInstalls(plan)).toHaveLength(2);
    // Nothing but the (filtered) lock: an unpinned name here would break pip's hash-checking mode.
    const pip = lock!.argv.slice(lock!.argv.indexOf("--", 3) + 1);
    expect(pip.slice(pip.indexOf("install"))).toEqual([
      "install",
      "--no-compile",
      "--requirement",
      "/pyfront/context/.pyfront-requirements.lock",
      "--",
    ]);
    expect(lock!.argv.slice(0, 3)).toEqual(["python3", "-c", WITHOUT_EDITABLE_LINES_SCRIPT]);
    expect(lock!.mounts).toContainEqual(
      expect.objectContaining({
        type: "bind",
        source: "requirements.lock",
        target: "/pyfront/context/requirements.lock",
      }),
    );
    expect(project!.argv).toContain("--no-deps");
    expect(project!.argv).not.toContain("click");
  });

  it("flavor alpine builds and runs on python:<v>-alpine with apk, BusyBox's adduser and a musl pip cache", () => {
    for (const name of ["microb-example-05-alpine-base-image", "microb-example-07-advanced-alpine"]) {
      const { plan, dockerfile } = planFixture(name);
      expect(plan.stages.map((s) => (s.base.kind === "image" ? s.base.ref : s.base.name))).toEqual(
        expect.arrayContaining(["python:3.11-alpine"]),
      );
      expect(dockerfile).not.toMatch(/apt-get|useradd|groupadd|python:3\.11-slim/);
      const user = runs(stage(plan, "runtime")).find((r) => r.description.startsWith("create the user"))!;
      expect(user.argv[2]).toContain("adduser -D -u 65532 -G nonroot");
      expect(user.argv[2]).toContain("addgroup -g 65532 nonroot");
      for (const step of pipRuns(stage(plan, "builder"))) {
        expect(step.mounts).toContainEqual(
          expect.objectContaining({ type: "cache", id: "pyfront-pip-3.11-musl" }),
        );
      }
    }
    const advanced = planFixture("microb-example-07-advanced-alpine").plan;
    const [buildDeps] = runs(stage(advanced, "builder"));
    expect(buildDeps!.argv.slice(3)).toEqual(["sh", "gcc", "python3-dev", "musl-dev"]);
    expect(buildDeps!.argv[2]).toContain('apk add --update-cache -- "$@"');
    const [systemDeps] = runs(stage(advanced, "runtime"));
    expect(systemDeps!.argv.slice(2)).toEqual(['set -eu\napk add --no-cache -- "$@"', "sh", "gettext"]);
  });

  it("a git+ssh line in a requirements file asks for the SSH agent", () => {
    expect(planFixture("microb-example-07-advanced-alpine").plan.ssh).toBe(true);
    expect(planFixture("mopy-wheels-sbom").plan.ssh).toBe(true);
    expect(planFixture("microb-example-04-requirements-file").plan.ssh).toBe(false);
  });

  it("rye's -e file:. is left out of the lock pip reads, and the project installed from its own step", () => {
    const { plan, warnings } = planFixture("microb-example-09-rye");
    expect(warnings).toEqual([]);
    const [lock, project] = venvInstalls(plan);
    expect(lock!.argv.slice(3, 6)).toEqual([
      "/pyfront/context/requirements.lock",
      "/pyfront/context/.pyfront-requirements.lock",
      "--",
    ]);
    expect(project!.argv.slice(-2)).toEqual(["--", "/pyfront/context"]);
  });

  it("files before the build land in the builder before the dependency step, never in the image", () => {
    const { plan } = planFixture("microb-before-build");
    expect(plan.stages.map((s) => s.name)).toEqual(["downloads", "builder", "project", "runtime"]);
    const builder = stage(plan, "builder");
    const firstPip = builder.steps.findIndex((s) => s.kind === "run" && isVenvPip(s));
    const copies = builder.steps.flatMap((s, i) =>
      s.kind === "copy" ? [{ i, dest: s.dest, from: s.from }] : [],
    );
    expect(copies.map((c) => c.dest)).toEqual([
      "/usr/local/share/ca-certificates/corp-ca.crt",
      "/tools/busybox",
      "/etc/pip.conf",
      "/opt/certs/",
    ]);
    expect(copies.every((c) => c.i < firstPip)).toBe(true);
    expect(copies[2]!.from).toEqual({ kind: "stage", name: "downloads" });
    const runtimeCopies = stage(plan, "runtime").steps.filter((s) => s.kind === "copy");
    // The venv and the project's own files (never the files before the build).
    expect(runtimeCopies.map((s) => (s.kind === "copy" ? s.sources : []))).toEqual([
      ["/opt/venv"],
      ["/pyfront/project-files"],
    ]);
  });

  it("username_secret/password_secret reach pip as two secret files, named by id only", () => {
    const { plan } = planFixture("microb-before-build");
    const [deps] = pipRuns(stage(plan, "builder"));
    const groups = deps!.argv.slice(3, deps!.argv.indexOf("--", 3));
    expect(groups).toEqual([
      "extra-split",
      "https://pkgs.example.org/simple",
      "/run/secrets/pyfront-index-0-username",
      "feed_user",
      "/run/secrets/pyfront-index-0-password",
      "feed_token",
      "extra-split",
      "https://tokens.example.org/simple",
      "/run/secrets/pyfront-index-1-username",
      "feed_token",
      "",
      "",
    ]);
    expect(plan.secrets.map((s) => [s.id, s.source])).toEqual([
      ["feed_user", "build-secret"],
      ["feed_token", "build-secret"],
    ]);
  });

  it("mopy's bare wheel URL becomes a named URL requirement, its archive URL a bare one", () => {
    const { plan, spec, warnings } = planFixture("mopy-wheels-sbom");
    expect(spec.sbom).toBe(true);
    expect(warnings.map((w) => w.code)).toEqual(["sbom-not-produced"]);
    const [deps] = pipRuns(stage(plan, "builder"));
    expect(deps!.argv.slice(deps!.argv.lastIndexOf("--") + 1)).toEqual([
      "pip-lib @ https://files.example.org/simple/pip_lib-1.2.0-py3-none-any.whl#sha256=4fc5373646791cf58f875d81e2bf2a18b99b8af5bb66b0d4202a691f36e067a5",
      "https://files.example.org/archive/legacy-tool-0.9.tar.gz",
      "click==8.1.8",
    ]);
  });
});
