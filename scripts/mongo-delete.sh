#!/usr/bin/env bash
# Stops the FerretDB scripts/mongo-up.sh started (if it runs) and deletes its documents: the
# PostgreSQL database it kept them in (when PostgreSQL runs) and its state folder. The next
# scripts/mongo-up.sh starts on an empty database.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="${DREAMLAKE_SERVICES_DIR:-${TMPDIR:-/tmp}/dreamlake-services}/mongo"
PG_PORT="${DREAMLAKE_PG_PORT:-55432}"
PG_DATABASE="${DREAMLAKE_FERRETDB_PG_DATABASE:-ferretdb}"
bash "$here/mongo-stop.sh" >/dev/null
PGBIN="$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -1 | xargs -r dirname)"
if [ -n "$PGBIN" ] && "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
  "$PGBIN/dropdb" -h 127.0.0.1 -p "$PG_PORT" -U app --if-exists "$PG_DATABASE"
fi
rm -rf "$ROOT"
echo "mongo: deleted $ROOT and PostgreSQL database $PG_DATABASE"
