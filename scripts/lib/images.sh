# Stand-ins for the official base images, made from Debian packages and tagged with the real names.
# shellcheck shell=bash
#
# The python:* stand-ins are built the way the official images are: CPython compiled from the
# upstream release tarball (taken from Debian's source package, whose .orig.tar.xz is upstream's
# signed tarball) into /usr/local, on a Debian minbase root of the image's release. One
# mmdebstrap run per release makes, in order: debian:<release>-slim, the python slim base (plus
# CA certificates, netbase, tzdata and the libraries CPython links), the full base (compilers,
# headers, git: like buildpack-deps), and each CPython of that release. Composing base + CPython
# gives the slim and the full image of each version. docs/engine.md says why not Debian's Python.

HOOKS_DIR="$PYFRONT_ROOT/scripts/lib/hooks"

# The CPython each stand-in series gets: series|how|what|suite carrying it.
#   build:    compile the upstream tarball of this Debian source package=version (the suite only
#             says where the source comes from; the build runs on the image's own release);
#   relocate: Debian's binary build of the series, moved to /usr/local with Debian's changes
#             undone (hooks/relocate-debian-python.py), where no upstream source can be had here:
#             this machine's mirror serves no sid source packages, and sid alone carries 3.14.
CPYTHON_SOURCES=(
  "3.11|build|python3.11=3.11.2-6+deb12u8|bookworm"
  "3.13|build|python3.13=3.13.5-2+deb13u5|trixie"
  # Debian's interpreter has pyexpat built in, so it links libexpat.so.1, which minbase lacks:
  # RELOCATED_BUNDLED_DEBS puts the release's copy in /usr/local/lib, so that /usr/local still
  # starts on a bare debian:<release>-slim, as the official one does.
  "3.14|relocate|python3.14-minimal libpython3.14-minimal libpython3.14-stdlib python3.14 libpython3.14 libpython3.14-dev python3.14-venv python3.14-gdbm|sid"
)

# Per release: codename|series built on it (the first is the release's default)|slim runtime
# packages|full (builder) packages. The runtime packages are what the official slim images keep
# after their build (the libraries CPython's modules link) plus ca-certificates, netbase, tzdata;
# compose-python.sh fails the build when a module links a library that is missing.
PY_RUNTIME_COMMON="adduser ca-certificates netbase tzdata libbz2-1.0 libexpat1 libffi8 liblzma5 libncursesw6 libtinfo6 libuuid1 zlib1g libsqlite3-0"
# Like the official non-slim images (buildpack-deps): compilers, autotools, VCS clients, headers of
# common libraries (libpq-dev included: psycopg2 builds there, not on slim).
PY_FULL_COMMON="ca-certificates netbase build-essential autoconf automake libtool pkg-config git openssh-client curl wget gnupg dirmngr procps file patch unzip xz-utils bzip2 libbz2-dev libc6-dev libcurl4-openssl-dev libdb-dev libevent-dev libexpat1-dev libffi-dev libgdbm-dev libgdbm-compat-dev libgmp-dev libjpeg-dev libkrb5-dev liblzma-dev libncurses-dev libpng-dev libpq-dev libreadline-dev libsqlite3-dev libssl-dev libxml2-dev libxslt1-dev libyaml-dev uuid-dev zlib1g-dev libzstd-dev"
PYTHON_RELEASES=(
  "bookworm|3.11|$PY_RUNTIME_COMMON libgdbm6 libgdbm-compat4 libreadline8 libssl3 libnsl2 libtirpc3|$PY_FULL_COMMON"
  "trixie|3.13 3.14|$PY_RUNTIME_COMMON libgdbm6t64 libgdbm-compat4t64 libreadline8t64 libssl3t64 libzstd1|$PY_FULL_COMMON"
)

# Extra tags, as Docker Hub has them: the newest series also answers to python:3, python:latest...
PYTHON_NEWEST_SERIES=3.14

