#!/bin/sh
# mmdebstrap customize hook for the python:* stand-ins. $1 = rootfs, $2 = sidecar env file.
set -eu
root="$1"
# The official images let pip install into the system Python: no PEP 668 marker there.
rm -f "$root"/usr/lib/python3*/EXTERNALLY-MANAGED
# `pip` as a command, as in the official images.
[ -e "$root/usr/bin/pip" ] || ln -s pip3 "$root/usr/bin/pip"
# The official Debian-based images keep apt from leaving package files and its binary caches in a
# layer. Benchmarks against Dockerfiles that run apt-get depend on it, so the stand-ins match.
cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
version="$(chroot "$root" python3 -c 'import platform; print(platform.python_version())')"
echo "PYTHON_VERSION=$version" >>"$2"
