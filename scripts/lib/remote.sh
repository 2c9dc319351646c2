# A remote engine for the e2e tests of `pyfront build --builder tcp://`: a Docker daemon of engine A's
# or B's version in a network namespace of its own (a second host on this machine), listening on
# TCP on its side of a veth pair. It sees none of the host's loopback services; the package index
# is forwarded into it (socat on both sides), as a real remote host would reach a mirror.
#
# Remote C is engine B's Docker 26.1 with the containerd image store turned on, the one store of
# Docker's that holds an image index: the engine of the multi-platform tests (scripts/lib/multiarch.sh
# gives it the stand-ins with their arm64 variants). The local registry is forwarded into it too.
# shellcheck shell=bash

REMOTE_INDEX_PORTS=("$INDEX_PORT")

remote_ns() { echo "pyfront-remote-${1,,}"; }
remote_dir() { echo "$STATE_DIR/remote-${1,,}"; }
# 10.214.1.0/30 for A, 10.214.2.0/30 for B, 10.214.3.0/30 for C: .1 the host's end, .2 the remote's.
remote_subnet() { case "$1" in A) echo 10.214.1 ;; B) echo 10.214.2 ;; C) echo 10.214.3 ;; esac; }
remote_ports() {
  echo "${REMOTE_INDEX_PORTS[@]}"
  [ "$1" = C ] && echo "${REGISTRY_ADDR##*:}"
  return 0
}
remote_host() { echo "tcp://$(remote_subnet "$1").2:2375"; }

remote_answers() { DOCKER_HOST="$(remote_host "$1")" "$(engine_client A)" version >/dev/null 2>&1; }

remote_up() {
  local engine="$1" ns dir net host_if peer_if
  require_root "starting a remote engine (a network namespace)"
  ensure_packages iproute2 socat
  ns="$(remote_ns "$engine")"
  dir="$(remote_dir "$engine")"
  net="$(remote_subnet "$engine")"
  host_if="pfr${engine,,}0"
  peer_if="pfr${engine,,}1"
  if pid_from "$dir/dockerd.pid" >/dev/null && remote_answers "$engine"; then
    [ "$engine" = C ] && multiarch_images
    echo "export PYFRONT_REMOTE_HOST=$(remote_host "$engine")"
    return 0
  fi
  remote_down "$engine"
  mkdir -p "$dir"
  ip netns add "$ns"
  ip link add "$host_if" type veth peer name "$peer_if"
  ip link set "$peer_if" netns "$ns"
  ip addr add "$net.1/30" dev "$host_if"
  ip link set "$host_if" up
  ip -n "$ns" addr add "$net.2/30" dev "$peer_if"
  ip -n "$ns" link set "$peer_if" up
  ip -n "$ns" link set lo up
  ip -n "$ns" route add default via "$net.1"
  # nsenter --net only: `ip netns exec` also remounts /sys, hiding the cgroup mounts dockerd needs.
  local enter=(nsenter "--net=/run/netns/$ns")
  local port i=0
  for port in $(remote_ports "$engine"); do
    start_daemon "$dir/forward-host-$i.pid" "$dir/forward.log" \
      socat "TCP-LISTEN:$port,bind=$net.1,fork,reuseaddr" "TCP:127.0.0.1:$port"
    start_daemon "$dir/forward-remote-$i.pid" "$dir/forward.log" \
      "${enter[@]}" socat "TCP-LISTEN:$port,bind=127.0.0.1,fork,reuseaddr" "TCP:$net.1:$port"
    i=$((i + 1))
  done
  # --tls=false: plain TCP on purpose (an own veth, no other host on it); without it the daemon
  # waits 15 s to show its warning.
  local daemon=(dockerd --host "$(remote_host "$engine")" --tls=false)
  case "$engine" in
    A)
      mkdir -p /run/pyfront-remote-a
      start_daemon "$dir/dockerd.pid" "$dir/dockerd.log" "${enter[@]}" "${daemon[@]}" \
        --data-root "$dir/docker" --exec-root /run/pyfront-remote-a \
        --pidfile "$(remote_daemon_pidfile A)" --cgroup-parent pyfront-remote-a
      ;;
    B | C)
      # B's Docker 26.1 from B's root, entered as B's own dockerd enters it (see b_up); C with the
      # containerd image store.
      pid_from "$B_DIR/dockerd.pid" >/dev/null || die "engine B is not running: start it first (scripts/engine up B)"
      local own=(--data-root /var/lib/docker-remote --exec-root /run/remote/exec --pidfile /run/remote/docker.pid)
      if [ "$engine" = C ]; then
        mkdir -p "$B_MNT/etc/docker"
        echo '{"features": {"containerd-snapshotter": true}}' >"$B_MNT/etc/docker/pyfront-c.json"
        own=(--config-file /etc/docker/pyfront-c.json --data-root /var/lib/docker-c
          --exec-root /run/remote-c/exec --pidfile /run/remote-c/docker.pid)
      fi
      start_daemon "$dir/dockerd.pid" "$dir/dockerd.log" "${enter[@]}" \
        unshare --mount --propagation private -- sh "$PYFRONT_ROOT/scripts/lib/hooks/b-enter-root.sh" "$B_MNT" \
        "${daemon[@]}" "${own[@]}" --cgroup-parent "pyfront-remote-${engine,,}"
      ;;
  esac
  wait_for 60 remote_answers "$engine" || die "the remote engine $engine did not come up; see $dir/dockerd.log"
  [ "$engine" = C ] && multiarch_images
  echo "export PYFRONT_REMOTE_HOST=$(remote_host "$engine")"
}

# The pid file the remote dockerd writes itself (it refuses to start while one names a live process).
remote_daemon_pidfile() {
  case "$1" in
    A) echo /run/pyfront-remote-a/docker.pid ;;
    B) echo "$B_MNT/run/remote/docker.pid" ;;
    C) echo "$B_MNT/run/remote-c/docker.pid" ;;
  esac
}

remote_down() {
  local engine="$1" ns dir f
  ns="$(remote_ns "$engine")"
  dir="$(remote_dir "$engine")"
  stop_pid_file "$dir/dockerd.pid" 30
  stop_pid_file "$(remote_daemon_pidfile "$engine")" 30
  for f in "$dir"/forward-*.pid; do [ -e "$f" ] && stop_pid_file "$f" 5; done
  if ip netns list 2>/dev/null | grep -qw "$ns"; then
    # Whatever still runs in it (containers of a killed daemon) goes with it.
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns"
  fi
  ip link show "pfr${engine,,}0" >/dev/null 2>&1 && ip link delete "pfr${engine,,}0"
  return 0
}
