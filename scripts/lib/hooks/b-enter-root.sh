#!/bin/sh
# Run a command with ROOT as the real root of its own mount namespace (started through
# `unshare --mount --propagation private`), not merely chrooted into it. Under a chrooted dockerd,
# runc cannot pivot_root into containers and falls back to chroot, so `docker exec` joins a mount
# namespace whose root is the host's and runs in the host's filesystem. With pivot_root here,
# containers get their own root, as on a normal machine.
#   b-enter-root.sh ROOT COMMAND [ARG...]      (ROOT must be a mount point)
set -eu
root="$1"
shift
cd "$root"
mkdir -p .pyfront-oldroot
pivot_root . .pyfront-oldroot
cd /
# The host's root stays mounted at /.pyfront-oldroot for dockerd (as a chrooted dockerd could
# reach it too); ROOT has no umount (the mount package is not Essential) to take it away.
# Containers are pivoted into their own roots and never see it.
exec "$@"
