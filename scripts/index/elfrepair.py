"""What auditwheel repair does, for wheels made from .debs: copy the shared libraries an extension
links (beyond the allowed system ones) into <dist>.libs/ under content-hashed names, point the
extensions at them with patchelf (--replace-needed, RPATH $ORIGIN/...), and work out the symbol
versions (GLIBC_*, GLIBCXX_*, CXXABI_*, GCC_*) every ELF file needs from the system libraries.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ELF_MAGIC = b"\x7fELF"


@dataclass
class ElfInfo:
    needed: list[str] = field(default_factory=list)
    soname: str = ""
    # soname of a needed library -> version names required from it
    verneed: dict[str, set[str]] = field(default_factory=dict)
    verdef: set[str] = field(default_factory=set)


def parse_readelf(text: str) -> ElfInfo:
    info = ElfInfo()
    section = ""
    current = ""
    for line in text.splitlines():
        if line.startswith("Version needs section"):
            section = "need"
            continue
        if line.startswith("Version definition section"):
            section = "def"
            continue
        if line.startswith(("Version symbols section", "Dynamic section", "There is no")):
            section = ""
        if m := re.search(r"\(NEEDED\)\s+Shared library: \[(.+)\]", line):
            info.needed.append(m.group(1))
        elif m := re.search(r"\(SONAME\)\s+Library soname: \[(.+)\]", line):
            info.soname = m.group(1)
        elif section == "need":
            if m := re.search(r"File: (\S+)", line):
                current = m.group(1)
                info.verneed.setdefault(current, set())
            elif (m := re.search(r"Name: (\S+)", line)) and current:
                info.verneed[current].add(m.group(1))
        elif section == "def":
            if (m := re.search(r"Flags: (\S+).*Name: (\S+)", line)) and m.group(1) != "BASE":
                info.verdef.add(m.group(2))
    return info


def elf_info(path: Path) -> ElfInfo:
    out = subprocess.run(["readelf", "-d", "-V", "-W", str(path)], check=True, capture_output=True, text=True).stdout
    return parse_readelf(out)


def is_elf(data: bytes) -> bool:
    return data[:4] == ELF_MAGIC


def version_key(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", v))


def glibc_minor(infos: list[ElfInfo]) -> int:
    """The newest GLIBC_2.x any of the files needs (17 at least, the manylinux2014 floor)."""
    best = 17
    for info in infos:
        for versions in info.verneed.values():
            for v in versions:
                if m := re.fullmatch(r"GLIBC_2\.(\d+)(?:\.\d+)?", v):
                    best = max(best, int(m.group(1)))
    return best


def hashed_name(real_name: str, data: bytes) -> str:
    stem, dot, rest = real_name.partition(".so")
    return f"{stem}-{hashlib.sha256(data).hexdigest()[:8]}{dot}{rest}"


class LibraryPool:
    """Shared libraries of one suite's .debs of one architecture (the multiarch directories of
    `triplet`), found by soname (file name or symlink name)."""

    def __init__(self, triplet: str = "x86_64-linux-gnu") -> None:
        self.by_name: dict[str, tuple[str, bytes]] = {}
        self.triplet = triplet

    def add_tree(self, files: dict[str, tuple[bytes, int]], links: dict[str, str]) -> None:
        for rel, (data, _mode) in sorted(files.items()):
            if ".so" in rel and is_elf(data) and f"/{self.triplet}/" in "/" + rel:
                self.by_name.setdefault(os.path.basename(rel), (os.path.basename(rel), data))
        for rel, target in sorted(links.items()):
            resolved = os.path.normpath(os.path.join(os.path.dirname(rel), target)) if not target.startswith("/") \
                else target.lstrip("/")
            if resolved in files and is_elf(files[resolved][0]):
                self.by_name.setdefault(os.path.basename(rel), (os.path.basename(resolved), files[resolved][0]))


@dataclass
class Repaired:
    files: dict[str, tuple[bytes, int]]
    bundled: list[str]
    infos: dict[str, ElfInfo]  # wheel path -> ELF info after repair
    unresolved: list[str]


def repair(payload: dict[str, tuple[bytes, int]], dist: str, pool: LibraryPool, system: set[str]) -> Repaired:
    elfs = sorted(p for p, (d, _) in payload.items() if is_elf(d))
    libs_dir = f"{re.sub(r'[-_.]+', '_', dist).lower()}.libs"
    out = dict(payload)
    unresolved: list[str] = []
    with tempfile.TemporaryDirectory(prefix="pyfront-elf-") as tmp:
        root = Path(tmp)

        def write(rel: str, data: bytes) -> Path:
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            return path

        disk = {p: write(p, payload[p][0]) for p in elfs}
        infos = {p: elf_info(disk[p]) for p in elfs}
        inside = {os.path.basename(p) for p in elfs} | {i.soname for i in infos.values() if i.soname}
        # soname -> (hashed name, original content); walk the needs of everything that gets bundled.
        bundle: dict[str, tuple[str, bytes]] = {}
        lib_info: dict[str, ElfInfo] = {}
        todo = [n for p in elfs for n in infos[p].needed]
        while todo:
            name = todo.pop(0)
            if name in system or name in inside or name in bundle:
                continue
            if name not in pool.by_name:
                if name not in unresolved:
                    unresolved.append(name)
                continue
            real, data = pool.by_name[name]
            bundle[name] = (hashed_name(real, data), data)
            lib_info[name] = elf_info(write(f"{libs_dir}/{bundle[name][0]}", data))
            todo += lib_info[name].needed
        for name, (new, _data) in sorted(bundle.items()):
            path = root / libs_dir / new
            patch(path, [("--set-soname", new), ("--force-rpath", "--set-rpath", "$ORIGIN")] +
                  [("--replace-needed", dep, bundle[dep][0]) for dep in lib_info[name].needed if dep in bundle])
            out[f"{libs_dir}/{new}"] = (path.read_bytes(), 0o755)
        for p in elfs:
            deps = [n for n in infos[p].needed if n in bundle]
            if not deps:
                continue
            rpath = "$ORIGIN/" + os.path.relpath(libs_dir, os.path.dirname(p) or ".")
            patch(disk[p], [("--force-rpath", "--set-rpath", rpath)] +
                  [("--replace-needed", dep, bundle[dep][0]) for dep in deps])
            out[p] = (disk[p].read_bytes(), payload[p][1])
        final = {p: elf_info(root / p) for p in out if is_elf(out[p][0])}
        # What the loader will look for must now be a system library, one of the wheel's own
        # files, or a bundled copy under its new name.
        names = {os.path.basename(p) for p in final} | {i.soname for i in final.values() if i.soname}
        for p, i in final.items():
            bad = [n for n in i.needed if n not in system and n not in names and n not in unresolved]
            if bad:
                raise SystemExit(f"{dist}: {p} still needs {bad} after patchelf")
            if p.startswith(libs_dir + "/") and i.soname != os.path.basename(p):
                raise SystemExit(f"{dist}: {p} has soname {i.soname} after patchelf")
    return Repaired(out, sorted(v[0] for v in bundle.values()), {p: i for p, i in final.items() if i},
                    unresolved)


def patch(path: Path, operations: list[tuple[str, ...]]) -> None:
    """One patchelf run per operation: Debian 12's patchelf garbles strings when one run does
    several (a --set-soname next to --replace-needed left RPATH holding a library name)."""
    for op in operations:
        subprocess.run(["patchelf", *op, str(path)], check=True)


def version_shortfall(infos: dict[str, ElfInfo], system_defs: dict[str, set[str]]) -> dict[str, set[str]]:
    """Versions the files need from system libraries that the target system's copies lack."""
    missing: dict[str, set[str]] = {}
    for info in infos.values():
        for lib, versions in info.verneed.items():
            if lib in system_defs:
                lack = versions - system_defs[lib]
                if lack:
                    missing.setdefault(lib, set()).update(lack)
    return missing
