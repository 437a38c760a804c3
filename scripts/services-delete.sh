#!/usr/bin/env bash
# Stops what scripts/services-up.sh started and deletes their data (every table and object).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/mongo-delete.sh"
bash "$here/swift-delete.sh"
bash "$here/pg-delete.sh"
