"""Build the local PEP 503 "simple" index tree.

What goes in is data, in packages.toml. Wheels are repackaged from Debian's python3-* .debs (their
dist-packages tree plus the metadata, egg-info converted to dist-info faithfully: Requires-Dist,
Provides-Extra, Requires-Python, entry points). A .deb built for several CPythons becomes one wheel
per ABI, each with only its own extension modules; the shared libraries those link beyond the
system ones are bundled into <dist>.libs/ as auditwheel does, taken from the same suite's .debs.
A suite may name several Debian architectures (`arches`): each gives its compiled wheels
(manylinux_2_N_<machine>) from its own .debs; pure wheels come from the first. A compiled wheel
is published only when every symbol version it needs from libc/libstdc++/libgcc exists on the
suite its ABI runs on, in the same architecture. Debian's orig tarballs give upstream sdists; our
own packages under src/ become an sdist (yamlfast) and pure wheels (pfhello). A closure check of every
project's requirements per target ends the build. Same inputs give the same bytes.

Usage: build_index.py --out DIR --debs CACHE_DIR [--src DIR] [--config packages.toml]
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import functools
import gzip
import hashlib
import html
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import zipfile
from email.parser import HeaderParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import debfetch  # noqa: E402
import elfrepair  # noqa: E402

DIST_PACKAGES = "usr/lib/python3/dist-packages/"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
SDIST_MTIME = 1_700_000_000
# dist-info files that describe an installation, not a distribution.
INSTALL_ONLY = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json", "WHEEL"}
EGG_INFO_DROP = {"PKG-INFO", "requires.txt", "SOURCES.txt", "dependency_links.txt", "not-zip-safe", "zip-safe",
                 "installed-files.txt"}
DEFAULT_ARCH = "amd64"  # a suite's architectures when packages.toml names none

Files = dict[str, tuple[bytes, int]]
# A suite's lists and .debs of one Debian architecture: (suite, arch).
View = tuple[str, str]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_name_part(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


# --- .deb contents -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def deb_tree(deb: Path) -> tuple[Files, dict[str, str]]:
    """All regular files (path -> (content, mode)) and symlinks (path -> target) of a .deb."""
    raw = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], check=True, capture_output=True).stdout
    files: Files = {}
    links: dict[str, str] = {}
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        for member in tar.getmembers():
            name = member.name.removeprefix("./")
            if member.isfile():
                files[name] = (tar.extractfile(member).read(), member.mode)  # type: ignore[union-attr]
            elif member.issym():
                links[name] = member.linkname
    return files, links


def resolve_link(rel: str, target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else os.path.normpath(os.path.join(os.path.dirname(rel), target))


def outside_files(target: str, rule: dict, deb: Path) -> dict[str, tuple[bytes, int]]:
    """What an absolute symlink to `target` stands for, from the .deb the rule names: {suffix: file}."""
    files, links = deb_tree(deb)
    if "concat" in rule:
        base = rule["concat"].strip("/") + "/"
        parts = [files[p][0] for p in sorted(files) if p.startswith(base)]
        return {"": (b"".join(d if d.endswith(b"\n") else d + b"\n" for d in parts), 0o644)}
    base = rule["path"].strip("/")
    want = target.strip("/")
    out: dict[str, tuple[bytes, int]] = {}
    for p in sorted(set(files) | set(links)):
        if p != want and not p.startswith(want + "/"):
            continue
        real = p
        for _ in range(8):
            if real in links:
                real = resolve_link(real, links[real])
        if real in files and (real == base or real.startswith(base + "/")):
            out[p[len(want):].lstrip("/")] = (files[real][0], 0o644)
    return out


def dist_files(debs: list[Path], outside: dict, outside_debs: dict[str, Path]) -> Files:
    """dist-packages of the given .debs merged, symlinks resolved (inside the tree or via `outside`)."""
    files: Files = {}
    links: dict[str, str] = {}
    for deb in debs:
        tree, tree_links = deb_tree(deb)
        for name, v in tree.items():
            if name.startswith(DIST_PACKAGES) and "__pycache__/" not in name and not name.endswith(".pyc"):
                files[name[len(DIST_PACKAGES):]] = v
        for name, target in tree_links.items():
            if name.startswith(DIST_PACKAGES):
                links[name[len(DIST_PACKAGES):]] = target
    for rel, target in sorted(links.items()):
        if target.startswith("/"):
            rule = next((k for k in outside if target == k or target.startswith(k + "/")), None)
            if rule is None or outside[rule]["deb"] not in outside_debs:
                log(f"warning: {debs[0].name}: {rel} -> {target} has no source; left out")
                continue
            for suffix, v in outside_files(target, outside[rule], outside_debs[outside[rule]["deb"]]).items():
                files[f"{rel}/{suffix}" if suffix else rel] = v
        else:
            resolved = resolve_link(rel, target)
            if resolved in files:
                files[rel] = files[resolved]
            else:
                for p in [p for p in files if p.startswith(resolved + "/")]:
                    files[rel + p[len(resolved):]] = files[p]
    return files


# --- metadata -------------------------------------------------------------------------------------


def requires_from_egg_info(text: str) -> tuple[list[str], list[str]]:
    """requires.txt sections -> (Requires-Dist values, extras)."""
    requires: list[str] = []
    extras: list[str] = []
    extra = ""
    marker = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            extra, _, marker = line[1:-1].partition(":")
            if extra and extra not in extras:
                extras.append(extra)
            continue
        conditions = []
        if marker:
            conditions.append(f"({marker})" if extra else marker)
        if extra:
            conditions.append(f'extra == "{extra}"')
        requires.append(line + ("; " + " and ".join(conditions) if conditions else ""))
    return requires, extras


def add_headers(metadata: str, headers: list[tuple[str, str]]) -> str:
    head, sep, body = metadata.partition("\n\n")
    extra = "".join(f"\n{k}: {v}" for k, v in headers)
    # Requires-Dist and Provides-Extra are metadata 2.1 fields.
    head = re.sub(r"^Metadata-Version: (1\.\d|2\.0)$", "Metadata-Version: 2.1", head, flags=re.M)
    return head.rstrip("\n") + extra + "\n" + (sep[1:] + body if sep else "")


def metadata_tops(files: Files) -> list[str]:
    return sorted({p.split("/", 1)[0] for p in files if p.split("/", 1)[0].endswith((".dist-info", ".egg-info"))})


def convert_metadata(files: Files) -> tuple[str, str, dict[str, bytes], set[str]]:
    """The one top-level dist-info/egg-info -> (name, version, dist-info files, consumed paths)."""
    tops = metadata_tops(files)
    if len(tops) != 1:
        raise SystemExit(f"expected one metadata directory, found {tops}")
    top = tops[0]
    consumed = {p for p in files if p.split("/", 1)[0] == top}
    if top in files:  # an egg-info file (distutils): PKG-INFO only
        consumed = {top}
        files = {f"{top}/PKG-INFO": files[top]}

    def get(n: str) -> str:
        return files.get(f"{top}/{n}", (b"", 0))[0].decode()

    out: dict[str, bytes] = {}
    if top.endswith(".dist-info"):
        metadata = get("METADATA")
        for p in sorted(consumed):
            rel = p.split("/", 1)[1]
            if rel not in INSTALL_ONLY and rel != "METADATA":
                out[rel] = files[p][0]
    else:
        metadata = get("PKG-INFO")
        if get("requires.txt"):
            # An egg-info's requirements are requires.txt (what importlib.metadata reads); the
            # Requires-Dist/Provides-Extra lines of its PKG-INFO, when there are any, may be partial.
            head, sep, body = metadata.partition("\n\n")
            head = "\n".join(l for l in head.split("\n") if not l.startswith(("Requires-Dist:", "Provides-Extra:")))
            requires, extras = requires_from_egg_info(get("requires.txt"))
            metadata = add_headers(
                head + sep + body, [("Provides-Extra", e) for e in extras] + [("Requires-Dist", r) for r in requires]
            )
        for p in sorted(consumed):
            rel = p.split("/", 1)[1] if "/" in p else ""
            if rel and rel not in EGG_INFO_DROP:
                out[rel] = files[p][0]
    parsed = HeaderParser().parsestr(metadata)
    out["METADATA"] = metadata.encode()
    return parsed["Name"], parsed["Version"], out, consumed


def split_distributions(files: Files, split: dict[str, list[str]]) -> list[Files]:
    """One .deb holding several distributions -> one file set per distribution."""
    if not split:
        return [files]
    parts: list[Files] = []
    rest = dict(files)
    for dist, paths in sorted(split.items()):
        mine_top = [t for t in metadata_tops(files) if normalize(re.split(r"-\d", t, maxsplit=1)[0]) == normalize(dist)]
        keep = set(paths) | set(mine_top)
        part = {p: v for p, v in files.items() if p.split("/", 1)[0] in keep}
        if part:
            parts.append(part)
            for p in part:
                rest.pop(p, None)
    return parts + ([rest] if metadata_tops(rest) else [])


# --- wheels ---------------------------------------------------------------------------------------


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def write_wheel(out_dir: Path, name: str, version: str, tag: str, files: Files, dist_info: dict[str, bytes]) -> Path:
    info = f"{wheel_name_part(name)}-{version}.dist-info"
    pure = tag.endswith("-none-any")
    dist_info = dict(dist_info)
    dist_info["WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: pyfront-index\nRoot-Is-Purelib: {'true' if pure else 'false'}\nTag: {tag}\n"
    ).encode()
    entries = [(p, d, m) for p, (d, m) in sorted(files.items())]
    entries += [(f"{info}/{n}", d, 0o644) for n, d in sorted(dist_info.items())]
    record = "".join(f"{p},{record_hash(d)},{len(d)}\n" for p, d, _ in entries) + f"{info}/RECORD,,\n"
    entries.append((f"{info}/RECORD", record.encode(), 0o644))
    path = out_dir / f"{wheel_name_part(name)}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for p, d, mode in entries:
            zi = zipfile.ZipInfo(p, ZIP_DATE)
            zi.external_attr = ((mode & 0o777) | 0o100000) << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(zi, d)
    (out_dir / f"{path.name}.metadata").write_bytes(dist_info["METADATA"])
    return path


def manylinux_tag(abi: str, glibc_minor: int, machine: str) -> str:
    """The wheel tag of a compiled wheel: `abi` on glibc 2.<glibc_minor> or newer, on `machine`."""
    return f"{abi}-{abi}-manylinux_2_{glibc_minor}_{machine}"


def split_by_abi(payload: Files, triplet: str = "x86_64-linux-gnu") -> tuple[Files, dict[str, Files]]:
    """(files every wheel gets, {abi: that ABI's extension modules for the multiarch `triplet`})."""
    so_abi = re.compile(r"\.cpython-(3\d+)-" + re.escape(triplet) + r"\.so$")
    common: Files = {}
    per_abi: dict[str, Files] = {}
    for p, v in payload.items():
        m = so_abi.search(p)
        if m:
            per_abi.setdefault(f"cp{m.group(1)}", {})[p] = v
        else:
            common[p] = v
    return common, per_abi


class Build:
    def __init__(self, cfg: dict, out: Path, cache: Path, mirror: str) -> None:
        self.cfg = cfg
        self.out = out
        self.files_dir = out / "files"
        self.cache = cache
        self.mirror = mirror
        self.suites: dict[View, debfetch.Suite] = {}
        self.debs: dict[View, dict[str, Path]] = {}  # (suite, arch) -> package -> .deb
        self.sdist_files: dict[str, list[Path]] = {}
        self.report: dict = {"wheels": {}, "rejected": [], "dropped_abis": [], "missing_debs": {}, "sdists": {}}
        self.system = set(cfg["system_libs"])
        # .deb name -> distribution, for reading Depends as requirements: from the metadata of the
        # .debs themselves (see dist_names), python3-foo -> foo as the fallback.
        self.deb_dist_names: dict[str, str] = {}
        self.report["requires_from_depends"] = []

    def arches(self, suite: str) -> list[str]:
        """A suite's architectures, the first one giving the pure wheels, sdists and generated files."""
        return self.cfg["suites"].get(suite, {}).get("arches", [DEFAULT_ARCH])

    def primary(self, view: View) -> bool:
        return view[1] == self.arches(view[0])[0]

    @staticmethod
    def label(view: View) -> str:
        """How reports name a view: the suite alone for amd64, else suite/arch."""
        return view[0] if view[1] == DEFAULT_ARCH else f"{view[0]}/{view[1]}"

    def triplet(self, arch: str) -> str:
        return self.cfg["arches"][arch]["triplet"]

    def wheel_views(self) -> list[View]:
        """Views that give wheels: every suite's first architecture, then the other ones."""
        suites = self.cfg["suites"]
        return [(s, self.arches(s)[0]) for s in suites] + [(s, a) for s in suites for a in self.arches(s)[1:]]

    def views(self) -> list[View]:
        """Views whose lists are read: the wheel views and, per ABI, its runs_on suite in the
        architectures of the suites building it (their system libraries are the ceiling)."""
        out = self.wheel_views()
        for view in self.wheel_views():
            for abi in self.cfg["suites"][view[0]]["abis"]:
                out.append((self.cfg["abis"][abi]["runs_on"], view[1]))
        return list(dict.fromkeys(out))

    # Which .debs a suite needs: the listed ones, their group members, the libraries their compiled
    # parts link, the outside-file sources and (for suites ABIs run on) the system libraries.
    def plan(self) -> tuple[list[tuple[str, Path, str, int]], list[tuple[str, Path, str, int]]]:
        cfg = self.cfg
        runs_on = {a["runs_on"] for a in cfg["abis"].values()}
        jobs = []
        source_jobs = []
        for view, suite in self.suites.items():
            name = view[0]
            want: set[str] = set()
            missing = []
            for deb in cfg["debs"]:
                if deb in suite.packages:
                    want.add(deb)
                    want.update(m for m in cfg["groups"].get(deb, []) if m in suite.packages)
                else:
                    missing.append(deb)
            self.report["missing_debs"][self.label(view)] = missing
            compiled = [d for d in want if suite.packages[d]["Architecture"] != "all"]
            want.update(debfetch.library_closure(suite, compiled))
            want.update(r["deb"] for r in cfg["outside"].values())
            if "tzdata" in cfg.get("generated", {}):
                want.add("tzdata")
            if name in runs_on or name in cfg["suites"]:
                want.update(cfg["system_libs"].values())
            self.debs[view] = {}
            for pkg in sorted(want):
                rec = suite.packages[pkg]
                # One directory per suite: .deb file names carry the architecture, and an
                # Architecture: all .deb is the same file for every architecture.
                dest = self.cache / name / os.path.basename(rec["Filename"])
                self.debs[view][pkg] = dest
                jobs.append((rec["Filename"], dest, rec["SHA256"], int(rec["Size"])))
            for sd in cfg.get("sdists", []):
                if name in sd["suites"] and self.primary(view):
                    directory, files = debfetch.source_files(suite, sd["source"])
                    for fname, sha, size in files:
                        if ".orig.tar." in fname:
                            dest = self.cache / name / fname
                            self.sdist_files.setdefault(name, []).append(dest)
                            source_jobs.append((f"{directory}/{fname}", dest, sha, size))
        for name, _arch in self.suites:
            (self.cache / name).mkdir(parents=True, exist_ok=True)
        return jobs, source_jobs

    def fetch(self) -> None:
        views = self.views()
        want_src = {s for sd in self.cfg.get("sdists", []) for s in sd["suites"]}
        with concurrent.futures.ThreadPoolExecutor(len(views)) as pool:
            futures = {v: pool.submit(debfetch.update, v[0], self.mirror, self.cache,
                                      v[0] in want_src and self.primary(v), v[1]) for v in views}
            self.suites = {v: f.result() for v, f in futures.items()}
        jobs, source_jobs = self.plan()
        jobs = list({j[1]: j for j in jobs}.values())  # an Architecture: all .deb of two views: one file
        t = time.monotonic()
        debfetch.fetch(self.mirror, jobs)
        for failure in debfetch.fetch(self.mirror, source_jobs, optional=True):
            self.report["sdists"][failure.rsplit("/", 1)[1].split(":")[0]] = "not in the archive: " + failure
        size = sum(j[3] for j in jobs + source_jobs)
        log(f"index: {len(jobs)} Debian files ({size / 1e6:.0f} MB) in place after {time.monotonic() - t:.1f}s")

    @functools.cached_property
    def system_defs(self) -> dict[View, dict[str, set[str]]]:
        """(suite, arch) -> system soname -> version names its copy defines."""
        out: dict[View, dict[str, set[str]]] = {}
        for view in sorted(self.suites):
            out[view] = {}
            for soname, pkg in sorted(self.cfg["system_libs"].items()):
                pool = elfrepair.LibraryPool(self.triplet(view[1]))
                pool.add_tree(*deb_tree(self.debs[view][pkg]))
                if soname not in pool.by_name:
                    continue
                path = self.cache / f"elf-{view[0]}-{view[1]}-{soname}"
                path.write_bytes(pool.by_name[soname][1])
                out[view][soname] = elfrepair.elf_info(path).verdef
                path.unlink()
        return out

    def dist_names(self) -> None:
        """Which distribution each listed .deb holds (its metadata's Name), over all suites."""
        for debs in self.debs.values():
            for pkg in self.cfg["debs"]:
                if pkg in debs and pkg not in self.deb_dist_names:
                    tree = deb_tree(debs[pkg])[0]
                    tops = metadata_tops({p[len(DIST_PACKAGES):]: v for p, v in tree.items() if p.startswith(DIST_PACKAGES)})
                    if len(tops) >= 1 and not self.cfg.get("splits", {}).get(pkg):
                        self.deb_dist_names[pkg] = normalize(re.split(r"-\d", tops[0], maxsplit=1)[0])
        for group, members in self.cfg["groups"].items():
            for m in members:
                if group in self.deb_dist_names:
                    self.deb_dist_names[m] = self.deb_dist_names[group]

    def library_pool(self, view: View) -> elfrepair.LibraryPool:
        pool = elfrepair.LibraryPool(self.triplet(view[1]))
        for pkg, deb in sorted(self.debs[view].items()):
            if pkg.startswith("lib") and pkg not in self.cfg["system_libs"].values():
                pool.add_tree(*deb_tree(deb))
        return pool

    def suite_wheels(self, view: View) -> list[Path]:
        """The wheels of a suite's .debs in one architecture; past the suite's first architecture
        only compiled ones (pure wheels are the same files in every architecture)."""
        cfg = self.cfg
        debs = self.debs[view]
        members = {m for ms in cfg["groups"].values() for m in ms}
        outside_debs = {r["deb"]: debs[r["deb"]] for r in cfg["outside"].values() if r["deb"] in debs}
        pool = self.library_pool(view)
        made = []
        for pkg in sorted(p for p in cfg["debs"] if p in debs and p not in members):
            group = [pkg] + [m for m in cfg["groups"].get(pkg, []) if m in debs]
            if not self.primary(view) and all(self.suites[view].packages[p]["Architecture"] == "all" for p in group):
                continue
            parts = [debs[pkg]] + [debs[m] for m in cfg["groups"].get(pkg, []) if m in debs]
            files = dist_files(parts, cfg["outside"], outside_debs)
            if not metadata_tops(files):  # a transitional package in this suite
                self.report["missing_debs"][self.label(view)].append(f"{pkg} (no Python metadata: transitional)")
                continue
            for dist_set in split_distributions(files, cfg.get("splits", {}).get(pkg, {})):
                made += self.deb_wheels(view, pkg, dist_set, pool)
        return made

    def deb_wheels(self, view: View, pkg: str, files: Files, pool: elfrepair.LibraryPool) -> list[Path]:
        suite, arch = view
        at = self.label(view)
        name, version, dist_info, consumed = convert_metadata(files)
        restore = self.cfg.get("restore", {})
        fix = restore.get(f"{normalize(name)} {version}") or restore.get(normalize(name))
        if fix:  # requirements Debian's metadata dropped, as upstream declares them
            dist_info["METADATA"] = add_headers(dist_info["METADATA"].decode(),
                                                [("Requires-Dist", r) for r in fix["requires"]]).encode()
        added = self.requires_from_depends(view, pkg, normalize(name), dist_info["METADATA"].decode())
        if added:
            dist_info["METADATA"] = add_headers(dist_info["METADATA"].decode(),
                                                [("Requires-Dist", r) for r in added]).encode()
        payload = {p: v for p, v in files.items() if p not in consumed}
        payload = undo_debian(payload, self.cfg.get("undo_debian", {}).get(normalize(name), []), f"{at}/{pkg}")
        common, per_abi = split_by_abi(payload, self.triplet(arch))
        if not per_abi:
            if any(elfrepair.is_elf(d) for d, _ in common.values()):
                raise SystemExit(f"{at}/{pkg}: ELF files but no CPython extension; not handled")
            if not self.primary(view):
                return []
            path = self.files_dir / f"{wheel_name_part(name)}-{version}-py3-none-any.whl"
            if path.exists():  # the same pure release from an older suite: that one stays
                return []
            self.report["wheels"][path.name] = {"suite": suite, "deb": pkg}
            return [write_wheel(self.files_dir, name, version, "py3-none-any", common, dist_info)]
        wanted = self.cfg["suites"][suite]["abis"]
        for abi in sorted(set(per_abi) - set(wanted)):
            self.report["dropped_abis"].append(f"{at}/{pkg}: {abi} ({len(per_abi[abi])} extension modules)")
        made = []
        for abi in [a for a in wanted if a in per_abi]:
            runs_on = self.cfg["abis"][abi]["runs_on"]
            fixed = elfrepair.repair({**common, **per_abi[abi]}, name, pool, self.system)
            where = f"{at}/{pkg} {name} {version} {abi}"
            if fixed.unresolved:
                self.report["rejected"].append(f"{where}: needs {', '.join(fixed.unresolved)}, found in no .deb")
                continue
            short = elfrepair.version_shortfall(fixed.infos, self.system_defs[(runs_on, arch)])
            if short:
                lacks = "; ".join(f"{lib}: {' '.join(sorted(v, key=elfrepair.version_key))}"
                                  for lib, v in sorted(short.items()))
                self.report["rejected"].append(
                    f"{where}: needs symbol versions {runs_on} lacks ({lacks}); {self.libstdcxx_verdict(view, runs_on, short)}")
                continue
            machine = self.cfg["arches"][arch]["machine"]
            tag = manylinux_tag(abi, elfrepair.glibc_minor(list(fixed.infos.values())), machine)
            path = write_wheel(self.files_dir, name, version, tag, fixed.files, dist_info)
            self.report["wheels"][path.name] = {"suite": at, "deb": pkg, "bundled": fixed.bundled}
            made.append(path)
        return made

    def requires_from_depends(self, view: View, pkg: str, dist: str, metadata: str) -> list[str]:
        """Debian often strips install_requires from the metadata and states them as .deb Depends
        only. Each python3-* Depends whose distribution the metadata never names (not even in an
        extra), unless packages.toml says it is Debian's own addition, becomes a Requires-Dist."""
        named = requires_names(metadata, extras=True)
        if pkg in self.cfg.get("splits", {}):  # whose Depends they are is unknown
            return []
        ignore = set(self.cfg.get("depends_not_requirements", {}).get(dist, []))
        members = {m for ms in self.cfg["groups"].values() for m in ms}
        added = []
        for alts in debfetch.dependency_names(self.suites[view].packages[pkg]):
            dep = self.deb_dist_names.get(alts[0])
            if dep and dep != dist and alts[0] not in members and dep not in named and dep not in ignore \
                    and "*" not in ignore and dep not in added:
                added.append(dep)
        if added:
            self.report["requires_from_depends"].append(f"{self.label(view)}/{pkg} ({dist}): {', '.join(added)}")
        return added

    def libstdcxx_verdict(self, view: View, runs_on: str, short: dict[str, set[str]]) -> str:
        """Would shipping the build suite's libstdc++ (auditwheel never does) make the wheel run?"""
        suite, arch = view
        if set(short) - {"libstdc++.so.6", "libgcc_s.so.1"}:
            return "bundling libstdc++ would not help (glibc too old)"
        pool = elfrepair.LibraryPool(self.triplet(arch))
        pool.add_tree(*deb_tree(self.debs[view][self.cfg["system_libs"]["libstdc++.so.6"]]))
        path = self.cache / f"elf-{suite}-{arch}-libstdcxx"
        path.write_bytes(pool.by_name["libstdc++.so.6"][1])
        info = elfrepair.elf_info(path)
        path.unlink()
        own = elfrepair.version_shortfall({"libstdc++": info}, self.system_defs[(runs_on, arch)])
        if own:
            return f"bundling {suite}'s libstdc++ would not help (it needs {own})"
        return f"bundling {suite}'s libstdc++.so.6 would fix it"

    def generated_tzdata(self) -> list[Path]:
        made = []
        for suite in self.cfg["generated"]["tzdata"]["suites"]:
            view = (suite, self.arches(suite)[0])
            rec = self.suites[view].packages["tzdata"]
            iana = re.match(r"(\d{4})([a-z])", rec["Version"])
            if not iana:
                raise SystemExit(f"tzdata version {rec['Version']} is not YYYYx")
            version = f"{iana.group(1)}.{ord(iana.group(2)) - ord('a') + 1}"
            path = self.files_dir / f"tzdata-{version}-py2.py3-none-any.whl"
            if path.exists():
                continue
            made.append(write_wheel(self.files_dir, "tzdata", version, "py2.py3-none-any",
                                    tzdata_files(self.debs[view]["tzdata"], iana.group(0), version),
                                    {"METADATA": tzdata_metadata(version).encode()}))
            self.report["wheels"][path.name] = {"suite": suite, "deb": "tzdata", "generated": True}
        return made

    def sdists(self) -> list[Path]:
        made = []
        for suite, tarballs in sorted(self.sdist_files.items()):
            for orig in tarballs:
                if not orig.exists():
                    continue
                source, _, rest = orig.name.partition("_")
                version = rest.split(".orig.tar.")[0]
                if re.search(r"[+~](dfsg|ds|repack)", version):
                    self.report["sdists"][orig.name] = "repacked by Debian: not upstream's sdist; left out"
                    continue
                dest = self.files_dir / f"{source}-{version}.tar.gz"
                how = sdist_from_orig(orig, dest, f"{source}-{version}")
                self.report["sdists"][dest.name] = f"{suite}: Debian's {orig.name}, {how}"
                made.append(dest)
        return made


def sdist_from_orig(orig: Path, dest: Path, base: str) -> str:
    """Debian's orig tarball as an sdist. When it is upstream's sdist (PKG-INFO at the top) the bytes
    are kept; a tarball of upstream's tree (a git tag) gets the PKG-INFO that setuptools' egg_info
    writes for it, repacked deterministically (sorted, owner root, gzip without a time stamp)."""
    with tarfile.open(orig) as tar:
        members = [m for m in tar.getmembers() if m.isfile() or m.issym()]
        tops = {m.name.split("/", 1)[0] for m in members}
        if tops != {base}:
            raise SystemExit(f"{orig.name}: expected one top directory {base}, found {sorted(tops)[:3]}")
        if any(m.name == f"{base}/PKG-INFO" for m in members):
            dest.write_bytes(orig.read_bytes())
            return "upstream's sdist as is"
        with tempfile.TemporaryDirectory(prefix="pyfront-sdist-") as tmp:
            tar.extractall(tmp)  # checked against the signed Sources list
            egg = Path(tmp) / "egg"
            egg.mkdir()
            subprocess.run([sys.executable, "setup.py", "-q", "egg_info", "-e", str(egg)], cwd=Path(tmp) / base,
                           check=True, capture_output=True)
            pkg_info = next(egg.glob("*.egg-info/PKG-INFO")).read_bytes()
        data = {m.name: (m, tar.extractfile(m).read() if m.isfile() else b"") for m in members}  # type: ignore[union-attr]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as out:
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        info.size, info.mtime, info.mode = len(pkg_info), SDIST_MTIME, 0o644
        entries = [(info, pkg_info)] + [(m, d) for _n, (m, d) in sorted(data.items())]
        for m, d in sorted(entries, key=lambda e: e[0].name):
            m.uid = m.gid = 0
            m.uname = m.gname = ""
            out.addfile(m, io.BytesIO(d) if m.isfile() else None)
    with open(dest, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0, filename="") as gz:
        gz.write(buf.getvalue())
    return "a tarball of upstream's tree, so PKG-INFO added from setuptools egg_info"


def undo_debian(files: Files, edits: list[dict], where: str) -> Files:
    """Apply packages.toml's undo_debian edits; a file that lacks its `old` text fails the build
    unless the file itself is absent (older versions may not have it)."""
    out = dict(files)
    for edit in edits:
        if edit["file"] not in out:
            continue
        data, mode = out[edit["file"]]
        text = data.decode()
        if edit["old"] not in text:
            raise SystemExit(f"{where}: {edit['file']} lacks the Debian change undo_debian expects")
        out[edit["file"]] = (text.replace(edit["old"], edit["new"]).encode(), mode)
    return out


def requires_names(metadata: str, extras: bool = False) -> set[str]:
    """Distributions a metadata file requires (markers ignored), without extras unless asked."""
    out = set()
    for r in HeaderParser().parsestr(metadata).get_all("Requires-Dist") or []:
        if extras or ("extra ==" not in r and "extra==" not in r):
            out.add(normalize(re.split(r"[\s;\[<>=!~(]", r.strip(), maxsplit=1)[0]))
    return out


def tzdata_files(deb: Path, iana: str, version: str) -> Files:
    """PyPI tzdata's layout from Debian's /usr/share/zoneinfo: every directory a package, so
    importlib.resources finds the TZif files; `zones` lists them."""
    files, links = deb_tree(deb)
    base = "usr/share/zoneinfo/"
    zones: dict[str, bytes] = {}
    extra: dict[str, bytes] = {}
    for p in sorted(set(files) | set(links)):
        if not p.startswith(base):
            continue
        rel = p[len(base):]
        if rel.split("/", 1)[0] in ("posix", "right") or rel in ("localtime", "posixrules"):
            continue
        real = p
        for _ in range(8):
            if real in links:
                real = resolve_link(real, links[real])
        if real not in files:
            continue
        data = files[real][0]
        if data[:4] == b"TZif":
            zones[rel] = data
        elif "/" not in rel and (rel.endswith(".tab") or rel == "tzdata.zi"):
            extra[rel] = data
    init = f'# IANA {iana}, from Debian\'s tzdata package.\n__version__ = "{version}"\nIANA_VERSION = "{iana}"\n'
    out: Files = {
        "tzdata/__init__.py": (init.encode(), 0o644),
        "tzdata/zones": (("\n".join(sorted(zones)) + "\n").encode(), 0o644),
        "tzdata/zoneinfo/__init__.py": (b"", 0o644),
    }
    for rel, data in {**zones, **extra}.items():
        out[f"tzdata/zoneinfo/{rel}"] = (data, 0o644)
        parts = rel.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            out.setdefault(f"tzdata/zoneinfo/{'/'.join(parts[:i])}/__init__.py", (b"", 0o644))
    return out


def tzdata_metadata(version: str) -> str:
    return ("Metadata-Version: 2.1\nName: tzdata\nVersion: " + version + "\n"
            "Summary: Provider of IANA time zone data (built from Debian's tzdata package)\n"
            "License: Apache-2.0\nRequires-Python: >=2\n")


# --- our own packages -----------------------------------------------------------------------------


def own_metadata(name: str, version: str, summary: str, requires_python: str, requires: list[str]) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}", f"Summary: {summary}",
             f"Requires-Python: {requires_python}"]
    lines += [f"Requires-Dist: {r}" for r in requires]
    return "\n".join(lines) + "\n"


