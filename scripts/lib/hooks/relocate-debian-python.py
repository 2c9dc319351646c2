"""Turn Debian's build of a CPython series into an official-image-like /usr/local tree.

Used only where no upstream source tarball can be had here (3.14: Debian carries it in sid, whose
source packages this machine's mirror does not serve). The .debs are unpacked into SRC; OUT gets
usr/local with the interpreter, libpython, the standard library, headers and pip's wheel for
ensurepip, and Debian's changes that a recipe could notice are undone:
  - site-packages: Debian's site.py and sysconfig use dist-packages and a posix_local scheme;
    the official images use /usr/local/lib/pythonX.Y/site-packages (the posix_prefix scheme);
  - build variables (_sysconfigdata) point at /usr; here they point at /usr/local;
  - ensurepip refuses to run for the system Python and looks for wheels in /usr/share; here it
    bootstraps pip from its own _bundled directory, as upstream's does, with upstream's pip wheel
    taken from NEAREST_SOURCE_TARBALL (Debian's pip wheel is patched to use the system CA store,
    so it fails where ca-certificates is not installed; upstream's carries certifi's);
  - the PEP 668 EXTERNALLY-MANAGED marker goes (the official images have none);
  - `site` is frozen into Debian's interpreter, so the edited site.py is read only with frozen
    modules off: the images set PYTHON_FROZEN_MODULES=off (written to OUT/image.env), and for a
    copy of /usr/local without that variable, dist-packages (where Debian's frozen site looks)
    is a link to site-packages.
Each edit checks that the text it replaces is there, so a new Debian release fails loudly.

    python3 relocate-debian-python.py SERIES SRC OUT MAX_GLIBC NEAREST_SOURCE_TARBALL

Extension modules that need a newer glibc than MAX_GLIBC (the image release's) are taken out. Each
is compiled again from NEAREST_SOURCE_TARBALL (the upstream tarball of the nearest older series)
against this series' headers, with this machine's older glibc, when that tarball has its source;
otherwise it stays out, so that importing it fails with ModuleNotFoundError, not a symbol error.
Both cases are printed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ARCH = "x86_64-linux-gnu"


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    if text.count(old) != 1:
        raise SystemExit(f"{path}: expected exactly one {old!r}")
    path.write_text(text.replace(old, new))


def glibc_needed(path: Path) -> tuple[int, ...]:
    """The highest GLIBC_x.y symbol version an ELF file requires."""
    dump = subprocess.run(["objdump", "-T", str(path)], check=True, capture_output=True, text=True).stdout
    versions = [tuple(int(p) for p in v.split(".")) for v in re.findall(r"\(GLIBC_([0-9.]+)\)", dump)]
    return max(versions, default=(0,))


def drop_too_new(local: Path, max_glibc: tuple[int, ...]) -> list[str]:
    dropped = []
    for so in sorted(local.rglob("*.so*")):
        if so.is_file() and not so.is_symlink() and glibc_needed(so) > max_glibc:
            dropped.append(str(so.relative_to(local)))
            so.unlink()
    return dropped


def rebuild_module(so: Path, local: Path, series: str, tarball: Path) -> bool:
    """Compile lib-dynload module `so` from the nearest series' Modules/NAME.c; True when done."""
    name = so.name.split(".", 1)[0]
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(tarball) as tar:
        members = [m for m in tar.getmembers() if re.match(r"^[^/]+/Modules/(clinic/)?" + re.escape(name) + r"(module)?\.c(\.h)?$", m.name)]
        sources = [m for m in members if m.name.endswith(".c") and "/clinic/" not in m.name]
        if len(sources) != 1:
            return False
        # Only regular files whose names matched above: nothing can land outside tmp.
        tar.extractall(tmp, members=[m for m in members if m.isfile()])
        source = Path(tmp) / sources[0].name
        include = local / f"include/python{series}"
        subprocess.run(
            ["gcc", "-shared", "-fPIC", "-O2", "-DPy_BUILD_CORE_MODULE", f"-I{include}", f"-I{include}/internal",
             f"-I{source.parent}", "-o", str(so), str(source)],
            check=True,
        )
    return True


