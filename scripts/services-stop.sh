#!/usr/bin/env bash
# Stops what scripts/services-up.sh started, FerretDB, Swift, then PostgreSQL. Their data stays for the
# next scripts/services-up.sh; scripts/services-delete.sh removes it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/mongo-stop.sh"
bash "$here/swift-stop.sh"
bash "$here/pg-stop.sh"
