#!/bin/sh
# Build CPython from its upstream tarball into DIR/dest/usr/local, inside the image's release, the
# way the official python images do (shared libpython, ensurepip, system expat, an rpath so the
# interpreter finds libpython without ldconfig, tests and bytecode left out). Unlike them: no PGO
# or LTO (--enable-optimizations and --with-lto triple the build time on 2 cores), no tkinter.
#   cpython-build.sh DIR      (DIR holds source.tar, any compression; writes DIR/dest and DIR/version)
set -eu
dir="$1"
mkdir -p "$dir/src" "$dir/dest"
tar -xf "$dir/source.tar" -C "$dir/src" --strip-components=1
cd "$dir/src"
arch="$(dpkg-architecture --query DEB_BUILD_GNU_TYPE)"
./configure --build="$arch" --prefix=/usr/local --enable-loadable-sqlite-extensions \
  --enable-option-checking=fatal --enable-shared --with-ensurepip --with-system-expat \
  --disable-test-modules >"$dir/configure.log" 2>&1 || { tail -20 "$dir/configure.log"; exit 1; }
cflags="$(dpkg-buildflags --get CFLAGS)"
ldflags="$(dpkg-buildflags --get LDFLAGS)"
jobs="$(nproc)"
make -j"$jobs" "EXTRA_CFLAGS=$cflags" "LDFLAGS=${ldflags:--Wl},--strip-all" >"$dir/make.log" 2>&1 ||
  { tail -30 "$dir/make.log"; exit 1; }
# Relink the interpreter with an rpath to ../lib, as the official images do.
rm python
make -j"$jobs" "EXTRA_CFLAGS=$cflags" "LDFLAGS=${ldflags:--Wl},--strip-all,-rpath='\$\$ORIGIN/../lib'" python \
  >>"$dir/make.log" 2>&1 || { tail -30 "$dir/make.log"; exit 1; }
make install DESTDIR="$dir/dest" >"$dir/install.log" 2>&1 || { tail -30 "$dir/install.log"; exit 1; }
local_dir="$dir/dest/usr/local"
# The unversioned names the official images add: python, pip, pydoc, idle, python-config.
for name in idle3 pip3 pydoc3 python3 python3-config; do
  [ -e "$local_dir/bin/$name" ] && [ ! -e "$local_dir/bin/${name%3}" ] && ln -s "$name" "$local_dir/bin/${name%3}"
done
find "$local_dir" -depth \( \( -type d -a \( -name test -o -name tests -o -name idle_test \) \) \
  -o \( -type f -a \( -name '*.pyc' -o -name '*.pyo' -o -name 'libpython*.a' \) \) \) -exec rm -rf '{}' +
PYTHONDONTWRITEBYTECODE=1 "$local_dir/bin/python3" -c 'import platform; print(platform.python_version())' >"$dir/version"
