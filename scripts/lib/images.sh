# Stand-ins for the official base images, made from Debian packages and tagged with the real names.
# shellcheck shell=bash

HOOKS_DIR="$PYFRONT_ROOT/scripts/lib/hooks"
PY_SLIM_PKGS="python3 python3-pip python3-venv python-is-python3 ca-certificates"
# Like the official non-slim images (buildpack-deps): compilers, headers, git, ssh, common -dev libs.
PY_FULL_EXTRA="python3-dev build-essential git openssh-client pkg-config libyaml-dev libffi-dev libssl-dev"

# One mmdebstrap run per line: name|suite|packages|hook|slim name|extra packages for the full image.
# The python runs snapshot the slim image, then add the builder packages for the full one.
ROOTFS_BUILDS=(
  "image-python-3.11|bookworm|$PY_SLIM_PKGS|$HOOKS_DIR/python-image.sh|image-python-3.11-slim|$PY_FULL_EXTRA"
  "image-python-3.13|trixie|$PY_SLIM_PKGS|$HOOKS_DIR/python-image.sh|image-python-3.13-slim|$PY_FULL_EXTRA"
  "image-node-20-slim|trixie|ca-certificates libstdc++6|$HOOKS_DIR/node-image.sh||"
)

# Image tag|build line index|which tarball (full or slim)|Cmd
IMAGES=(
  "python:3.11|0|full|python3"
  "python:3.11-slim|0|slim|python3"
  "python:3.13|1|full|python3"
  "python:3.13-slim|1|slim|python3"
  "node:20-slim|2|full|node"
)

build_fields() {
  local IFS='|'
  # shellcheck disable=SC2206
  BUILD=(${ROOTFS_BUILDS[$1]})
  while [ ${#BUILD[@]} -lt 6 ]; do BUILD+=(""); done
}

image_tar() {
  local tag index which cmd
  IFS='|' read -r tag index which cmd <<<"$1"
  build_fields "$index"
  if [ "$which" = slim ]; then rootfs_slim_tar_path "${BUILD[@]}"; else rootfs_tar_path "${BUILD[@]}"; fi
}

images_missing() {
  local line
  for line in "${IMAGES[@]}"; do [ -f "$(image_tar "$line")" ] || return 0; done
  return 1
}

# Build every missing tarball, one mmdebstrap run per build line, all in parallel.
build_all_image_rootfs() {
  local i pids=() pid rc=0 missing
  for i in "${!ROOTFS_BUILDS[@]}"; do
    build_fields "$i"
    missing=0
    [ -f "$(rootfs_tar_path "${BUILD[@]}")" ] || missing=1
    if [ -n "${BUILD[4]}" ] && [ ! -f "$(rootfs_slim_tar_path "${BUILD[@]}")" ]; then missing=1; fi
    [ "$missing" = 1 ] || continue
    log "building root filesystem ${BUILD[0]#image-}${BUILD[4]:+ and ${BUILD[4]#image-}} ($(elapsed))"
    build_rootfs "${BUILD[@]}" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
  [ "$rc" = 0 ] || die "building base image root filesystems failed"
}

# Import every stand-in into one engine unless it already has this exact recipe.
import_images() {
  local engine="$1" line tag index which cmd tar hash have kv
  for line in "${IMAGES[@]}"; do
    IFS='|' read -r tag index which cmd <<<"$line"
    tar="$(image_tar "$line")"
    hash="$(basename "$tar" .tar)"
    have="$(engine_docker "$engine" image inspect -f '{{index .Config.Labels "org.pyfront.recipe"}}' "$tag" 2>/dev/null || true)"
    [ "$have" = "$hash" ] && continue
    log "engine $engine: importing $tag ($(elapsed))"
    local changes=(
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
      --change 'ENV LANG=C.UTF-8'
      --change "LABEL org.pyfront.recipe=$hash"
      --change "CMD [\"$cmd\"]"
    )
    while IFS= read -r kv; do
      [ -n "$kv" ] && changes+=(--change "ENV $kv")
    done <"${tar%.tar}.env"
    engine_docker "$engine" import "${changes[@]}" "$tar" "$tag" >/dev/null ||
      die "engine $engine: docker import of $tag failed"
  done
}
