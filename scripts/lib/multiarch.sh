# The stand-ins as multi-platform images on remote C (engine B's Docker with the containerd image
# store): each image that has an arm64 variant (arm64_image_list) becomes one index of its amd64
# and arm64 images under every tag it has on engines A and B, so that a build for
# linux/amd64,linux/arm64 resolves each base for its own platform, as it would from Docker Hub.
# An index can only be assembled in a registry: each platform's image is imported, pushed to the
# local registry, joined there by `docker buildx imagetools create`, and the index pulled back.
# shellcheck shell=bash

MULTIARCH_REPO="pyfront-multiarch"

c_docker() { DOCKER_HOST="$(remote_host C)" DOCKER_CONFIG="$B_DIR/docker-config" "$B_DIR/bin/docker" "$@"; }

# amd64's image_list line whose first tag is $1.
amd64_line_for() {
  local line tags
  while IFS= read -r line; do
    IFS='|' read -r _ tags _ _ <<<"$line"
    [ "${tags%% *}" = "$1" ] && echo "$line" && return 0
  done < <(image_list)
  return 1
}

# Imports one platform's tar into C and pushes it to the local registry as $3.
push_platform_image() {
  local tar="$1" cmd="$2" ref="$3" platform="$4" change changes=()
  while IFS= read -r change; do
    changes+=(--change "$change")
  done < <(image_changes "$tar" "$cmd" "$(arm64_image_recipe "$tar")")
  c_docker import --platform "$platform" "${changes[@]}" "$tar" "$ref" >/dev/null ||
    die "remote C: docker import of $tar as $ref failed"
  c_docker push -q "$ref" >/dev/null || die "remote C: docker push $ref failed"
}

multiarch_images() {
  local line arm_tar tags arm_cmd amd_line amd_tar amd_cmd first name state want tag
  state="$(remote_dir C)/multiarch-images"
  want="$( (arm64_image_list && image_list) | sha256sum | cut -c1-16)"
  if [ "$(cat "$state" 2>/dev/null)" = "$want" ] && c_docker image inspect python:3.11-slim >/dev/null 2>&1; then
    return 0
  fi
  registry_answers || die "the local registry does not answer at $REGISTRY_ADDR (scripts/engine up)"
  [ -f "$(arm64_images_dir)/done" ] || die "the arm64 stand-ins are not built: scripts/engine up B (or arm64-images) builds them"
  while IFS= read -r line; do
    IFS='|' read -r arm_tar tags arm_cmd _ <<<"$line"
    first="${tags%% *}"
    amd_line="$(amd64_line_for "$first")" || die "no amd64 stand-in tagged $first for its arm64 variant"
    IFS='|' read -r amd_tar _ amd_cmd _ <<<"$amd_line"
    name="$REGISTRY_ADDR/$MULTIARCH_REPO/${first/:/-}"
    log "remote C: $first for linux/amd64 and linux/arm64 ($(elapsed))"
    push_platform_image "$amd_tar" "$amd_cmd" "$name:amd64" linux/amd64
    push_platform_image "$arm_tar" "$arm_cmd" "$name:arm64" linux/arm64
    c_docker buildx imagetools create -t "$name:index" \
      "$name:amd64" "$name:arm64" >/dev/null 2>&1 || die "joining $name's platforms into an index failed"
    c_docker rmi "$name:amd64" "$name:arm64" >/dev/null
    c_docker pull -q --platform linux/amd64 "$name:index" >/dev/null || die "remote C: pulling $name:index failed"
    c_docker pull -q --platform linux/arm64 "$name:index" >/dev/null || die "remote C: pulling $name:index failed"
    for tag in $tags; do c_docker tag "$name:index" "$tag"; done
    c_docker rmi "$name:index" >/dev/null
  done < <(arm64_image_list)
  echo "$want" >"$state"
}
