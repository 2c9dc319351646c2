#!/bin/sh
# mmdebstrap customize hook for the python:* stand-ins. $1 = rootfs, $2 = sidecar env file.
set -eu
root="$1"
# The official images let pip install into the system Python: no PEP 668 marker there.
rm -f "$root"/usr/lib/python3*/EXTERNALLY-MANAGED
# `pip` as a command, as in the official images.
[ -e "$root/usr/bin/pip" ] || ln -s pip3 "$root/usr/bin/pip"
version="$(chroot "$root" python3 -c 'import platform; print(platform.python_version())')"
echo "PYTHON_VERSION=$version" >>"$2"
