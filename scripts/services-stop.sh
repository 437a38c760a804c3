#!/usr/bin/env bash
# Stops what scripts/services-up.sh started, Swift then PostgreSQL. Their data stays for the
# next scripts/services-up.sh; scripts/services-delete.sh removes it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/swift-stop.sh"
bash "$here/pg-stop.sh"
