#!/usr/bin/env bash
# Starts a private PostgreSQL cluster for tests and benchmarks (Debian's `postgresql` package,
# installed when missing): 127.0.0.1:$DREAMLAKE_PG_PORT, trust auth, superuser "app", database
# "dreamlake". Idempotent: a cluster already answering on the port is left alone.
# State lives in $DREAMLAKE_SERVICES_DIR/pg (fsync is off: for tests and trials). A cluster
# stopped by scripts/pg-stop.sh (or killed) is started again with its data; only
# scripts/pg-delete.sh removes it.
# Prints one line. Works as root (the server runs as user postgres) and as a normal user.
set -euo pipefail
ROOT="${DREAMLAKE_SERVICES_DIR:-${TMPDIR:-/tmp}/dreamlake-services}/pg"
PORT="${DREAMLAKE_PG_PORT:-55432}"
DATABASE="${DREAMLAKE_PG_DATABASE:-dreamlake}"

find_pg_bin() { ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1 | xargs -r dirname; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

PGBIN="$(find_pg_bin)"
if [ -z "$PGBIN" ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  PGBIN="$(find_pg_bin)"
fi

ensure_database() {
  if [ "$("$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U app -d postgres -Atqc \
    "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != 1 ]; then
    "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U app "$DATABASE"
  fi
}

if "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
  ensure_database
  echo "postgres: already running on 127.0.0.1:$PORT"
  exit 0
fi

started=$(date +%s%N)
# The server refuses to run as root: as root, the cluster belongs to user postgres.
if [ "$(id -u)" = 0 ]; then run() { runuser -u postgres -- "$@"; }; else run() { "$@"; }; fi
OPTIONS="-p $PORT -k $ROOT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
if [ -f "$ROOT/data/PG_VERSION" ]; then
  # Stopped or killed before: start it again on its data (PostgreSQL sees a stale pid file
  # for what it is, and recovers from its log after a kill).
  run "$PGBIN/pg_ctl" -D "$ROOT/data" -l "$ROOT/server.log" -w -s -o "$OPTIONS" start </dev/null
  ensure_database
  echo "postgres: started again on 127.0.0.1:$PORT in $(( ($(date +%s%N) - started) / 1000000 )) ms (data kept in $ROOT)"
  exit 0
fi
rm -rf "$ROOT"
mkdir -p "$ROOT"
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$ROOT"; fi
run "$PGBIN/initdb" -D "$ROOT/data" -U app --auth=trust -E UTF8 --no-locale --no-sync \
  >"$ROOT/initdb.log" 2>&1
run "$PGBIN/pg_ctl" -D "$ROOT/data" -l "$ROOT/server.log" -w -s -o "$OPTIONS" start </dev/null
ensure_database
echo "postgres: started on 127.0.0.1:$PORT in $(( ($(date +%s%N) - started) / 1000000 )) ms (state in $ROOT)"
