import { posix } from "node:path";
import type { AddFile, BuildSpec, ConsoleScript, CopyFile } from "../spec/build-spec.js";
import { type Diagnostic, SpecError } from "../spec/diagnostics.js";
import {
  type BuildPlan,
  type CopySource,
  type EnvVar,
  type ImageConfig,
  type LockedSet,
  type Mount,
  PLAN_VERSION,
  type RunStep,
  type Stage,
  type Step,
} from "./build-plan.js";
import { builderFileSteps } from "./files-before-build.js";
import { derivedLabels, mergeLabels } from "./image-labels.js";
import type { LockTarget } from "./lock-selection.js";
import { lockedInstallSteps } from "./locked-install.js";
import { osRecipeFor } from "./os-family.js";
import {
  contextBind,
  contextMountTarget,
  DEPENDENCY_PIP_OPTIONS,
  dependenciesNeedSsh,
  dependencyArgs,
  dependencyBytecodeStep,
  dependencyInstallSteps,
  gitSshSetup,
  pipCacheMount,
  pipIndexSetup,
  pipInstallArgv,
  removeTestSuitesStep,
} from "./pip-steps.js";
import { type IndexOverrides, readPlatformOverrides, withPlatformOverrides } from "./platform-overrides.js";
import { PROJECT_FILES_DIR, PROJECT_STAGE, stagingProjectFiles } from "./project-layer.js";
import {
  APP_DIR,
  BUILD_BACKEND_DIR,
  BUILDER_PYTHON,
  BUILDER_STAGE,
  CONTEXT_MOUNT_DIR,
  DOWNLOADS_DIR,
  DOWNLOADS_STAGE,
  RUNTIME_GID,
  RUNTIME_STAGE,
  RUNTIME_UID,
  VENV_DIR,
  VENV_PYTHON,
} from "./recipe-constants.js";
import { sourceDateEpoch, withSourceDateEpoch } from "./source-date-epoch.js";
import { substituteUserValues, type UserLabel } from "./user-values.js";

export interface PlanOptions {
  /**
   * `--build-arg` values; they reach the output through `${VAR}` in env and labels, and as the
   * platform overrides (src/plan/platform-overrides.ts): pip's indices and a registry mirror.
   */
  buildArgs: Readonly<Record<string, string>>;
  /**
   * The architecture the image is built for, as BuildKit names it (`amd64`, `arm64`); a lock is
   * selected for it. Absent: amd64, and the plan says so.
   */
  architecture?: string;
}

/** BuildKit's architecture names → the `platform_machine` a lock's markers and wheels use. */
const LOCK_MACHINES: Record<string, LockTarget["machine"]> = { amd64: "x86_64", arm64: "aarch64" };

/** Turns a validated spec into the recipe. Pure: same spec and options, same plan. */
export function planBuild(spec: BuildSpec, options: PlanOptions): BuildPlan {
  if (spec.format === "pyenv") {
    // A PYENV Dockerfile is the user's own recipe around our environments, built by the
    // Dockerfile frontend (src/render/pyenv-dockerfile.ts): it has no plan of pyfront's.
    throw new SpecError([
      {
        code: "pyenv-has-no-plan",
        message:
          "a PYENV Dockerfile is built by the Dockerfile frontend after its PYENV lines are expanded: it has no build plan or LLB of pyfront's",
        severity: "error",
        ...(spec.positions.PYENV ? { position: spec.positions.PYENV } : {}),
        hint: "pyfront dockerfile -f Dockerfile prints the expanded Dockerfile",
      },
    ]);
  }
  const diagnostics: Diagnostic[] = [];
  const { env: userEnv, labels: userLabels } = substituteUserValues(spec, options.buildArgs, diagnostics);
  const overrides = readPlatformOverrides(options.buildArgs, diagnostics);
  const epoch = sourceDateEpoch(options.buildArgs, diagnostics);
  if (diagnostics.length > 0) throw new SpecError(diagnostics);

  const downloads = downloadsStage(spec);
  const builder = builderStage(
    spec,
    userEnv,
    downloads.fetched,
    overrides.indices,
    lockTarget(spec, options),
  );
  const runtime = runtimeStage(spec, downloads.fetched, builder.project !== undefined);
  const built = builder.project ? [builder.stage, builder.project] : [builder.stage];
  // A Dockerfile names a stage only after it: downloads go first when the builder copies from them.
  const stages = !downloads.stage
    ? [...built, runtime]
    : downloads.forBuilder
      ? [downloads.stage, ...built, runtime]
      : [...built, downloads.stage, runtime];

  const plan: BuildPlan = {
    planVersion: PLAN_VERSION,
    stages,
    image: imageConfig(spec, userEnv, userLabels),
    secrets: builder.secrets,
    ssh: builder.ssh,
    decisions: spec.decisions,
    ...(builder.locked ? { locked: builder.locked } : {}),
  };
  return withSourceDateEpoch(withPlatformOverrides(plan, overrides, spec.indices), epoch);
}

