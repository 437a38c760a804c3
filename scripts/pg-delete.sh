#!/usr/bin/env bash
# Stops the cluster scripts/pg-up.sh started (if it runs) and deletes its data: every schema,
# every table. The next scripts/pg-up.sh starts an empty cluster.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="${DREAMLAKE_SERVICES_DIR:-${TMPDIR:-/tmp}/dreamlake-services}/pg"
bash "$here/pg-stop.sh" >/dev/null
rm -rf "$ROOT"
echo "postgres: deleted $ROOT"
