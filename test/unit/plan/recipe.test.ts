import { describe, expect, it } from "vitest";
import type { BuildPlan, CopyStep, RunStep, Stage } from "../../../src/plan/build-plan.js";
import { VENV_PIP_SCRIPT } from "../../../src/plan/pip-steps.js";
import { planBuild } from "../../../src/plan/plan-build.js";
import { PROJECT_FILES_SCRIPT } from "../../../src/plan/project-layer.js";
import type { BuildSpec } from "../../../src/spec/build-spec.js";
import { SpecError } from "../../../src/spec/diagnostics.js";
import { loadBuildSpec } from "../../../src/spec/index.js";
import { baseSpec, FIXTURES } from "./spec-fixtures.js";

const plan = (name: string, buildArgs: Record<string, string> = {}) =>
  planBuild(FIXTURES[name]!, { buildArgs });
const stage = (p: BuildPlan, name: string): Stage => p.stages.find((s) => s.name === name)!;
const runs = (s: Stage) => s.steps.filter((step): step is RunStep => step.kind === "run");
const copies = (s: Stage) => s.steps.filter((step): step is CopyStep => step.kind === "copy");

describe("the default recipe", () => {
  it("installs dependencies before the project, without the project's sources mounted", () => {
    const p = plan("package-console-script");
    const builder = stage(p, "builder");
    const depIndex = builder.steps.findIndex(
      (s) => s.kind === "run" && s.description.startsWith("install dependencies"),
    );
    expect(depIndex).toBeGreaterThan(-1);
    // The project goes in on top of the builder, in a stage of its own (src/plan/project-layer.ts).
    expect(stage(p, "project").base).toEqual({ kind: "stage", name: "builder" });
    expect(runs(stage(p, "project")).map((r) => r.description)).toEqual(["install the project"]);
    expect(runs(builder).some((r) => r.description === "install the project")).toBe(false);
    const depStep = builder.steps[depIndex] as RunStep;
    expect(depStep.mounts.filter((m) => m.type === "bind")).toEqual([]);
    // The chosen extras' requirements go in with the others, before the code.
    expect(depStep.argv.slice(-5)).toEqual(["--", "click>=8", "rich[jupyter]~=13.0", "pyyaml>=6", "typer"]);
  });

  it("installs dependencies without bytecode, then compiles it in one step before the project", () => {
    for (const name of ["package-console-script", "compiled-deps", "webapp"]) {
      const builder = stage(plan(name), "builder");
      const descriptions = runs(builder).map((r) => r.description);
      const installs = runs(builder).filter((r) => r.description.startsWith("install dependencies"));
      expect(installs.length, name).toBeGreaterThan(0);
      for (const install of installs) expect(install.argv).toContain("--no-compile");
      const bytecode = descriptions.indexOf("compile the dependencies' bytecode, not their test suites'");
      expect(bytecode, name).toBe(
        descriptions.findLastIndex((d) => d.startsWith("install dependencies")) + 1,
      );
      const project = plan(name)
        .stages.flatMap(runs)
        .find((r) => r.description === "install the project")!;
      if (name === "compiled-deps") {
        // A resolving install may add dependencies: it compiles nothing, the bytecode step after it does.
        expect(project.argv, name).toContain("--no-compile");
        expect(
          descriptions.lastIndexOf("compile the dependencies' bytecode, not their test suites'"),
          name,
        ).toBe(descriptions.indexOf("install the project") + 1);
      } else {
        // An install of the project alone keeps pip's compile: its bytecode goes into its own layer.
        expect(project.argv, name).not.toContain("--no-compile");
      }
    }
    // Nothing installed, nothing to compile.
    expect(runs(stage(plan("script-file"), "builder")).map((r) => r.description)).not.toContain(
      "compile the dependencies' bytecode, not their test suites'",
    );
  });

  it("deletes the dependencies' test suites only when asked, before their bytecode and after a resolving install", () => {
    const removal = "delete the dependencies' installed test suites (remove_test_suites)";
    const bytecode = "compile the dependencies' bytecode, not their test suites'";
    const asked = (name: string) =>
      planBuild({ ...FIXTURES[name]!, removeTestSuites: true }, { buildArgs: {} });
    for (const name of ["package-console-script", "compiled-deps", "webapp", "script-file"]) {
      expect(
        plan(name)
          .stages.flatMap(runs)
          .map((r) => r.description),
        name,
      ).not.toContain(removal);
    }
    // Every requirement known: one deletion, right before the bytecode; the project comes later.
    const complete = runs(stage(asked("package-console-script"), "builder")).map((r) => r.description);
    expect(complete.filter((d) => d === removal)).toHaveLength(1);
    expect(complete.indexOf(removal) + 1).toBe(complete.indexOf(bytecode));
    // A resolving project install may add dependencies (pip compiles their suites): once more after it.
    const resolving = runs(stage(asked("compiled-deps"), "builder")).map((r) => r.description);
    expect(resolving.indexOf(removal) + 1).toBe(resolving.indexOf(bytecode));
    expect(resolving.lastIndexOf(removal)).toBe(resolving.indexOf("install the project") + 1);
    // Nothing installed, nothing to delete.
    expect(
      asked("script-file")
        .stages.flatMap(runs)
        .map((r) => r.description),
    ).not.toContain(removal);
  });

  it("installs the project with --no-deps only when its metadata lists every requirement", () => {
    const projectStep = (name: string) =>
      plan(name)
        .stages.flatMap(runs)
        .find((r) => r.description === "install the project")!;
    const complete = projectStep("package-console-script").argv;
    expect(complete.slice(complete.indexOf("install"))).toContain("--no-deps");
    expect(complete.slice(-2)).toEqual(["--", "/pyfront/context[cli,yaml]"]);
    // Dynamic dependencies: pip resolves what the dependency step could not know.
    expect(projectStep("compiled-deps").argv).not.toContain("--no-deps");
  });

  it("puts the project's own files in a layer after the dependencies' venv", () => {
    const p = plan("package-console-script");
    expect(p.stages.map((s) => s.name)).toEqual(["builder", "project", "runtime"]);
    const install = runs(stage(p, "project"))[0]!;
    // The fixed script wraps the install unchanged, and stages what it adds to the venv.
    expect(install.argv.slice(0, 7)).toEqual([
      "python3",
      "-c",
      PROJECT_FILES_SCRIPT,
      "/opt/venv",
      "/pyfront/project-files",
      "--",
      "python3",
    ]);
    expect(install.argv).toContain("--no-deps");
    const [venv, project] = copies(stage(p, "runtime"));
    expect(venv).toMatchObject({ from: { kind: "stage", name: "builder" }, sources: ["/opt/venv"] });
    expect(project).toMatchObject({
      from: { kind: "stage", name: "project" },
      sources: ["/pyfront/project-files"],
      dest: "/opt/venv",
    });
  });

  it("keeps the project in the builder's venv when pip resolves for it, and has no project stage without a package", () => {
    // Dynamic dependencies: pip may install or replace dependencies, which a later layer cannot undo.
    const resolving = plan("compiled-deps");
    expect(resolving.stages.map((s) => s.name)).toEqual(["builder", "runtime"]);
    expect(runs(stage(resolving, "builder")).some((r) => r.description === "install the project")).toBe(true);
    expect(copies(stage(resolving, "runtime")).map((c) => c.sources)).toEqual([["/opt/venv"]]);
    const projects: BuildSpec["project"][] = [
      { kind: "none" },
      { kind: "scripts", path: "my-app", main: "main.py" },
    ];
    for (const project of projects) {
      const p = planBuild(baseSpec({ project }), { buildArgs: {} });
      expect(p.stages.map((s) => s.name)).toEqual(["builder", "runtime"]);
    }
  });

  it("runs the builder's pip against the venv, which gets no pip of its own", () => {
    const builder = stage(plan("webapp"), "builder");
    expect(runs(builder)[0]!.argv).toEqual(["python3", "-m", "venv", "--without-pip", "/opt/venv"]);
    for (const step of runs(builder).filter((r) => r.description.startsWith("install"))) {
      expect(step.argv.slice(0, 5)).toEqual([
        "python3",
        "-c",
        VENV_PIP_SCRIPT,
        "/opt/venv/bin/python",
        "install",
      ]);
    }
    // python3 in the builder must stay the image's own, the one that carries pip.
    const builderEnv = builder.steps.flatMap((s) => (s.kind === "env" ? s.vars.map((v) => v.name) : []));
    expect(builderEnv).not.toContain("PATH");
  });

  it("mounts only the files needed for resolution in the dependency step", () => {
    const builder = stage(plan("compiled-deps"), "builder");
    const dep = runs(builder).find((r) => r.description.startsWith("install dependencies"))!;
    expect(dep.mounts.filter((m) => m.type === "bind").map((m) => m.type === "bind" && m.source)).toEqual([
      "libs/fastmath",
    ]);
  });

  it("uses one venv path in builder and runtime, from images of the same Python series", () => {
    const p = plan("compiled-deps");
    const builder = stage(p, "builder");
    expect(runs(builder).some((r) => r.argv.join(" ") === "python3 -m venv --without-pip /opt/venv")).toBe(
      true,
    );
    expect(copies(stage(p, "runtime"))).toContainEqual(
      expect.objectContaining({
        from: { kind: "stage", name: "builder" },
        sources: ["/opt/venv"],
        dest: "/opt/venv",
      }),
    );
    expect(builder.base).toEqual({ kind: "image", ref: "python:3.12.4" });
    expect(stage(p, "runtime").base).toEqual({ kind: "image", ref: "python:3.12.4-slim" });
    expect(p.image.env.find((v) => v.name === "PATH")).toEqual({
      name: "PATH",
      value: "/opt/venv/bin",
      mode: "prepend-path",
    });
  });

  it("keeps build dependencies out of the runtime stage and uses apt caches", () => {
    const p = plan("compiled-deps");
    const builderApt = runs(stage(p, "builder"))[0]!;
    expect(builderApt.argv.slice(-2)).toEqual(["build-essential", "libpq-dev"]);
    expect(builderApt.argv[2]).toContain("docker-clean");
    expect(builderApt.mounts.map((m) => m.type === "cache" && `${m.target}:${m.sharing}`)).toEqual([
      "/var/cache/apt:locked",
      "/var/lib/apt/lists:locked",
    ]);
    const runtimeRuns = runs(stage(p, "runtime"));
    expect(runtimeRuns.flatMap((r) => r.argv)).not.toContain("build-essential");
    expect(runtimeRuns[0]!.argv.slice(-1)).toEqual(["libpq5"]);
    expect(runtimeRuns[0]!.argv[2]).not.toContain("docker-clean");
  });

  it("runs as 65532:65532 with the pip cache only on a cache mount", () => {
    const p = plan("webapp");
    expect(p.image.user).toBe("65532:65532");
    expect(runs(stage(p, "runtime"))[0]!.argv[2]).toContain("useradd --no-log-init --uid 65532 --gid 65532");
    const pipMounts = runs(stage(p, "builder")).flatMap((r) => r.mounts.filter((m) => m.type === "cache"));
    expect(pipMounts.every((m) => m.type === "cache" && m.id === "pyfront-pip-3.11")).toBe(true);
    expect(copies(stage(p, "runtime")).flatMap((c) => c.sources)).not.toContain("/root/.cache/pip");
  });

  it("copies a scripts project to /app, compiles it and runs main with the venv's python", () => {
    const p = plan("script-folder");
    const builder = stage(p, "builder");
    expect(copies(builder)).toEqual([
      { kind: "copy", from: { kind: "context" }, sources: ["my-app"], dest: "/app", unpackArchives: false },
    ]);
    expect(runs(builder).at(-1)!.argv).toEqual(["/opt/venv/bin/python", "-m", "compileall", "-q", "/app"]);
    expect(p.image.cmd).toEqual(["/opt/venv/bin/python", "/app/main.py"]);
    expect(p.image.entrypoint).toBeUndefined();
  });

  it("clears an inherited CMD when only an entrypoint is given", () => {
    expect(plan("package-console-script").image).toMatchObject({ entrypoint: ["hello-cli"], cmd: [] });
  });

  it("lets the user's labels win over derived ones, after build-arg substitution", () => {
    const labels = plan("labels-build-args", { VERSION: "1.0.0", CHANNEL: "beta" }).image.labels;
    expect(labels).toContainEqual({ name: "org.opencontainers.image.version", value: "1.0.0" });
    expect(labels).toContainEqual({ name: "com.example.channel", value: "beta" });
    // BUILD_ID was not passed: like a Dockerfile LABEL, the value reads the image's variables.
    expect(labels).toContainEqual({
      name: "com.example.build",
      value: "${BUILD_ID:+build-${BUILD_ID}}",
      mode: "expand",
    });
    expect(labels.map((l) => l.name)).toEqual([...labels.map((l) => l.name)].sort());
  });

  it("resolves relative copy destinations against the workdir and verifies downloads", () => {
    const p = plan("webapp");
    const dests = copies(stage(p, "runtime")).map((c) => c.dest);
    expect(dests).toEqual([
      "/opt/venv",
      "/opt/venv",
      "/etc/gunicorn/",
      "/srv/static",
      "/etc/localtime",
      "/data/",
      "/srv/assets/",
    ]);
    expect(stage(p, "downloads").steps[0]).toMatchObject({ kind: "fetch-url", mode: 0o644 });
    expect(p.image.exposedPorts).toEqual(["8000/tcp", "9125/udp"]);
  });

  it("verifies git+ssh host keys with the project's known_hosts, never StrictHostKeyChecking=no", () => {
    const p = plan("ssh-git-dep");
    expect(p.ssh).toBe(true);
    const dep = runs(stage(p, "builder")).find((r) => r.description.startsWith("install dependencies"))!;
    expect(dep.env).toEqual([
      {
        name: "GIT_SSH_COMMAND",
        value: "ssh -o UserKnownHostsFile=/pyfront/ssh/known_hosts -o StrictHostKeyChecking=yes",
        mode: "set",
      },
    ]);
    expect(dep.mounts).toContainEqual({ type: "ssh", id: "default", required: true });
    expect(dep.mounts).toContainEqual(expect.objectContaining({ type: "bind", source: "ci/known_hosts" }));
    const noKnownHosts = planBuild({ ...FIXTURES["ssh-git-dep"]!, knownHosts: undefined }, { buildArgs: {} });
    expect(JSON.stringify(noKnownHosts)).not.toMatch(/StrictHostKeyChecking=no/);
  });

  it("mounts the SSH agent only into the steps that clone over ssh: not the build backend's install from an index", () => {
    const ssh = { type: "ssh", id: "default", required: true };
    const backendRun = (p: ReturnType<typeof plan>) =>
      runs(stage(p, "builder")).find((r) => r.description.startsWith("install the build backend"))!;
    const sshDependency = FIXTURES["ssh-git-dep"]!.dependencies[0]!;
    const withSshDependency = planBuild(
      baseSpec({
        dependencies: [sshDependency],
        project: {
          kind: "package",
          path: ".",
          extras: [],
          extraDependencies: [],
          dependenciesComplete: true,
          buildRequirements: [{ kind: "index", requirement: "setuptools>=61" }],
        },
      }),
      { buildArgs: {} },
    );
    expect(withSshDependency.ssh).toBe(true);
    expect(backendRun(withSshDependency).mounts).not.toContainEqual(ssh);
    expect(backendRun(withSshDependency).env).toEqual([]);
    const dependencyRun = runs(stage(withSshDependency, "builder")).find((r) =>
      r.description.startsWith("install dependencies"),
    )!;
    expect(dependencyRun.mounts).toContainEqual(ssh);
    // A backend cloned over ssh gets the agent, though no dependency needs it.
    const withSshBackend = planBuild(
      baseSpec({
        project: {
          kind: "package",
          path: ".",
          extras: [],
          extraDependencies: [],
          dependenciesComplete: true,
          buildRequirements: [sshDependency],
        },
      }),
      { buildArgs: {} },
    );
    expect(withSshBackend.ssh).toBe(true);
    expect(backendRun(withSshBackend).mounts).toContainEqual(ssh);
  });

  it("reports every bad env or label value at once, with positions", () => {
    const spec = baseSpec({
      env: [
        ["A", "${BAD"],
        ["B", "line\n${X}"],
      ],
      labels: [["c", "${NL}"]],
    });
    let error: unknown;
    try {
      planBuild(spec, { buildArgs: { NL: "one\ntwo" } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpecError);
    const diagnostics = (error as SpecError).diagnostics;
    expect(diagnostics.map((d) => d.key)).toEqual(["env.A", "env.B", "labels.c"]);
    expect(diagnostics[0]!.position).toEqual({ file: "pyproject.toml", line: 12, column: 1 });
    expect(diagnostics[2]!.position).toEqual({ file: "pyproject.toml", line: 20, column: 1 });
  });
});

describe("PYENV Dockerfiles", () => {
  it("have no plan of pyfront's: the Dockerfile frontend builds them once expanded", () => {
    const spec = loadBuildSpec(
      "FROM base\nPYENV 3.11 venv1\n",
      { specFile: "Dockerfile" },
      {
        readFile: () => undefined,
        exists: () => false,
        isDirectory: () => false,
        listDirectory: () => undefined,
      },
    ).spec;
    expect(() => planBuild(spec, { buildArgs: {} })).toThrowError(
      /Dockerfile:2:1: a PYENV Dockerfile is built by the Dockerfile frontend after its PYENV lines are expanded/,
    );
  });
});