function envSet(name: string, value: string): EnvVar {
  return { name, value, mode: "set" };
}

const VENV_ENV: EnvVar[] = [
  envSet("VIRTUAL_ENV", VENV_DIR),
  { name: "PATH", value: `${VENV_DIR}/bin`, mode: "prepend-path" },
];

/** The target a lock is selected for: the spec's Python (a release when pinned to one), Linux, the build's machine. */
function lockTarget(spec: BuildSpec, options: PlanOptions): LockTarget | undefined {
  if (!spec.lock) return undefined;
  const architecture = options.architecture ?? "amd64";
  const machine = LOCK_MACHINES[architecture];
  if (!machine) {
    throw new SpecError([
      {
        code: "lock-platform-unsupported",
        message: `${spec.lock.graph.file}: pyfront selects locks for linux/amd64 and linux/arm64, not linux/${architecture}`,
        hint: "build for one of those platforms",
        position: { file: spec.lock.graph.file, line: 1, column: 1 },
        severity: "error",
      },
    ]);
  }
  const requested = spec.python.requested;
  return { python: /^\d+\.\d+\.\d+$/.test(requested) ? requested : spec.python.series, machine };
}

function builderStage(
  spec: BuildSpec,
  userEnv: EnvVar[],
  fetched: Map<AddFile, string>,
  indexOverrides: IndexOverrides,
  target: LockTarget | undefined,
): {
  stage: Stage;
  /** The project's install in a stage of its own, when it gets a layer of its own (see project-layer.ts). */
  project?: Stage;
  secrets: BuildPlan["secrets"];
  ssh: boolean;
  locked?: LockedSet;
} {
  const steps: Step[] = [];
  const os = osRecipeFor(spec.builderImage);
  if (spec.buildDeps.length > 0) steps.push(os.installPackages(spec.buildDeps, spec.builderImage, "builder"));
  steps.push({
    kind: "env",
    vars: [
      envSet("PIP_DISABLE_PIP_VERSION_CHECK", "1"),
      envSet("PIP_NO_INPUT", "1"),
      envSet("PIP_ROOT_USER_ACTION", "ignore"),
    ],
  });
  steps.push({
    kind: "run",
    // No pip in the venv (nor setuptools, on Pythons that bundle it): the builder's pip installs
    // into it, so the image carries the packages only, and ensurepip's seconds are saved.
    argv: [BUILDER_PYTHON, "-m", "venv", "--without-pip", VENV_DIR],
    mounts: [],
    env: [],
    description: `create the virtual environment ${VENV_DIR}`,
  });
  // The venv is not put on the builder's PATH: `python3` there must stay the one with pip.
  if (userEnv.length > 0) steps.push({ kind: "env", vars: userEnv });
  steps.push({ kind: "workdir", path: CONTEXT_MOUNT_DIR });

  const index = pipIndexSetup(spec.indices, indexOverrides);
  const extraDependencies = spec.project.kind === "package" ? spec.project.extraDependencies : [];
  const backend = spec.project.kind === "package" ? spec.project.buildRequirements : undefined;
  const dependencies = [...spec.dependencies, ...extraDependencies];
  // The agent is mounted into the steps that clone over ssh, and only those: a build backend from
  // an index needs none, even when a dependency does (and asks for --ssh only when one needs it).
  const noSsh = { mounts: [], env: [] };
  const dependenciesSsh = dependenciesNeedSsh(dependencies) ? gitSshSetup(spec.knownHosts) : noSsh;
  const backendSsh = backend && dependenciesNeedSsh(backend) ? gitSshSetup(spec.knownHosts) : noSsh;
  const needsSsh = dependenciesSsh !== noSsh || backendSsh !== noSsh;
  const ssh = dependenciesSsh;
  const indexMounts: Mount[] = [pipCacheMount(spec.python.series, os.pipCacheSuffix), ...index.mounts];
  const pipMounts: Mount[] = [...indexMounts, ...ssh.mounts];

  steps.push(...builderFileSteps(spec, fetched));
  if (backend && backend.length > 0) {
    const backendArgs = dependencyArgs(backend);
    steps.push({
      kind: "run",
      argv: pipInstallArgv(
        index,
        ["--target", BUILD_BACKEND_DIR, ...backendArgs.options],
        backendArgs.requirements,
      ),
      mounts: [...indexMounts, ...backendSsh.mounts, ...backendArgs.mounts],
      env: backendSsh.env,
      description:
        "install the build backend (apart from the venv: it builds the project, and stays out of the image)",
    });
  }
  const locked =
    spec.lock && target ? lockedInstallSteps(spec.lock, target, index, pipMounts, ssh.env) : undefined;
  const installs = [
    ...(locked?.steps ?? []),
    ...dependencyInstallSteps(dependencies, index, pipMounts, ssh.env),
  ];
  steps.push(...installs);
  if (installs.length > 0) steps.push(...afterDependencyInstalls(spec));
  // Before the code is copied: this layer depends on the console scripts, not on the code.
  if (spec.project.kind === "scripts") steps.push(appImportPathStep(spec.project.consoleScripts ?? []));
  const project = projectSteps(spec, index, pipMounts, ssh.env);
  // Only an install that adds nothing but the project (--no-deps) gets a layer of its own: one that
  // resolves may install or replace dependencies, and a later layer cannot remove what it replaced.
  const ownLayer = spec.project.kind === "package" && spec.project.dependenciesComplete;
  if (!ownLayer) {
    steps.push(...project);
    // A resolving install may add dependencies: compiled, and their suites left out, as above.
    if (spec.project.kind === "package") steps.push(...afterDependencyInstalls(spec));
  }
  return {
    stage: { name: BUILDER_STAGE, base: { kind: "image", ref: spec.builderImage }, steps },
    ...(ownLayer
      ? {
          project: {
            name: PROJECT_STAGE,
            base: { kind: "stage", name: BUILDER_STAGE },
            steps: project.map((step) => (step.kind === "run" ? stagingProjectFiles(step) : step)),
          },
        }
      : {}),
    secrets: index.secrets,
    ssh: needsSsh,
    ...(locked ? { locked: locked.shown } : {}),
  };
}

