"""Turn Debian's bookworm build of CPython 3.11 for another architecture into a /usr/local tree like
the python:3.11 stand-in's (which is compiled from the upstream tarball, for amd64).

Used for the arm64 stand-ins: compiling CPython for arm64 here (cross, or under qemu) takes far
longer than the rest of the build. The .debs are unpacked into SRC (3.11's interpreter, libpython,
the standard library, headers, venv/ensurepip, gdbm); OUT gets usr/local, and Debian's changes that a
recipe could notice are undone with the upstream release tarball of the same version (UPSTREAM, the
one the amd64 stand-in is compiled from):
  - site.py, sysconfig.py and ensurepip/__init__.py are upstream's: Debian's use dist-packages and a
    posix_local install scheme and refuse ensurepip for the system Python; the three files differ
    from upstream's only by those changes (checked: each Debian file must carry its change);
  - the parts of the standard library Debian moves to other packages (distutils, lib2to3, idlelib,
    tkinter's Python side, ...) are upstream's, tests left out, as `make install` puts them;
  - ensurepip's _bundled holds upstream's wheels (setuptools and pip), as in the compiled build;
  - build variables (_sysconfigdata) point at /usr/local, not /usr; the real pyconfig.h replaces
    Debian's multiarch switch; the PEP 668 marker, Debian's sitecustomize link and the static
    libpython go.
`site` is frozen into Debian's libpython from Debian's site.py; 3.11 has no PYTHON_FROZEN_MODULES,
so the interpreter is replaced afterwards by a launcher that freezes upstream's site.py instead
(hooks/python-launcher.sh), linked to libpython3.11.so like the official interpreter.

    python3 relocate-debian-python311.py SERIES TRIPLET SRC OUT UPSTREAM_TARBALL
"""

from __future__ import annotations

import re
import shutil
import sys
import tarfile
from pathlib import Path

# Directories `make install` leaves out of the stand-in (cpython-build.sh deletes them too).
TEST_DIRS = {"test", "tests", "idle_test"}
# Parts of upstream's Lib/ that `make install` does not install on Linux.
NOT_INSTALLED = ("msilib/", "venv/scripts/nt/", "__phello__/ham/")


