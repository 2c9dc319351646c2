# Shared paths and helpers for scripts/engine. Sourced, not run.
# shellcheck shell=bash

PYFRONT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE_DIR="${PYFRONT_STATE_DIR:-/var/lib/pyfront-engine}"
CACHE_DIR="${PYFRONT_CACHE_DIR:-/var/cache/pyfront}"
# The archive here is a frozen snapshot: its Release files may be "expired".
APT_OPTS=(-o 'Acquire::Check-Valid-Until=false' -o 'Acquire::Retries=3')
DEBIAN_MIRROR="${PYFRONT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

INDEX_PORT="${PYFRONT_INDEX_PORT:-3141}"
INDEX_AUTH_PORT="${PYFRONT_INDEX_AUTH_PORT:-3142}"
INDEX_USER="pyfront"
REGISTRY_ADDR="127.0.0.1:5000"

log() { printf '[engine] %s\n' "$*" >&2; }
die() { printf 'engine: %s\n' "$*" >&2; exit 1; }

# Seconds since the script started, for progress lines.
elapsed() { echo "$((SECONDS))s"; }

require_root() {
  [ "$(id -u)" = 0 ] || die "$1 needs root (run as root or with sudo)"
}

# Short stable hash of a recipe text (stdin).
recipe_hash() { sha256sum | cut -c1-16; }

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# Pid recorded in a file, if that process still runs.
pid_from() {
  local file="$1" pid
  [ -f "$file" ] || return 1
  pid="$(cat "$file" 2>/dev/null)"
  pid_alive "$pid" && echo "$pid"
}

# Stop a process we started (by its recorded pid), waiting up to $2 seconds.
stop_pid_file() {
  local file="$1" wait_s="${2:-20}" pid i
  pid="$(pid_from "$file")" || { rm -f "$file"; return 0; }
  kill "$pid" 2>/dev/null || true
  for ((i = 0; i < wait_s * 10; i++)); do
    pid_alive "$pid" || break
    sleep 0.1
  done
  if pid_alive "$pid"; then
    log "pid $pid did not stop in ${wait_s}s; sending KILL"
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

# Start a long-running command detached from this shell, recording its pid.
start_daemon() {
  local pidfile="$1" logfile="$2"
  shift 2
  # fd 9 is the up/down lock: daemons must not keep holding it.
  setsid nohup "$@" >>"$logfile" 2>&1 </dev/null 9>&- &
  echo $! >"$pidfile"
}

# Wait until a command succeeds (quietly), up to $1 seconds.
wait_for() {
  local timeout_s="$1" i
  shift
  for ((i = 0; i < timeout_s * 5; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  return 1
}

# Install missing Debian packages; a clear one-line failure when we can't.
ensure_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them; install them by hand"
  require_root "installing ${missing[*]}"
  log "apt-get install ${missing[*]}"
  # Keep the packages' init scripts from starting their own daemons: we start ours.
  local policy=/usr/sbin/policy-rc.d had_policy=0
  [ -e "$policy" ] && had_policy=1
  if [ "$had_policy" = 0 ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
  fi
  local out rc=0
  out="$(mktemp)"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${APT_OPTS[@]}" "${missing[@]}" >"$out" 2>&1; then
    # A stale package list is the usual cause on a fresh machine.
    DEBIAN_FRONTEND=noninteractive apt-get update -q "${APT_OPTS[@]}" >>"$out" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${APT_OPTS[@]}" "${missing[@]}" >>"$out" 2>&1 || rc=$?
  fi
  [ "$had_policy" = 1 ] || rm -f "$policy"
  if [ "$rc" != 0 ]; then
    tail -5 "$out" >&2
    rm -f "$out"
    die "apt-get could not install ${missing[*]} (see lines above)"
  fi
  rm -f "$out"
}
