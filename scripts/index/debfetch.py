"""Debian archive access for the index build: a private apt setup per suite (apt-get update checks
the archive's signatures), the signed Packages/Sources lists read back, and .debs and source
files fetched straight from the mirror in parallel, each checked against the SHA256 those lists give.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
import re
import subprocess
import sys
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

# Never bundled or followed: the C runtime and friends (see system_libs), Python itself, and
# packages that only carry data or maintainer tooling.
NOT_FOLLOWED = re.compile(r"^(python3.*|libpython.*|libc6|libgcc-s1|libstdc\+\+6|zlib1g|libexpat1|debconf.*|dpkg|tzdata|"
                          r"ca-certificates|.*-dev|.*-common|.*-data|.*-doc)$")


@dataclass
class Suite:
    name: str
    arch: str = "amd64"
    packages: dict[str, dict[str, str]] = field(default_factory=dict)
    provides: dict[str, list[str]] = field(default_factory=dict)
    sources_text: str = ""


def apt_options(apt: Path, arch: str = "amd64") -> list[str]:
    return [
        "-o", f"Dir::Etc::SourceList={apt}/sources.list", "-o", "Dir::Etc::SourceParts=/dev/null",
        "-o", f"Dir::State::Lists={apt}/lists", "-o", f"Dir::Cache={apt}/cache",
        "-o", f"Dir::State::status={apt}/status", "-o", "Acquire::Check-Valid-Until=false",
        "-o", "Acquire::Retries=3", "-o", f"APT::Architecture={arch}", "-o", "Acquire::Languages=none",
    ]


def parse_control(text: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    out = []
    for para in text.split("\n\n"):
        rec: dict[str, str] = {}
        key = ""
        for line in para.split("\n"):
            if line[:1] in (" ", "\t"):
                if key:
                    rec[key] += "\n" + line.strip()
                continue
            k, sep, v = line.partition(":")
            key = k if sep and k in fields else ""
            if key:
                rec[key] = v.strip()
        if rec:
            out.append(rec)
    return out


PKG_FIELDS = ("Package", "Version", "Architecture", "Depends", "Pre-Depends", "Provides", "Filename", "Size", "SHA256",
              "Source")


def update(suite: str, mirror: str, cache: Path, want_sources: bool, arch: str = "amd64") -> Suite:
    """The suite's lists for one architecture (its own apt directory; amd64's keeps the plain name)."""
    apt = cache / (f"apt-{suite}" if arch == "amd64" else f"apt-{suite}-{arch}")
    for d in ("lists/partial", "cache/archives/partial"):
        (apt / d).mkdir(parents=True, exist_ok=True)
    lines = [f"deb {mirror} {suite} main"] + ([f"deb-src {mirror} {suite} main"] if want_sources else [])
    (apt / "sources.list").write_text("\n".join(lines) + "\n")
    (apt / "status").touch()
    subprocess.run(["apt-get", *apt_options(apt, arch), "update", "-qq"], check=True, stdout=sys.stderr)
    lists = sorted((apt / "lists").iterdir())

    def cat(kind: str) -> str:
        match = [p for p in lists if f"_dists_{suite}_main_" in p.name and re.search(kind + r"(\.\w+)?$", p.name)]
        if not match:
            raise SystemExit(f"{suite}: no {kind} list after apt-get update")
        return subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", str(match[0])], check=True,
                              capture_output=True, text=True).stdout

    s = Suite(suite, arch)
    for rec in parse_control(cat("_Packages"), PKG_FIELDS):
        s.packages[rec["Package"]] = rec
    for name, rec in sorted(s.packages.items()):
        for prov in rec.get("Provides", "").split(","):
            p = prov.strip().split(" ")[0]
            if p:
                s.provides.setdefault(p, []).append(name)
    if want_sources:
        s.sources_text = cat("_Sources")
    return s


def dependency_names(rec: dict[str, str]) -> list[list[str]]:
    """Depends + Pre-Depends as alternative groups of package names."""
    groups = []
    for fld in ("Pre-Depends", "Depends"):
        for group in rec.get(fld, "").split(","):
            alts = [re.sub(r"[\s(:\[].*", "", a.strip()) for a in group.split("|")]
            alts = [a for a in alts if a]
            if alts:
                groups.append(alts)
    return groups


def pick(suite: Suite, alts: list[str]) -> str | None:
    for a in alts:
        if a in suite.packages:
            return a
    for a in alts:
        if suite.provides.get(a):
            return suite.provides[a][0]
    return None


def library_closure(suite: Suite, roots: list[str]) -> list[str]:
    """The shared-library packages the given packages need, recursively (first alternatives)."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        rec = suite.packages[todo.pop()]
        for alts in dependency_names(rec):
            name = pick(suite, alts)
            if name and name not in seen and not NOT_FOLLOWED.match(name) and name.startswith("lib"):
                seen.add(name)
                todo.append(name)
    return sorted(seen)


def source_files(suite: Suite, source: str) -> tuple[str, list[tuple[str, str, int]]]:
    """(directory, [(file name, sha256, size)]) of a source package in the suite's Sources list."""
    for rec in parse_control(suite.sources_text, ("Package", "Version", "Directory", "Checksums-Sha256")):
        if rec.get("Package") == source:
            files = []
            for line in rec["Checksums-Sha256"].split("\n"):
                parts = line.split()
                if len(parts) == 3:
                    files.append((parts[2], parts[0], int(parts[1])))
            return rec["Directory"], files
    raise SystemExit(f"{suite.name}: no source package {source}")


def fetch(mirror: str, jobs: list[tuple[str, Path, str, int]], workers: int = 8, optional: bool = False) -> list[str]:
    """Download (url path, destination, sha256, size) jobs not already in the cache. With
    `optional`, files the mirror lacks are returned, not fatal. A destination named twice (an
    Architecture: all .deb wanted by two architectures) is fetched once."""
    jobs = list({job[1]: job for job in jobs}.values())

    def one(job: tuple[str, Path, str, int]) -> str:
        rel, dest, sha, size = job
        if dest.is_file() and dest.stat().st_size == size:
            return ""
        tmp = dest.with_name(dest.name + ".part")
        h = hashlib.sha256()
        for attempt in range(3):
            try:
                with urllib.request.urlopen(f"{mirror}/{rel}", timeout=60) as resp, open(tmp, "wb") as fh:
                    while chunk := resp.read(1 << 20):
                        h.update(chunk)
                        fh.write(chunk)
                break
            except OSError as err:
                h = hashlib.sha256()
                if optional and getattr(err, "code", 0) == 404:
                    return f"{mirror}/{rel}: {err}"
                if attempt == 2:
                    raise SystemExit(f"{mirror}/{rel}: {err}") from err
        if h.hexdigest() != sha:
            tmp.unlink()
            raise SystemExit(f"{rel}: sha256 mismatch")
        os.replace(tmp, dest)
        return ""

    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return [r for r in pool.map(one, jobs) if r]
