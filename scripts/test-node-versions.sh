#!/usr/bin/env bash
# Runs, under each other Node.js LTS line (scripts/node-versions-up.sh), the unit suite, the
# Python interop suites (with the real Python clients), the flock addon test and the tarball test (which installs the
# packed packages and runs them as ESM and CommonJS). Node 20 runs every test through
# `npm test`. Extra arguments go to vitest. Needs a build (`npm run build`) and the Debian
# packages of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
suites=(
  packages/dreamlake/src/
  packages/server/src/
  packages/dreamlake/test/python-interop
  packages/dreamlake/test/python-fixture
  packages/server/test/python-client
  packages/dreamlake/test/lock-addon
  packages/server/test/tarballs
)
if [ "${DREAMLAKE_TEST_SERVICES:-}" != "external" ]; then
  # shellcheck disable=SC1091
  source scripts/services-up.sh # the Python clients' test runs the server's tiered mode too
fi
versions="$(bash scripts/node-versions-up.sh)"
while read -r version prefix addon; do
  echo "== Node.js $version"
  # PATH first: npm, node_modules/.bin commands and child processes run this Node too.
  PATH="$prefix/bin:$PATH" DREAMLAKE_FLOCK_ADDON="$addon" \
    "$prefix/bin/node" node_modules/vitest/vitest.mjs run "${suites[@]}" "$@"
done <<<"$versions"
