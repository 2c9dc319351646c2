#!/bin/sh
# Compose a python stand-in: a base root tarball plus a CPython /usr/local tree, then check that it
# is what the official image is in the ways recipes depend on.
#   compose-python.sh BASE_TAR CPYTHON_TAR OUT_TAR VERSION SHA256 slim|full [EXTRA_ENV_FILE]
# Writes OUT_TAR and its sidecar OUT.env (the image's ENV lines, plus those of EXTRA_ENV_FILE).
set -eu
base="$1"
cpython="$2"
out="$3"
version="$4"
sha="$5"
kind="$6"
extra_env="${7:-}"
work="$(mktemp -d "${out%.tar}.compose.XXXXXX")"
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xf "$base"
tar -C "$work" -xf "$cpython"
chroot "$work" ldconfig
fail() { echo "compose $out: $*" >&2; exit 1; }
in_root() {
  # shellcheck disable=SC2046
  env PYTHONDONTWRITEBYTECODE=1 $(cat "$extra_env" 2>/dev/null) chroot "$work" "$@"
}

# A relocated tree comes without pip: bootstrap it as `make install` does, bytecode left out.
if [ ! -e "$work/usr/local/bin/pip3" ]; then
  in_root /usr/local/bin/python3 -m ensurepip --default-pip >/dev/null || fail "ensurepip failed"
  find "$work/usr/local" -depth -type d -name __pycache__ -exec rm -rf '{}' +
fi

got="$(in_root /usr/local/bin/python3 --version)"
[ "$got" = "Python $version" ] || fail "python3 --version says '$got', expected 'Python $version'"
# Every extension module and the interpreter find their libraries in this root.
missing="$(in_root sh -c 'for f in /usr/local/bin/python3 /usr/local/lib/libpython3*.so* /usr/local/lib/python3.*/lib-dynload/*.so; do ldd "$f" | sed -n "s|^|$f: |; /not found/p"; done')"
[ -z "$missing" ] || fail "libraries missing: $missing"
in_root /usr/local/bin/python3 -c '
import sys, venv, ensurepip, ssl, sqlite3, ctypes, lzma, bz2, zlib, readline, curses, uuid, decimal
import hashlib, zoneinfo, pyexpat, dbm.gnu, dbm.ndbm, json, socket, select, multiprocessing
assert sys.prefix == "/usr/local", sys.prefix
site_packages = "/usr/local/lib/python%d.%d/site-packages" % sys.version_info[:2]
import sysconfig
assert sysconfig.get_paths()["purelib"] == site_packages, sysconfig.get_paths()
assert sysconfig.get_config_var("INCLUDEPY") == "/usr/local/include/python%d.%d" % sys.version_info[:2]
assert site_packages in sys.path, sys.path
zoneinfo.ZoneInfo("Europe/Paris")
' || fail "the standard library does not import"
in_root /usr/local/bin/pip --version >/dev/null || fail "pip does not run"
in_root /usr/local/bin/python3 -m venv /tmp/check-venv || fail "python3 -m venv fails"
in_root /tmp/check-venv/bin/python -m pip --version >/dev/null || fail "pip in a venv does not run"
rm -rf "$work/tmp/check-venv"
if [ "$kind" = slim ]; then
  for cmd in useradd groupadd adduser; do in_root sh -c "command -v $cmd" >/dev/null || fail "no $cmd"; done
else
  for cmd in gcc g++ make git pkg-config; do in_root sh -c "command -v $cmd" >/dev/null || fail "no $cmd"; done
fi
find "$work/tmp" -mindepth 1 -delete
tar -C "$work" --one-file-system --numeric-owner --sort=name -cf "$out.part" .
mv "$out.part" "$out"
printf 'PYTHON_VERSION=%s\nPYTHON_SHA256=%s\n' "$version" "$sha" >"${out%.tar}.env"
[ -z "$extra_env" ] || cat "$extra_env" >>"${out%.tar}.env"
