# Engine A (Debian 12's Docker 20.10 on the host) and engine B (Debian 13's Docker 26.1 + buildx in a
# chroot, on its own bridge). Both share the host's network namespace.
# shellcheck shell=bash

A_DIR="$STATE_DIR/a"
B_DIR="$STATE_DIR/b"
B_ROOTFS="$B_DIR/rootfs"
B_MNT="$B_DIR/mnt"
B_SOCK="$B_MNT/run/eng26/docker.sock"
B_BRIDGE="pyfront0"
B_BRIDGE_CIDR="10.213.0.1/24"
B_SUBNET="10.213.0.0/24"
B_PKGS="docker.io docker-buildx iptables ca-certificates"
A_DEFAULT_HOST="unix:///var/run/docker.sock"

# The docker client for an engine: Debian's 20.10 client for A (the newer /usr/local/bin/docker
# refuses BuildKit builds without buildx); for B any client works, since buildx is in its config dir.
engine_client() {
  case "$1" in
    A)
      if [ -x /usr/bin/docker ]; then echo /usr/bin/docker; else command -v docker; fi
      ;;
    B) echo "$B_DIR/bin/docker" ;;
  esac
}

engine_host() {
  case "$1" in
    A) cat "$A_DIR/host" 2>/dev/null || echo "$A_DEFAULT_HOST" ;;
    B) echo "unix://$B_SOCK" ;;
  esac
}

engine_docker() {
  local engine="$1"
  shift
  DOCKER_HOST="$(engine_host "$engine")" DOCKER_CONFIG="$STATE_DIR/${engine,,}/docker-config" \
    DOCKER_BUILDKIT=1 "$(engine_client "$engine")" "$@"
}

engine_answers() { engine_docker "$1" version >/dev/null 2>&1; }

# --- engine A -----------------------------------------------------------------------------------

a_status() {
  if [ "$(cat "$A_DIR/mode" 2>/dev/null)" = foreign ] && engine_answers A; then
    echo "A: running (not ours: $(engine_host A))"
  elif pid_from "$A_DIR/dockerd.pid" >/dev/null && engine_answers A; then
    echo "A: running (dockerd pid $(cat "$A_DIR/dockerd.pid"), $(engine_host A))"
  else
    echo "A: stopped"
  fi
}

# True when some engine (ours or not) already answers where engine A would be.
a_running_somewhere() {
  pid_from "$A_DIR/dockerd.pid" >/dev/null && return 0
  local user_host="${DOCKER_HOST:-$A_DEFAULT_HOST}"
  [ "$user_host" = "$(engine_host B)" ] && user_host="$A_DEFAULT_HOST"
  [ -n "$(engine_client A)" ] && DOCKER_HOST="$user_host" "$(engine_client A)" version >/dev/null 2>&1
}

a_up() {
  mkdir -p "$A_DIR/docker-config"
  [ -f "$A_DIR/docker-config/config.json" ] || echo '{}' >"$A_DIR/docker-config/config.json"
  if pid_from "$A_DIR/dockerd.pid" >/dev/null; then
    wait_for 60 engine_answers A || die "engine A (our dockerd) does not answer; see $A_DIR/dockerd.log"
    return 0
  fi
  # Someone else's engine (a user's Docker, or one started by the package): use it, start nothing.
  local user_host="${DOCKER_HOST:-$A_DEFAULT_HOST}"
  [ "$user_host" = "$(engine_host B)" ] && user_host="$A_DEFAULT_HOST"
  if [ -n "$(engine_client A)" ] && DOCKER_HOST="$user_host" "$(engine_client A)" version >/dev/null 2>&1; then
    echo "$user_host" >"$A_DIR/host"
    echo foreign >"$A_DIR/mode"
    log "engine A: using the Docker engine already running at $user_host"
    return 0
  fi
  require_root "starting engine A (dockerd)"
  ensure_packages docker.io
  echo "$A_DEFAULT_HOST" >"$A_DIR/host"
  echo ours >"$A_DIR/mode"
  log "engine A: starting dockerd 20.10 ($(elapsed))"
  start_daemon "$A_DIR/dockerd.pid" "$A_DIR/dockerd.log" \
    dockerd --host "$A_DEFAULT_HOST" --pidfile /var/run/docker.pid
  wait_for 60 engine_answers A || die "engine A: dockerd did not come up; see $A_DIR/dockerd.log"
  cp /var/run/docker.pid "$A_DIR/dockerd.pid"
}

a_down() {
  if [ "$(cat "$A_DIR/mode" 2>/dev/null)" = foreign ]; then
    log "engine A: not ours, left running"
    rm -f "$A_DIR/mode" "$A_DIR/host"
    return 0
  fi
  if pid_from "$A_DIR/dockerd.pid" >/dev/null; then
    log "engine A: stopping dockerd"
    stop_pid_file "$A_DIR/dockerd.pid" 30
  fi
  rm -f "$A_DIR/mode"
}

# --- engine B -----------------------------------------------------------------------------------

b_status() {
  if pid_from "$B_DIR/dockerd.pid" >/dev/null && engine_answers B; then
    echo "B: running (dockerd pid $(cat "$B_DIR/dockerd.pid"), unix://$B_SOCK, bridge $B_BRIDGE)"
  else
    echo "B: stopped"
  fi
}

b_rootfs_tar() { rootfs_tar_path engine-b trixie "$B_PKGS"; }

build_b_rootfs() { build_rootfs engine-b trixie "$B_PKGS"; }

