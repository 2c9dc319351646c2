# arm64 variants of the python:3.11 and python:3.11-slim stand-ins (bookworm), for multi-platform
# builds. Not imported into any engine: importing them under the real names would replace the amd64
# stand-ins, so `scripts/engine arm64-images` builds the tarballs and lists them with their tags
# and image config, for a multi-platform index (docs/engine.md, "arm64 variants").
# shellcheck shell=bash
#
# Same layout, ENV and Cmd as the amd64 stand-ins, made differently: the bases are the same
# mmdebstrap runs (python-release.sh) with --architectures=arm64, whose maintainer scripts run
# under qemu-aarch64 through binfmt_misc (binfmt.sh); CPython is Debian's bookworm arm64 build,
# relocated to /usr/local (hooks/relocate-debian-python311.py, hooks/python-launcher.sh), not
# compiled: compiling CPython under emulation, or cross, takes many times longer.
# Needs: root, mmdebstrap, the host's python3, and ensure_binfmt_arm64.

ARM64_ARCH=arm64
ARM64_TRIPLET=aarch64-linux-gnu
ARM64_RELEASE=bookworm
ARM64_SERIES=3.11
# Debian's 3.11: interpreter, libpython (static and shared builds), standard library, headers
# (Python.h for the launcher, pyconfig.h for sysconfig), venv and ensurepip, and _gdbm (packaged
# apart: python3-gdbm), so that the stand-in has every module the amd64 one has.
ARM64_CPYTHON_DEBS="python3.11-minimal libpython3.11-minimal libpython3.11-stdlib python3.11 libpython3.11 libpython3.11-dev python3.11-venv python3-gdbm"
ARM64_DEB_CACHE="$DEB_CACHE/$ARM64_RELEASE-$ARM64_ARCH"

# The directory of one arm64 mmdebstrap run (PART slim or full), named by a hash of its inputs.
arm64_release_dir() {
  local part="$1" hash
  release_fields "$ARM64_RELEASE"
  hash="$({
    printf 'arm64 python-release v1\n%s\n%s\n%s\n%s\n%s\n' "$ARM64_ARCH" "$ARM64_RELEASE" "$part" "$DEBIAN_MIRROR" "${MMDEBSTRAP_SLIM_OPTS[*]}"
    if [ "$part" = slim ]; then
      echo "$REL_RUNTIME"
      cat "$HOOKS_DIR/snapshot.sh"
    else
      echo "$REL_FULL"
    fi
    cat "$HOOKS_DIR/python-release.sh"
  } | recipe_hash)"
  echo "$ROOTFS_CACHE/arm64-python-$ARM64_RELEASE-$part-$hash"
}

# The directory of the relocated arm64 CPython tree (with its launcher, compiled in the full base).
arm64_cpython_dir() {
  local hash
  cpython_fields "$ARM64_SERIES"
  hash="$({
    printf 'arm64 relocated v2\n%s\n%s\n%s\n%s\n%s\n%s\n' "$ARM64_ARCH" "$ARM64_SERIES" "$ARM64_CPYTHON_DEBS" \
      "$ARM64_RELEASE" "$DEBIAN_MIRROR" "$CPY_SOURCE"
    basename "$(arm64_release_dir full)"
    cat "$HOOKS_DIR/relocate-debian-python311.py" "$HOOKS_DIR/python-launcher.sh"
  } | recipe_hash)"
  echo "$ROOTFS_CACHE/arm64-cpython-$ARM64_SERIES-$hash"
}

# The directory of the composed arm64 images.
arm64_images_dir() {
  local hash
  hash="$({
    printf 'arm64 images v1\n'
    basename "$(arm64_release_dir slim)"
    basename "$(arm64_release_dir full)"
    basename "$(arm64_cpython_dir)"
    cat "$HOOKS_DIR/compose-python.sh"
  } | recipe_hash)"
  echo "$ROOTFS_CACHE/arm64-images-$ARM64_RELEASE-$hash"
}

