#!/bin/sh
# Replace a relocated CPython's interpreter with a launcher linked to its libpython, whose frozen
# `site` is the site.py in /usr/local/lib/pythonX.Y (upstream's, see relocate-debian-python311.py)
# instead of the one frozen into Debian's libpython (which looks in dist-packages).
#   python-launcher.sh ROOT SERIES
# ROOT is a root with a C compiler (the full base of the same release and architecture) with the
# relocated tree in /usr/local; the launcher is compiled there (under qemu for another architecture).
#
# The launcher is upstream's Programs/python.c (Py_BytesMain) plus PyImport_FrozenModules, the
# table an embedding program may set: its entries come before the frozen standard library. The
# interpreter is linked to libpython3.X.so with an rpath to ../lib, as the official one is.
set -eu
root="$1"
series="$2"
work="/tmp/python-launcher"
rm -rf "$root$work"
mkdir -p "$root$work"
cat >"$root$work/gen.py" <<'PY'
import marshal, sys
series = sys.argv[1]
path = "/usr/local/lib/python%s/site.py" % series
# Compiled as the freezing does (Tools/scripts/freeze_modules.py): filename "<frozen site>".
code = marshal.dumps(compile(open(path, "rb").read(), "<frozen site>", "exec"))
out = ["#include <Python.h>", "static const unsigned char site_code[] = {"]
for i in range(0, len(code), 16):
    out.append("  " + ", ".join(str(b) for b in code[i:i + 16]) + ",")
out += [
    "};",
    "static const struct _frozen frozen_modules[] = {",
    '  {"site", site_code, (int)sizeof(site_code), 0, NULL},',
    "  {NULL, NULL, 0, 0, NULL},",
    "};",
    "int main(int argc, char **argv) {",
    "  PyImport_FrozenModules = frozen_modules;",
    "  return Py_BytesMain(argc, argv);",
    "}",
]
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
# The relocated interpreter writes the table: same version, same marshal format. Frozen modules
# off, so that `compile` runs with the standard library as it is on disk.
PYTHONDONTWRITEBYTECODE=1 chroot "$root" "/usr/local/bin/python$series" -X frozen_modules=off -S -E \
  "$work/gen.py" "$series" "$work/launcher.c"
# shellcheck disable=SC2016
chroot "$root" gcc -O2 -o "$work/python$series" "$work/launcher.c" "-I/usr/local/include/python$series" \
  -L/usr/local/lib "-lpython$series" -Wl,--strip-all,-rpath,'$ORIGIN/../lib'
mv "$root$work/python$series" "$root/usr/local/bin/python$series"
rm -rf "$root$work"
