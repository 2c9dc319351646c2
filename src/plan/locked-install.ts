import type { LockedDependencies } from "../spec/build-spec.js";
import { contextDirname, contextJoin } from "../spec/context-checks.js";
import type { Diagnostic } from "../spec/diagnostics.js";
import { SpecError } from "../spec/diagnostics.js";
import type { EnvVar, LockedSet, Mount, RunStep } from "./build-plan.js";
import { type LockTarget, type SelectedPackage, selectLockedPackages } from "./lock-selection.js";
import {
  contextBind,
  contextMountTarget,
  DEPENDENCY_PIP_OPTIONS,
  type PipIndexSetup,
  pipInstallArgv,
} from "./pip-steps.js";
import { BUILDER_PYTHON } from "./recipe-constants.js";

/** Stands for the generated requirements file in the argv the script below runs. */
export const LOCKED_REQUIREMENTS_PLACEHOLDER = "@pyfront-locked-requirements@";

/**
 * Writes the arguments before "--" as the lines of a requirements file, runs the command after it
 * with the file's path in place of the placeholder, and removes the file: the locked set lives in
 * the step's argv, so a changed lock changes exactly this step's cache key, and no file of ours
 * lands in a layer.
 */
export const LOCKED_REQUIREMENTS_SCRIPT = [
  "import os, subprocess, sys, tempfile",
  "a = sys.argv[1:]",
  'split = a.index("--")',
  'fd, path = tempfile.mkstemp(prefix="pyfront-locked-", suffix=".txt")',
  "try:",
  '    with os.fdopen(fd, "w") as f:',
  '        f.write("".join(line + "\\n" for line in a[:split]))',
  "    command = [path if arg == PLACEHOLDER else arg for arg in a[split + 1 :]]",
  "    code = subprocess.call(command)",
  "finally:",
  "    os.remove(path)",
  "sys.exit(code)",
]
  .join("\n")
  .replace("PLACEHOLDER", JSON.stringify(LOCKED_REQUIREMENTS_PLACEHOLDER));

export interface LockedInstall {
  steps: RunStep[];
  shown: LockedSet;
}

/**
 * The steps that install a lock's selection: one pip call in hash-checking mode for everything
 * from an index or a URL (`--require-hashes --no-deps`: nothing is resolved, every file is
 * checked), then one without hashes for what pip cannot hash (git commits, context directories).
 */
export function lockedInstallSteps(
  lock: LockedDependencies,
  target: LockTarget,
  index: PipIndexSetup,
  pipMounts: Mount[],
  env: EnvVar[],
): LockedInstall {
  const { graph } = lock;
  const selection = selectLockedPackages(graph, target, {
    ...(lock.groups ? { groups: lock.groups } : {}),
    extras: lock.extras,
  });
  const problems: Diagnostic[] = selection.problems.map((problem) => ({
    code: problem.code,
    message: problem.message,
    ...(problem.hint ? { hint: problem.hint } : {}),
    position:
      problem.code === "unknown-lock-group" || problem.code === "unknown-lock-extra"
        ? lock.position
        : problem.position,
    severity: "error",
  }));

  const hashed: string[] = [];
  const unhashed: string[] = [];
  const binds: Mount[] = [];
  const lockDir = contextDirname(graph.file);
  for (const pkg of selection.packages) {
    switch (pkg.source.kind) {
      case "registry":
      case "url": {
        const hashes = [...new Set(pkg.files.flatMap((file) => file.hashes))];
        if (hashes.length === 0) {
          problems.push({
            code: "lock-without-hashes",
            message: `${pkg.name} ${pkg.version} has no hashes in ${graph.file}, so it cannot be installed hash-checked`,
            hint: "lock again with a tool version that records hashes",
            position: pkg.position,
            severity: "error",
          });
          continue;
        }
        const requirement =
          pkg.source.kind === "url" ? `${pkg.name} @ ${pkg.source.url}` : `${pkg.name}==${pkg.version}`;
        hashed.push([requirement, ...hashes.map((hash) => `--hash=${hash}`)].join(" "));
        break;
      }
      case "git": {
        const subdirectory = pkg.source.subdirectory ? `#subdirectory=${pkg.source.subdirectory}` : "";
        unhashed.push(`${pkg.name} @ git+${pkg.source.url}@${pkg.source.commit}${subdirectory}`);
        break;
      }
      case "directory": {
        const path = contextJoin(lockDir, pkg.source.path);
        if (path === ".." || path.startsWith("../") || path.startsWith("/")) {
          problems.push({
            code: "path-outside-context",
            message: `${pkg.name}: the path ${JSON.stringify(pkg.source.path)} in ${graph.file} leaves the build context`,
            hint: "build from a context that holds the dependency's folder",
            position: pkg.position,
            severity: "error",
          });
          continue;
        }
        binds.push(contextBind(path, true));
        unhashed.push(contextMountTarget(path));
        break;
      }
      case "project":
        break;
    }
  }
  if (problems.length > 0) throw new SpecError(problems);

  const steps: RunStep[] = [];
  if (hashed.length > 0) {
    const pip = pipInstallArgv(
      index,
      [
        ...DEPENDENCY_PIP_OPTIONS,
        "--require-hashes",
        "--no-deps",
        "--requirement",
        LOCKED_REQUIREMENTS_PLACEHOLDER,
      ],
      [],
    );
    steps.push({
      kind: "run",
      argv: [BUILDER_PYTHON, "-c", LOCKED_REQUIREMENTS_SCRIPT, ...hashed, "--", ...pip],
      mounts: pipMounts,
      env,
      description: `install ${graph.file} as locked: pinned, hash-checked, nothing resolved (before the project's code, so code changes reuse this layer)`,
    });
  }
  if (unhashed.length > 0) {
    steps.push({
      kind: "run",
      argv: pipInstallArgv(index, [...DEPENDENCY_PIP_OPTIONS, "--no-deps"], unhashed),
      mounts: [...pipMounts, ...binds],
      env,
      description: `install what ${graph.file} locks by commit or path (pip cannot check hashes of these)`,
    });
  }
  return {
    steps,
    shown: {
      file: graph.file,
      format: graph.format,
      target: `CPython ${target.python} on linux/${target.machine}`,
      groups: selection.groups,
      extras: lock.extras,
      packages: selection.packages.map((pkg) => ({
        name: pkg.name,
        version: pkg.version,
        source: sourceText(pkg),
      })),
    },
  };
}

function sourceText(pkg: SelectedPackage): string {
  switch (pkg.source.kind) {
    case "registry":
      return pkg.source.url ? `index ${pkg.source.url}` : "index";
    case "url":
      return pkg.source.url;
    case "git":
      return `git ${pkg.source.url}@${pkg.source.commit}`;
    case "directory":
      return `path ${pkg.source.path}`;
    case "project":
      return "the project";
  }
}
