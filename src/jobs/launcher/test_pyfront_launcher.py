"""Unit tests of pyfront_launcher.py (stdlib unittest; run in the exec-python images, offline).

    python -m unittest discover -s src/jobs/launcher -v
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import time
import unittest
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pyfront_launcher as launcher  # noqa: E402

LAUNCHER = Path(__file__).resolve().parent / "pyfront_launcher.py"


def member(name: str, kind: bytes = tarfile.REGTYPE, data: bytes = b"", link: str = "", mode: int = 0o644) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.mode = mode
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, data


def make_tgz(path: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return path


def make_wheel(directory: Path, name: str = "demo", version: str = "1.0") -> Path:
    """A minimal pure wheel, so installs are tested with no index at all."""
    wheel = directory / f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": "VALUE = 'from the wheel'\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{n},,\n" for n in [*files, f"{info}/RECORD"])
    with zipfile.ZipFile(wheel, "w") as archive:
        for n, text in files.items():
            archive.writestr(n, text)
    return wheel


class TempDirTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())
        self.addCleanup(subprocess.run, ["rm", "-rf", str(self.tmp)])

    def unpack(self, members: list[tuple[tarfile.TarInfo, bytes]], limits: launcher.Limits = launcher.Limits()) -> Path:
        return launcher.unpack_code(make_tgz(self.tmp / "code.tgz", members), self.tmp / "out" / "code", limits)

    def assertRefused(self, members: list[tuple[tarfile.TarInfo, bytes]], fragment: str, limits: launcher.Limits = launcher.Limits()) -> None:
        with self.assertRaises(launcher.JobError) as caught:
            self.unpack(members, limits)
        self.assertEqual(caught.exception.exit_code, launcher.EXIT_CODE_REFUSED)
        self.assertIn(fragment, str(caught.exception))
        self.assertFalse((self.tmp / "out" / "code").exists(), "a refused archive leaves nothing behind")
        self.assertLessEqual({p.name for p in self.tmp.iterdir()}, {"code.tgz", "out"}, "nothing lands outside")


class UnpackTest(TempDirTest):
    def test_single_top_directory_becomes_the_working_directory(self) -> None:
        workdir = self.unpack([member("proj", tarfile.DIRTYPE), member("proj/main.py", data=b"print(1)\n"), member("proj/run.sh", data=b"#!/bin/sh\n", mode=0o755)])
        self.assertEqual(workdir, self.tmp / "out" / "code" / "proj")
        self.assertEqual((workdir / "main.py").read_text(), "print(1)\n")
        self.assertTrue(os.access(workdir / "run.sh", os.X_OK))
        self.assertFalse(os.access(workdir / "main.py", os.X_OK))

    def test_flat_archive_is_the_working_directory(self) -> None:
        workdir = self.unpack([member("./main.py", data=b"x"), member("./lib/util.py", data=b"y")])
        self.assertEqual(workdir, self.tmp / "out" / "code")
        self.assertEqual((workdir / "lib" / "util.py").read_text(), "y")

    def test_dot_dot_member_is_refused(self) -> None:
        self.assertRefused([member("main.py", data=b"x"), member("../evil.py", data=b"x")], "'..' component")

    def test_dot_dot_inside_a_name_is_refused(self) -> None:
        self.assertRefused([member("a/../../evil.py", data=b"x")], "'..' component")

    def test_absolute_member_is_refused(self) -> None:
        self.assertRefused([member("/tmp/evil.py", data=b"x")], "absolute path")

    def test_absolute_symlink_is_refused(self) -> None:
        self.assertRefused([member("passwd", tarfile.SYMTYPE, link="/etc/passwd")], "points outside")

    def test_symlink_climbing_out_is_refused(self) -> None:
        self.assertRefused([member("a", tarfile.DIRTYPE), member("a/up", tarfile.SYMTYPE, link="../../x")], "points outside")

    def test_symlink_escaping_through_another_symlink_is_refused(self) -> None:
        # Lexically up/../y stays inside; on disk up is the root, so it is the root's parent's y.
        self.assertRefused([member("up", tarfile.SYMTYPE, link="."), member("x", tarfile.SYMTYPE, link="up/../y")], "points outside")

    def test_member_under_a_symlink_is_refused(self) -> None:
        self.assertRefused([member("sub", tarfile.DIRTYPE), member("l", tarfile.SYMTYPE, link="sub"), member("l/x.py", data=b"x")], "which is not a directory")

    def test_symlink_inside_the_tree_is_kept(self) -> None:
        workdir = self.unpack([member("data.txt", data=b"hello"), member("alias.txt", tarfile.SYMTYPE, link="data.txt")])
        self.assertTrue((workdir / "alias.txt").is_symlink())
        self.assertEqual((workdir / "alias.txt").read_text(), "hello")

    def test_hard_link_to_an_earlier_file_is_copied(self) -> None:
        workdir = self.unpack([member("a.txt", data=b"same"), member("b.txt", tarfile.LNKTYPE, link="a.txt")])
        self.assertEqual((workdir / "b.txt").read_text(), "same")

    def test_hard_link_keeps_the_execute_bit(self) -> None:
        workdir = self.unpack([member("run", data=b"#!/bin/sh\n", mode=0o755), member("again", tarfile.LNKTYPE, link="run")])
        self.assertTrue(os.access(workdir / "again", os.X_OK))

    def test_link_loop_inside_the_tree_is_harmless_and_kept(self) -> None:
        workdir = self.unpack([member("main.py", data=b"x"), member("a", tarfile.SYMTYPE, link="b"), member("b", tarfile.SYMTYPE, link="a")])
        self.assertEqual(os.readlink(workdir / "a"), "b")
        with self.assertRaises(OSError):
            (workdir / "a").read_bytes()

    def test_file_over_an_implicit_directory_is_refused(self) -> None:
        self.assertRefused([member("a/b.py", data=b"x"), member("a", data=b"x")], "appears twice")

    def test_truncated_archive_is_refused(self) -> None:
        whole = make_tgz(self.tmp / "whole.tgz", [member(f"f{i}", data=os.urandom(4096)) for i in range(8)]).read_bytes()
        (self.tmp / "whole.tgz").unlink()
        (self.tmp / "code.tgz").write_bytes(whole[: len(whole) // 2])
        with self.assertRaises(launcher.JobError) as caught:
            launcher.unpack_code(self.tmp / "code.tgz", self.tmp / "out" / "code", launcher.Limits())
        self.assertIn("is not a readable gzip tar archive", str(caught.exception))
        self.assertFalse((self.tmp / "out" / "code").exists())

    def test_hard_link_out_of_the_tree_is_refused(self) -> None:
        self.assertRefused([member("b.txt", tarfile.LNKTYPE, link="../../etc/passwd")], "'..' component")

    def test_hard_link_to_a_missing_file_is_refused(self) -> None:
        self.assertRefused([member("b.txt", tarfile.LNKTYPE, link="etc/passwd")], "does not point to an earlier file")

    def test_device_is_refused(self) -> None:
        self.assertRefused([member("null", tarfile.CHRTYPE)], "is a device")

    def test_fifo_is_refused(self) -> None:
        self.assertRefused([member("pipe", tarfile.FIFOTYPE)], "is a fifo")

    def test_duplicate_member_is_refused(self) -> None:
        self.assertRefused([member("a.py", data=b"1"), member("a.py", data=b"2")], "appears twice")

    def test_size_limit(self) -> None:
        self.assertRefused([member("a", data=b"x" * 600), member("b", data=b"x" * 600)], "more than 1000 bytes", launcher.Limits(max_bytes=1000))

    def test_member_count_limit(self) -> None:
        self.assertRefused([member(f"f{i}", data=b"") for i in range(4)], "more than 3 members", launcher.Limits(max_members=3))

    def test_not_an_archive_is_refused(self) -> None:
        (self.tmp / "code.tgz").write_text("not gzip")
        with self.assertRaises(launcher.JobError) as caught:
            launcher.unpack_code(self.tmp / "code.tgz", self.tmp / "out" / "code", launcher.Limits())
        self.assertEqual(caught.exception.exit_code, launcher.EXIT_CODE_REFUSED)
        self.assertIn("not a readable gzip tar archive", str(caught.exception))
        self.assertFalse((self.tmp / "out" / "code").exists())

    def test_directory_code_is_copied(self) -> None:
        source = self.tmp / "src"
        (source / "pkg").mkdir(parents=True)
        (source / "main.py").write_text("print(2)\n")
        (source / "pkg" / "m.py").write_text("")
        os.symlink("main.py", source / "alias.py")
        workdir = launcher.unpack_code(source, self.tmp / "out" / "code", launcher.Limits())
        self.assertEqual(sorted(p.name for p in workdir.iterdir()), ["alias.py", "main.py", "pkg"])
        self.assertEqual((workdir / "alias.py").read_text(), "print(2)\n")

    def test_directory_with_a_link_out_is_refused(self) -> None:
        source = self.tmp / "src"
        source.mkdir()
        os.symlink("/etc", source / "etc")
        with self.assertRaises(launcher.JobError) as caught:
            launcher.unpack_code(source, self.tmp / "out" / "code", launcher.Limits())
        self.assertIn("points outside", str(caught.exception))


class RequirementsTest(TempDirTest):
    def write(self, files: dict[str, str]) -> Path:
        for name, text in files.items():
            (self.tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (self.tmp / name).write_text(textwrap.dedent(text))
        return self.tmp

    def find(self, files: dict[str, str]) -> launcher.Requirements | None:
        return launcher.find_requirements(self.write(files))

    def assertInvalid(self, files: dict[str, str], fragment: str) -> None:
        with self.assertRaises(launcher.JobError) as caught:
            self.find(files)
        self.assertEqual(caught.exception.exit_code, launcher.EXIT_REQUIREMENTS_INVALID)
        self.assertIn(fragment, str(caught.exception))

    SCRIPT = """\
        # /// script
        # requires-python = ">=3.8"
        # dependencies = ["requests<3", "rich"]
        # ///
        print("hi")
        """

    def test_inline_script_metadata_in_the_only_file(self) -> None:
        found = self.find({"job.py": self.SCRIPT, "requirements.txt": "flask\n"})
        assert found is not None
        self.assertEqual(found.method, "inline script metadata (job.py)")
        self.assertEqual(found.installs, [["requests<3", "rich"]])

    def test_inline_metadata_is_not_read_when_there_are_several_files(self) -> None:
        found = self.find({"job.py": self.SCRIPT, "util.py": "", "requirements.txt": "flask\n"})
        assert found is not None
        self.assertEqual(found.method, "requirements.txt")

    def test_inline_requires_python_is_checked(self) -> None:
        self.assertInvalid({"job.py": '# /// script\n# requires-python = "<3"\n# ///\n'}, "excludes this image's Python")

    def test_pep621_dependencies(self) -> None:
        found = self.find({"pyproject.toml": '[project]\nname = "j"\ndependencies = ["click>=8"]\n', "requirements.txt": "flask\n"})
        assert found is not None
        self.assertEqual(found.method, "pyproject.toml (PEP 621)")
        self.assertEqual(found.installs, [["click>=8"]])

    def test_pep621_dynamic_dependencies_install_the_project(self) -> None:
        found = self.find({"pyproject.toml": '[project]\nname = "j"\ndynamic = ["dependencies"]\n'})
        assert found is not None
        self.assertEqual(found.installs, [["."]])

    def test_pep621_requires_python_is_checked(self) -> None:
        self.assertInvalid({"pyproject.toml": '[project]\nname = "j"\nrequires-python = ">=4"\n'}, "project.requires-python")

    def test_invalid_toml_names_the_file_and_place(self) -> None:
        self.assertInvalid({"pyproject.toml": "[project\n"}, "pyproject.toml: is not valid TOML")

    def test_poetry_dependencies_and_groups(self) -> None:
        found = self.find(
            {
                "pyproject.toml": """\
                [tool.poetry]
                name = "j"
                [tool.poetry.dependencies]
                python = ">=3.8"
                requests = "^2.31"
                click = {version = "~8.1", extras = ["x"]}
                rich = {version = "*", optional = true}
                [tool.poetry.group.test.dependencies]
                pytest = "7.4.0"
                [tool.poetry.group.docs]
                optional = true
                [tool.poetry.group.docs.dependencies]
                sphinx = "*"
                """
            }
        )
        assert found is not None
        self.assertEqual(found.method, "pyproject.toml (Poetry)")
        self.assertEqual(found.installs, [["requests>=2.31,<3.0", "click[x]>=8.1,<8.2", "pytest==7.4.0"]])

    def test_poetry_path_git_and_develop(self) -> None:
        found = self.find(
            {
                "pyproject.toml": """\
                [tool.poetry.dependencies]
                lib = {path = "libs/lib", develop = true}
                tool = {path = "libs/tool", markers = "sys_platform == 'linux'"}
                remote = {git = "https://example.org/r.git", tag = "v1", extras = ["a"]}
                """,
                "libs/lib/x": "",
                "libs/tool/x": "",
            }
        )
        assert found is not None
        root = self.tmp.resolve()
        self.assertEqual(
            found.installs,
            [["-e", str(root / "libs/lib"), f"tool @ {(root / 'libs/tool').as_uri()} ; sys_platform == 'linux'", "remote[a] @ git+https://example.org/r.git@v1"]],
        )

    def test_malformed_tables_are_errors_not_crashes(self) -> None:
        cases = {
            '[tool.poetry.dependencies]\nx = ["1", "2"]\n': "a list of constraints",
            '[tool.poetry.dependencies]\nx = {version = "1", extras = "a"}\n': "extras must be a list",
            '[tool.poetry]\ngroup = 3\n': "tool.poetry.group must be a table",
            '[tool.poetry.dependencies]\nx = {git = "g", develop = true}\n': "develop is supported for a path only",
            '[project]\nname = "j"\ndynamic = "dependencies"\n': "project.dynamic must be a list",
            '[project]\nname = "j"\nrequires-python = 3\n': "project.requires-python must be a string",
        }
        for text, fragment in cases.items():
            with self.subTest(text=text):
                self.assertInvalid({"pyproject.toml": text}, fragment)

    def test_poetry_unsupported_key_is_an_error(self) -> None:
        self.assertInvalid({"pyproject.toml": '[tool.poetry.dependencies]\nx = {version = "1", source = "private"}\n'}, "source is not supported")

    def test_poetry_constraints(self) -> None:
        cases = {
            "^1.2.3": ">=1.2.3,<2.0.0",
            "^0.2.3": ">=0.2.3,<0.3.0",
            "^0.0.3": ">=0.0.3,<0.0.4",
            "^0": ">=0,<1",
            "~1.2.3": ">=1.2.3,<1.3.0",
            "~1": ">=1,<2",
            ">=1,<2": ">=1,<2",
            ">=1 <2": ">=1,<2",
            "1.2.*": "==1.2.*",
            "=1.0": "==1.0",
            "*": "",
            "1.0 || 2.0": None,
            "latest": None,
        }
        for constraint, expected in cases.items():
            with self.subTest(constraint=constraint):
                self.assertEqual(launcher.poetry_constraint(constraint), expected)

    def test_tool_only_pyproject_falls_through(self) -> None:
        found = self.find({"pyproject.toml": "[tool.black]\nline-length = 100\n", "requirements.txt": "flask\n"})
        assert found is not None
        self.assertEqual(found.method, "requirements.txt")

    def test_requirements_files_in_the_original_order(self) -> None:
        found = self.find({"requirements.txt": "a\n", "requirements-dev.txt": "b\n", "dev-requirements.txt": "c\n"})
        assert found is not None
        self.assertEqual(found.installs, [["-r", "dev-requirements.txt", "-r", "requirements-dev.txt", "-r", "requirements.txt"]])

    def test_setup_py(self) -> None:
        found = self.find({"setup.py": "from setuptools import setup\nsetup()\n", "Pipfile": ""})
        assert found is not None
        self.assertEqual((found.method, found.installs), ("setup.py", [["."]]))

    def test_pipfile_packages(self) -> None:
        found = self.find(
            {
                "Pipfile": """\
                [[source]]
                url = "https://pypi.org/simple"
                name = "pypi"
                [packages]
                flask = "*"
                requests = "==2.31.0"
                click = {version = ">=8", extras = ["a"]}
                [dev-packages]
                pytest = "*"
                """
            }
        )
        assert found is not None
        self.assertEqual(found.method, "Pipfile")
        self.assertEqual(found.installs, [["flask", "requests==2.31.0", "click[a]>=8"]])

    def test_pipfile_index_is_an_error(self) -> None:
        self.assertInvalid({"Pipfile": '[packages]\nx = {version = "*", index = "private"}\n'}, "index is not supported")

    def test_pipfile_path_outside_the_code_is_an_error(self) -> None:
        self.assertInvalid({"Pipfile": '[packages]\nx = {path = "../x"}\n'}, "outside the code")

    def test_nothing_declared(self) -> None:
        self.assertIsNone(self.find({"main.py": "", "other.py": ""}))


class LauncherProcessTest(TempDirTest):
    """The launcher as the images run it: a process, offline (pip gets a local wheel)."""

    def launch(self, code: Path | None, command: list[str], **env: str) -> subprocess.CompletedProcess[str]:
        args = [sys.executable, str(LAUNCHER), "--code", str(code or self.tmp / "absent"), "--outputs", str(self.tmp / "outputs"), "--work", str(self.tmp / "work"), "--", *command]
        environment = dict(os.environ, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(self.tmp / "wheels"), **env)
        return subprocess.run(args, capture_output=True, text=True, env=environment, timeout=300)

    def setUp(self) -> None:
        super().setUp()
        (self.tmp / "wheels").mkdir()
        (self.tmp / "outputs").mkdir()
        make_wheel(self.tmp / "wheels")

    def code(self, files: dict[str, str]) -> Path:
        return make_tgz(self.tmp / "code.tgz", [member(f"job/{n}", data=t.encode()) for n, t in files.items()])

    def test_installs_and_runs_with_the_exit_code(self) -> None:
        code = self.code({"requirements.txt": "demo==1.0\n", "main.py": "import demo, sys\nprint(demo.VALUE)\nsys.exit(3)\n"})
        result = self.launch(code, ["python", "main.py"])
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertEqual(result.stdout, "from the wheel\n")
        self.assertIn("requirements: requirements.txt", result.stderr)
        log = (self.tmp / "outputs" / "requirements.log").read_text()
        self.assertIn("pip install --no-input --disable-pip-version-check --no-cache-dir -r requirements.txt", log)
        self.assertIn("Successfully installed demo-1.0", log)
        self.assertIn("# exit code 0", log)

    def test_failed_install_ends_the_job_with_its_log(self) -> None:
        code = self.code({"requirements.txt": "no-such-project==9\n", "main.py": "print('never')\n"})
        result = self.launch(code, ["python", "main.py"])
        self.assertEqual(result.returncode, launcher.EXIT_INSTALL_FAILED)
        self.assertEqual(result.stdout, "")
        self.assertIn("installing requirements failed", result.stderr)
        self.assertIn(str(self.tmp / "outputs" / "requirements.log"), result.stderr)
        log = (self.tmp / "outputs" / "requirements.log").read_text()
        self.assertIn("no-such-project", log)
        self.assertRegex(log, r"# exit code [1-9]")

    def test_command_is_an_argument_vector(self) -> None:
        result = self.launch(self.code({"main.py": ""}), ["python", "-c", "import sys; print(sys.argv[1:])", "$HOME; echo hi", "*"])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, "['$HOME; echo hi', '*']\n")

    def test_command_runs_unbuffered_in_the_working_directory(self) -> None:
        result = self.launch(self.code({"main.py": "import os\nprint(os.environ['PYTHONUNBUFFERED'], os.path.basename(os.getcwd()))\n"}), ["python", "main.py"])
        self.assertEqual(result.stdout, "1 job\n", result.stderr)

    def test_unknown_command_exits_127(self) -> None:
        result = self.launch(self.code({"main.py": ""}), ["no-such-command-here"])
        self.assertEqual(result.returncode, launcher.EXIT_COMMAND_NOT_FOUND)
        self.assertIn("command not found", result.stderr)

    def test_no_command_is_a_usage_error(self) -> None:
        result = subprocess.run([sys.executable, str(LAUNCHER), "--code", "/nonexistent"], capture_output=True, text=True)
        self.assertEqual(result.returncode, launcher.EXIT_USAGE)
        self.assertIn("give it after `--`", result.stderr)

    def test_refused_archive_exit_code(self) -> None:
        code = make_tgz(self.tmp / "code.tgz", [member("../evil.py", data=b"x")])
        result = self.launch(code, ["python", "-c", "print('never')"])
        self.assertEqual(result.returncode, launcher.EXIT_CODE_REFUSED)
        self.assertIn("code refused: member '../evil.py'", result.stderr)
        self.assertFalse((self.tmp / "evil.py").exists())

    def test_code_path_from_the_environment(self) -> None:
        code = self.code({"main.py": "import os\nprint(os.path.basename(os.getcwd()))\n"})
        args = [sys.executable, str(LAUNCHER), "--outputs", str(self.tmp / "outputs"), "--work", str(self.tmp / "work"), "--", "python", "main.py"]
        result = subprocess.run(args, capture_output=True, text=True, env=dict(os.environ, PYFRONT_JOB_CODE=str(code)), timeout=60)
        self.assertEqual((result.returncode, result.stdout), (0, "job\n"), result.stderr)

    def test_without_code_the_command_still_runs(self) -> None:
        result = self.launch(None, ["python", "-c", "print('plain')"])
        self.assertEqual((result.returncode, result.stdout), (0, "plain\n"), result.stderr)
        self.assertIn("no code at", result.stderr)

    def test_command_does_not_inherit_ignored_signals(self) -> None:
        # Python ignores SIGPIPE; a command exec'd with it ignored would not die on a closed pipe.
        result = self.launch(None, ["cat", "/proc/self/status"])
        ignored = int(next(line for line in result.stdout.splitlines() if line.startswith("SigIgn:")).split()[1], 16)
        self.assertEqual(ignored & (1 << (signal.SIGPIPE - 1)), 0)
        self.assertEqual(ignored & (1 << (signal.SIGXFSZ - 1)), 0)

    def test_a_stop_signal_during_the_install_ends_it(self) -> None:
        backend = "import os, pathlib, time\ndef get_requires_for_build_wheel(config_settings=None):\n    pathlib.Path(os.environ['MARKER']).write_text(str(os.getpid()))\n    time.sleep(60)\n    return []\n"
        pyproject = '[build-system]\nrequires = []\nbuild-backend = "slow_backend"\nbackend-path = ["."]\n[project]\nname = "slow"\nversion = "0"\ndynamic = ["dependencies"]\n'
        code = self.code({"pyproject.toml": pyproject, "slow_backend.py": backend})
        marker = self.tmp / "backend.pid"
        args = [sys.executable, str(LAUNCHER), "--code", str(code), "--outputs", str(self.tmp / "outputs"), "--work", str(self.tmp / "work"), "--", "python", "-c", "print('never')"]
        env = dict(os.environ, PIP_NO_INDEX="1", MARKER=str(marker))
        with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) as process:
            deadline = time.monotonic() + 120
            while not (marker.exists() and marker.read_text()) and time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.2)
            self.assertTrue(marker.exists(), "the build backend started")
            process.send_signal(signal.SIGTERM)
            self.assertEqual(process.wait(timeout=20), 128 + signal.SIGTERM)
            _, stderr = process.communicate()
        self.assertIn("stopped by SIGTERM while installing requirements", stderr)
        self.assertIn("--no-cache-dir .\n", (self.tmp / "outputs" / "requirements.log").read_text())
        backend_pid = int(marker.read_text())
        time.sleep(1)
        try:
            state = Path(f"/proc/{backend_pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            state = "gone"
        self.assertIn(state, ("gone", "Z", "X"), "the backend pip ran was stopped too")

    def test_signals_reach_the_command(self) -> None:
        script = "import signal, sys, time\nsignal.signal(signal.SIGTERM, lambda *_: sys.exit(42))\nprint('ready', flush=True)\ntime.sleep(60)\n"
        args = [sys.executable, str(LAUNCHER), "--code", str(self.code({"main.py": script})), "--work", str(self.tmp / "work"), "--", "python", "main.py"]
        with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
            assert process.stdout is not None
            self.assertEqual(process.stdout.readline(), "ready\n")
            process.send_signal(signal.SIGTERM)
            started = time.monotonic()
            self.assertEqual(process.wait(timeout=20), 42)
            self.assertLess(time.monotonic() - started, 10)


if __name__ == "__main__":
    unittest.main()