def build_pure_wheels(src: Path, out_dir: Path) -> list[Path]:
    """src/pure/<name>/package.json describes a pure package: versions, summary, requires."""
    made = []
    for spec_path in sorted((src / "pure").glob("*/package.json")):
        spec = json.loads(spec_path.read_text())
        root = spec_path.parent
        code = {str(p.relative_to(root)): (p.read_bytes(), 0o644) for p in sorted(root.rglob("*.py"))}
        for version in spec["versions"]:
            files = {p: (d.replace(b"@VERSION@", version.encode()), m) for p, (d, m) in code.items()}
            meta = own_metadata(spec["name"], version, spec["summary"], spec["requires_python"], spec["requires"])
            made.append(write_wheel(out_dir, spec["name"], version, "py3-none-any", files,
                                    {"METADATA": meta.encode()}))
    return made


def build_sdists(src: Path, out_dir: Path) -> list[Path]:
    """src/sdist/<name>/ is a setuptools project; PKG-INFO is written from its package.json."""
    made = []
    for spec_path in sorted((src / "sdist").glob("*/package.json")):
        spec = json.loads(spec_path.read_text())
        root = spec_path.parent
        base = f"{spec['name']}-{spec['version']}"
        meta = own_metadata(spec["name"], spec["version"], spec["summary"], spec["requires_python"], spec["requires"])
        members = [(f"{base}/PKG-INFO", meta.encode())]
        for p in sorted(root.rglob("*")):
            if p.is_file() and p.name != "package.json":
                members.append((f"{base}/{p.relative_to(root)}", p.read_bytes()))
        path = out_dir / f"{base}.tar.gz"
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for name, data in sorted(members):
                ti = tarfile.TarInfo(name)
                ti.size, ti.mtime, ti.mode = len(data), SDIST_MTIME, 0o644
                tar.addfile(ti, io.BytesIO(data))
        with open(path, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0, filename="") as gz:
            gz.write(buf.getvalue())
        made.append(path)
    return made


