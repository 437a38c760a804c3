#!/usr/bin/env bash
# Stops the FerretDB scripts/mongo-up.sh started (by its recorded pid). Its documents stay in
# PostgreSQL: scripts/mongo-up.sh starts it again on them. scripts/mongo-delete.sh removes them.
set -euo pipefail
ROOT="${DREAMLAKE_SERVICES_DIR:-${TMPDIR:-/tmp}/dreamlake-services}/mongo"
if [ ! -f "$ROOT/ferretdb.pid" ]; then
  echo "mongo: not running from $ROOT"
  exit 0
fi
pid="$(cat "$ROOT/ferretdb.pid")"
kill "$pid" 2>/dev/null || true
# Wait for it to exit, so that a following mongo-up.sh finds the port free.
for _ in $(seq 1 100); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
rm -f "$ROOT/ferretdb.pid"
echo "mongo: stopped (documents kept in PostgreSQL)"