RELOCATED_BUNDLED_DEBS="libexpat1"

NODE_BUILD="image-node-20-slim|trixie|ca-certificates libstdc++6|$HOOKS_DIR/node-image.sh"

# The lock oracles (test/oracle): the real Poetry (with its export plugin), PDM and pipenv, whose
# locks and exports pyfront's lock readers are checked against; sid is the one suite carrying all
# three. python3-packaging evaluates the exported markers for a target. Engine A only: the oracle
# tests run there.
ORACLE_BUILD="image-lock-oracles-sid|sid|ca-certificates python3-poetry python3-poetry-plugin-export python3-pdm pipenv python3-packaging|$HOOKS_DIR/lock-oracles-image.sh"
ORACLE_IMAGE="pyfront-test/lock-oracles:sid"

# debian:<suite>-slim stand-ins of suites that carry no python stand-in: sid, for the exec-duckdb job
# image (Debian's duckdb package needs sid's glibc). Made as a release's debian:<release>-slim is:
# the minbase root snapshotted by python-release.sh's slim part (here with no packages after it).
DEBIAN_SLIM_ONLY=(sid)

# --- recipes and paths ---------------------------------------------------------------------------

release_fields() {
  local line
  for line in "${PYTHON_RELEASES[@]}"; do
    IFS='|' read -r REL_SUITE REL_SERIES REL_RUNTIME REL_FULL <<<"$line"
    [ "$REL_SUITE" = "$1" ] && return 0
  done
  die "no Python release '$1'"
}

cpython_fields() {
  local line
  for line in "${CPYTHON_SOURCES[@]}"; do
    IFS='|' read -r CPY_SERIES CPY_HOW CPY_SOURCE CPY_SUITE <<<"$line"
    [ "$CPY_SERIES" = "$1" ] && return 0
  done
  die "no CPython source for series $1"
}

# Series of a release built from source, and relocated from Debian's build.
release_series() {
  local how="$1" series out=()
  for series in $REL_SERIES; do
    cpython_fields "$series"
    [ "$CPY_HOW" = "$how" ] && out+=("$series")
  done
  echo "${out[*]}"
}

# The directory of one mmdebstrap run for a release, named by a hash of everything that goes into
# it. Two runs per release, side by side: "slim" makes debian:<release>-slim and the python slim
# base; "full" makes the full base and compiles the release's CPythons (the long part, so a change
# to the slim packages does not compile again).
release_dir() {
  local suite="$1" part="$2" series hash
  release_fields "$suite"
  hash="$({
    printf 'python-release v3\n%s\n%s\n%s\n%s\n' "$suite" "$part" "$DEBIAN_MIRROR" "${MMDEBSTRAP_SLIM_OPTS[*]}"
    if [ "$part" = slim ]; then
      echo "$REL_RUNTIME"
      cat "$HOOKS_DIR/snapshot.sh"
    else
      echo "$REL_FULL"
      for series in $(release_series build); do
        cpython_fields "$series"
        echo "$CPY_SERIES $CPY_SOURCE $CPY_SUITE"
      done
      cat "$HOOKS_DIR/cpython-build.sh"
    fi
    cat "$HOOKS_DIR/python-release.sh"
  } | recipe_hash)"
  echo "$ROOTFS_CACHE/python-$suite-$part-$hash"
}

# Every series, of all releases, made the given way (build or relocate), oldest first.
release_series_all() {
  local line series
  for line in "${CPYTHON_SOURCES[@]}"; do
    IFS='|' read -r series how _ _ <<<"$line"
    [ "$how" = "$1" ] && echo "$series"
  done | sort -V
}

# The Debian release whose images carry a series.
release_of_series() {
  local line suite series
  for line in "${PYTHON_RELEASES[@]}"; do
    IFS='|' read -r suite series _ _ <<<"$line"
    [[ " $series " == *" $1 "* ]] && { echo "$suite"; return 0; }
  done
  die "no release carries Python $1"
}