# Unpack the cached tarball into B's root unless it is already this recipe (keeps B's image store).
b_prepare_rootfs() {
  local tar
  tar="$(b_rootfs_tar)"
  [ "$(cat "$B_DIR/rootfs.recipe" 2>/dev/null)" = "$(basename "$tar")" ] && [ -x "$B_ROOTFS/usr/sbin/dockerd" ] && return 0
  log "engine B: unpacking its Debian 13 root ($(elapsed))"
  b_unmount
  rm -rf "$B_ROOTFS"
  mkdir -p "$B_ROOTFS"
  tar -C "$B_ROOTFS" -xf "$tar"
  basename "$tar" >"$B_DIR/rootfs.recipe"
}

# B's client: buildx from B's root, in a docker config dir of our own; the client binary is the
# newest one on the host (buildx needs none in particular).
b_prepare_client() {
  mkdir -p "$B_DIR/docker-config/cli-plugins" "$B_DIR/bin"
  [ -f "$B_DIR/docker-config/config.json" ] || echo '{}' >"$B_DIR/docker-config/config.json"
  cp -f "$B_ROOTFS/usr/libexec/docker/cli-plugins/docker-buildx" "$B_DIR/docker-config/cli-plugins/"
  local client
  if "$B_ROOTFS/usr/bin/docker" --version >/dev/null 2>&1; then
    client="$B_ROOTFS/usr/bin/docker"
  else
    client="$(engine_client A)"
  fi
  ln -sfn "$client" "$B_DIR/bin/docker"
}

b_mount() {
  mkdir -p "$B_MNT"
  mountpoint -q "$B_MNT" || mount --bind "$B_ROOTFS" "$B_MNT"
  mountpoint -q "$B_MNT/proc" || mount -t proc proc "$B_MNT/proc"
  if ! mountpoint -q "$B_MNT/sys"; then
    mount --rbind /sys "$B_MNT/sys"
    mount --make-rslave "$B_MNT/sys"
  fi
  if ! mountpoint -q "$B_MNT/dev"; then
    mount --rbind /dev "$B_MNT/dev"
    mount --make-rslave "$B_MNT/dev"
  fi
  cp -f /etc/resolv.conf "$B_MNT/etc/resolv.conf" 2>/dev/null || true
  mkdir -p "$B_MNT/run/eng26"
}

b_unmount() {
  local m
  for m in "$B_MNT/dev" "$B_MNT/sys" "$B_MNT/proc" "$B_MNT"; do
    mountpoint -q "$m" && { umount -R "$m" 2>/dev/null || umount -R -l "$m"; }
  done
  return 0
}

# B's own bridge, so A (docker0) and B run side by side; B leaves iptables alone (two dockerds
# rewriting the same DOCKER chains would fight) and we add the two NAT/forward rules it needs.
B_IPTABLES_RULES=(
  "-t nat POSTROUTING -s $B_SUBNET ! -o $B_BRIDGE -j MASQUERADE"
  "-t filter FORWARD -i $B_BRIDGE -j ACCEPT"
  "-t filter FORWARD -o $B_BRIDGE -j ACCEPT"
)

b_network_up() {
  if ! ip link show "$B_BRIDGE" >/dev/null 2>&1; then
    ip link add "$B_BRIDGE" type bridge
    ip addr add "$B_BRIDGE_CIDR" dev "$B_BRIDGE"
  fi
  ip link set "$B_BRIDGE" up
  sysctl -qw net.ipv4.ip_forward=1 || true
  command -v iptables >/dev/null || return 0
  local rule table chain rest
  for rule in "${B_IPTABLES_RULES[@]}"; do
    read -r _ table chain rest <<<"$rule"
    # shellcheck disable=SC2086
    iptables -t "$table" -C "$chain" $rest 2>/dev/null || iptables -t "$table" -I "$chain" $rest
  done
}

b_network_down() {
  local rule table chain rest
  if command -v iptables >/dev/null; then
    for rule in "${B_IPTABLES_RULES[@]}"; do
      read -r _ table chain rest <<<"$rule"
      # shellcheck disable=SC2086
      while iptables -t "$table" -C "$chain" $rest 2>/dev/null; do iptables -t "$table" -D "$chain" $rest; done
    done
  fi
  ip link show "$B_BRIDGE" >/dev/null 2>&1 && ip link delete "$B_BRIDGE"
  return 0
}

b_up() {
  require_root "starting engine B (a chroot dockerd)"
  if pid_from "$B_DIR/dockerd.pid" >/dev/null; then
    wait_for 60 engine_answers B || die "engine B (our dockerd) does not answer; see $B_DIR/dockerd.log"
    return 0
  fi
  ensure_packages iproute2 iptables
  b_prepare_rootfs
  b_prepare_client
  b_mount
  b_network_up
  rm -f "$B_SOCK"
  log "engine B: starting dockerd 26.1 in its chroot ($(elapsed))"
  # Its own mount namespace with B's root as the real root (see hooks/b-enter-root.sh), so that
  # `docker exec` runs inside the container, not in the host's filesystem.
  start_daemon "$B_DIR/dockerd.pid" "$B_DIR/dockerd.log" \
    unshare --mount --propagation private -- sh "$PYFRONT_ROOT/scripts/lib/hooks/b-enter-root.sh" "$B_MNT" \
    dockerd --host "unix:///run/eng26/docker.sock" --data-root /var/lib/docker26 \
    --exec-root /run/eng26/exec --pidfile /run/eng26/docker.pid --bridge "$B_BRIDGE" \
    --iptables=false --ip-masq=false --cgroup-parent pyfront-b
  wait_for 60 engine_answers B || die "engine B: dockerd did not come up; see $B_DIR/dockerd.log"
  cp "$B_MNT/run/eng26/docker.pid" "$B_DIR/dockerd.pid"
}

b_down() {
  if pid_from "$B_DIR/dockerd.pid" >/dev/null; then
    log "engine B: stopping dockerd"
    stop_pid_file "$B_DIR/dockerd.pid" 30
  fi
  b_unmount
  b_network_down
}
