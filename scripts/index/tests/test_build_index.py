"""Unit tests of the index converter: python3 -m unittest discover -s scripts/index/tests"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile
from email.parser import HeaderParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import build_index as bi  # noqa: E402
import elfrepair  # noqa: E402

try:
    import packaging  # noqa: F401

    import check_closure as cc
except ImportError:  # the checker takes packaging from the index; these tests need a copy here
    cc = None


class UndoDebian(unittest.TestCase):
    EDITS = [{"file": "pkg/a.py", "old": "debian_only()", "new": "pass"}]

    def test_replaces_and_leaves_other_files(self):
        files = {"pkg/a.py": (b"x = 1\ndebian_only()\n", 0o644), "pkg/b.py": (b"debian_only()\n", 0o644)}
        out = bi.undo_debian(files, self.EDITS, "t")
        self.assertEqual(out["pkg/a.py"], (b"x = 1\npass\n", 0o644))
        self.assertEqual(out["pkg/b.py"], files["pkg/b.py"])

    def test_missing_file_is_skipped_but_missing_text_fails(self):
        self.assertEqual(bi.undo_debian({}, self.EDITS, "t"), {})
        with self.assertRaises(SystemExit):
            bi.undo_debian({"pkg/a.py": (b"upstream\n", 0o644)}, self.EDITS, "t")


class Metadata(unittest.TestCase):
    def test_requires_txt_sections(self):
        reqs, extras = bi.requires_from_egg_info(
            "click>=8.0\n\n[:python_version < \"3.10\"]\nimportlib-metadata>=3.6\n\n[async]\nasgiref>=3.2\n"
            "\n[dotenv:sys_platform == \"linux\"]\npython-dotenv\n")
        self.assertEqual(reqs, ["click>=8.0", 'importlib-metadata>=3.6; python_version < "3.10"',
                                'asgiref>=3.2; extra == "async"',
                                'python-dotenv; (sys_platform == "linux") and extra == "dotenv"'])
        self.assertEqual(extras, ["async", "dotenv"])

    def test_egg_info_requires_txt_wins_and_version_bumps(self):
        pkg_info = ("Metadata-Version: 1.2\nName: Flask\nVersion: 2.2.2\nRequires-Python: >=3.7\n"
                    "Provides-Extra: async\nRequires-Dist: asgiref; extra == \"async\"\n\nLong text\n")
        files = {
            "Flask-2.2.2.egg-info/PKG-INFO": (pkg_info.encode(), 0o644),
            "Flask-2.2.2.egg-info/requires.txt": (b"Werkzeug>=2.2.2\n\n[async]\nasgiref>=3.2\n", 0o644),
            "Flask-2.2.2.egg-info/entry_points.txt": (b"[console_scripts]\nflask = flask.cli:main\n", 0o644),
            "Flask-2.2.2.egg-info/SOURCES.txt": (b"x\n", 0o644),
            "flask/__init__.py": (b"", 0o644),
        }
        name, version, info, consumed = bi.convert_metadata(files)
        self.assertEqual((name, version), ("Flask", "2.2.2"))
        meta = HeaderParser().parsestr(info["METADATA"].decode())
        self.assertEqual(meta["Metadata-Version"], "2.1")
        self.assertEqual(meta.get_all("Requires-Dist"), ["Werkzeug>=2.2.2", 'asgiref>=3.2; extra == "async"'])
        self.assertEqual(meta.get_all("Provides-Extra"), ["async"])
        self.assertEqual(meta["Requires-Python"], ">=3.7")
        self.assertIn("Long text", info["METADATA"].decode())
        self.assertEqual(sorted(info), ["METADATA", "entry_points.txt"])
        self.assertNotIn("flask/__init__.py", consumed)

    def test_dist_info_drops_install_files(self):
        files = {f"x-1.dist-info/{n}": (b"Name: x\nVersion: 1\n" if n == "METADATA" else b"", 0o644)
                 for n in ("METADATA", "RECORD", "INSTALLER", "entry_points.txt", "licenses/LICENSE")}
        _name, _version, info, _ = bi.convert_metadata(files)
        self.assertEqual(sorted(info), ["METADATA", "entry_points.txt", "licenses/LICENSE"])

    def test_split_distributions(self):
        files = {p: (b"Name: n\nVersion: 1\n", 0o644) for p in (
            "flit-3.dist-info/METADATA", "flit/__init__.py", "flit_core-3.dist-info/METADATA", "flit_core/api.py")}
        parts = bi.split_distributions(files, {"flit_core": ["flit_core"]})
        self.assertEqual([sorted(p) for p in parts], [["flit_core-3.dist-info/METADATA", "flit_core/api.py"],
                                                      ["flit-3.dist-info/METADATA", "flit/__init__.py"]])


class Abis(unittest.TestCase):
    def test_one_wheel_per_abi(self):
        payload = {p: (b"", 0o644) for p in (
            "numpy/__init__.py", "numpy/_core/_m.cpython-314-x86_64-linux-gnu.so",
            "numpy/_core/_m.cpython-315-x86_64-linux-gnu.so", "numpy/linalg/_u.cpython-314-x86_64-linux-gnu.so")}
        common, per_abi = bi.split_by_abi(payload)
        self.assertEqual(sorted(common), ["numpy/__init__.py"])
        self.assertEqual(sorted(per_abi["cp314"]), ["numpy/_core/_m.cpython-314-x86_64-linux-gnu.so",
                                                    "numpy/linalg/_u.cpython-314-x86_64-linux-gnu.so"])
        self.assertEqual(sorted(per_abi["cp315"]), ["numpy/_core/_m.cpython-315-x86_64-linux-gnu.so"])

    def test_split_for_another_triplet(self):
        payload = {p: (b"", 0o644) for p in ("m/__init__.py", "m/_s.cpython-311-aarch64-linux-gnu.so")}
        common, per_abi = bi.split_by_abi(payload, "aarch64-linux-gnu")
        self.assertEqual(sorted(common), ["m/__init__.py"])
        self.assertEqual(sorted(per_abi), ["cp311"])
        # an amd64 split does not take another architecture's extension modules for its own
        self.assertEqual(bi.split_by_abi(payload)[1], {})


class Arches(unittest.TestCase):
    CFG = bi.tomllib.loads((Path(bi.HERE) / "packages.toml").read_text())

    def test_manylinux_tag_carries_the_machine(self):
        machine = self.CFG["arches"]["arm64"]["machine"]
        self.assertEqual(bi.manylinux_tag("cp311", 17, machine), "cp311-cp311-manylinux_2_17_aarch64")
        self.assertEqual(bi.manylinux_tag("cp313", 35, self.CFG["arches"]["amd64"]["machine"]),
                         "cp313-cp313-manylinux_2_35_x86_64")

    def test_views_from_the_config(self):
        build = bi.Build(self.CFG, Path("/nonexistent"), Path("/nonexistent"), "http://mirror")
        views = build.wheel_views()
        # every suite's first architecture first (pure wheels come from it), then the others
        self.assertEqual(views[: len(self.CFG["suites"])], [(s, "amd64") for s in self.CFG["suites"]])
        self.assertIn(("bookworm", "arm64"), views)
        self.assertNotIn(("trixie", "arm64"), views)
        self.assertFalse(build.primary(("bookworm", "arm64")))
        self.assertEqual([build.label(v) for v in views if v[0] == "bookworm"], ["bookworm", "bookworm/arm64"])

    def test_pool_reads_only_its_triplet(self):
        elf = b"\x7fELF" + b"\0" * 12
        tree = {"usr/lib/aarch64-linux-gnu/libz.so.1.2": (elf, 0o644),
                "usr/lib/x86_64-linux-gnu/libq.so.1": (elf, 0o644)}
        pool = elfrepair.LibraryPool("aarch64-linux-gnu")
        pool.add_tree(tree, {"usr/lib/aarch64-linux-gnu/libz.so.1": "libz.so.1.2"})
        self.assertEqual(sorted(pool.by_name), ["libz.so.1", "libz.so.1.2"])


READELF = """
Dynamic section at offset 0x2dd8 contains 27 entries:
  Tag        Type                         Name/Value
 0x0000000000000001 (NEEDED)             Shared library: [libblas.so.3]
 0x0000000000000001 (NEEDED)             Shared library: [libstdc++.so.6]
 0x000000000000000e (SONAME)             Library soname: [libx.so.1]

