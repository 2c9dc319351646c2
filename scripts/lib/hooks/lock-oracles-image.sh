#!/bin/sh
# mmdebstrap customize hook for pyfront-test/lock-oracles:sid. $1 = rootfs, $2 = sidecar env file.
# The image holds the real lock tools (Debian sid's Poetry with poetry-plugin-export, PDM, pipenv)
# and python3-packaging, for test/oracle: the versions go into the image's ENV, so a test run can
# say which tools its answers came from.
set -eu
root="$1"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
# The tools must run in a container without network access beyond the local index: no update
# checks, no keyring prompts, no virtualenv downloads.
in_root() { chroot "$root" env HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
poetry="$(in_root poetry --version --no-ansi | sed -n 's/.*version \([^ )]*\).*/\1/p')"
export_plugin="$(in_root python3 -c 'import importlib.metadata as m; print(m.version("poetry-plugin-export"))')"
pdm="$(in_root pdm --version | sed -n 's/.*version \([^ ,]*\).*/\1/p')"
pipenv="$(in_root pipenv --version | sed -n 's/.*version \([^ ]*\).*/\1/p')"
packaging="$(in_root python3 -c 'import packaging; print(packaging.__version__)')"
python="$(in_root python3 -c 'import platform; print(platform.python_version())')"
for value in "$poetry" "$export_plugin" "$pdm" "$pipenv" "$packaging" "$python"; do
  [ -n "$value" ] || { echo "lock-oracles image: a tool did not report its version" >&2; exit 1; }
done
# Prefixed names: the tools read POETRY_*, PDM_* and PIPENV_* variables as their settings.
{
  echo "LANG=C.UTF-8"
  echo "ORACLE_POETRY_VERSION=$poetry"
  echo "ORACLE_POETRY_PLUGIN_EXPORT_VERSION=$export_plugin"
  echo "ORACLE_PDM_VERSION=$pdm"
  echo "ORACLE_PIPENV_VERSION=$pipenv"
  echo "ORACLE_PACKAGING_VERSION=$packaging"
  echo "ORACLE_PYTHON_VERSION=$python"
} >>"$2"
