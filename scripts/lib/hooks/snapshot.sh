#!/bin/sh
# mmdebstrap customize hook: tar the chroot as it is now (the slim image) before the builder
# packages go in. $1 = rootfs, $2 = output tarball. Leaves out what mmdebstrap's own cleanup would
# remove (apt lists and caches, its temporary apt config) and the mounted /proc, /sys, /dev.
set -eu
root="$1"
rm -rf "$root"/var/lib/apt/lists.slim
tar -C "$root" --one-file-system --numeric-owner --sort=name \
  --exclude='./proc/*' --exclude='./sys/*' --exclude='./dev/*' --exclude='./tmp/*' \
  --exclude='./var/lib/apt/lists/*' --exclude='./var/cache/apt/*' \
  --exclude='./etc/apt/apt.conf.d/00mmdebstrap' --exclude='./var/log/apt/*' \
  -cf "$2" .