Version definition section '.gnu.version_d' contains 2 entries:
  Addr: 0x0000000000000318  Offset: 0x000318  Link: 4 (.dynstr)
  000000: Rev: 1  Flags: BASE  Index: 1  Cnt: 1  Name: libx.so.1
  0x001c: Rev: 1  Flags: none  Index: 2  Cnt: 1  Name: X_1.0

Version needs section '.gnu.version_r' contains 2 entries:
 Addr: 0x0000000000000460  Offset: 0x000460  Link: 4 (.dynstr)
  000000: Version: 1  File: libstdc++.so.6  Cnt: 2
  0x0010:   Name: GLIBCXX_3.4.32  Flags: none  Version: 4
  0x0020:   Name: CXXABI_1.3  Flags: none  Version: 3
  0x0030: Version: 1  File: libc.so.6  Cnt: 1
  0x0040:   Name: GLIBC_2.38  Flags: none  Version: 2
"""


class Elf(unittest.TestCase):
    def test_parse_readelf(self):
        info = elfrepair.parse_readelf(READELF)
        self.assertEqual(info.needed, ["libblas.so.3", "libstdc++.so.6"])
        self.assertEqual(info.soname, "libx.so.1")
        self.assertEqual(info.verdef, {"X_1.0"})
        self.assertEqual(info.verneed, {"libstdc++.so.6": {"GLIBCXX_3.4.32", "CXXABI_1.3"}, "libc.so.6": {"GLIBC_2.38"}})
        self.assertEqual(elfrepair.glibc_minor([info]), 38)

    def test_shortfall_against_target_libs(self):
        info = elfrepair.parse_readelf(READELF)
        trixie = {"libc.so.6": {"GLIBC_2.38", "GLIBC_2.41"}, "libstdc++.so.6": {"GLIBCXX_3.4.30", "CXXABI_1.3"}}
        self.assertEqual(elfrepair.version_shortfall({"x": info}, trixie), {"libstdc++.so.6": {"GLIBCXX_3.4.32"}})

    def test_hashed_name(self):
        self.assertRegex(elfrepair.hashed_name("libgfortran.so.5.0.0", b"x"), r"^libgfortran-[0-9a-f]{8}\.so\.5\.0\.0$")

    @unittest.skipUnless(shutil.which("gcc") and shutil.which("patchelf"), "needs gcc and patchelf")
    def test_repair_bundles_and_loads(self):
        with tempfile.TemporaryDirectory() as tmp:
            t = Path(tmp)
            (t / "dep.c").write_text("int dep_value(void) { return 42; }\n")
            (t / "ext.c").write_text("int dep_value(void);\nint ext_value(void) { return dep_value() + 1; }\n")
            subprocess.run(["gcc", "-shared", "-fPIC", "-Wl,-soname,libdep.so.1", "-o", t / "libdep.so.1.2",
                            t / "dep.c"], check=True)
            subprocess.run(["gcc", "-shared", "-fPIC", "-o", t / "ext.so", t / "ext.c", t / "libdep.so.1.2"], check=True)
            ext_data = (t / "ext.so").read_bytes()
            pool = elfrepair.LibraryPool()
            pool.add_tree({"usr/lib/x86_64-linux-gnu/libdep.so.1.2": ((t / "libdep.so.1.2").read_bytes(), 0o644)},
                          {"usr/lib/x86_64-linux-gnu/libdep.so.1": "libdep.so.1.2"})
            rel = "demo/sub/ext.cpython-313-x86_64-linux-gnu.so"
            system = {"libc.so.6"}
            fixed = elfrepair.repair({rel: (ext_data, 0o755), "demo/__init__.py": (b"", 0o644)}, "demo", pool, system)
            again = elfrepair.repair({rel: (ext_data, 0o755), "demo/__init__.py": (b"", 0o644)}, "demo", pool, system)
            self.assertEqual(fixed.files, again.files)  # deterministic
            self.assertEqual(fixed.unresolved, [])
            [lib] = fixed.bundled
            self.assertRegex(lib, r"^libdep-[0-9a-f]{8}\.so\.1\.2$")
            self.assertEqual(fixed.infos[rel].needed[0], lib)
            out = t / "tree"
            for p, (d, _m) in fixed.files.items():
                (out / p).parent.mkdir(parents=True, exist_ok=True)
                (out / p).write_bytes(d)
            rpath = subprocess.run(["readelf", "-d", out / rel], capture_output=True, text=True).stdout
            self.assertIn("[$ORIGIN/../../demo.libs]", rpath)
            self.assertEqual(ctypes.CDLL(str(out / rel)).ext_value(), 43)


class Output(unittest.TestCase):
    def test_wheel_bytes_are_deterministic(self):
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            files = {"x/__init__.py": (b"print(1)\n", 0o644), "x/y.so": (b"\x7fELF", 0o755)}
            meta = {"METADATA": b"Metadata-Version: 2.1\nName: x\nVersion: 1\n"}
            wa = bi.write_wheel(Path(a), "x", "1", "cp313-cp313-manylinux_2_17_x86_64", files, meta)
            wb = bi.write_wheel(Path(b), "x", "1", "cp313-cp313-manylinux_2_17_x86_64", files, meta)
            self.assertEqual(wa.read_bytes(), wb.read_bytes())
            with zipfile.ZipFile(wa) as zf:
                self.assertIn("Root-Is-Purelib: false", zf.read("x-1.dist-info/WHEEL").decode())
                record = zf.read("x-1.dist-info/RECORD").decode()
                self.assertIn("x/__init__.py,sha256=", record)

    def test_requires_names(self):
        meta = 'Name: a\nRequires-Dist: Foo.Bar>=1; python_version < "4"\nRequires-Dist: baz; extra == "x"\n'
        self.assertEqual(bi.requires_names(meta), {"foo-bar"})
        self.assertEqual(bi.requires_names(meta, extras=True), {"foo-bar", "baz"})


@unittest.skipIf(cc is None, "needs packaging")
class Closure(unittest.TestCase):
    def dist(self, name, version, requires=(), tags=(("py3", "none", "any"),), rp=""):
        from packaging.version import Version

        return cc.Dist(name, Version(version), f"{name}-{version}.whl", rp, list(requires), list(tags))

    def test_accepts_tags_and_requires_python(self):
        t = cc.Target("cp311", "3.11.2", 36)
        self.assertTrue(t.accepts(self.dist("a", "1")))
        self.assertFalse(t.accepts(self.dist("a", "1", rp=">=3.12")))
        self.assertTrue(t.accepts(self.dist("a", "1", tags=[("cp311", "cp311", "manylinux_2_36_x86_64")])))
        self.assertFalse(t.accepts(self.dist("a", "1", tags=[("cp311", "cp311", "manylinux_2_38_x86_64")])))
        self.assertFalse(t.accepts(self.dist("a", "1", tags=[("cp313", "cp313", "manylinux_2_17_x86_64")])))

    def test_aarch64_target(self):
        t = cc.Target("cp311", "3.11.2", 36, "aarch64")
        self.assertEqual(t.name, "cp311/aarch64")
        self.assertTrue(t.accepts(self.dist("a", "1", tags=[("cp311", "cp311", "manylinux_2_17_aarch64")])))
        self.assertFalse(t.accepts(self.dist("a", "1", tags=[("cp311", "cp311", "manylinux_2_17_x86_64")])))
        self.assertTrue(t.accepts(self.dist("a", "1")))
        self.assertEqual(t.env()["platform_machine"], "aarch64")
        # only the x86_64 wheel of a compiled requirement: nothing for aarch64
        avail = {"flask": [self.dist("flask", "2", ["markupsafe"])],
                 "markupsafe": [d for d in [self.dist("markupsafe", "2", tags=[("cp311", "cp311", "manylinux_2_17_x86_64")])]
                                if t.accepts(d)]}
        self.assertIn("markupsafe", cc.resolve("flask", avail, t) or "")

    def test_targets_from_the_config(self):
        cfg = bi.tomllib.loads((Path(bi.HERE) / "packages.toml").read_text())
        names = [t.name for t in cc.targets(cfg)]
        self.assertEqual(names, ["cp311/x86_64", "cp311/aarch64", "cp313/x86_64", "cp314/x86_64"])

    def test_resolver_backtracks(self):
        t = cc.Target("cp311", "3.11.2", 36)
        avail = {
            "fastapi": [self.dist("fastapi", "2", ["pydantic>=2"]), self.dist("fastapi", "1", ["pydantic<2"])],
            "pydantic": [self.dist("pydantic", "2", ["pydantic-core==2"]), self.dist("pydantic", "1")],
        }
        self.assertIsNone(cc.resolve("fastapi", avail, t))
        self.assertIn("pydantic-core", cc.resolve("pydantic>=2", avail, t) or "")
        # a marker that does not apply to the target is no requirement
        avail["b"] = [self.dist("b", "1", ['missing; python_version < "3.8"'])]
        self.assertIsNone(cc.resolve("b", avail, t))


if __name__ == "__main__":
    unittest.main()