def main() -> None:
    series, src, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    max_glibc = tuple(int(p) for p in sys.argv[4].split("."))
    local = out / "usr/local"
    stdlib = local / f"lib/python{series}"
    (local / "bin").mkdir(parents=True)
    (local / "include").mkdir(parents=True)
    shutil.copy2(src / f"usr/bin/python{series}", local / f"bin/python{series}")
    shutil.copytree(src / f"usr/lib/python{series}", stdlib, symlinks=True)
    for lib in sorted((src / f"usr/lib/{ARCH}").glob(f"libpython{series}.so*")):
        target = local / "lib" / lib.name
        if lib.is_symlink():
            target.symlink_to(lib.readlink())
        else:
            shutil.copy2(lib, target)
    shutil.copytree(src / f"usr/include/python{series}", local / f"include/python{series}", symlinks=True)
    # Debian's pyconfig.h only includes the multiarch one: put the real one in its place.
    shutil.copy2(src / f"usr/include/{ARCH}/python{series}/pyconfig.h", local / f"include/python{series}/pyconfig.h")
    (stdlib / "EXTERNALLY-MANAGED").unlink(missing_ok=True)
    for dist in ("dist-packages", "site-packages"):
        shutil.rmtree(stdlib / dist, ignore_errors=True)
    (stdlib / "site-packages").mkdir()
    (stdlib / "dist-packages").symlink_to("site-packages")
    (out / "image.env").write_text("PYTHON_FROZEN_MODULES=off\n")
    (stdlib / "site-packages/README.txt").write_text(
        "This directory exists so that 3rd party packages can be installed here.  Read the\n"
        "source for the site module for more details.\n"
    )

    # site.py: the prefix's lib/pythonX.Y/site-packages, as upstream's site.py has it.
    site = stdlib / "site.py"
    text = site.read_text()
    block = re.compile(
        r"(        if os\.sep == '/':\n            libdirs = \[sys\.platlibdir\]\n"
        r"            if sys\.platlibdir != \"lib\":\n                libdirs\.append\(\"lib\"\)\n)"
        r"(.*?)(\n        else:\n            sitepackages\.append\(prefix\))",
        re.S,
    )
    upstream = (
        "\n            for libdir in libdirs:\n"
        "                path = os.path.join(prefix, libdir,\n"
        "                                    f\"{implementation}{ver[0]}.{ver[1]}{abi_thread}\",\n"
        "                                    \"site-packages\")\n"
        "                sitepackages.append(path)"
    )
    text, n = block.subn(lambda m: m.group(1) + upstream.lstrip("\n") + m.group(3), text)
    if n != 1:
        raise SystemExit(f"{site}: Debian's site-packages block not found")
    site.write_text(text)

    # sysconfig: posix_prefix for the system Python, as upstream.
    sysconfig = stdlib / "sysconfig/__init__.py"
    replace_once(sysconfig, "os.environ.get('DEB_PYTHON_INSTALL_LAYOUT', 'posix_local')",
                 "os.environ.get('DEB_PYTHON_INSTALL_LAYOUT', 'posix_prefix')")
    replace_once(sysconfig, "            prefix_scheme = 'posix_local'\n", "            prefix_scheme = 'posix_prefix'\n")

    # Build variables: /usr -> /usr/local for the paths a build reads.
    for data in sorted(stdlib.glob("_sysconfigdata_*.py")):
        text = data.read_text()
        text = re.sub(r"'/usr/include", "'/usr/local/include", text)
        text = text.replace(f"'/usr/lib/{ARCH}'", "'/usr/local/lib'")
        text = text.replace(f"'/usr/lib/python{series}", f"'/usr/local/lib/python{series}")
        text = re.sub(r"'(prefix|exec_prefix|base|platbase|installed_base|installed_platbase|projectbase)': '/usr'",
                      r"'\1': '/usr/local'", text)
        text = re.sub(r"'BINDIR': '/usr/bin'", "'BINDIR': '/usr/local/bin'", text)
        text, n = re.subn(r"'WHEEL_PKG_DIR': '[^']*'", "'WHEEL_PKG_DIR': ''", text)
        if n != 1:
            raise SystemExit(f"{data}: WHEEL_PKG_DIR not found")
        data.write_text(text)

    # ensurepip: bootstrap from _bundled, for the system Python too.
    ensurepip = stdlib / "ensurepip/__init__.py"
    replace_once(ensurepip, "def _ensurepip_is_disabled_in_debian_for_system():\n",
                 "def _ensurepip_is_disabled_in_debian_for_system():\n    return\n")
    bundled = stdlib / "ensurepip/_bundled"
    bundled.mkdir(exist_ok=True)
    nearest = Path(sys.argv[5])
    with tarfile.open(nearest) as tar:
        wheels = [m for m in tar.getmembers() if m.isfile() and re.match(r"^[^/]+/Lib/ensurepip/_bundled/pip-[^/]+\.whl$", m.name)]
        if len(wheels) != 1:
            raise SystemExit(f"{nearest}: expected one bundled pip wheel")
        wheel_name = wheels[0].name.rsplit("/", 1)[1]
        (bundled / wheel_name).write_bytes(tar.extractfile(wheels[0]).read())  # type: ignore[union-attr]
    pip_version = wheel_name.split("-")[1]
    text = ensurepip.read_text()
    text, n = re.subn(r'_PIP_VERSION = "[^"]+"', f'_PIP_VERSION = "{pip_version}"', text)
    if n != 1:
        raise SystemExit(f"{ensurepip}: no _PIP_VERSION")
    ensurepip.write_text(text)

    for name, target in ((f"python{series}", None), ("python3", f"python{series}"), ("python", "python3")):
        if target:
            (local / "bin" / name).symlink_to(target)
    for dirpath in sorted(local.rglob("__pycache__"), reverse=True):
        shutil.rmtree(dirpath)
    binary = local / f"bin/python{series}"
    if glibc_needed(binary) > max_glibc:
        raise SystemExit(f"{binary.name} needs a glibc newer than {sys.argv[4]}")
    for name in drop_too_new(local, max_glibc):
        so = local / name
        if "/lib-dynload/" in name and rebuild_module(so, local, series, nearest):
            if glibc_needed(so) > max_glibc:
                raise SystemExit(f"{name}: rebuilt, but still needs a glibc newer than {sys.argv[4]}")
            print(f"rebuilt {name} from {nearest.name}: sid's needs a glibc newer than {sys.argv[4]}")
        else:
            print(f"left out {name}: it needs a glibc newer than {sys.argv[4]}")


if __name__ == "__main__":
    main()
