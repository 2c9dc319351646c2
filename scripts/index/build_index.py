"""Build a PEP 503 "simple" index tree offline.

Wheels are repackaged from Debian's python3-* .debs (their dist-packages tree plus the metadata,
egg-info converted to dist-info, with a fresh RECORD); compiled ones get the CPython tag of the
suite they came from. Our own packages under src/ become an sdist (yamlfast, a C extension linking
libyaml) and pure wheels. Output is byte-for-byte deterministic for the same inputs.
"""

from __future__ import annotations

import argparse
import base64
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
import zipfile
from email.parser import HeaderParser
from pathlib import Path

DIST_PACKAGES = "usr/lib/python3/dist-packages/"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
SDIST_MTIME = 1_700_000_000

# Debian splits some distributions over several .debs: the first one carries the metadata.
DEB_GROUPS = {
    "python3-setuptools": ["python3-setuptools", "python3-pkg-resources"],
}
SKIP_ALONE = {"python3-pkg-resources"}


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_name_part(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def deb_files(deb: Path) -> dict[str, tuple[bytes, int]]:
    """Regular files under dist-packages in a .deb: relative path -> (content, mode)."""
    raw = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], check=True, capture_output=True).stdout
    files: dict[str, tuple[bytes, int]] = {}
    links: dict[str, str] = {}
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        for member in tar.getmembers():
            name = member.name.removeprefix("./")
            if not name.startswith(DIST_PACKAGES) or "__pycache__" in name or name.endswith(".pyc"):
                continue
            rel = name[len(DIST_PACKAGES):]
            if member.isfile():
                data = tar.extractfile(member).read()  # type: ignore[union-attr]
                files[rel] = (data, member.mode)
            elif member.issym():
                links[rel] = member.linkname
    for rel, target in links.items():
        if target.startswith("/"):
            # Debian points certifi's bundle at the system store; a wheel needs the file itself.
            host = Path(target)
            if host.is_file():
                files[rel] = (host.read_bytes(), 0o644)
            else:
                print(f"warning: {deb.name}: {rel} -> {target} missing on this host; left out", file=sys.stderr)
        else:
            resolved = os.path.normpath(os.path.join(os.path.dirname(rel), target))
            if resolved in files:
                files[rel] = files[resolved]
    return files


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
            section = line[1:-1]
            extra, _, marker = section.partition(":")
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
    return head.rstrip("\n") + extra + "\n" + (sep[1:] + body if sep else "")


def convert_metadata(files: dict[str, tuple[bytes, int]]) -> tuple[str, str, dict[str, bytes], set[str]]:
    """Find the top-level dist-info/egg-info; return (name, version, dist-info files, consumed paths)."""
    tops = sorted({p.split("/", 1)[0] for p in files if p.split("/", 1)[0].endswith((".dist-info", ".egg-info"))})
    if len(tops) != 1:
        raise SystemExit(f"expected one metadata directory, found {tops}")
    top = tops[0]
    consumed = {p for p in files if p.split("/", 1)[0] == top}
    get = lambda n: files.get(f"{top}/{n}", (b"", 0))[0].decode()  # noqa: E731
    out: dict[str, bytes] = {}
    if top.endswith(".dist-info"):
        metadata = get("METADATA")
    else:
        metadata = get("PKG-INFO")
        parsed = HeaderParser().parsestr(metadata)
        if not parsed.get_all("Requires-Dist") and get("requires.txt"):
            requires, extras = requires_from_egg_info(get("requires.txt"))
            metadata = add_headers(
                metadata, [("Provides-Extra", e) for e in extras] + [("Requires-Dist", r) for r in requires]
            )
    for extra_file in ("entry_points.txt", "top_level.txt"):
        if get(extra_file):
            out[extra_file] = get(extra_file).encode()
    parsed = HeaderParser().parsestr(metadata)
    name, version = parsed["Name"], parsed["Version"]
    out["METADATA"] = metadata.encode()
    return name, version, out, consumed


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def write_wheel(out_dir: Path, name: str, version: str, tag: str, files: dict[str, tuple[bytes, int]],
                dist_info: dict[str, bytes]) -> Path:
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
    return path