/** What follows an install of dependencies: their test suites deleted when asked, then their bytecode. */
function afterDependencyInstalls(spec: BuildSpec): RunStep[] {
  return [...(spec.removeTestSuites ? [removeTestSuitesStep()] : []), dependencyBytecodeStep()];
}

function projectSteps(
  spec: BuildSpec,
  index: ReturnType<typeof pipIndexSetup>,
  pipMounts: Mount[],
  env: EnvVar[],
): Step[] {
  const project = spec.project;
  switch (project.kind) {
    case "none":
      return [];
    case "package": {
      const extras = project.extras.length > 0 ? `[${[...project.extras].sort().join(",")}]` : "";
      // With static metadata the dependency step installed every requirement, so pip need not ask
      // the index about each of them again on every code change. Otherwise pip resolves, keeping
      // what is installed and adding what the spec could not list (dynamic dependencies). Build
      // isolation stays on, so any PEP 517 backend works; its wheel comes from the pip cache.
      // A resolving install compiles nothing either: the bytecode step after it leaves out the test
      // suites of what it adds (and of the project), as for the dependency steps.
      const options = project.dependenciesComplete ? ["--no-deps"] : [...DEPENDENCY_PIP_OPTIONS];
      const isolated = project.buildRequirements === undefined;
      if (!isolated) options.push("--no-build-isolation");
      const install: RunStep = {
        kind: "run",
        argv: pipInstallArgv(index, options, [`${contextMountTarget(project.path)}${extras}`]),
        mounts: [...pipMounts, contextBind(project.path, true)],
        env: isolated ? env : [...env, envSet("PYTHONPATH", BUILD_BACKEND_DIR)],
        description: "install the project",
      };
      return [install];
    }
    case "scripts": {
      const isFile = project.path.endsWith(".py") && posix.basename(project.path) === project.main;
      const dest = isFile ? `${APP_DIR}/${project.main}` : APP_DIR;
      return [
        {
          kind: "copy",
          from: { kind: "context" },
          sources: [project.path],
          dest,
          unpackArchives: false,
        },
        {
          kind: "run",
          argv: [VENV_PYTHON, "-m", "compileall", "-q", APP_DIR],
          mounts: [],
          env: [],
          description: "compile the application's bytecode",
        },
      ];
    }
  }
}

