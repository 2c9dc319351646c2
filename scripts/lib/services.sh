# Host services both engines use: a local registry and the local Python package index.
# shellcheck shell=bash

REG_DIR="$STATE_DIR/registry"
INDEX_STATE="$STATE_DIR/index"
INDEX_CACHE="$CACHE_DIR/index"

registry_answers() { curl -fsS "http://$REGISTRY_ADDR/v2/" >/dev/null 2>&1; }

registry_up() {
  if pid_from "$REG_DIR/registry.pid" >/dev/null; then
    wait_for 20 registry_answers && return 0
  fi
  if registry_answers; then
    log "registry: something already answers on $REGISTRY_ADDR; using it"
    return 0
  fi
  ensure_packages docker-registry curl
  mkdir -p "$REG_DIR/data"
  cat >"$REG_DIR/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $REG_DIR/data
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
YAML
  start_daemon "$REG_DIR/registry.pid" "$REG_DIR/registry.log" docker-registry serve "$REG_DIR/config.yml"
  wait_for 20 registry_answers || die "registry did not come up on $REGISTRY_ADDR; see $REG_DIR/registry.log"
}

registry_down() { stop_pid_file "$REG_DIR/registry.pid" 10; }

# --- Python package index ----------------------------------------------------------------------

index_recipe_hash() {
  {
    echo v1
    find "$PYFRONT_ROOT/scripts/index" -type f | LC_ALL=C sort | xargs sha256sum | sed "s|$PYFRONT_ROOT/||"
  } | recipe_hash
}

index_dir() { echo "$INDEX_CACHE/$(index_recipe_hash)"; }

# Build the index tree (wheels from Debian .debs, sdists, ours) unless cached; about 2 minutes cold.
build_index() {
  local dir
  dir="$(index_dir)"
  [ -f "$dir/simple/index.html" ] && return 0
  log "index: building packages ($(elapsed))"
  # Its tools (python3-setuptools, binutils, patchelf) come with `up`'s one apt-get run.
  mkdir -p "$INDEX_CACHE"
  rm -rf "$dir.tmp"
  if ! bash "$PYFRONT_ROOT/scripts/index/make-index.sh" "$dir.tmp" "$CACHE_DIR/index-debs" >"$INDEX_CACHE/build.log" 2>&1; then
    tail -8 "$INDEX_CACHE/build.log" >&2
    die "building the package index failed (log: $INDEX_CACHE/build.log)"
  fi
  mv "$dir.tmp" "$dir"
  find "$INDEX_CACHE" -mindepth 1 -maxdepth 1 -type d ! -name "$(basename "$dir")" -exec rm -rf {} +
}

index_password_file() { echo "$INDEX_STATE/password"; }

index_answers() { curl -fsS "http://127.0.0.1:$1/simple/" >/dev/null 2>&1; }

index_up() {
  mkdir -p "$INDEX_STATE"
  local dir pwfile
  dir="$(index_dir)"
  pwfile="$(index_password_file)"
  if [ ! -s "$pwfile" ]; then
    (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$pwfile")
  fi
  ensure_packages curl
  # Restart when the served tree is not the current one.
  if [ "$(cat "$INDEX_STATE/serving" 2>/dev/null)" != "$dir" ]; then
    index_down
  fi
  if ! pid_from "$INDEX_STATE/open.pid" >/dev/null; then
    start_daemon "$INDEX_STATE/open.pid" "$INDEX_STATE/open.log" \
      node "$PYFRONT_ROOT/scripts/index-server.mjs" --root "$dir" --port "$INDEX_PORT" \
      --access-log "$INDEX_STATE/access.log"
  fi
  if ! pid_from "$INDEX_STATE/auth.pid" >/dev/null; then
    start_daemon "$INDEX_STATE/auth.pid" "$INDEX_STATE/auth.log" \
      node "$PYFRONT_ROOT/scripts/index-server.mjs" --root "$dir" --port "$INDEX_AUTH_PORT" \
      --access-log "$INDEX_STATE/access-auth.log" --user "$INDEX_USER" --password-file "$pwfile"
  fi
  echo "$dir" >"$INDEX_STATE/serving"
  wait_for 20 index_answers "$INDEX_PORT" || die "index server did not come up on port $INDEX_PORT; see $INDEX_STATE/open.log"
  wait_for 20 curl -fsS -o /dev/null -u "$INDEX_USER:$(cat "$pwfile")" "http://127.0.0.1:$INDEX_AUTH_PORT/simple/" ||
    die "authenticated index server did not come up on port $INDEX_AUTH_PORT; see $INDEX_STATE/auth.log"
}

index_down() {
  stop_pid_file "$INDEX_STATE/open.pid" 5
  stop_pid_file "$INDEX_STATE/auth.pid" 5
  rm -f "$INDEX_STATE/serving"
}
