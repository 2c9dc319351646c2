#!/usr/bin/env python3
"""pyfront's job launcher: runs a user's packed Python code in the exec-python images.

    pyfront_launcher.py [--code PATH] [--outputs DIR] [--work DIR] -- COMMAND [ARG...]

1. Unpacks the code at --code ($PYFRONT_JOB_CODE, else /code): a gzip tar (.tgz/.tar.gz) or a directory, refusing members
   that could leave the tree (absolute or `..` names, links pointing outside, links used as
   directories), devices and fifos, and archives over a size or member-count limit. A single top
   directory becomes the working directory.
2. Picks how the requirements are declared, first match wins (see REQUIREMENT_RULES), says which,
   and installs them into a virtual environment under --work (/tmp/pyfront-job), so a read-only
   root file system is enough. Every install step's whole output goes to
   <outputs>/requirements.log when the outputs directory exists.
3. Replaces itself with COMMAND (an argument vector, no shell), so signals reach it directly and
   its exit code is the job's.

Stdlib only; runs on Python 3.11 and later. Exit codes of its own are listed below.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import os
import re
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tarfile
import tomllib
import venv
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

# The launcher's own failures; any other exit code is the command's.
EXIT_USAGE = 64
EXIT_CODE_REFUSED = 65
EXIT_REQUIREMENTS_INVALID = 66
EXIT_INSTALL_FAILED = 67
EXIT_COMMAND_NOT_EXECUTABLE = 126
EXIT_COMMAND_NOT_FOUND = 127

DEFAULT_MAX_BYTES = 1024 * 1024 * 1024
DEFAULT_MAX_MEMBERS = 100_000
# Lines of a failed install printed to stderr; the log file has all of it.
FAILED_OUTPUT_TAIL = 40
PREFIX = "pyfront-launcher"


class JobError(Exception):
    """A problem that ends the job with its own exit code and one clear message."""

    def __init__(self, exit_code: int, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.hint = hint


def say(message: str) -> None:
    # stderr: the job's stdout belongs to the user's command.
    print(f"{PREFIX}: {message}", file=sys.stderr, flush=True)


# --- unpacking -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_members: int = DEFAULT_MAX_MEMBERS


@dataclass
class Entry:
    """One file, directory or link of the code, from an archive or a directory."""

    name: str  # as the user wrote it, for messages
    kind: str  # "dir", "file", "symlink" or "hardlink"
    size: int = 0
    executable: bool = False
    link: str = ""  # a symlink's target, or a hard link's member name
    open: Callable[[], IO[bytes]] | None = None
    parts: tuple[str, ...] = ()


def refuse(message: str) -> JobError:
    return JobError(EXIT_CODE_REFUSED, f"code refused: {message}")


def safe_parts(name: str) -> tuple[str, ...]:
    """The path components of a member name, refusing anything that could leave the tree."""
    if name.startswith("/"):
        raise refuse(f"member {name!r} has an absolute path")
    parts = tuple(p for p in name.split("/") if p not in ("", "."))
    if ".." in parts:
        raise refuse(f"member {name!r} has a '..' component")
    if not parts:
        raise refuse(f"member {name!r} has an empty name")
    return parts


def symlink_stays_inside(parts: tuple[str, ...], target: str) -> bool:
    # Resolved from the link's own directory, lexically: no member lies under a link (see
    # check_entries), so the link's location is real; the created links are checked again on disk.
    if target.startswith("/"):
        return False
    depth = len(parts) - 1
    for part in target.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return False
        elif part not in ("", "."):
            depth += 1
    return True


def check_entries(entries: Iterable[Entry], limits: Limits) -> list[Entry]:
    """Every rule, before anything is written; stops reading as soon as a limit is passed."""
    checked: list[Entry] = []
    kinds: dict[tuple[str, ...], str] = {}
    total = 0
    for entry in entries:
        if len(checked) >= limits.max_members:
            raise refuse(f"more than {limits.max_members} members")
        entry.parts = safe_parts(entry.name)
        for depth in range(1, len(entry.parts)):
            if kinds.get(entry.parts[:depth]) in ("file", "symlink", "hardlink"):
                raise refuse(f"member {entry.name!r} lies under {'/'.join(entry.parts[:depth])!r}, which is not a directory")
        previous = kinds.get(entry.parts)
        if previous is not None and not (previous == "dir" and entry.kind == "dir"):
            raise refuse(f"member {entry.name!r} appears twice")
        if entry.kind == "symlink" and not symlink_stays_inside(entry.parts, entry.link):
            raise refuse(f"link {entry.name!r} points outside the code ({entry.link!r})")
        if entry.kind == "hardlink":
            target = safe_parts(entry.link)
            if kinds.get(target) != "file":
                raise refuse(f"hard link {entry.name!r} does not point to an earlier file ({entry.link!r})")
            linked = next(e for e in checked if e.parts == target)
            entry.size, entry.executable = linked.size, linked.executable
        total += entry.size
        if total > limits.max_bytes:
            raise refuse(f"more than {limits.max_bytes} bytes unpacked")
        for depth in range(1, len(entry.parts)):
            kinds.setdefault(entry.parts[:depth], "dir")  # made on the way, so no file may take it
        kinds[entry.parts] = entry.kind
        checked.append(entry)
    return checked


def archive_entries(tar: tarfile.TarFile) -> Iterator[Entry]:
    for member in tar:
        if member.isdir():
            yield Entry(member.name, "dir")
        elif member.isreg():
            yield Entry(
                member.name,
                "file",
                size=member.size,
                executable=bool(member.mode & 0o111),
                open=lambda m=member: tar.extractfile(m),  # type: ignore[misc]
            )
        elif member.issym():
            yield Entry(member.name, "symlink", link=member.linkname)
        elif member.islnk():
            yield Entry(member.name, "hardlink", link=member.linkname)
        else:
            kind = "device" if member.ischr() or member.isblk() else "fifo" if member.isfifo() else "special file"
            raise refuse(f"member {member.name!r} is a {kind}; only files, directories and links are allowed")


def directory_entries(root: Path) -> Iterator[Entry]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()  # os.walk descends in this order
        for name in dirnames + sorted(filenames):
            path = Path(dirpath, name)
            relative = path.relative_to(root).as_posix()
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                yield Entry(relative, "symlink", link=os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                yield Entry(relative, "dir")
            elif stat.S_ISREG(info.st_mode):
                yield Entry(
                    relative,
                    "file",
                    size=info.st_size,
                    executable=bool(info.st_mode & 0o111),
                    open=lambda p=path: open(p, "rb"),  # type: ignore[misc]
                )
            else:
                raise refuse(f"{relative!r} is a device, socket or fifo; only files, directories and links are allowed")


def write_entries(entries: list[Entry], dest: Path, limits: Limits) -> None:
    written = 0
    # Links last: while files are written no link exists yet, so no write can follow one.
    for entry in sorted(entries, key=lambda e: e.kind == "symlink"):
        path = dest.joinpath(*entry.parts)
        if entry.kind == "dir":
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if entry.kind == "symlink":
            os.symlink(entry.link, path)
            continue
        source = entry.open() if entry.open else open(dest.joinpath(*safe_parts(entry.link)), "rb")
        # "x": never through an existing file or link.
        with source, open(path, "xb") as out:
            while chunk := source.read(1024 * 1024):
                written += len(chunk)
                if written > limits.max_bytes:  # the headers' sizes are checked; the data is too
                    raise refuse(f"more than {limits.max_bytes} bytes unpacked")
                out.write(chunk)
        path.chmod(0o755 if entry.executable else 0o644)
    real_dest = Path(os.path.realpath(dest))
    for entry in entries:
        if entry.kind == "symlink":
            # os.path.realpath, not Path.resolve: the same answer for a loop on 3.11 and 3.13.
            resolved = Path(os.path.realpath(dest.joinpath(*entry.parts)))
            if resolved != real_dest and real_dest not in resolved.parents:
                raise refuse(f"link {entry.name!r} points outside the code ({entry.link!r})")


def unpack_code(code: Path, dest: Path, limits: Limits) -> Path:
    """Unpack `code` into the empty directory `dest`; returns the working directory."""
    try:
        if code.is_dir():
            write_entries(check_entries(directory_entries(code), limits), dest, limits)
        else:
            with tarfile.open(code, "r:gz") as tar:
                write_entries(check_entries(archive_entries(tar), limits), dest, limits)
    except JobError:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    except (tarfile.TarError, EOFError, zlib.error) as error:
        shutil.rmtree(dest, ignore_errors=True)
        raise refuse(f"{code} is not a readable gzip tar archive ({error})") from None
    except OSError as error:
        shutil.rmtree(dest, ignore_errors=True)
        raise refuse(f"cannot unpack {code}: {error}") from None
    top = list(dest.iterdir()) if dest.exists() else []
    # A packed folder: its contents are the code.
    if len(top) == 1 and top[0].is_dir() and not top[0].is_symlink():
        return top[0]
    dest.mkdir(parents=True, exist_ok=True)
    return dest


# --- requirements ----------------------------------------------------------------------------


@dataclass
class Requirements:
    method: str
    reason: str
    # One `pip install` per item, in order.
    installs: list[list[str]] = field(default_factory=list)


def invalid(file: str, message: str, hint: str | None = None) -> JobError:
    return JobError(EXIT_REQUIREMENTS_INVALID, f"{file}: {message}", hint)


def read_toml(path: Path, text: str | None = None) -> dict:
    try:
        return tomllib.loads(text if text is not None else path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise invalid(path.name, f"is not valid TOML: {error}") from None


def check_python(file: str, key: str, specifier: object) -> None:
    """Fail when the running Python is outside the declared range (pip's packaging does the maths)."""
    from pip._vendor.packaging.specifiers import InvalidSpecifier, SpecifierSet

    if not isinstance(specifier, str):
        raise invalid(file, f"{key} must be a string")
    try:
        allowed = SpecifierSet(specifier)
    except InvalidSpecifier:
        raise invalid(file, f"{key} {specifier!r} is not a version range") from None
    running = ".".join(str(n) for n in sys.version_info[:3])
    if running not in allowed:
        raise invalid(file, f"{key} {specifier!r} excludes this image's Python {running}", "use an image with a Python it allows")


def string_list(file: str, key: str, value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid(file, f"{key} must be a list of strings")
    return value


INLINE_BLOCK = re.compile(r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$")


def inline_script(workdir: Path) -> Requirements | None:
    """PEP 723: the only top-level .py file carries a `# /// script` block."""
    scripts = sorted(p for p in workdir.glob("*.py") if p.is_file())
    if len(scripts) != 1:
        return None
    script = scripts[0]
    text = script.read_text(encoding="utf-8", errors="replace")
    blocks = [m for m in INLINE_BLOCK.finditer(text) if m.group("type") == "script"]
    if not blocks:
        return None
    if len(blocks) > 1:
        raise invalid(script.name, "has more than one `# /// script` block")
    content = "".join(line[2:] if line.startswith("# ") else line[1:] for line in blocks[0].group("content").splitlines(keepends=True))
    metadata = read_toml(script, content)
    if "requires-python" in metadata:
        check_python(script.name, "requires-python", metadata["requires-python"])
    dependencies = string_list(script.name, "dependencies", metadata.get("dependencies", []))
    return Requirements(f"inline script metadata ({script.name})", "the only .py file has a `# /// script` block (PEP 723)", [dependencies] if dependencies else [])


def pyproject(workdir: Path) -> Requirements | None:
    path = workdir / "pyproject.toml"
    if not path.is_file():
        return None
    data = read_toml(path)
    project = data.get("project")
    tool = data.get("tool", {})
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    dynamic = string_list(path.name, "project.dynamic", project.get("dynamic", [])) if isinstance(project, dict) else []
    if isinstance(project, dict) and ("dependencies" in project or "dependencies" in dynamic or not poetry):
        if "requires-python" in project:
            check_python(path.name, "project.requires-python", project["requires-python"])
        if "dependencies" in dynamic:
            # Only the build backend knows them: install the project itself.
            return Requirements("pyproject.toml (PEP 621, dynamic dependencies)", "[project] declares its dependencies dynamic", [["."]])
        dependencies = string_list(path.name, "project.dependencies", project.get("dependencies", []))
        return Requirements("pyproject.toml (PEP 621)", "pyproject.toml has a [project] table", [dependencies] if dependencies else [])
    if isinstance(poetry, dict):
        return Requirements("pyproject.toml (Poetry)", "pyproject.toml has a [tool.poetry] table", poetry_installs(poetry, workdir))
    return None  # a pyproject.toml with tool settings only: look further


REQUIREMENTS_FILES = ("dev-requirements.txt", "requirements-dev.txt", "requirements.txt")


def requirements_files(workdir: Path) -> Requirements | None:
    # The original launcher's names and order; every file present is installed, in one resolve.
    present = [name for name in REQUIREMENTS_FILES if (workdir / name).is_file()]
    if not present:
        return None
    args = [arg for name in present for arg in ("-r", name)]
    return Requirements(", ".join(present), "requirements files: " + ", ".join(REQUIREMENTS_FILES), [args])


def setup_py(workdir: Path) -> Requirements | None:
    if not (workdir / "setup.py").is_file():
        return None
    return Requirements("setup.py", "setup.py is present: the project is installed with its dependencies", [["."]])


def pipfile(workdir: Path) -> Requirements | None:
    path = workdir / "Pipfile"
    if not path.is_file():
        return None
    data = read_toml(path)
    requires = table(PIPFILE, "requires", data.get("requires", {}))
    for key in ("python_full_version", "python_version"):
        if key in requires:
            version = str(requires[key])
            check_python("Pipfile", f"requires.{key}", f"=={version}" if key == "python_full_version" else f"=={version}.*")
    if data.get("source"):
        say("Pipfile [[source]] is not used: packages come from the image's index (PIP_INDEX_URL)")
    packages = table(PIPFILE, "packages", data.get("packages", {}))
    args = [arg for name, spec in packages.items() for arg in table_dependency(PIPFILE, "packages", name, spec, workdir)]
    return Requirements("Pipfile", "a Pipfile is present ([packages]; [dev-packages] are not installed)", [args] if args else [])


# First match wins; each rule returns None when it does not apply.
REQUIREMENT_RULES: tuple[tuple[str, Callable[[Path], Requirements | None]], ...] = (
    ("inline-script-metadata", inline_script),
    ("pyproject", pyproject),
    ("requirements-files", requirements_files),
    ("setup-py", setup_py),
    ("pipfile", pipfile),
)


def find_requirements(workdir: Path) -> Requirements | None:
    for _rule, detect in REQUIREMENT_RULES:
        found = detect(workdir)
        if found is not None:
            return found
    return None


# --- Poetry and Pipfile tables to pip requirements -------------------------------------------

RELEASE = re.compile(r"^[0-9]+(\.[0-9]+)*$")
VERSION = re.compile(r"^[0-9]+(\.[0-9]+)*(\.\*|[A-Za-z0-9.+!-]*)$")


def bump(version: str, at: int) -> str:
    numbers = [int(n) for n in version.split(".")]
    upper = numbers[: at + 1]
    upper[at] += 1
    upper += [0] * (len(numbers) - len(upper))
    return ">=" + version + ",<" + ".".join(str(n) for n in upper)


def poetry_constraint(constraint: str) -> str | None:
    """A Poetry constraint as a PEP 440 specifier: ^1.2 → >=1.2,<2.0; None when it has no equivalent."""
    text = constraint.strip()
    if text in ("", "*"):
        return ""
    if "||" in text:
        return None
    out = []
    for part in (p for p in re.split(r"\s*,\s*|\s+(?=[<>=!~^])", text) if p):
        if part.startswith("^") and RELEASE.match(part[1:].strip()):
            version = part[1:].strip()
            numbers = [int(n) for n in version.split(".")]
            non_zero = next((i for i, n in enumerate(numbers) if n != 0), len(numbers) - 1)
            out.append(bump(version, non_zero))
        elif part.startswith("~") and not part.startswith("~=") and RELEASE.match(part[1:].strip()):
            version = part[1:].strip()
            out.append(bump(version, 0 if "." not in version else 1))
        elif operator := re.match(r"^(~=|==|!=|<=|>=|<|>|=)\s*(.*)$", part):
            if not VERSION.match(operator.group(2)):
                return None
            out.append(("==" if operator.group(1) == "=" else operator.group(1)) + operator.group(2))
        elif VERSION.match(part):
            out.append("==" + part)
        else:
            return None
    return ",".join(out)


def pipfile_constraint(version: str) -> str | None:
    """A Pipfile version: `*`, a PEP 440 specifier, or a bare version meaning ==."""
    text = version.strip()
    if text == "*":
        return ""
    if VERSION.match(text):
        return "==" + text
    return text if re.match(r"^(~=|==|!=|<=|>=|<|>)", text) else None


# The table keys each format may use; any other fails the job rather than being dropped.
POETRY_KEYS = {"version", "extras", "markers", "optional", "git", "branch", "tag", "rev", "subdirectory", "url", "path", "develop"}
PIPFILE_KEYS = {"version", "extras", "markers", "git", "ref", "subdirectory", "path", "file", "editable"}


@dataclass(frozen=True)
class TableFormat:
    file: str
    keys: set[str]
    git_refs: tuple[str, ...]
    editable: str
    constraint: Callable[[str], str | None]


POETRY = TableFormat("pyproject.toml", POETRY_KEYS, ("rev", "tag", "branch"), "develop", poetry_constraint)
PIPFILE = TableFormat("Pipfile", PIPFILE_KEYS, ("ref",), "editable", pipfile_constraint)


def table(form: TableFormat, where: str, value: object) -> dict:
    if not isinstance(value, dict):
        raise invalid(form.file, f"{where} must be a table")
    return value


def table_dependency(form: TableFormat, where: str, name: str, spec: object, workdir: Path) -> list[str]:
    """One Poetry or Pipfile dependency as `pip install` arguments ([] when it is not installed)."""
    key = f"{where}.{name}"
    if isinstance(spec, str):
        spec = {"version": spec}
    if not isinstance(spec, dict):
        raise invalid(form.file, f"{key}: a list of constraints has no pip equivalent", "keep one constraint")
    unknown = sorted(set(spec) - form.keys)
    if unknown:
        raise invalid(form.file, f"{key}: {', '.join(unknown)} is not supported by the launcher", "use a requirements.txt for this job")
    if spec.get("optional"):
        return []  # installed only through an extra, as `poetry install` does
    extras = spec.get("extras", [])
    if not isinstance(extras, list) or not all(isinstance(e, str) for e in extras):
        raise invalid(form.file, f"{key}.extras must be a list of names")
    extra = f"[{','.join(extras)}]" if extras else ""
    markers = f" ; {spec['markers']}" if spec.get("markers") else ""
    for path_key in ("path", "file"):
        if path_key in spec:
            target = (workdir / str(spec[path_key])).resolve()
            if workdir.resolve() not in [target, *target.parents]:
                raise invalid(form.file, f"{key}.{path_key} {spec[path_key]!r} is outside the code")
            if spec.get(form.editable):
                if markers:
                    raise invalid(form.file, f"{key}: an editable path cannot have markers")
                return ["-e", str(target)]
            return [f"{name}{extra} @ {target.as_uri()}{markers}"]
    if spec.get(form.editable):
        raise invalid(form.file, f"{key}.{form.editable} is supported for a path only")
    if "git" in spec:
        ref = next((spec[k] for k in form.git_refs if k in spec), None)
        url = f"git+{spec['git']}" + (f"@{ref}" if ref else "")
        if "subdirectory" in spec:
            url += f"#subdirectory={spec['subdirectory']}"
        return [f"{name}{extra} @ {url}{markers}"]
    if "url" in spec:
        return [f"{name}{extra} @ {spec['url']}{markers}"]
    specifier = form.constraint(str(spec.get("version", "*")))
    if specifier is None:
        raise invalid(form.file, f"{key}: version {spec.get('version')!r} has no pip equivalent", 'write e.g. "^1.2", "~1.2.3" or ">=1,<2"')
    return [f"{name}{extra}{specifier}{markers}"]


def poetry_installs(poetry: dict, workdir: Path) -> list[list[str]]:
    # What `poetry install` installs: main dependencies and every non-optional group.
    tables = [("tool.poetry.dependencies", poetry.get("dependencies", {})), ("tool.poetry.dev-dependencies", poetry.get("dev-dependencies", {}))]
    for group_name, group in table(POETRY, "tool.poetry.group", poetry.get("group", {})).items():
        group = table(POETRY, f"tool.poetry.group.{group_name}", group)
        if not group.get("optional"):
            tables.append((f"tool.poetry.group.{group_name}.dependencies", group.get("dependencies", {})))
    args: list[str] = []
    for where, dependencies in tables:
        for name, spec in table(POETRY, where, dependencies).items():
            if name.lower() == "python":
                version = poetry_constraint(str(spec))
                if version is None:
                    raise invalid("pyproject.toml", f"{where}.python {spec!r} has no pip equivalent")
                if version:
                    check_python("pyproject.toml", f"{where}.python", version)
                continue
            args += table_dependency(POETRY, where, name, spec, workdir)
    return [args] if args else []


# --- installing ------------------------------------------------------------------------------


class InstallLog:
    """Every install step's output, in order, to <outputs>/requirements.log when outputs exist."""

    def __init__(self, outputs: Path) -> None:
        self.path: Path | None = None
        self.file: IO[bytes] | None = None
        if outputs.is_dir():
            try:
                self.file = open(outputs / "requirements.log", "wb")
                self.path = outputs / "requirements.log"
            except OSError as error:
                say(f"warning: cannot write {outputs / 'requirements.log'} ({error.strerror}); install output goes to stderr only")

    def write(self, data: bytes) -> None:
        if self.file:
            self.file.write(data)
            self.file.flush()

    def close(self) -> None:
        if self.file:
            self.file.close()


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


@contextlib.contextmanager
def stopped_by_signals(process: subprocess.Popen) -> Iterator[None]:
    """A stop signal during an install ends pip, whatever it started, and the job."""

    def stop(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signum)
        raise JobError(128 + signum, f"stopped by {signal.Signals(signum).name} while installing requirements")

    previous = {s: signal.signal(s, stop) for s in STOP_SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def run_logged(argv: list[str], cwd: Path, log: InstallLog) -> None:
    log.write(f"$ {shlex.join(argv)}\n".encode())
    tail: collections.deque[bytes] = collections.deque(maxlen=FAILED_OUTPUT_TAIL)
    # Its own session: a build backend pip runs is stopped with it.
    with subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True) as process:
        assert process.stdout is not None
        with stopped_by_signals(process):
            for line in process.stdout:
                log.write(line)
                tail.append(line)
    log.write(f"# exit code {process.returncode}\n\n".encode())
    if process.returncode != 0:
        sys.stderr.buffer.write(b"".join(tail))
        where = f"the whole output is in {log.path}" if log.path else "mount an /outputs directory to keep the whole output"
        raise JobError(EXIT_INSTALL_FAILED, f"installing requirements failed: `{shlex.join(argv)}` exited with {process.returncode}", where)


def install(requirements: Requirements, workdir: Path, env_dir: Path, log: InstallLog) -> None:
    # The image's own packages stay visible; the venv lives under a writable directory and its
    # pip is the image's (system site packages), so nothing is downloaded to make it.
    venv.EnvBuilder(system_site_packages=True, with_pip=False, symlinks=True).create(env_dir)
    python = str(env_dir / "bin" / "python")
    for args in requirements.installs:
        pip = [python, "-m", "pip", "install", "--no-input", "--disable-pip-version-check", "--no-cache-dir"]
        run_logged(pip + args, workdir, log)


# --- running ---------------------------------------------------------------------------------


def run_command(command: list[str], workdir: Path, env_dir: Path | None) -> None:
    """Become the user's command: same process, so signals and the exit code are its own."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if env_dir is not None:
        env["VIRTUAL_ENV"] = str(env_dir)
        env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', os.defpath)}"
    os.chdir(workdir)
    # Python ignores these; an ignored signal stays ignored across exec, so give them back.
    for ignored in (signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(ignored, signal.SIG_DFL)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvpe(command[0], command, env)
    except FileNotFoundError:
        raise JobError(EXIT_COMMAND_NOT_FOUND, f"command not found: {command[0]!r}") from None
    except OSError as error:
        raise JobError(EXIT_COMMAND_NOT_EXECUTABLE, f"cannot run {command[0]!r}: {error.strerror}") from None


def parse_arguments(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    if "--" not in argv:
        raise JobError(EXIT_USAGE, "no command: give it after `--`", "e.g. pyfront_launcher.py -- python main.py")
    split = argv.index("--")
    parser = argparse.ArgumentParser(prog="pyfront_launcher.py", exit_on_error=False)
    # PYFRONT_JOB_CODE: where a runner put the code when /code itself cannot be the archive (pyfront
    # job run copies an archive into a volume at /code, so the file is /code/<name>).
    default_code = Path(os.environ.get("PYFRONT_JOB_CODE") or "/code")
    parser.add_argument("--code", type=Path, default=default_code, help="the code: a .tgz/.tar.gz or a directory (default $PYFRONT_JOB_CODE, else /code)")
    parser.add_argument("--outputs", type=Path, default=Path("/outputs"), help="where requirements.log goes, if it exists")
    parser.add_argument("--work", type=Path, default=Path("/tmp/pyfront-job"), help="a writable directory for the code and the venv")
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES)
    parser.add_argument("--max-members", type=int, default=DEFAULT_MAX_MEMBERS)
    try:
        options = parser.parse_args(argv[:split])
    except argparse.ArgumentError as error:
        raise JobError(EXIT_USAGE, str(error)) from None
    command = argv[split + 1 :]
    if not command:
        raise JobError(EXIT_USAGE, "no command after `--`", "e.g. pyfront_launcher.py -- python main.py")
    return options, command


def main(argv: list[str]) -> int:
    try:
        options, command = parse_arguments(argv)
        workdir, env_dir = Path.cwd(), None
        if options.code.exists():
            options.work.mkdir(parents=True, exist_ok=True)
            code_dir = options.work / "code"
            if code_dir.exists():
                raise JobError(EXIT_USAGE, f"{code_dir} already exists", "give an empty --work directory")
            workdir = unpack_code(options.code, code_dir, Limits(options.max_bytes, options.max_members))
            requirements = find_requirements(workdir)
            if requirements is None:
                say("requirements: none declared")
            else:
                say(f"requirements: {requirements.method} ({requirements.reason})")
            if requirements is not None and requirements.installs:
                env_dir = options.work / "venv"
                log = InstallLog(options.outputs)
                try:
                    install(requirements, workdir, env_dir, log)
                finally:
                    log.close()
        else:
            say(f"no code at {options.code}: running the command as it is")
        run_command(command, workdir, env_dir)
        return 0  # not reached: run_command replaces this process
    except JobError as error:
        say(f"error: {error}")
        if error.hint:
            say(f"hint: {error.hint}")
        return error.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