# --- pages ----------------------------------------------------------------------------------------


def file_project(path: Path) -> tuple[str, str]:
    """(normalized project, version) from a wheel or sdist file name."""
    stem = path.name.removesuffix(".tar.gz").removesuffix(".whl")
    if path.name.endswith(".tar.gz"):
        name, _, version = stem.rpartition("-")
        return normalize(name), version
    parts = stem.split("-")
    return normalize(parts[0]), parts[1]


def core_metadata(path: Path) -> bytes:
    if path.name.endswith(".whl"):
        return (path.parent / f"{path.name}.metadata").read_bytes()
    with tarfile.open(path) as tar:
        pkg_info = next(m for m in tar.getmembers() if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO"))
        return tar.extractfile(pkg_info).read()  # type: ignore[union-attr]


def write_pages(out: Path, files: list[Path]) -> None:
    projects: dict[str, list[Path]] = {}
    for f in files:
        projects.setdefault(file_project(f)[0], []).append(f)
    simple = out / "simple"
    simple.mkdir(parents=True, exist_ok=True)
    head = '<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.0"><title>{}</title></head><body>\n'
    with open(simple / "index.html", "w") as fh:
        fh.write(head.format("Simple index"))
        for name in sorted(projects):
            fh.write(f'<a href="{name}/">{name}</a><br>\n')
        fh.write("</body></html>\n")
    summary: dict[str, list[str]] = {}
    for name, plist in sorted(projects.items()):
        (simple / name).mkdir(exist_ok=True)
        with open(simple / name / "index.html", "w") as fh:
            fh.write(head.format(f"Links for {name}"))
            for f in sorted(plist, key=lambda p: p.name):
                digest = hashlib.sha256(f.read_bytes()).hexdigest()
                meta = core_metadata(f)
                rp = HeaderParser().parsestr(meta.decode()).get("Requires-Python", "") or ""
                attr = f' data-requires-python="{html.escape(rp)}"' if rp else ""
                # The <wheel>.metadata files are not announced (PEP 658): bookworm's pip 23.0.1
                # rejects them ("inconsistent Name" when the file name is normalized).
                fh.write(f'<a href="../../files/{f.name}#sha256={digest}"{attr}>{f.name}</a><br>\n')
            fh.write("</body></html>\n")
        summary[name] = sorted(p.name for p in plist)
    (out / "packages.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--debs", required=True, type=Path, help="cache of Debian lists, .debs and source files")
    ap.add_argument("--src", type=Path, default=HERE / "src")
    ap.add_argument("--config", type=Path, default=HERE / "packages.toml")
    ap.add_argument("--mirror", default=os.environ.get("PYFRONT_DEBIAN_MIRROR", "http://deb.debian.org/debian"))
    args = ap.parse_args()
    start = time.monotonic()
    cfg = tomllib.loads(args.config.read_text())
    build = Build(cfg, args.out, args.debs.resolve(), args.mirror.rstrip("/"))
    build.files_dir.mkdir(parents=True, exist_ok=True)
    build.fetch()
    build.dist_names()
    made: list[Path] = []
    for view in build.wheel_views():
        t = time.monotonic()
        made += build.suite_wheels(view)
        log(f"index: {build.label(view)} converted in {time.monotonic() - t:.1f}s")
    made += build.generated_tzdata()
    made += build.sdists()
    made += build_pure_wheels(args.src, build.files_dir)
    made += build_sdists(args.src, build.files_dir)
    unique = sorted({p.name: p for p in made}.values(), key=lambda p: p.name)
    write_pages(args.out, unique)
    kinds: dict[str, int] = {}
    for p in unique:
        tag = p.name[:-4].split("-")[-3] if p.name.endswith(".whl") else "sdist"
        kind = tag if tag.startswith("cp") or tag == "sdist" else "pure"
        kinds[kind] = kinds.get(kind, 0) + 1
    build.report["summary"] = {"projects": len({file_project(p)[0] for p in unique}), "files": len(unique), **kinds}
    (args.out / "report.json").write_text(json.dumps(build.report, indent=2, sort_keys=True) + "\n")
    for line in build.report["rejected"]:
        log(f"index: not published: {line}")
    projects = {file_project(p)[0] for p in unique}
    log(f"index: {len(unique)} files, {len(projects)} projects in {args.out} ({time.monotonic() - start:.0f}s): "
        + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    check = subprocess.run([sys.executable, str(HERE / "check_closure.py"), str(args.out), "--config", str(args.config)])
    if check.returncode:
        raise SystemExit("index: dependency closure check failed")


if __name__ == "__main__":
    main()
