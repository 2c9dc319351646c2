#!/usr/bin/env bash
# Build the local PEP 503 index tree from Debian's packages (bookworm -> cp311, trixie -> cp313,
# sid -> cp314 and newer releases; bookworm also arm64 -> cp311 aarch64) plus our own packages;
# what goes in is scripts/index/packages.toml.
# Usage: make-index.sh OUT_DIR DEB_CACHE_DIR   (needs apt, dpkg-deb, readelf, patchelf, setuptools)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec /usr/bin/python3 "$here/build_index.py" --out "$1" --debs "$2" --src "$here/src"
