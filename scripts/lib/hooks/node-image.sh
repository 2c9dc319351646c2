#!/bin/sh
# mmdebstrap customize hook for the node:* stand-in. $1 = rootfs, $2 = sidecar env file.
set -eu
root="$1"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
version="$(chroot "$root" node -p 'process.versions.node')"
echo "NODE_VERSION=$version" >>"$2"
