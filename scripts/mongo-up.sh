#!/usr/bin/env bash
# Starts a MongoDB wire-protocol server for tests and benchmarks: FerretDB 1.24.2 (Apache-2.0),
# which keeps its documents in PostgreSQL, on 127.0.0.1:$DREAMLAKE_MONGO_PORT (default 27117),
# with its own database ($DREAMLAKE_FERRETDB_PG_DATABASE, default "ferretdb") in the cluster of
# scripts/pg-up.sh (started when it is not running). Idempotent: a FerretDB already answering
# on the port is left alone. No authentication: for tests and trials on this machine only.
#
# The binary is built once per machine from the Go module proxy and cached in
# ${DREAMLAKE_FERRETDB_DIR:-~/.cache/dreamlake/ferretdb-v1.24.2} (the compiled packages in Go's
# build cache): about 3 minutes the first time, 2 s when only the Go build cache is left.
# `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2` alone builds a binary that
# stops at start ("Invalid build/version/version.txt file content"): the module holds no
# version.txt, which FerretDB's release builds generate. So this script downloads that module
# with `go mod download`, adds build/version/version.txt as FerretDB's own build task does,
# and builds ./cmd/ferretdb from it.
#
# State (pid, log) lives in $DREAMLAKE_SERVICES_DIR/mongo; the documents live in PostgreSQL,
# so scripts/mongo-stop.sh keeps them and scripts/mongo-delete.sh drops that database.
# Prints one line.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VERSION=v1.24.2
ROOT="${DREAMLAKE_SERVICES_DIR:-${TMPDIR:-/tmp}/dreamlake-services}/mongo"
PORT="${DREAMLAKE_MONGO_PORT:-27117}"
PG_PORT="${DREAMLAKE_PG_PORT:-55432}"
PG_DATABASE="${DREAMLAKE_FERRETDB_PG_DATABASE:-ferretdb}"
BIN_DIR="${DREAMLAKE_FERRETDB_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/dreamlake/ferretdb-$VERSION}"
BIN="$BIN_DIR/ferretdb"

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

if answers; then
  echo "mongo: already running on 127.0.0.1:$PORT"
  exit 0
fi

build_ferretdb() {
  if ! command -v go >/dev/null 2>&1; then
    echo "mongo-up: the go command is missing: install Go 1.22 or later to build FerretDB $VERSION" >&2
    return 1
  fi
  local started source work
  started=$(date +%s)
  source="$(go mod download -json "github.com/FerretDB/FerretDB@$VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  if [ -z "$source" ] || [ ! -d "$source" ]; then
    echo "mongo-up: go mod download github.com/FerretDB/FerretDB@$VERSION gave no source folder" >&2
    return 1
  fi
  mkdir -p "$BIN_DIR"
  work="$(mktemp -d "$BIN_DIR/build.XXXXXX")"
  cp -R "$source/." "$work/"
  chmod -R u+w "$work"
  echo "$VERSION" >"$work/build/version/version.txt"
  (cd "$work" && go build -trimpath -o "$BIN.tmp" ./cmd/ferretdb)
  rm -rf "$work"
  mv "$BIN.tmp" "$BIN"
  echo "mongo: built FerretDB $VERSION in $(($(date +%s) - started)) s ($BIN)" >&2
}

if [ ! -x "$BIN" ] || ! "$BIN" --version 2>/dev/null | grep -qx "version: $VERSION"; then
  build_ferretdb
fi

bash "$here/pg-up.sh" >/dev/null
PGBIN="$(ls -d /usr/lib/postgresql/*/bin/psql | sort -V | tail -1 | xargs dirname)"
if [ "$("$PGBIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U app -d postgres -Atqc \
  "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'")" != 1 ]; then
  "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U app "$PG_DATABASE"
fi

started=$(date +%s%N)
mkdir -p "$ROOT/state"
# setsid: the server outlives the shell that started it (and its process group).
setsid "$BIN" \
  --listen-addr="127.0.0.1:$PORT" \
  --postgresql-url="postgres://app@127.0.0.1:$PG_PORT/$PG_DATABASE" \
  --state-dir="$ROOT/state" \
  --telemetry=disable \
  --debug-addr=- \
  --log-level=warn \
  </dev/null >>"$ROOT/ferretdb.log" 2>&1 &
echo $! >"$ROOT/ferretdb.pid"
for _ in $(seq 1 200); do
  answers && break
  if ! kill -0 "$(cat "$ROOT/ferretdb.pid")" 2>/dev/null; then
    echo "mongo-up: FerretDB exited at start; its log:" >&2
    tail -20 "$ROOT/ferretdb.log" >&2
    exit 1
  fi
  sleep 0.05
done
if ! answers; then
  echo "mongo-up: FerretDB does not answer on 127.0.0.1:$PORT; its log is $ROOT/ferretdb.log" >&2
  exit 1
fi
echo "mongo: FerretDB $VERSION started on 127.0.0.1:$PORT in $(( ($(date +%s%N) - started) / 1000000 )) ms (documents in PostgreSQL database $PG_DATABASE)"