# Drop older directories of the same step.
arm64_drop_older() {
  local prefix="$1" keep="$2"
  find "$ROOTFS_CACHE" -maxdepth 1 -name "$prefix-????????????????" ! -name "$(basename "$keep")" -exec rm -rf {} +
}

# One arm64 mmdebstrap run, as build_python_release does it for amd64 (with no CPython to compile).
build_arm64_release() {
  local part="$1" dir work final logf packages
  dir="$(arm64_release_dir "$part")"
  [ -f "$dir/done" ] && return 0
  release_fields "$ARM64_RELEASE"
  final=full-base.tar packages="$REL_FULL"
  [ "$part" = slim ] && final=python-slim-base.tar packages="$REL_RUNTIME"
  work="$dir.work.$$"
  logf="$ROOTFS_CACHE/arm64-python-$ARM64_RELEASE-$part.log"
  rm -rf "$work"
  mkdir -p "$work/out"
  MMDEBSTRAP_DEBS="$ARM64_DEB_CACHE" mmdebstrap_cached "$ARM64_RELEASE" minbase "$work/out/$final" "$logf" \
    --architectures="$ARM64_ARCH" \
    --customize-hook="sh $HOOKS_DIR/python-release.sh $part \"\$1\" $work/out '$packages'" ||
    { rm -rf "$work"; die "building the arm64 $ARM64_RELEASE $part base failed (log: $logf)"; }
  rm -rf "$dir"
  mv "$work/out" "$dir"
  rm -rf "$work"
  touch "$dir/done"
  arm64_drop_older "arm64-python-$ARM64_RELEASE-$part" "$dir"
}