# The directory of a relocated CPython tree.
relocated_dir() {
  local series="$1" hash
  cpython_fields "$series"
  hash="$({
    printf 'relocated v1\n%s\n%s\n%s\n%s\n%s\n%s\n' "$CPY_SERIES" "$CPY_SOURCE" "$CPY_SUITE" "$DEBIAN_MIRROR" "$RELOCATED_BUNDLED_DEBS" \
      "$(release_of_series "$1")" "$(for s in $(release_series_all build); do cpython_fields "$s"; echo "$CPY_SOURCE"; done)"
    cat "$HOOKS_DIR/relocate-debian-python.py"
  } | recipe_hash)"
  echo "$ROOTFS_CACHE/cpython-$series-$hash"
}

# The directory of a release's composed python images.
images_dir() {
  local suite="$1" series hash
  release_fields "$suite"
  hash="$({
    printf 'images v1\n%s\n%s\n%s\n' "$(basename "$(release_dir "$suite" slim)")" \
      "$(basename "$(release_dir "$suite" full)")" "$REL_SERIES"
    for series in $(release_series relocate); do basename "$(relocated_dir "$series")"; done
    cat "$HOOKS_DIR/compose-python.sh"
  } | recipe_hash)"
  echo "$ROOTFS_CACHE/images-$suite-$hash"
}

release_ready() { [ -f "$(images_dir "$1")/done" ]; }

# The cached tarball of a single-run image recipe (NODE_BUILD, ORACLE_BUILD).
recipe_tar() {
  local name suite packages hook
  IFS='|' read -r name suite packages hook <<<"$1"
  rootfs_tar_path "$name" "$suite" "$packages" "$hook"
}

node_tar() { recipe_tar "$NODE_BUILD"; }

# The directory of a DEBIAN_SLIM_ONLY suite's minbase run, named by a hash of what goes into it.
debian_slim_dir() {
  local suite="$1" hash
  hash="$({
    printf 'debian-slim v1\n%s\n%s\n%s\n' "$suite" "$DEBIAN_MIRROR" "${MMDEBSTRAP_SLIM_OPTS[*]}"
    cat "$HOOKS_DIR/python-release.sh" "$HOOKS_DIR/snapshot.sh"
  } | recipe_hash)"
  echo "$ROOTFS_CACHE/debian-$suite-slim-$hash"
}
oracle_tar() { recipe_tar "$ORACLE_BUILD"; }

# Every image: tarball|tags (space-separated)|Cmd|engines. The first tag names the image in logs.
image_list() {
  local line suite series version dir tags slim_tags codename
  for line in "${PYTHON_RELEASES[@]}"; do
    IFS='|' read -r suite series _ _ <<<"$line"
    dir="$(images_dir "$suite")"
    codename="$suite"
    for series in $series; do
      version="$(cat "$dir/version-$series" 2>/dev/null || echo "$series")"
      slim_tags="python:$series-slim python:$version-slim python:$series-slim-$codename python:$version-slim-$codename"
      tags="python:$series python:$version python:$series-$codename python:$version-$codename"
      if [ "$series" = "$PYTHON_NEWEST_SERIES" ]; then
        slim_tags+=" python:3-slim python:slim python:3-slim-$codename python:slim-$codename"
        tags+=" python:3 python:latest python:3-$codename python:$codename"
      fi
      echo "$dir/python-$series-slim.tar|$slim_tags|python3|A B"
      echo "$dir/python-$series.tar|$tags|python3|A B"
    done
    echo "$(release_dir "$suite" slim)/debian-slim.tar|debian:$codename-slim debian:$(debian_major "$codename")-slim|bash|A B"
  done
  for suite in "${DEBIAN_SLIM_ONLY[@]}"; do
    echo "$(debian_slim_dir "$suite")/debian-slim.tar|debian:$suite-slim|bash|A B"
  done
  echo "$(node_tar)|node:20-slim|node|A B"
  echo "$(oracle_tar)|$ORACLE_IMAGE|bash|A"
}

