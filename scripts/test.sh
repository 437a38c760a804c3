#!/usr/bin/env bash
# The whole test suite: builds, type-checks the tests, starts the services the tests need
# (PostgreSQL, an S3-compatible server and FerretDB, through scripts/services-up.sh) and runs every test.
# Set DREAMLAKE_TEST_SERVICES=external to use services you started yourself (see docs/deployment.md#tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-debian-packages.sh
npm run build --silent
npx tsc -p packages/dreamlake/tsconfig.json
npx tsc -p packages/server/tsconfig.json
if [ "${DREAMLAKE_TEST_SERVICES:-}" != "external" ] && [ -f scripts/services-up.sh ]; then
  # shellcheck disable=SC1091
  source scripts/services-up.sh
fi
npx vitest run "$@"
