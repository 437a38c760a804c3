#!/usr/bin/env bash
# Makes one Python virtual environment per version of the Python dreamlake client, with
# `pip install dreamlake==<version>` from PyPI, under a cache folder, for the tests that run
# the real clients against our server and our files.
#
#   scripts/python-clients.sh [VERSION | newest | pyarrow ...]   (default: 0.4.0 0.8.0 newest)
#
# Prints one line per version asked for: "<asked> <version> <python of its venv>".
# `pyarrow` is not a client: a venv with pyarrow (PYARROW_VERSION below), the independent
# Parquet reader of the export tests.
# `newest` is the newest version PyPI serves (asked with `pip index versions`, remembered for
# DREAMLAKE_PYTHON_NEWEST_MAX_AGE_MIN minutes, default 360; when PyPI cannot be reached the
# last answer is used). A venv already made is only checked, so a second run takes about a
# second; a venv whose making was cut short is made again. Runs at the same time wait for
# each other (flock).
#
# Environment:
#   DREAMLAKE_PYTHON_CLIENTS_DIR  the cache folder (default ~/.cache/dreamlake/python-clients)
#   DREAMLAKE_PYTHON              the Python that makes the venvs (default /usr/bin/python3,
#                                 Debian's; it needs the venv module: apt-get install python3-venv)
set -euo pipefail

cache="${DREAMLAKE_PYTHON_CLIENTS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/dreamlake/python-clients}"
python="${DREAMLAKE_PYTHON:-/usr/bin/python3}"
max_age_min="${DREAMLAKE_PYTHON_NEWEST_MAX_AGE_MIN:-360}"
ready_mark=".dreamlake-client-ready"

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

fail() {
  echo "python-clients: $*" >&2
  exit 1
}

# A venv with pip only, to ask PyPI which versions exist.
pip_venv() {
  local dir="$cache/.pip"
  if [ ! -f "$dir/$ready_mark" ]; then
    rm -rf "$dir"
    "$python" -m venv "$dir" >&2 || fail "cannot make a venv with $python (install python3-venv)"
    touch "$dir/$ready_mark"
  fi
  echo "$dir/bin/python"
}

newest_version() {
  local remembered="$cache/newest"
  if [ -s "$remembered" ] && [ -n "$(find "$remembered" -mmin "-$max_age_min")" ]; then
    cat "$remembered"
    return
  fi
  local found
  found="$("$(pip_venv)" -m pip index versions dreamlake 2>/dev/null |
    sed -n 's/^dreamlake (\([^)]*\))$/\1/p')" || true
  if [ -n "$found" ]; then
    echo "$found" >"$remembered"
    echo "$found"
  elif [ -s "$remembered" ]; then
    echo "python-clients: PyPI did not answer; using the newest version found before" >&2
    cat "$remembered"
  else
    fail "cannot ask PyPI for the newest dreamlake (pip index versions dreamlake)"
  fi
}

# Makes (or checks) the venv of one exact version and prints its python.
client_venv() {
  local version="$1" dir="$cache/$1"
  [[ "$version" =~ ^[0-9]+(\.[0-9]+)*$ ]] || fail "not a version: $version"
  if [ -f "$dir/$ready_mark" ] && [ "$(cat "$dir/$ready_mark")" = "$version" ]; then
    echo "$dir/bin/python"
    return
  fi
  echo "python-clients: making $dir (pip install dreamlake==$version)" >&2
  rm -rf "$dir"
  "$python" -m venv "$dir" >&2 || fail "cannot make a venv with $python (install python3-venv)"
  "$dir/bin/python" -m pip install --quiet "dreamlake==$version" >&2 ||
    fail "pip install dreamlake==$version failed"
  local installed
  installed="$("$dir/bin/python" -c 'from importlib.metadata import version; print(version("dreamlake"))')"
  [ "$installed" = "$version" ] || fail "asked for dreamlake $version, pip installed $installed"
  echo "$version" >"$dir/$ready_mark"
  echo "$dir/bin/python"
}

# Makes (or checks) the venv with pyarrow and prints "<version> <python>".
PYARROW_VERSION=26.0.1
pyarrow_venv() {
  local dir="$cache/pyarrow-$PYARROW_VERSION"
  if [ ! -f "$dir/$ready_mark" ]; then
    echo "python-clients: making $dir (pip install pyarrow==$PYARROW_VERSION)" >&2
    rm -rf "$dir"
    "$python" -m venv "$dir" >&2 || fail "cannot make a venv with $python (install python3-venv)"
    "$dir/bin/python" -m pip install --quiet "pyarrow==$PYARROW_VERSION" >&2 ||
      fail "pip install pyarrow==$PYARROW_VERSION failed"
    echo "$PYARROW_VERSION" >"$dir/$ready_mark"
  fi
  echo "$PYARROW_VERSION $dir/bin/python"
}

asked=("$@")
[ ${#asked[@]} -gt 0 ] || asked=(0.4.0 0.8.0 newest)
for item in "${asked[@]}"; do
  if [ "$item" = "pyarrow" ]; then
    echo "pyarrow $(pyarrow_venv)"
    continue
  fi
  version="$item"
  [ "$item" != "newest" ] || version="$(newest_version)"
  echo "$item $version $(client_venv "$version")"
done
