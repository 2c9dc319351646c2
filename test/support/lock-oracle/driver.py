"""Runs one lock tool on one project, inside pyfront-test/lock-oracles:sid, and answers for targets.

Called as `python3 driver.py PLAN.json` with the project copied into the plan's `workdir`. The plan
(written by test/support/lock-oracle.ts) says which tool commands lock the project, which export
commands to run after it, and for which targets to choose. For each export it writes the tool's
output next to the lock and evaluates every requirement line's marker with `packaging` (the library
pip itself uses) for each target: the packages whose marker holds are the oracle's answer, the set
an install of that lock on that target gets. The result goes to `oracle-result.json`.

Every command is an argv list (no shell); nothing from the project reaches a command line.
"""

import json
import re
import subprocess
import sys
import time

import packaging
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name


def target_environment(target):
    """The marker variables of CPython `pythonFullVersion` on Linux, on `machine`."""
    full = target["pythonFullVersion"]
    if not re.fullmatch(r"\d+\.\d+\.\d+", full):
        raise SystemExit(f"driver: pythonFullVersion must be X.Y.Z, not {full!r}")
    return {
        "implementation_name": "cpython",
        "implementation_version": full,
        "os_name": "posix",
        "platform_machine": target["machine"],
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": full,
        "python_version": ".".join(full.split(".")[:2]),
        "sys_platform": "linux",
    }


def requirement_lines(text):
    """The requirement lines of a requirements.txt export, continuations joined, options dropped."""
    joined = re.sub(r"\\\r?\n", " ", text)
    for number, raw in enumerate(joined.splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line:
            continue
        if line.startswith("-"):
            # -i/--index-url, --extra-index-url, --trusted-host: where to download, not what.
            if line.startswith(("-e", "--editable", "-r", "-c")):
                raise ValueError(f"line {number}: the oracle cannot evaluate {line!r}")
            continue
        yield number, re.sub(r"\s+--hash[=\s]\S+", "", line).strip()


def select(text, environment):
    """Packages of an export whose markers hold in `environment`: (sorted list, problems)."""
    chosen = {}
    problems = []
    for number, line in requirement_lines(text):
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            problems.append(f"line {number}: {line!r} is not a requirement: {error}")
            continue
        try:
            holds = requirement.marker is None or requirement.marker.evaluate(environment)
        except Exception as error:  # a marker packaging cannot evaluate is a failure, never a "no"
            problems.append(f"line {number}: marker of {line!r} cannot be evaluated: {error}")
            continue
        if not holds:
            continue
        name = canonicalize_name(requirement.name)
        pins = [spec.version for spec in requirement.specifier if spec.operator in ("==", "===")]
        if requirement.url:
            problems.append(f"line {number}: {name} is a direct URL ({requirement.url}); no version to compare")
            continue
        if len(pins) != 1 or len(requirement.specifier) != 1:
            # pipenv writes `name; marker` for a package it could not resolve on its own Python:
            # the lock holds no version for it, and an install would take any.
            version = None
        else:
            version = pins[0]
        if name in chosen and chosen[name] != version:
            problems.append(f"line {number}: {name} chosen twice, as {chosen[name]} and {version}")
        chosen[name] = version
    return [{"name": name, "version": chosen[name]} for name in sorted(chosen)], problems


def run(argv, cwd, log_name, workdir):
    """Runs a tool command; its output goes to a log file in the workdir. Returns (code, stdout)."""
    started = time.monotonic()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    with open(f"{workdir}/{log_name}.log", "w", encoding="utf-8") as log:
        log.write(f"$ {json.dumps(argv)}\nexit {done.returncode} after {time.monotonic() - started:.1f}s\n")
        log.write(f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}\n")
    return done.returncode, done.stdout, done.stderr


def tool_versions():
    versions = {"packaging": packaging.__version__, "python": sys.version.split()[0]}
    from importlib.metadata import PackageNotFoundError, version

    for dist in ("poetry", "poetry-plugin-export", "pdm", "pipenv"):
        try:
            versions[dist] = version(dist)
        except PackageNotFoundError:
            versions[dist] = None
    return versions


def main():
    with open(sys.argv[1], encoding="utf-8") as plan_file:
        plan = json.load(plan_file)
    workdir = plan["workdir"]
    project = plan["project"]
    result = {"tools": tool_versions(), "lock": None, "exports": {}, "seconds": {}}
    started = time.monotonic()
    for step, argv in enumerate(plan["lock"], start=1):
        code, _, stderr = run(argv, project, f"lock-{step}", workdir)
        if code != 0:
            result["lock"] = {"ok": False, "error": f"{json.dumps(argv)} exited {code}:\n{stderr[-4000:]}"}
            write(workdir, result)
            return 1
    result["seconds"]["lock"] = round(time.monotonic() - started, 1)
    result["lock"] = {"ok": True, "file": plan["lockFile"]}
    environments = {target["id"]: target_environment(target) for target in plan["targets"]}
    failed = 0
    for export in plan["exports"]:
        started = time.monotonic()
        code, stdout, stderr = run(export["argv"], project, f"export-{export['name']}", workdir)
        answer = {"argv": export["argv"], "ok": code == 0, "text": stdout, "selected": {}, "problems": []}
        if code != 0:
            answer["problems"].append(stderr[-4000:])
            failed += 1
        else:
            for target_id, environment in environments.items():
                try:
                    packages, problems = select(stdout, environment)
                except ValueError as error:
                    packages, problems = [], [str(error)]
                answer["selected"][target_id] = packages
                answer["problems"].extend(f"{target_id}: {problem}" for problem in problems)
        result["exports"][export["name"]] = answer
        result["seconds"][f"export-{export['name']}"] = round(time.monotonic() - started, 1)
    write(workdir, result)
    return 1 if failed else 0


def write(workdir, result):
    with open(f"{workdir}/oracle-result.json", "w", encoding="utf-8") as out:
        json.dump(result, out, indent=2, sort_keys=True)


if __name__ == "__main__":
    sys.exit(main())
