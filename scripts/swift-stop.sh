#!/usr/bin/env bash
# Stops the Swift servers scripts/swift-up.sh started (by their recorded pids). The stored
# objects stay: scripts/swift-up.sh starts the servers again on them. To remove the objects
# too, use scripts/swift-delete.sh.
set -euo pipefail
D="${DREAMLAKE_SERVICES_DIR:-${TMPDIR:-/tmp}/dreamlake-services}/swift"
if [ ! -d "$D/pid" ]; then
  echo "swift: not running from $D"
  exit 0
fi
pids=()
for file in "$D"/pid/*; do
  [ -f "$file" ] && pids+=("$(cat "$file")")
done
kill "${pids[@]}" 2>/dev/null || true
# Wait for them to exit, so that a following swift-up.sh finds the ports free.
for _ in $(seq 1 100); do
  kill -0 "${pids[@]}" 2>/dev/null || break
  sleep 0.05
done
rm -rf "$D/pid"
echo "swift: stopped (objects kept in $D/srv)"