debian_major() {
  case "$1" in
    bookworm) echo 12 ;;
    trixie) echo 13 ;;
    *) die "unknown Debian release $1" ;;
  esac
}

images_missing() {
  local line tar
  while IFS= read -r line; do
    tar="${line%%|*}"
    [ -f "$tar" ] || return 0
  done < <(image_list)
  return 1
}

# --- building ------------------------------------------------------------------------------------

# apt-get options for a private apt setup on one suite (neither the host's sources nor its state
# matter): sets APT_PRIVATE_OPTS. KIND is deb or deb-src; ARCH amd64 unless given (another
# architecture gets lists of its own).
private_apt() {
  local suite="$1" kind="$2" arch="${3:-amd64}"
  local apt="$CACHE_DIR/apt/$suite-$kind"
  [ "$arch" = amd64 ] || apt+="-$arch"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
  echo "$kind $DEBIAN_MIRROR $suite main" >"$apt/sources.list"
  : >"$apt/status"
  APT_PRIVATE_OPTS=(
    -o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o "Dir::State::status=$apt/status"
    -o "Acquire::Check-Valid-Until=false" -o "Acquire::Retries=3" -o "Acquire::Languages=none"
    -o "APT::Architecture=$arch"
  )
  apt-get "${APT_PRIVATE_OPTS[@]}" update -q >/dev/null 2>&1 || die "apt-get update for $kind $suite failed"
}

# Fetch a Debian source package's upstream tarball (apt checks it against the signed index) into
# $CACHE_DIR/python-src; prints its path.
fetch_cpython_source() {
  local series="$1" dir tarball dl
  cpython_fields "$series"
  dir="$CACHE_DIR/python-src"
  mkdir -p "$dir"
  tarball="$(find "$dir" -maxdepth 1 -name "${CPY_SOURCE%%=*}_$(echo "${CPY_SOURCE#*=}" | sed 's/-[^-]*$//').orig.tar.*" | head -1)"
  if [ -z "$tarball" ]; then
    private_apt "$CPY_SUITE" deb-src
    dl="$dir/dl-$series"
    rm -rf "$dl"
    mkdir -p "$dl"
    (cd "$dl" && apt-get "${APT_PRIVATE_OPTS[@]}" source --download-only -q "$CPY_SOURCE" >"$dl.log" 2>&1) ||
      { tail -3 "$dl.log" >&2; die "could not download the source of $CPY_SOURCE from $CPY_SUITE"; }
    tarball="$(find "$dl" -maxdepth 1 -name '*.orig.tar.*' ! -name '*.asc' | head -1)"
    [ -n "$tarball" ] || die "the source of $CPY_SOURCE has no upstream tarball"
    mv "$tarball" "$dir/"
    tarball="$dir/$(basename "$tarball")"
    rm -rf "$dl" "$dl.log"
  fi
  echo "$tarball"
}

# One mmdebstrap run for a release (PART slim or full, see release_dir). Logs to
# $ROOTFS_CACHE/python-SUITE-PART.log.
build_python_release() {
  local suite="$1" part="$2" dir work series source sources=() final
  release_fields "$suite"
  dir="$(release_dir "$suite" "$part")"
  [ -f "$dir/done" ] && return 0
  mkdir -p "$ROOTFS_CACHE" "$DEB_CACHE/$suite"
  if [ "$part" = full ]; then
    for series in $(release_series build); do
      source="$(fetch_cpython_source "$series")" || die "no CPython source for $series"
      sources+=("$series=$source")
    done
    release_fields "$suite"
    final=full-base.tar
  else
    final=python-slim-base.tar
  fi
  work="$dir.work.$$"
  rm -rf "$work"
  mkdir -p "$work/out"
  local logf="$ROOTFS_CACHE/python-$suite-$part.log" packages="$REL_FULL"
  [ "$part" = slim ] && packages="$REL_RUNTIME"
  mmdebstrap_cached "$suite" minbase "$work/out/$final" "$logf" \
    --customize-hook="sh $HOOKS_DIR/python-release.sh $part \"\$1\" $work/out '$packages' ${sources[*]}" ||
    { rm -rf "$work"; die "building the $suite $part base failed (log: $logf)"; }
  rm -rf "$dir"
  mv "$work/out" "$dir"
  rm -rf "$work"
  touch "$dir/done"
  find "$ROOTFS_CACHE" -maxdepth 1 -name "python-$suite-$part-????????????????" ! -name "$(basename "$dir")" -exec rm -rf {} +
}

