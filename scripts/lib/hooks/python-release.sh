#!/bin/sh
# mmdebstrap customize hook for a Debian release's python stand-ins (see scripts/lib/images.sh).
#   python-release.sh slim ROOT OUT "PACKAGES"
#     writes OUT/debian-slim.tar (the minbase ROOT as it is), then installs PACKAGES (the runtime
#     libraries) into ROOT, which mmdebstrap then tars as the python slim base;
#   python-release.sh full ROOT OUT "PACKAGES" SERIES=TARBALL...
#     installs PACKAGES (the builder packages) into ROOT, which mmdebstrap then tars as the full
#     base, and builds each CPython into OUT/cpython-SERIES.tar, with OUT/version-SERIES and
#     OUT/sha256-SERIES.
set -eu
part="$1"
root="$2"
out="$3"
packages="$4"
shift 4
here="$(cd "$(dirname "$0")" && pwd)"

# The official Debian images keep apt from leaving package files and binary caches in a layer.
# It is written into the snapshot and at the end: during the run the .debs are kept, to be cached.
docker_clean() {
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
}

if [ "$part" = slim ]; then
  docker_clean
  sh "$here/snapshot.sh" "$root" "$out/debian-slim.tar"
  rm -f "$root/etc/apt/apt.conf.d/docker-clean"
fi
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -q --no-install-recommends $packages

for pair in "$@"; do
  series="${pair%%=*}"
  tarball="${pair#*=}"
  mkdir -p "$root/tmp/cpython-$series"
  cp "$tarball" "$root/tmp/cpython-$series/source.tar"
  cp "$here/cpython-build.sh" "$root/tmp/cpython-$series/build.sh"
  chroot "$root" sh "/tmp/cpython-$series/build.sh" "/tmp/cpython-$series"
  tar -C "$root/tmp/cpython-$series/dest" --numeric-owner --sort=name -cf "$out/cpython-$series.tar" usr
  cp "$root/tmp/cpython-$series/version" "$out/version-$series"
  sha256sum "$tarball" | cut -d' ' -f1 >"$out/sha256-$series"
  rm -rf "$root/tmp/cpython-$series"
done
docker_clean