def upstream_lib(tar: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    """Members of the tarball's Lib/, by path relative to Lib/."""
    out = {}
    for member in tar.getmembers():
        parts = member.name.split("/")
        if len(parts) >= 3 and parts[1] == "Lib" and parts[2]:
            out["/".join(parts[2:])] = member
    return out


def replace_with_upstream(tar: tarfile.TarFile, lib: dict[str, tarfile.TarInfo], stdlib: Path, name: str, debian_marker: str) -> None:
    target = stdlib / name
    if debian_marker not in target.read_text():
        raise SystemExit(f"{target}: Debian's change ({debian_marker!r}) not found: a new Debian layout?")
    data = tar.extractfile(lib[name])
    if data is None:
        raise SystemExit(f"no Lib/{name} in the upstream tarball")
    target.write_bytes(data.read())


def main() -> None:
    series, triplet, src, out, upstream = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]), Path(sys.argv[5])
    local = out / "usr/local"
    stdlib = local / f"lib/python{series}"
    (local / "bin").mkdir(parents=True)
    (local / "include").mkdir(parents=True)
    shutil.copy2(src / f"usr/bin/python{series}", local / f"bin/python{series}")
    shutil.copytree(src / f"usr/lib/python{series}", stdlib, symlinks=True)
    for lib in sorted((src / f"usr/lib/{triplet}").glob(f"libpython{series}.so*")):
        target = local / "lib" / lib.name
        if lib.is_symlink():
            target.symlink_to(lib.readlink())
        else:
            shutil.copy2(lib, target)
    shutil.copytree(src / f"usr/include/python{series}", local / f"include/python{series}", symlinks=True)
    shutil.copy2(src / f"usr/include/{triplet}/python{series}/pyconfig.h", local / f"include/python{series}/pyconfig.h")
    for path in (stdlib / "EXTERNALLY-MANAGED", stdlib / "sitecustomize.py", stdlib / "_distutils_system_mod.py"):
        path.unlink(missing_ok=True)
    for static in stdlib.glob("config-*/libpython*.a"):
        static.unlink()
    shutil.rmtree(stdlib / "dist-packages", ignore_errors=True)

    with tarfile.open(upstream) as tar:
        lib = upstream_lib(tar)
        replace_with_upstream(tar, lib, stdlib, "site.py", "dist-packages")
        replace_with_upstream(tar, lib, stdlib, "sysconfig.py", "posix_local")
        replace_with_upstream(tar, lib, stdlib, "ensurepip/__init__.py", "_ensurepip_is_disabled_in_debian_for_system")
        # What Debian ships in other packages (distutils but its __init__ and version, lib2to3,
        # idlelib, tkinter's Python side, ...): upstream's files, tests left out.
        added = set()
        for name, member in sorted(lib.items()):
            dirs = name.split("/")[:-1]
            if not member.isfile() or TEST_DIRS & set(dirs) or name.startswith(NOT_INSTALLED):
                continue
            dest = stdlib / name
            if dest.exists() or dest.is_symlink():
                continue
            added.add(name.split("/", 1)[0])
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(tar.extractfile(member).read())  # type: ignore[union-attr]
            dest.chmod(0o644)
        added -= {"ensurepip"}
        print("from the upstream tarball: site.py sysconfig.py ensurepip/__init__.py; files missing in " + " ".join(sorted(added)))
        bundled = stdlib / "ensurepip/_bundled"
        shutil.rmtree(bundled, ignore_errors=True)
        bundled.mkdir()
        wheels = [n for n in lib if re.match(r"^ensurepip/_bundled/[^/]+\.whl$", n)]
        if not wheels:
            raise SystemExit(f"{upstream}: no bundled wheels")
        for name in wheels:
            (bundled / name.rsplit("/", 1)[1]).write_bytes(tar.extractfile(lib[name]).read())  # type: ignore[union-attr]
    (stdlib / "site-packages").mkdir(exist_ok=True)
    (stdlib / "site-packages/README.txt").write_text(
        "This directory exists so that 3rd party packages can be installed here.  Read the\n"
        "source for the site module for more details.\n"
    )

    # Build variables: /usr -> /usr/local for the paths a build reads.
    for data in sorted(stdlib.glob("_sysconfigdata_*.py")):
        text = data.read_text()
        text = re.sub(r"'/usr/include", "'/usr/local/include", text)
        text = text.replace(f"'/usr/lib/{triplet}'", "'/usr/local/lib'")
        text = text.replace(f"'/usr/lib/python{series}", f"'/usr/local/lib/python{series}")
        text = re.sub(r"'(prefix|exec_prefix|base|platbase|installed_base|installed_platbase|projectbase)': '/usr'",
                      r"'\1': '/usr/local'", text)
        text = re.sub(r"'BINDIR': '/usr/bin'", "'BINDIR': '/usr/local/bin'", text)
        text, n = re.subn(r"'WHEEL_PKG_DIR': '[^']*'", "'WHEEL_PKG_DIR': ''", text)
        if n != 1:
            raise SystemExit(f"{data}: WHEEL_PKG_DIR not found")
        data.write_text(text)

    # Tests and test modules, which the compiled stand-in leaves out (--disable-test-modules, and
    # cpython-build.sh deletes the test directories): Debian ships a part of Lib/test and them.
    for dirpath in sorted((p for p in stdlib.rglob("*") if p.is_dir() and p.name in TEST_DIRS), reverse=True):
        shutil.rmtree(dirpath, ignore_errors=True)
    for module in stdlib.glob("lib-dynload/*.so"):
        if re.match(r"^(_test|_ctypes_test|_xxtestfuzz|xxlimited|_xxsubinterpreters)", module.name):
            module.unlink()

    # pkg-config files, pointed at /usr/local: the variables as upstream's (the compiled stand-in's)
    # have them, no multiarch include directory.
    (local / "lib/pkgconfig").mkdir()
    header = "# See: man pkg-config\nprefix=/usr/local\nexec_prefix=${prefix}\nlibdir=${exec_prefix}/lib\nincludedir=${prefix}/include\n"
    for pc in sorted((src / f"usr/lib/{triplet}/pkgconfig").glob(f"python-{series}*.pc")):
        text = pc.read_text()
        head, sep, body = text.partition("\n\n")
        if not sep or "prefix=/usr\n" not in head:
            raise SystemExit(f"{pc}: not the layout expected")
        body = body.replace(f" -I${{includedir}}/{triplet}/python{series}", "")
        (local / "lib/pkgconfig" / pc.name).write_text(header + "\n" + body)
    for link, target in (("python3.pc", f"python-{series}.pc"), ("python3-embed.pc", f"python-{series}-embed.pc")):
        if not (local / "lib/pkgconfig" / target).exists():
            raise SystemExit(f"no {target} in libpython{series}-dev")
        (local / "lib/pkgconfig" / link).symlink_to(target)

    # The scripts `make install` adds (Tools/scripts), pointed at this interpreter, and the
    # unversioned names the official images add.
    with tarfile.open(upstream) as tar:
        for script, name in (("2to3", f"2to3-{series}"), ("idle3", f"idle{series}"), ("pydoc3", f"pydoc{series}")):
            member = next(m for m in tar.getmembers() if m.name.endswith(f"/Tools/scripts/{script}") and m.name.count("/") == 3)
            text = tar.extractfile(member).read().decode()  # type: ignore[union-attr]
            text = re.sub(r"^#!.*", f"#!/usr/local/bin/python{series}", text, count=1)
            (local / "bin" / name).write_text(text)
            (local / "bin" / name).chmod(0o755)
    for name, target in (("python3", f"python{series}"), ("python", "python3"), ("pydoc3", f"pydoc{series}"),
                         ("pydoc", "pydoc3"), ("2to3", f"2to3-{series}"), ("idle3", f"idle{series}"), ("idle", "idle3")):
        (local / "bin" / name).symlink_to(target)
    for dirpath in sorted(local.rglob("__pycache__"), reverse=True):
        shutil.rmtree(dirpath)


if __name__ == "__main__":
    main()
