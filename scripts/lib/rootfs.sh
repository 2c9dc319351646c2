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

# Path of the cached tarball for a recipe: NAME SUITE PACKAGES [HOOK_SCRIPT [SLIM_NAME EXTRA_PACKAGES]].
rootfs_tar_path() {
  local name="$1" suite="$2" packages="$3" hook="${4:-}" slim_name="${5:-}" extra="${6:-}" hash
  hash="$({
    printf 'v2\n%s\n%s\n%s\n%s\n%s\n' "$suite" "$packages" "$extra" "$DEBIAN_MIRROR" "${MMDEBSTRAP_SLIM_OPTS[*]}"
    if [ -n "$hook" ]; then cat "$hook"; fi
    if [ -n "$extra" ]; then cat "$PYFRONT_ROOT/scripts/lib/hooks/snapshot.sh"; fi
  } | recipe_hash)"
  echo "$ROOTFS_CACHE/$name-$hash.tar"
}

# The slim sibling of a pair built by one run (same hash, other name).
rootfs_slim_tar_path() {
  local tar
  tar="$(rootfs_tar_path "$@")"
  echo "$ROOTFS_CACHE/$5-${tar##*-}"
}

# Build the tarball for a recipe unless cached. Prints nothing; logs to $ROOTFS_CACHE/NAME.log.
# The hook (if any) runs as `sh HOOK ROOTFS_DIR SIDECAR` and may write KEY=VALUE lines to SIDECAR
# (kept next to the tarball as .env). With SLIM_NAME and EXTRA_PACKAGES, one run makes two
# tarballs: SLIM_NAME (PACKAGES only) and NAME (PACKAGES + EXTRA_PACKAGES).
build_rootfs() {
  local name="$1" suite="$2" packages="$3" hook="${4:-}" slim_name="${5:-}" extra="${6:-}" tar
  tar="$(rootfs_tar_path "$@")"
  [ -f "$tar" ] && return 0
  mkdir -p "$ROOTFS_CACHE" "$DEB_CACHE/$suite"
  local work="$ROOTFS_CACHE/.work-$name.$$"
  rm -rf "$work"
  mkdir -p "$work/debs-out"
  : >"$work/sidecar.env"
  local hooks=(
    # Share downloaded .debs between runs: copy the cache in, copy new ones out afterwards.
    --skip=download/empty --skip=essential/unlink
    --setup-hook='mkdir -p "$1"/var/cache/apt/archives/'
    --setup-hook="sync-in $DEB_CACHE/$suite /var/cache/apt/archives/"
    --customize-hook="sync-out /var/cache/apt/archives $work/debs-out"
  )
  if [ -n "$hook" ]; then hooks+=(--customize-hook="sh $hook \"\$1\" $work/sidecar.env"); fi
  if [ -n "$extra" ]; then
    hooks+=(
      --customize-hook="sh $PYFRONT_ROOT/scripts/lib/hooks/snapshot.sh \"\$1\" $work/slim.tar"
      --customize-hook="chroot \"\$1\" apt-get install -y -q --no-install-recommends $extra"
    )
  fi
  local include
  include="$(echo "$packages" | tr ' ' ',')"
  # No daemons get installed: leave start-stop-daemon and policy-rc.d alone, so the slim
  # snapshot taken mid-run is clean.
  if ! mmdebstrap --variant=apt --skip=chroot/policy-rc.d --skip=chroot/start-stop-daemon --aptopt='Acquire::Check-Valid-Until "false"' --aptopt='Acquire::Retries "3"' \
    "${MMDEBSTRAP_SLIM_OPTS[@]}" "${hooks[@]}" --include="$include" \
    "$suite" "$work/rootfs.tar" "$DEBIAN_MIRROR" >"$ROOTFS_CACHE/$name.log" 2>&1; then
    tail -5 "$ROOTFS_CACHE/$name.log" >&2
    rm -rf "$work"
    die "mmdebstrap for $name failed (log: $ROOTFS_CACHE/$name.log)"
  fi
  # Rename is atomic, so a parallel run never copies in a half-written .deb.
  local deb
  for deb in "$work"/debs-out/*.deb; do
    [ -e "$deb" ] && mv -n "$deb" "$DEB_CACHE/$suite/"
  done
  if [ -n "$extra" ]; then
    local slim_tar="$ROOTFS_CACHE/$slim_name-${tar##*-}"
    cp "$work/sidecar.env" "${slim_tar%.tar}.env"
    mv "$work/slim.tar" "$slim_tar"
    find "$ROOTFS_CACHE" -maxdepth 1 -name "$slim_name-????????????????.*" ! -name "$(basename "${slim_tar%.tar}").*" -delete
  fi
  mv "$work/sidecar.env" "${tar%.tar}.env"
  mv "$work/rootfs.tar" "$tar"
  rm -rf "$work"
  # Older tarballs of the same image are dead weight.
  find "$ROOTFS_CACHE" -maxdepth 1 -name "$name-????????????????.*" ! -name "$(basename "${tar%.tar}").*" -delete
}
