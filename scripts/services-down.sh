#!/usr/bin/env bash
# Stops what scripts/services-up.sh started: Swift, then PostgreSQL.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/swift-down.sh"
bash "$here/pg-down.sh"