/**
 * Puts the app directory on the venv's import path (a .pth file) and writes the application's
 * console scripts, as installing a package would: `import app` and `serve` work from any
 * directory. Names, modules and attributes are checked by the spec; they arrive as arguments.
 */
export const APP_IMPORT_PATH_SCRIPT = [
  "import os, sys, sysconfig",
  "app, rest = sys.argv[1], sys.argv[2:]",
  'with open(os.path.join(sysconfig.get_paths()["purelib"], "_pyfront_app.pth"), "w") as f:',
  '    f.write(app + "\\n")',
  "bindir = os.path.dirname(sys.executable)",
  "for i in range(0, len(rest), 3):",
  "    name, module, attribute = rest[i:i + 3]",
  "    path = os.path.join(bindir, name)",
  '    with open(path, "w") as f:',
  "        f.write(\"#!%s\\nimport sys\\nfrom %s import %s\\nif __name__ == '__main__':\\n    sys.exit(%s())\\n\"",
  '                % (sys.executable, module, attribute.split(".")[0], attribute))',
  "    os.chmod(path, 0o755)",
].join("\n");

function appImportPathStep(consoleScripts: readonly ConsoleScript[]): RunStep {
  return {
    kind: "run",
    argv: [
      VENV_PYTHON,
      "-c",
      APP_IMPORT_PATH_SCRIPT,
      APP_DIR,
      ...consoleScripts.flatMap((s) => [s.name, s.module, s.attribute]),
    ],
    mounts: [],
    env: [],
    description:
      consoleScripts.length > 0
        ? `put ${APP_DIR} on the venv's import path and write the console scripts ${consoleScripts.map((s) => s.name).join(", ")}`
        : `put ${APP_DIR} on the venv's import path`,
  };
}

interface FetchedFile {
  addFile: AddFile;
  path: string;
}

function isUrl(src: string): boolean {
  return /^https?:\/\//i.test(src);
}

function downloadsStage(spec: BuildSpec): {
  stage?: Stage;
  fetched: Map<AddFile, string>;
  forBuilder: boolean;
} {
  const fetched: FetchedFile[] = [];
  const fetch = (addFile: AddFile, folder: string) => {
    if (!isUrl(addFile.src)) return;
    const last = new URL(addFile.src).pathname.split("/").pop() ?? "";
    const name = last.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+$/, "") || "download";
    fetched.push({ addFile, path: `${DOWNLOADS_DIR}/${folder}/${name}` });
  };
  spec.addFiles.forEach((addFile, n) => {
    fetch(addFile, String(n));
  });
  (spec.addFilesBeforeBuild ?? []).forEach((addFile, n) => {
    fetch(addFile, `before-build-${n}`);
  });
  const map = new Map(fetched.map((f) => [f.addFile, f.path] as const));
  const forBuilder = (spec.addFilesBeforeBuild ?? []).some((addFile) => map.has(addFile));
  if (fetched.length === 0) return { fetched: map, forBuilder };
  const steps: Step[] = fetched.map(({ addFile, path }) => ({
    kind: "fetch-url",
    url: addFile.src,
    ...(addFile.checksum ? { checksum: addFile.checksum } : {}),
    dest: path,
    mode: 0o644,
  }));
  // The builder image has a shell and sha256sum, which a Dockerfile needs to check a download.
  return {
    stage: { name: DOWNLOADS_STAGE, base: { kind: "image", ref: spec.builderImage }, steps },
    fetched: map,
    forBuilder,
  };
}