def wheel_tag(files: dict[str, tuple[bytes, int]]) -> str:
    abis = sorted({m.group(1) for p in files if (m := re.search(r"\.cpython-(3\d+)-x86_64-linux-gnu\.so$", p))})
    if not abis:
        return "py3-none-any"
    if len(abis) > 1:
        raise SystemExit(f"extension modules for several Pythons: {abis}")
    return f"cp{abis[0]}-cp{abis[0]}-linux_x86_64"


def debs_to_wheels(deb_dir: Path, expect_abi: str, out_dir: Path) -> list[Path]:
    by_package = {}
    for deb in sorted(deb_dir.glob("*.deb")):
        pkg = deb.name.split("_", 1)[0]
        # Keep only the newest .deb per package (the cache may hold older ones).
        by_package[pkg] = max(by_package.get(pkg, deb), deb, key=lambda d: d.stat().st_mtime)
    made = []
    for pkg in sorted(by_package):
        if pkg in SKIP_ALONE:
            continue
        files: dict[str, tuple[bytes, int]] = {}
        for part in DEB_GROUPS.get(pkg, [pkg]):
            if part in by_package:
                files.update(deb_files(by_package[part]))
        name, version, dist_info, consumed = convert_metadata(files)
        payload = {p: v for p, v in files.items() if p not in consumed}
        tag = wheel_tag(payload)
        if tag != "py3-none-any" and not tag.startswith(expect_abi):
            raise SystemExit(f"{pkg}: built for {tag}, expected {expect_abi}")
        made.append(write_wheel(out_dir, name, version, tag, payload, dist_info))
    return made


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


def file_project(path: Path) -> tuple[str, str]:
    """(normalized project, version) from a wheel or sdist file name."""
    stem = path.name.removesuffix(".tar.gz").removesuffix(".whl")
    parts = stem.split("-")
    return normalize(parts[0]), parts[1]


def requires_python_of(path: Path) -> str:
    if path.name.endswith(".whl"):
        with zipfile.ZipFile(path) as zf:
            meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
            return HeaderParser().parsestr(zf.read(meta).decode()).get("Requires-Python", "") or ""
    with tarfile.open(path) as tar:
        pkg_info = next(m for m in tar.getmembers() if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO"))
        return HeaderParser().parsestr(tar.extractfile(pkg_info).read().decode()).get("Requires-Python", "") or ""  # type: ignore[union-attr]


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
                rp = requires_python_of(f)
                attr = f' data-requires-python="{html.escape(rp)}"' if rp else ""
                fh.write(f'<a href="../../files/{f.name}#sha256={digest}"{attr}>{f.name}</a><br>\n')
            fh.write("</body></html>\n")
        summary[name] = sorted(p.name for p in plist)
    (out / "packages.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--src", required=True, type=Path)
    ap.add_argument("--debs", action="append", default=[], help="ABI:DIR, e.g. cp311:/path/bookworm")
    args = ap.parse_args()
    files_dir = args.out / "files"
    files_dir.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    for spec in args.debs:
        abi, _, deb_dir = spec.partition(":")
        made += debs_to_wheels(Path(deb_dir), abi, files_dir)
    made += build_pure_wheels(args.src, files_dir)
    made += build_sdists(args.src, files_dir)
    # The same pure wheel may come from both suites: one file, listed once.
    unique = sorted({p.name: p for p in made}.values(), key=lambda p: p.name)
    write_pages(args.out, unique)
    print(f"index: {len(unique)} files, {len({file_project(p)[0] for p in unique})} projects in {args.out}")


if __name__ == "__main__":
    main()
