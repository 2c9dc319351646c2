#!/usr/bin/env bash
# Check with a root filesystem's own loader (e.g. a trixie minbase chroot) that every extension
# module of the given wheels finds its libraries and symbol versions there (libpython's symbols
# aside: the interpreter provides them). Usage: ldd-check.sh ROOTFS WHEEL...
set -euo pipefail
root="$1"; shift
work="$root/tmp/ldd-check.$$"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
for w in "$@"; do mkdir -p "$work/$(basename "$w" .whl)" && (cd "$work/$(basename "$w" .whl)" && unzip -q "$w"); done
chroot "$root" /bin/bash -c '
  bad=0
  for so in $(find "'"${work#"$root"}"'" -name "*.so" -path "*cpython-*" | sort); do
    out=$(ldd -r "$so" 2>&1 || true)
    if echo "$out" | grep -q "version .* not found"; then echo "VERSION: $so"; echo "$out" | grep "version .* not found" | head -2; bad=1; fi
    if echo "$out" | grep "=> not found" | grep -vq libpython; then echo "LIBRARY: $so"; echo "$out" | grep "=> not found" | head -2; bad=1; fi
  done
  exit $bad'
echo "ldd-check: all extension modules load their libraries and symbol versions in $root"