# A relocated CPython tree from Debian's binary packages (see CPYTHON_SOURCES).
build_relocated_cpython() {
  local series="$1" dir work
  dir="$(relocated_dir "$series")"
  [ -f "$dir/done" ] && return 0
  cpython_fields "$series"
  work="$dir.work.$$"
  rm -rf "$work"
  mkdir -p "$work/debs" "$work/src" "$work/out/tree" "$DEB_CACHE/$CPY_SUITE"
  private_apt "$CPY_SUITE" deb
  # shellcheck disable=SC2086
  (cd "$work/debs" && apt-get "${APT_PRIVATE_OPTS[@]}" download -q $CPY_SOURCE >"$work/download.log" 2>&1) ||
    { tail -3 "$work/download.log" >&2; die "could not download $CPY_SOURCE from $CPY_SUITE"; }
  local deb
  for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/src"; done
  # The image's release bounds the glibc the relocated build may need.
  local release glibc
  release="$(release_of_series "$series")"
  private_apt "$release" deb
  glibc="$(apt-cache "${APT_PRIVATE_OPTS[@]}" show libc6 2>/dev/null | sed -n 's/^Version: \([0-9]*\.[0-9]*\).*/\1/p' | sort -V | tail -1)"
  [ -n "$glibc" ] || die "cannot tell the glibc version of $release"
  # Modules needing a newer glibc are compiled again from the nearest older built series' source.
  local nearest="" other
  for other in $(release_series_all build); do
    [ "$(printf '%s\n%s\n' "$other" "$series" | sort -V | tail -1)" = "$series" ] && [ "$other" != "$series" ] && nearest="$other"
  done
  [ -n "$nearest" ] || die "relocating $series needs an older series built from source (its pip wheel, its modules' sources)"
  local nearest_tar
  nearest_tar="$(fetch_cpython_source "$nearest")"
  /usr/bin/python3 "$HOOKS_DIR/relocate-debian-python.py" "$series" "$work/src" "$work/out/tree" "$glibc" "$nearest_tar" >"$work/relocate.log" ||
    die "relocating Debian's Python $series failed"
  cp "$work/relocate.log" "$work/out/relocate.log"
  mkdir -p "$work/bundled-debs" "$work/bundled"
  # shellcheck disable=SC2086
  (cd "$work/bundled-debs" && apt-get "${APT_PRIVATE_OPTS[@]}" download -q $RELOCATED_BUNDLED_DEBS >"$work/download.log" 2>&1) ||
    { tail -3 "$work/download.log" >&2; die "could not download $RELOCATED_BUNDLED_DEBS from $release"; }
  for deb in "$work"/bundled-debs/*.deb; do dpkg-deb -x "$deb" "$work/bundled"; done
  cp -a "$work"/bundled/usr/lib/x86_64-linux-gnu/*.so.* "$work/out/tree/usr/local/lib/"
  tar -C "$work/out/tree" --numeric-owner --owner=0 --group=0 --sort=name -cf "$work/out/cpython.tar" usr
  PYTHONDONTWRITEBYTECODE=1 LD_LIBRARY_PATH="$work/out/tree/usr/local/lib" \
    "$work/src/usr/bin/python$series" -c 'import platform; print(platform.python_version())' >"$work/out/version" 2>/dev/null ||
    dpkg-deb -f "$(ls "$work"/debs/python"$series"-minimal_*.deb)" Version | sed 's/-[^-]*$//' >"$work/out/version"
  cat "$work"/debs/*.deb | sha256sum | cut -d' ' -f1 >"$work/out/sha256"
  mv "$work/out/tree/image.env" "$work/out/image.env"
  rm -rf "$work/out/tree" "$dir"
  mv "$work/out" "$dir"
  rm -rf "$work"
  touch "$dir/done"
  find "$ROOTFS_CACHE" -maxdepth 1 -name "cpython-$series-????????????????" ! -name "$(basename "$dir")" -exec rm -rf {} +
}

# Bases, CPythons, then the composed slim and full image of each series of a release.
build_python_images() {
  local suite="$1" dir out work series tree version sha pids=() pid rc=0
  out="$(images_dir "$suite")"
  [ -f "$out/done" ] && return 0
  build_python_release "$suite" slim &
  pids+=($!)
  build_python_release "$suite" full &
  pids+=($!)
  release_fields "$suite"
  for series in $(release_series relocate); do
    build_relocated_cpython "$series" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
  [ "$rc" = 0 ] || die "building the $suite images failed"
  local slim_dir
  dir="$(release_dir "$suite" full)"
  slim_dir="$(release_dir "$suite" slim)"
  release_fields "$suite"
  work="$out.work.$$"
  rm -rf "$work"
  mkdir -p "$work"
  local logf="$ROOTFS_CACHE/images-$suite.log"
  : >"$logf"
  for series in $REL_SERIES; do
    cpython_fields "$series"
    if [ "$CPY_HOW" = build ]; then
      tree="$dir/cpython-$series.tar"
      version="$(cat "$dir/version-$series")"
      sha="$(cat "$dir/sha256-$series")"
    else
      tree="$(relocated_dir "$series")/cpython.tar"
      version="$(cat "$(relocated_dir "$series")/version")"
      sha="$(cat "$(relocated_dir "$series")/sha256")"
    fi
    echo "$version" >"$work/version-$series"
    local extra_env=""
    [ "$CPY_HOW" = relocate ] && extra_env="$(relocated_dir "$series")/image.env"
    local kind base
    for kind in slim full; do
      base="$dir/full-base.tar"
      [ "$kind" = slim ] && base="$slim_dir/python-slim-base.tar"
      local name="python-$series"
      [ "$kind" = slim ] && name="python-$series-slim"
      sh "$HOOKS_DIR/compose-python.sh" "$base" "$tree" "$work/$name.tar" "$version" "$sha" "$kind" $extra_env >>"$logf" 2>&1 ||
        { tail -8 "$logf" >&2; rm -rf "$work"; die "composing $name failed (log: $logf)"; }
    done
  done
  rm -rf "$out"
  mv "$work" "$out"
  touch "$out/done"
  find "$ROOTFS_CACHE" -maxdepth 1 -name "images-$suite-????????????????" ! -name "$(basename "$out")" -exec rm -rf {} +
}

# debian:<suite>-slim alone (DEBIAN_SLIM_ONLY): mmdebstrap's own output is discarded (/dev/null),
# the hook's snapshot is the image. Logs to $ROOTFS_CACHE/debian-SUITE-slim.log.
build_debian_slim() {
  local suite="$1" dir work logf
  dir="$(debian_slim_dir "$suite")"
  [ -f "$dir/done" ] && return 0
  work="$dir.work.$$"
  logf="$ROOTFS_CACHE/debian-$suite-slim.log"
  rm -rf "$work"
  mkdir -p "$work"
  mmdebstrap_cached "$suite" minbase /dev/null "$logf" \
    --customize-hook="sh $HOOKS_DIR/python-release.sh slim \"\$1\" $work ''" ||
    { rm -rf "$work"; die "building debian:$suite-slim failed (log: $logf)"; }
  [ -f "$work/debian-slim.tar" ] || { rm -rf "$work"; die "building debian:$suite-slim left no snapshot (log: $logf)"; }
  rm -rf "$dir"
  mv "$work" "$dir"
  touch "$dir/done"
  find "$ROOTFS_CACHE" -maxdepth 1 -name "debian-$suite-slim-????????????????" ! -name "$(basename "$dir")" -exec rm -rf {} +
}

# Build every missing image, one job per release plus the Node image, all in parallel.
build_all_image_rootfs() {
  local line suite pids=() pid rc=0
  for line in "${PYTHON_RELEASES[@]}"; do
    suite="${line%%|*}"
    release_ready "$suite" && continue
    log "building the $suite images: debian:$suite-slim, python $(release_fields "$suite"; echo "$REL_SERIES") ($(elapsed))"
    build_python_images "$suite" &
    pids+=($!)
  done
  for suite in "${DEBIAN_SLIM_ONLY[@]}"; do
    [ -f "$(debian_slim_dir "$suite")/done" ] && continue
    log "building debian:$suite-slim ($(elapsed))"
    build_debian_slim "$suite" &
    pids+=($!)
  done
  local recipe name nsuite packages hook
  for recipe in "$NODE_BUILD" "$ORACLE_BUILD"; do
    [ -f "$(recipe_tar "$recipe")" ] && continue
    IFS='|' read -r name nsuite packages hook <<<"$recipe"
    log "building root filesystem ${name#image-} ($(elapsed))"
    build_rootfs "$name" "$nsuite" "$packages" "$hook" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
  [ "$rc" = 0 ] || die "building base image root filesystems failed"
}

# --- importing -----------------------------------------------------------------------------------

# The image config of a stand-in, as `docker import --change` lines (official ENV and Cmd).
image_changes() {
  local tar="$1" cmd="$2" recipe="$3" kv
  echo "LABEL org.pyfront.recipe=$recipe"
  echo "CMD [\"$cmd\"]"
  case "$cmd" in
    python3) echo 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' ;;
    *) echo 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' ;;
  esac
  [ "$cmd" = bash ] || echo 'ENV LANG=C.UTF-8'
  if [ -f "${tar%.tar}.env" ]; then
    while IFS= read -r kv; do [ -n "$kv" ] && echo "ENV $kv"; done <"${tar%.tar}.env"
  fi
  return 0
}

# Import every stand-in into one engine unless it already has this exact recipe, then tag it.
import_images() {
  local engine="$1" line tar tags cmd engines first recipe have tag change changes
  while IFS= read -r line; do
    IFS='|' read -r tar tags cmd engines <<<"$line"
    [[ " $engines " == *" $engine "* ]] || continue
    first="${tags%% *}"
    # The recipe label names the tarball: its directory (hash) and file.
    recipe="$(basename "$(dirname "$tar")")/$(basename "$tar" .tar)"
    [ "$(dirname "$tar")" = "$ROOTFS_CACHE" ] && recipe="$(basename "$tar" .tar)"
    have="$(engine_docker "$engine" image inspect -f '{{index .Config.Labels "org.pyfront.recipe"}}' "$first" 2>/dev/null || true)"
    if [ "$have" != "$recipe" ]; then
      log "engine $engine: importing $first ($(elapsed))"
      changes=()
      while IFS= read -r change; do changes+=(--change "$change"); done < <(image_changes "$tar" "$cmd" "$recipe")
      engine_docker "$engine" import "${changes[@]}" "$tar" "$first" >/dev/null ||
        die "engine $engine: docker import of $first failed"
    fi
    for tag in ${tags#"$first"}; do
      have="$(engine_docker "$engine" image inspect -f '{{index .Config.Labels "org.pyfront.recipe"}}' "$tag" 2>/dev/null || true)"
      [ "$have" = "$recipe" ] || engine_docker "$engine" tag "$first" "$tag" >/dev/null
    done
  done < <(image_list)
}