# Debian's arm64 3.11 relocated to /usr/local, its interpreter replaced by the launcher (compiled in
# the arm64 full base, under qemu). Writes cpython.tar, version, sha256 (the upstream tarball's, as
# the amd64 stand-in's PYTHON_SHA256), debs (what it was made from) and relocate.log.
build_arm64_cpython() {
  local dir work deb tarball full
  dir="$(arm64_cpython_dir)"
  [ -f "$dir/done" ] && return 0
  full="$(arm64_release_dir full)"
  [ -f "$full/done" ] || die "the arm64 full base is not built"
  work="$dir.work.$$"
  rm -rf "$work"
  mkdir -p "$work/debs" "$work/src" "$work/out" "$work/tree" "$work/root"
  private_apt "$ARM64_RELEASE" deb "$ARM64_ARCH"
  # shellcheck disable=SC2086
  (cd "$work/debs" && apt-get "${APT_PRIVATE_OPTS[@]}" download -q $ARM64_CPYTHON_DEBS >"$work/download.log" 2>&1) ||
    { tail -3 "$work/download.log" >&2; rm -rf "$work"; die "could not download $ARM64_CPYTHON_DEBS for $ARM64_ARCH from $ARM64_RELEASE"; }
  for deb in "$work"/debs/*.deb; do
    dpkg-deb -x "$deb" "$work/src"
    dpkg-deb -W --showformat='${Package} ${Version} ${Architecture}\n' "$deb" >>"$work/out/debs"
  done
  tarball="$(fetch_cpython_source "$ARM64_SERIES")"
  /usr/bin/python3 "$HOOKS_DIR/relocate-debian-python311.py" "$ARM64_SERIES" "$ARM64_TRIPLET" "$work/src" "$work/tree" "$tarball" \
    >"$work/out/relocate.log" || { rm -rf "$work"; die "relocating Debian's arm64 Python $ARM64_SERIES failed"; }
  tar -C "$work/root" -xf "$full/full-base.tar"
  cp -a "$work/tree/usr/local/." "$work/root/usr/local/"
  sh "$HOOKS_DIR/python-launcher.sh" "$work/root" "$ARM64_SERIES" >>"$work/out/relocate.log" 2>&1 ||
    { tail -5 "$work/out/relocate.log" >&2; rm -rf "$work"; die "compiling the arm64 python$ARM64_SERIES launcher failed"; }
  cp "$work/root/usr/local/bin/python$ARM64_SERIES" "$work/tree/usr/local/bin/python$ARM64_SERIES"
  PYTHONDONTWRITEBYTECODE=1 chroot "$work/root" "/usr/local/bin/python$ARM64_SERIES" -c 'import platform; print(platform.python_version())' \
    >"$work/out/version" || { rm -rf "$work"; die "the arm64 python$ARM64_SERIES launcher does not run"; }
  # pip, bootstrapped here once as `make install` does (compose-python.sh would do it for each
  # image, a minute each under qemu): what ensurepip added to /usr/local goes into the tree.
  PYTHONDONTWRITEBYTECODE=1 chroot "$work/root" "/usr/local/bin/python$ARM64_SERIES" -m ensurepip --default-pip >>"$work/out/relocate.log" 2>&1 ||
    { tail -5 "$work/out/relocate.log" >&2; rm -rf "$work"; die "ensurepip failed in the arm64 python$ARM64_SERIES"; }
  cp -a "$work/root/usr/local/bin/"pip* "$work/tree/usr/local/bin/"
  cp -a "$work/root/usr/local/lib/python$ARM64_SERIES/site-packages/." "$work/tree/usr/local/lib/python$ARM64_SERIES/site-packages/"
  find "$work/tree/usr/local" -depth -type d -name __pycache__ -exec rm -rf '{}' +
  sha256sum "$tarball" | cut -d' ' -f1 >"$work/out/sha256"
  tar -C "$work/tree" --numeric-owner --owner=0 --group=0 --sort=name -cf "$work/out/cpython.tar" usr
  rm -rf "$dir"
  mv "$work/out" "$dir"
  rm -rf "$work"
  touch "$dir/done"
  arm64_drop_older "arm64-cpython-$ARM64_SERIES" "$dir"
}

# Both bases (side by side), the CPython tree, then python-3.11-slim.tar and python-3.11.tar, each
# checked by compose-python.sh as the amd64 ones are (the checks run under qemu).
build_arm64_images() {
  local out work logf version sha tree kind base name pids=() pid rc=0
  out="$(arm64_images_dir)"
  [ -f "$out/done" ] && return 0
  build_arm64_release slim &
  pids+=($!)
  build_arm64_release full &
  pids+=($!)
  for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
  [ "$rc" = 0 ] || die "building the arm64 $ARM64_RELEASE bases failed"
  build_arm64_cpython
  tree="$(arm64_cpython_dir)"
  version="$(cat "$tree/version")"
  sha="$(cat "$tree/sha256")"
  work="$out.work.$$"
  logf="$ROOTFS_CACHE/arm64-images-$ARM64_RELEASE.log"
  rm -rf "$work"
  mkdir -p "$work"
  : >"$logf"
  echo "$version" >"$work/version-$ARM64_SERIES"
  pids=()
  for kind in slim full; do
    base="$(arm64_release_dir full)/full-base.tar"
    name="python-$ARM64_SERIES"
    if [ "$kind" = slim ]; then
      base="$(arm64_release_dir slim)/python-slim-base.tar"
      name="python-$ARM64_SERIES-slim"
    fi
    sh "$HOOKS_DIR/compose-python.sh" "$base" "$tree/cpython.tar" "$work/$name.tar" "$version" "$sha" "$kind" >"$logf.$kind" 2>&1 &
    pids+=($!)
  done
  rc=0
  for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
  cat "$logf.slim" "$logf.full" >>"$logf"
  rm -f "$logf.slim" "$logf.full"
  [ "$rc" = 0 ] || { tail -8 "$logf" >&2; rm -rf "$work"; die "composing the arm64 images failed (log: $logf)"; }
  rm -rf "$out"
  mv "$work" "$out"
  touch "$out/done"
  arm64_drop_older "arm64-images-$ARM64_RELEASE" "$out"
}

# Every arm64 stand-in: tarball|tags (space-separated, the amd64 image's tags)|Cmd|platform, as
# image_list has them. Their image config is image_changes TARBALL CMD RECIPE (arm64_image_recipe).
arm64_image_list() {
  local dir version codename="$ARM64_RELEASE" series="$ARM64_SERIES"
  dir="$(arm64_images_dir)"
  version="$(cat "$dir/version-$series" 2>/dev/null || echo "$series")"
  echo "$dir/python-$series-slim.tar|python:$series-slim python:$version-slim python:$series-slim-$codename python:$version-slim-$codename|python3|linux/$ARM64_ARCH"
  echo "$dir/python-$series.tar|python:$series python:$version python:$series-$codename python:$version-$codename|python3|linux/$ARM64_ARCH"
}

# The recipe label of an arm64 stand-in (as import_images names the amd64 ones: directory/file).
arm64_image_recipe() { echo "$(basename "$(dirname "$1")")/$(basename "$1" .tar)"; }

# The arm64 stand-ins, built if needed, each with its tags and config: one block per image, with the
# `docker import` line that gives an image of it (under a temporary name: never the real tags on
# an engine whose amd64 stand-ins carry them).
print_arm64_images() {
  local line tar tags cmd platform change first
  while IFS= read -r line; do
    IFS='|' read -r tar tags cmd platform <<<"$line"
    [ -f "$tar" ] || die "$tar is missing: run scripts/engine arm64-images"
    first="${tags%% *}"
    echo "image: $first ($platform)"
    echo "  tar: $tar"
    echo "  tags: $tags"
    echo "  platform: $platform"
    local import=(docker import --platform "$platform")
    while IFS= read -r change; do
      echo "  config: $change"
      import+=(--change "$change")
    done < <(image_changes "$tar" "$cmd" "$(arm64_image_recipe "$tar")")
    import+=("$tar" "localhost:5000/pyfront-arm64/${first/:/-}:arm64")
    echo "  import: ${import[*]@Q}"
  done < <(arm64_image_list)
}

ARM64_CHECK='import platform,ssl,sqlite3;print(platform.machine())'

# Run python in each arm64 stand-in, in a chroot of its tarball (under qemu): it must say aarch64.
# Once per tarball (TAR.checked); ensure_binfmt_arm64 checks emulation itself on every run.
check_arm64_images() {
  local line tar got root
  while IFS= read -r line; do
    tar="${line%%|*}"
    [ -f "${tar%.tar}.checked" ] && continue
    root="$(mktemp -d "$ROOTFS_CACHE/.arm64-check.XXXXXX")"
    tar -C "$root" -xf "$tar"
    got="$(PYTHONDONTWRITEBYTECODE=1 chroot "$root" /usr/local/bin/python -c "$ARM64_CHECK" 2>&1)" || true
    rm -rf "$root"
    [ "$got" = aarch64 ] || die "check of $tar: python -c '$ARM64_CHECK' said: $got"
    echo "$got" >"${tar%.tar}.checked"
    log "check: $(basename "$tar"): python says $got"
  done < <(arm64_image_list)
}

# The same check through an engine: each tarball imported for linux/arm64 under a throwaway tag,
# run with `docker run --platform linux/arm64`, then the tag removed. Never the real tags.
check_arm64_images_on() {
  local engine="$1" line tar tags cmd platform tag got change changes
  while IFS= read -r line; do
    IFS='|' read -r tar tags cmd platform <<<"$line"
    tag="pyfront-arm64-check/$(basename "$tar" .tar):$$"
    changes=()
    while IFS= read -r change; do changes+=(--change "$change"); done < <(image_changes "$tar" "$cmd" "$(arm64_image_recipe "$tar")")
    engine_docker "$engine" import --platform "$platform" "${changes[@]}" "$tar" "$tag" >/dev/null ||
      die "engine $engine: docker import --platform $platform of $tar failed"
    got="$(engine_docker "$engine" run --rm --platform "$platform" "$tag" python -c "$ARM64_CHECK" 2>&1)" || true
    engine_docker "$engine" rmi "$tag" >/dev/null || log "engine $engine: could not remove $tag"
    [ "$got" = aarch64 ] || die "engine $engine: docker run --platform $platform of $(basename "$tar") said: $got"
    log "check on engine $engine: $(basename "$tar") ($tag, removed): python says $got"
  done < <(arm64_image_list)
}
