"""Dependency closure check of an index tree, per target: each ABI in packages.toml on the machine
of every architecture its suites build it for (cp311/x86_64, cp311/aarch64, cp313/x86_64, ...).

For every project version a target can install (a compatible wheel, or an sdist, whose
Requires-Python admits the target's Python), every Requires-Dist that applies without extras
(markers evaluated for that Python) must be met by some version the target can install. Then each
project must be installable as a whole on each target: a small backtracking resolver looks for a
consistent set of versions. Pure wheels that say they run on the Python running this check must
compile with it (a Requires-Python that admits too old a Python shows up here).

Gaps listed under [known_gaps] in packages.toml are reported but do not fail the check (a gap's
`targets` name an ABI, for all its machines, or one target such as "cp311/aarch64"). The
`packaging` library comes from the index's own packaging wheel. Exit status 1 on any other gap.

Usage: check_closure.py INDEX_DIR [--config packages.toml]
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
import zipfile
from dataclasses import dataclass, field
from email.parser import HeaderParser
from pathlib import Path

HERE = Path(__file__).resolve().parent


def use_index_packaging(files: Path) -> None:
    wheels = sorted(files.glob("packaging-*-py3-none-any.whl"), key=lambda p: [int(x) for x in
                                                                              re.findall(r"\d+", p.name.split("-")[1])])
    if not wheels:
        raise SystemExit("check: no packaging wheel in the index")
    sys.path.insert(0, str(wheels[-1]))


@dataclass
class Dist:
    name: str
    version: object
    filename: str
    requires_python: str
    requires: list[str]
    tags: list[tuple[str, str, str]] = field(default_factory=list)  # empty: an sdist


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def load(files: Path) -> list[Dist]:
    from packaging.version import Version

    dists = []
    for f in sorted(files.iterdir()):
        if f.name.endswith(".whl"):
            meta = (files / f"{f.name}.metadata").read_text()
            parts = f.name[:-4].split("-")
            tags = [(i, a, p) for i in parts[-3].split(".") for a in parts[-2].split(".") for p in parts[-1].split(".")]
        elif f.name.endswith(".tar.gz"):
            import tarfile

            with tarfile.open(f) as tar:
                m = next(m for m in tar.getmembers() if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO"))
                meta = tar.extractfile(m).read().decode()  # type: ignore[union-attr]
            tags = []
        else:
            continue
        h = HeaderParser().parsestr(meta)
        dists.append(Dist(normalize(h["Name"]), Version(h["Version"]), f.name, h.get("Requires-Python", "") or "",
                          h.get_all("Requires-Dist") or [], tags))
    return dists


@dataclass
class Target:
    abi: str
    python: str  # full version, e.g. 3.11.2
    glibc: int  # minor of the runs_on suite's glibc
    machine: str = "x86_64"  # platform_machine, the end of the manylinux tag

    @property
    def name(self) -> str:
        return f"{self.abi}/{self.machine}"

    def env(self) -> dict[str, str]:
        return {"python_version": ".".join(self.python.split(".")[:2]), "python_full_version": self.python,
                "implementation_name": "cpython", "implementation_version": self.python,
                "platform_python_implementation": "CPython", "platform_system": "Linux", "sys_platform": "linux",
                "os_name": "posix", "platform_machine": self.machine, "extra": ""}

    def accepts(self, d: Dist) -> bool:
        from packaging.specifiers import SpecifierSet

        if d.requires_python and not SpecifierSet(d.requires_python).contains(self.python, prereleases=True):
            return False
        if not d.tags:
            return True
        for interp, abi, plat in d.tags:
            if interp not in ("py3", "py2", self.abi) or abi not in ("none", "abi3", self.abi):
                continue
            if plat in ("any", f"linux_{self.machine}"):
                return True
            m = re.fullmatch(r"manylinux_2_(\d+)_" + re.escape(self.machine), plat)
            if m and int(m.group(1)) <= self.glibc:
                return True
        return False


def edges(d: Dist, target: Target) -> list:
    from packaging.requirements import Requirement

    out = []
    for r in d.requires:
        req = Requirement(r)
        if req.marker is None or req.marker.evaluate(target.env()):
            out.append(req)
    return out


def resolve(root: str, avail: dict[str, list[Dist]], target: Target, limit: int = 20000) -> str | None:
    """Backtracking search, newest versions first. None when a consistent set exists, else why not."""
    steps = 0
    last_failure = [f"no version of {root}"]

    def solve(pending: list, chosen: dict[str, Dist]) -> bool:
        nonlocal steps
        steps += 1
        if steps > limit:
            raise TimeoutError
        if not pending:
            return True
        req, *rest = pending
        name = normalize(req.name)
        if name in chosen:
            if req.specifier.contains(chosen[name].version, prereleases=True):
                return solve(rest, chosen)
            last_failure[0] = f"{req} conflicts with {chosen[name].filename}"
            return False
        candidates = {}
        for d in avail.get(name, []):
            if req.specifier.contains(d.version, prereleases=True):
                candidates.setdefault(d.version, d)  # one file per version is enough
        if not candidates:
            last_failure[0] = f"nothing for {req}"
            return False
        for v in sorted(candidates, reverse=True):
            d = candidates[v]
            if solve(rest + edges(d, target), {**chosen, name: d}):
                return True
        return False

    from packaging.requirements import Requirement

    try:
        return None if solve([Requirement(root)], {}) else last_failure[0]
    except TimeoutError:
        return "resolver gave up (too many steps)"


def compile_check(files: Path, dists: list[Dist], target: Target) -> list[str]:
    """Pure wheels this very Python may install must at least compile with it."""
    problems = []
    for d in dists:
        if not d.filename.endswith("-none-any.whl") or not target.accepts(d):
            continue
        with zipfile.ZipFile(files / d.filename) as zf:
            for n in zf.namelist():
                if n.endswith(".py") and "/_vendor" not in n:
                    try:
                        compile(zf.read(n), n, "exec", dont_inherit=True)
                    except SyntaxError as err:
                        problems.append(f"{d.filename}: Requires-Python {d.requires_python or '(none)'} admits "
                                        f"{target.python} but {n} does not compile with it: {err.msg}")
                        break
    return problems


def targets(cfg: dict) -> list[Target]:
    """Every ABI on the machine of each architecture a suite builds it for (amd64 when unnamed)."""
    out: dict[str, Target] = {}
    for suite in cfg["suites"].values():
        for arch in suite.get("arches", ["amd64"]):
            for abi in suite["abis"]:
                a = cfg["abis"][abi]
                t = Target(abi, a["full_version"], int(a["glibc"].split(".")[1]), cfg["arches"][arch]["machine"])
                out.setdefault(t.name, t)
    return list(out.values())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("index", type=Path)
    ap.add_argument("--config", type=Path, default=HERE / "packages.toml")
    args = ap.parse_args()
    cfg = tomllib.loads(args.config.read_text())
    files = args.index / "files"
    use_index_packaging(files)
    dists = load(files)
    gaps = cfg.get("known_gaps", {})
    failed = False
    checked_compile: set[str] = set()
    for target in targets(cfg):
        abi, a = target.abi, cfg["abis"][target.abi]

        def gap(dep: str) -> bool:
            listed = gaps.get(dep, {}).get("targets", [])
            return abi in listed or target.name in listed

        avail: dict[str, list[Dist]] = {}
        for d in dists:
            if target.accepts(d):
                avail.setdefault(d.name, []).append(d)
        missing: dict[str, list[str]] = {}
        for name in sorted(avail):
            for d in avail[name]:
                for req in edges(d, target):
                    dep = normalize(req.name)
                    if not any(req.specifier.contains(x.version, prereleases=True) for x in avail.get(dep, [])):
                        why = "not in the index" if not any(x.name == dep for x in dists) else "no version for " + target.name
                        missing.setdefault(dep, []).append(f"{d.filename} needs {req} ({why})")
        known = {dep for dep in missing if gap(dep)}
        for dep, lines in sorted(missing.items()):
            tag = "known gap" if dep in known else "MISSING"
            failed |= dep not in known
            print(f"check {target.name}: {tag}: {dep}" + (f" ({gaps[dep]['why']})" if dep in known else ""))
            for line in lines:
                print(f"    {line}")
        uninstallable = []
        for name in sorted({d.name for d in dists}):
            why = resolve(name, avail, target)
            if why:
                uninstallable.append(name)
                tag = "known gap" if gap(name) else "NOT INSTALLABLE"
                failed |= tag != "known gap"
                print(f"check {target.name}: {tag}: {name}: {why}")
        # Pure wheels are the same on every machine: compiled once per ABI.
        if sys.version_info[:2] == tuple(int(x) for x in a["python"].split(".")) and abi not in checked_compile:
            checked_compile.add(abi)
            for line in compile_check(files, dists, target):
                failed = True
                print(f"check {target.name}: BAD Requires-Python: {line}")
        print(f"check {target.name}: {len(avail)} projects installable for {target.name} "
              f"({sum(len(v) for v in avail.values())} files), {len(uninstallable)} not resolvable")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