/** A relative destination is relative to the image's workdir, as in Docker. */
function imagePath(dst: string, workdir: string): string {
  const joined = posix.resolve(workdir, dst);
  return dst.endsWith("/") && joined !== "/" ? `${joined}/` : joined;
}

function copyFileSource(copy: CopyFile): CopySource {
  if (copy.from === undefined) return { kind: "context" };
  if (copy.from === BUILDER_STAGE) return { kind: "stage", name: BUILDER_STAGE };
  return { kind: "image", ref: copy.from };
}

function runtimeStage(spec: BuildSpec, fetched: Map<AddFile, string>, projectLayer: boolean): Stage {
  const steps: Step[] = [];
  const os = osRecipeFor(spec.runtimeImage);
  if (spec.systemDeps.length > 0)
    steps.push(os.installPackages(spec.systemDeps, spec.runtimeImage, "runtime"));
  steps.push(os.createUser());
  // Root-owned: the application cannot modify its own code or dependencies.
  steps.push({
    kind: "copy",
    from: { kind: "stage", name: BUILDER_STAGE },
    sources: [VENV_DIR],
    dest: VENV_DIR,
    unpackArchives: false,
  });
  // The project's own files, after the dependencies: a code edit changes this layer only.
  if (projectLayer) {
    steps.push({
      kind: "copy",
      from: { kind: "stage", name: PROJECT_STAGE },
      sources: [PROJECT_FILES_DIR],
      dest: VENV_DIR,
      unpackArchives: false,
    });
  }
  if (spec.project.kind === "scripts") {
    steps.push({
      kind: "copy",
      from: { kind: "stage", name: BUILDER_STAGE },
      sources: [APP_DIR],
      dest: APP_DIR,
      unpackArchives: false,
    });
  }
  for (const copy of spec.copyFiles) {
    steps.push({
      kind: "copy",
      from: copyFileSource(copy),
      sources: [copy.src],
      dest: imagePath(copy.dst, spec.workdir),
      unpackArchives: false,
    });
  }
  for (const addFile of spec.addFiles) {
    const downloaded = fetched.get(addFile);
    steps.push({
      kind: "copy",
      from: downloaded ? { kind: "stage", name: DOWNLOADS_STAGE } : { kind: "context" },
      sources: [downloaded ?? addFile.src],
      dest: imagePath(addFile.dst, spec.workdir),
      unpackArchives: downloaded === undefined,
    });
  }
  return { name: RUNTIME_STAGE, base: { kind: "image", ref: spec.runtimeImage }, steps };
}

function runCommand(spec: BuildSpec): Pick<ImageConfig, "entrypoint" | "cmd"> {
  if (spec.entrypoint) return { entrypoint: [...spec.entrypoint], cmd: [...(spec.command ?? [])] };
  if (spec.command) return { cmd: [...spec.command] };
  if (spec.project.kind === "scripts" && spec.project.main !== undefined)
    return { cmd: [VENV_PYTHON, `${APP_DIR}/${spec.project.main}`] };
  // Otherwise the base image's CMD (python3) stays; PATH makes it the venv's python.
  return {};
}

function imageConfig(spec: BuildSpec, userEnv: EnvVar[], userLabels: UserLabel[]): ImageConfig {
  const ports = [...new Set(spec.expose.map((p) => `${p.port}/${p.protocol}`))];
  const health = spec.healthcheck;
  return {
    env: [...VENV_ENV, envSet("PYTHONUNBUFFERED", "1"), envSet("PYTHONDONTWRITEBYTECODE", "1"), ...userEnv],
    user: `${RUNTIME_UID}:${RUNTIME_GID}`,
    workdir: spec.workdir,
    ...runCommand(spec),
    labels: mergeLabels(derivedLabels(spec.metadata, spec.runtimeImage), userLabels),
    exposedPorts: ports,
    ...(health
      ? {
          healthcheck: {
            test: [...health.command],
            ...(health.intervalSeconds !== undefined ? { intervalSeconds: health.intervalSeconds } : {}),
            ...(health.timeoutSeconds !== undefined ? { timeoutSeconds: health.timeoutSeconds } : {}),
            ...(health.startPeriodSeconds !== undefined
              ? { startPeriodSeconds: health.startPeriodSeconds }
              : {}),
            ...(health.retries !== undefined ? { retries: health.retries } : {}),
          },
        }
      : {}),
  };
}
