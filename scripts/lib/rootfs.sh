# Debian root filesystems made with mmdebstrap, cached as tarballs keyed by their recipe.
# shellcheck shell=bash

ROOTFS_CACHE="$CACHE_DIR/rootfs"
DEB_CACHE="$CACHE_DIR/debs"

# Leave docs, man pages and translations out of every image: official images don't ship them either.
MMDEBSTRAP_SLIM_OPTS=(
  --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/doc/*'
  --dpkgopt='path-include=/usr/share/doc/*/copyright'
  --dpkgopt='path-exclude=/usr/share/locale/*'
  --dpkgopt='path-exclude=/usr/share/info/*'
  --dpkgopt='path-exclude=/usr/share/lintian/*'
)

# Path of the cached tarball for a recipe: NAME SUITE PACKAGES [HOOK_SCRIPT].
rootfs_tar_path() {
  local name="$1" suite="$2" packages="$3" hook="${4:-}" hash
  # The empty line once held a second package list; kept so that cached tarballs keep their names.
  hash="$({
    printf 'v2\n%s\n%s\n%s\n%s\n%s\n' "$suite" "$packages" "" "$DEBIAN_MIRROR" "${MMDEBSTRAP_SLIM_OPTS[*]}"
    if [ -n "$hook" ]; then cat "$hook"; fi
  } | recipe_hash)"
  echo "$ROOTFS_CACHE/$name-$hash.tar"
}

# mmdebstrap sharing downloaded .debs between runs: the cache is copied in before, new .debs are
# moved out after. SUITE VARIANT OUT_TAR LOG [more mmdebstrap arguments: hooks, --include].
# No daemons get installed: start-stop-daemon and policy-rc.d are left alone, so snapshots taken
# by hooks mid-run are clean. The .debs are cached in $DEB_CACHE/SUITE, or in $MMDEBSTRAP_DEBS when
# the caller sets it (the arm64 runs: their .debs stay out of the amd64 runs' cache).
mmdebstrap_cached() {
  local suite="$1" variant="$2" out="$3" logf="$4" debs_out deb
  local debs="${MMDEBSTRAP_DEBS:-$DEB_CACHE/$suite}"
  shift 4
  mkdir -p "$ROOTFS_CACHE" "$debs"
  debs_out="$(mktemp -d "$ROOTFS_CACHE/.debs-out.XXXXXX")"
  if ! mmdebstrap --variant="$variant" --skip=chroot/policy-rc.d --skip=chroot/start-stop-daemon \
    --aptopt='Acquire::Check-Valid-Until "false"' --aptopt='Acquire::Retries "3"' \
    "${MMDEBSTRAP_SLIM_OPTS[@]}" --skip=download/empty --skip=essential/unlink \
    --setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
    --setup-hook="sync-in $debs /var/cache/apt/archives/" \
    "$@" --customize-hook="sync-out /var/cache/apt/archives $debs_out" \
    "$suite" "$out" "$DEBIAN_MIRROR" >"$logf" 2>&1; then
    tail -8 "$logf" >&2
    rm -rf "$debs_out"
    return 1
  fi
  # Rename is atomic, so a parallel run never copies in a half-written .deb.
  for deb in "$debs_out"/*.deb; do
    [ -e "$deb" ] && mv -n "$deb" "$debs/"
  done
  rm -rf "$debs_out"
}

# Build the tarball for a recipe unless cached; logs to $ROOTFS_CACHE/NAME.log. The hook (if any)
# runs as `sh HOOK ROOTFS_DIR SIDECAR` and may write KEY=VALUE lines to SIDECAR (kept next to the
# tarball as .env).
build_rootfs() {
  local name="$1" suite="$2" packages="$3" hook="${4:-}" tar
  tar="$(rootfs_tar_path "$@")"
  [ -f "$tar" ] && return 0
  local work="$ROOTFS_CACHE/.work-$name.$$"
  rm -rf "$work"
  mkdir -p "$work"
  : >"$work/sidecar.env"
  local hooks=()
  if [ -n "$hook" ]; then hooks+=(--customize-hook="sh $hook \"\$1\" $work/sidecar.env"); fi
  mmdebstrap_cached "$suite" apt "$work/rootfs.tar" "$ROOTFS_CACHE/$name.log" "${hooks[@]}" \
    --include="$(echo "$packages" | tr ' ' ',')" ||
    { rm -rf "$work"; die "mmdebstrap for $name failed (log: $ROOTFS_CACHE/$name.log)"; }
  mv "$work/sidecar.env" "${tar%.tar}.env"
  mv "$work/rootfs.tar" "$tar"
  rm -rf "$work"
  # Older tarballs of the same image are dead weight.
  find "$ROOTFS_CACHE" -maxdepth 1 -name "$name-????????????????.*" ! -name "$(basename "${tar%.tar}").*" -delete
}
