/**
 * The project in a layer of its own. The runtime stage copies the venv as the dependency steps
 * left it, then, in a later layer, only the files that installing the project added to it: a code
 * edit reruns the project's install and rewrites that small layer, and every dependency layer of
 * the image stays the same (same digest, nothing exported or pushed again).
 *
 * BuildKit 0.8 has no DiffOp/MergeOp and Docker 20.10's Dockerfile has no `COPY --link`, so the
 * difference is taken by the install step itself, one design for both renderers and both engines:
 * the project is installed into the real venv path (so bytecode, RECORD and console-script
 * shebangs name /opt/venv), in a stage of its own, and a fixed script copies what the install
 * added or changed to a staging folder, which the runtime stage copies into the venv.
 */
import type { RunStep } from "./build-plan.js";
import { BUILDER_PYTHON, VENV_DIR } from "./recipe-constants.js";

/** The stage that installs the project on top of the builder's venv. */
export const PROJECT_STAGE = "project";
/** Where the project stage stages what the install added to the venv (paths relative to the venv). */
export const PROJECT_FILES_DIR = "/pyfront/project-files";

/**
 * Runs a command (pip) and copies what it added or changed under a folder (the venv) to a staging
 * folder, same relative paths, contents, modes and times (bytecode checks its source's time).
 * Arguments: `FOLDER STAGING -- COMMAND...`. A layer can only add files, so an install that
 * removes one (the project already installed by a dependency step) stops the build rather than
 * leave the old files in the image.
 */
export const PROJECT_FILES_SCRIPT = [
  "import os, shutil, stat, subprocess, sys",
  "folder, staging, command = sys.argv[1], sys.argv[2], sys.argv[4:]",
  "def scan():",
  "    found = {}",
  "    for root, dirs, files in os.walk(folder):",
  "        for name in dirs + files:",
  "            path = os.path.join(root, name)",
  "            s = os.lstat(path)",
  "            found[path] = (s.st_mode, s.st_size, s.st_mtime_ns)",
  "    return found",
  "before = scan()",
  "code = subprocess.call(command)",
  "if code:",
  "    sys.exit(code)",
  "after = scan()",
  "gone = sorted(set(before) - set(after))",
  "if gone:",
  '    sys.exit("pyfront: installing the project removed %s, which a dependency step installed; the project "',
  '             "must not be among its own dependencies (its layer can add files, not remove them)" % gone[0])',
  "os.makedirs(staging)",
  "for path in sorted(p for p in after if before.get(p) != after[p]):",
  "    target = os.path.join(staging, os.path.relpath(path, folder))",
  "    os.makedirs(os.path.dirname(target), exist_ok=True)",
  "    mode = after[path][0]",
  "    if stat.S_ISDIR(mode):",
  "        os.makedirs(target, exist_ok=True)",
  "    elif stat.S_ISLNK(mode):",
  "        os.symlink(os.readlink(path), target)",
  "    else:",
  "        shutil.copy2(path, target)",
  "# Folders last, deepest first: filling a folder changes its time.",
  "for root, dirs, files in os.walk(staging, topdown=False):",
  "    shutil.copystat(os.path.join(folder, os.path.relpath(root, staging)), root)",
].join("\n");

/** Wraps the project's install so that it also stages the files it adds to the venv. */
export function stagingProjectFiles(install: RunStep): RunStep {
  return {
    ...install,
    argv: [BUILDER_PYTHON, "-c", PROJECT_FILES_SCRIPT, VENV_DIR, PROJECT_FILES_DIR, "--", ...install.argv],
  };
}
