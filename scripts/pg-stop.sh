#!/usr/bin/env bash
# Stops the cluster scripts/pg-up.sh started. Its data stays: scripts/pg-up.sh starts it again
# with everything in it. To remove the data too, use scripts/pg-delete.sh.
set -euo pipefail
ROOT="${DREAMLAKE_SERVICES_DIR:-${TMPDIR:-/tmp}/dreamlake-services}/pg"
if [ ! -f "$ROOT/data/postmaster.pid" ]; then
  echo "postgres: not running from $ROOT"
  exit 0
fi
PGBIN="$(ls -d /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -1 | xargs dirname)"
if [ "$(id -u)" = 0 ]; then
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$ROOT/data" -m fast -w -s stop
else
  "$PGBIN/pg_ctl" -D "$ROOT/data" -m fast -w -s stop
fi
echo "postgres: stopped (data kept in $ROOT)"
