#!/usr/bin/env bash
# Build the local PEP 503 index tree: wheels repackaged from Debian's python3-* .debs (bookworm for
# cp311, trixie for cp313) plus our own packages. Usage: make-index.sh OUT_DIR DEB_CACHE_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$1"
debs="$2"
mirror="${PYFRONT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

# One .deb list per suite; the converter decides which distributions they make up.
PKGS=(
  python3-flask python3-werkzeug python3-jinja2 python3-markupsafe python3-itsdangerous
  python3-click python3-blinker python3-setuptools python3-pkg-resources python3-wheel
  python3-requests python3-urllib3 python3-idna python3-certifi python3-charset-normalizer
  python3-packaging python3-gunicorn
)

# Download with a private apt setup, so neither the host's sources nor its state matter.
download_suite() {
  local suite="$1"
  local dir="$debs/$suite" apt="$debs/apt-$suite"
  mkdir -p "$dir" "$apt/lists/partial" "$apt/cache/archives/partial"
  echo "deb $mirror $suite main" >"$apt/sources.list"
  : >"$apt/status"
  local opts=(
    -o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o "Dir::State::status=$apt/status"
    -o "Acquire::Check-Valid-Until=false" -o "Acquire::Retries=3" -o "APT::Architecture=amd64"
    -o "Acquire::Languages=none"
  )
  apt-get "${opts[@]}" update -q
  local pkg available=()
  for pkg in "${PKGS[@]}"; do
    if apt-cache "${opts[@]}" show "$pkg" >/dev/null 2>&1; then available+=("$pkg"); fi
  done
  (cd "$dir" && apt-get "${opts[@]}" download -q "${available[@]}")
}

download_suite bookworm &
b=$!
download_suite trixie &
t=$!
wait "$b"
wait "$t"

/usr/bin/python3 "$here/build_index.py" --out "$out" --src "$here/src" \
  --debs "cp311:$debs/bookworm" --debs "cp313:$debs/trixie"
