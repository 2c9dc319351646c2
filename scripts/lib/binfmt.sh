# arm64 emulation for the test machine: one binfmt_misc handler, qemu-aarch64, and no other.
# shellcheck shell=bash
#
# Debian's qemu-user-static (qemu-user in trixie, whose binaries are static) registers handlers for
# every architecture it emulates when installed, and the engines' BuildKit then reports all of them
# as platforms. So the package is never installed: its .deb is downloaded and unpacked under
# $QEMU_DIR, and only qemu-aarch64 is registered, with the flags of Debian's own qemu-aarch64.conf:
#   F (fix binary): the kernel opens the interpreter when it is registered, so arm64 programs run
#     inside containers and chroots, where $QEMU_DIR is not visible;
#   O (open binary) and P (preserve argv[0]): qemu gets the program as an open file and its real
#     argv[0]; qemu knows it was started with P from its own name ending in -binfmt-P.
# BuildKit looks for emulators when its daemon starts (and caches what it found), so this runs
# before `up` starts the engines.

BINFMT_DIR=/proc/sys/fs/binfmt_misc
BINFMT_NAME=qemu-aarch64
QEMU_SUITE=trixie
QEMU_DIR="$CACHE_DIR/qemu"
# The magic and mask of Debian's qemu-aarch64.conf (an ELF64 little-endian executable or shared
# object for machine 0xb7, EM_AARCH64).
BINFMT_AARCH64_MAGIC='\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
BINFMT_AARCH64_MASK='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
BINFMT_AARCH64_FLAGS=OPF

# The unpacked qemu-aarch64 of trixie's qemu-user, downloaded once; prints the interpreter path to
# register (a link named *-binfmt-P, as Debian's package has it).
qemu_aarch64_interpreter() {
  local dir version work deb
  dir="$(find "$QEMU_DIR" -mindepth 2 -maxdepth 2 -name done -printf '%h\n' 2>/dev/null | sort -V | tail -1)"
  if [ -z "$dir" ]; then
    private_apt "$QEMU_SUITE" deb
    version="$(apt-cache "${APT_PRIVATE_OPTS[@]}" show qemu-user 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -1)"
    [ -n "$version" ] || die "no qemu-user package in Debian $QEMU_SUITE"
    dir="$QEMU_DIR/${version//[:~]/_}"
    work="$dir.work.$$"
    rm -rf "$work"
    mkdir -p "$work/deb" "$work/x"
    (cd "$work/deb" && apt-get "${APT_PRIVATE_OPTS[@]}" download -q "qemu-user=$version" >"$work/download.log" 2>&1) ||
      { tail -3 "$work/download.log" >&2; rm -rf "$work"; die "could not download qemu-user $version from $QEMU_SUITE"; }
    deb="$(ls "$work"/deb/*.deb)"
    dpkg-deb -x "$deb" "$work/x"
    mkdir -p "$work/out/bin" "$work/out/libexec"
    cp "$work/x/usr/bin/qemu-aarch64" "$work/out/bin/qemu-aarch64"
    ln -s ../bin/qemu-aarch64 "$work/out/libexec/aarch64-binfmt-P"
    echo "$version" >"$work/out/version"
    sha256sum "$deb" | cut -d' ' -f1 >"$work/out/deb.sha256"
    rm -rf "$dir"
    mv "$work/out" "$dir"
    rm -rf "$work"
    touch "$dir/done"
  fi
  echo "$dir/libexec/aarch64-binfmt-P"
}

# A static arm64 program to check the handler with: bookworm's busybox-static.
binfmt_check_binary() {
  local bin="$QEMU_DIR/check/busybox" work
  if [ ! -x "$bin" ]; then
    private_apt bookworm deb arm64
    work="$QEMU_DIR/check.work.$$"
    rm -rf "$work"
    mkdir -p "$work/deb" "$work/x" "$QEMU_DIR/check"
    (cd "$work/deb" && apt-get "${APT_PRIVATE_OPTS[@]}" download -q busybox-static >"$work/download.log" 2>&1) ||
      { tail -3 "$work/download.log" >&2; rm -rf "$work"; die "could not download bookworm's busybox-static for arm64"; }
    dpkg-deb -x "$work"/deb/*.deb "$work/x"
    cp "$work/x/bin/busybox" "$bin.part"
    mv "$bin.part" "$bin"
    rm -rf "$work"
  fi
  echo "$bin"
}

# True when arm64 programs run here through binfmt_misc (whoever registered the handler).
binfmt_arm64_works() {
  local bin
  bin="$(binfmt_check_binary)"
  [ "$("$bin" uname -m 2>/dev/null)" = aarch64 ]
}

# Mount binfmt_misc if needed, register qemu-aarch64 unless a working handler with the F flag is
# there, and check that an arm64 program runs. Idempotent.
ensure_binfmt_arm64() {
  require_root "registering the qemu-aarch64 binfmt_misc handler"
  if [ ! -e "$BINFMT_DIR/register" ]; then
    grep -qw binfmt_misc /proc/filesystems || modprobe binfmt_misc 2>/dev/null || true
    mount -t binfmt_misc binfmt_misc "$BINFMT_DIR" || die "cannot mount binfmt_misc on $BINFMT_DIR"
  fi
  [ "$(cat "$BINFMT_DIR/status")" = enabled ] || echo 1 >"$BINFMT_DIR/status"
  local interp entry="$BINFMT_DIR/$BINFMT_NAME"
  interp="$(qemu_aarch64_interpreter)"
  if [ -e "$entry" ]; then
    if grep -qx enabled "$entry" && grep -q '^flags: .*F' "$entry" && binfmt_arm64_works; then
      grep -qx "interpreter $interp" "$entry" || log "binfmt: keeping the $BINFMT_NAME handler already registered ($(sed -n 's/^interpreter //p' "$entry"))"
      return 0
    fi
    # Disabled, or without F (so useless in containers), or broken: ours replaces it.
    log "binfmt: replacing the $BINFMT_NAME handler registered with $(sed -n 's/^interpreter //p' "$entry") ($(sed -n 's/^flags: //p' "$entry"))"
    echo -1 >"$entry"
  fi
  log "binfmt: registering $BINFMT_NAME ($interp, flags $BINFMT_AARCH64_FLAGS)"
  printf ':%s:M::%s:%s:%s:%s' "$BINFMT_NAME" "$BINFMT_AARCH64_MAGIC" "$BINFMT_AARCH64_MASK" "$interp" "$BINFMT_AARCH64_FLAGS" \
    >"$BINFMT_DIR/register" || die "the kernel refused the $BINFMT_NAME binfmt_misc handler"
  binfmt_arm64_works || die "binfmt: $BINFMT_NAME is registered, but an arm64 program ($(binfmt_check_binary)) does not run"
}

# One line for `scripts/engine status`.
binfmt_status() {
  local entry="$BINFMT_DIR/$BINFMT_NAME"
  if [ -r "$entry" ] && grep -qx enabled "$entry"; then
    echo "arm64 emulation: $BINFMT_NAME registered ($(sed -n 's/^interpreter //p' "$entry"), flags $(sed -n 's/^flags: //p' "$entry"))"
  else
    echo "arm64 emulation: not registered"
  fi
}
