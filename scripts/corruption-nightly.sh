#!/usr/bin/env bash
# The seeded corruption suite at length (npm test runs a few hundred trials): byte flips,
# truncations, swapped records and damaged or foreign sidecars, thousands of trials, then a
# count of how reads and appends ended per kind of damage (docs/reliability.md). A failure
# prints fast-check's seed and path; replay it alone with
#   DREAMLAKE_CORRUPTION_SEED=<seed> DREAMLAKE_CORRUPTION_PATH=<path> \
#     npx vitest run packages/dreamlake/test/corruption/corruption-fuzz.test.ts
# Usage: bash scripts/corruption-nightly.sh [trials, default 5000] [seed, default random]
# DREAMLAKE_CORRUPTION_SKIP=foreign,flip leaves out damage of those kinds or sidecar harms
# (to count the others around a known failure).
set -euo pipefail
cd "$(dirname "$0")/.."
trials="${1:-5000}"
seed="${2:-$((RANDOM * 32768 + RANDOM))}"
echo "corruption suite: $trials trials, seed $seed"
DREAMLAKE_CORRUPTION_TRIALS="$trials" DREAMLAKE_CORRUPTION_SEED="$seed" DREAMLAKE_CORRUPTION_REPORT=1 \
  npx vitest run packages/dreamlake/test/corruption/corruption-fuzz.test.ts
