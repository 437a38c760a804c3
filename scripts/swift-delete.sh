#!/usr/bin/env bash
# Stops the Swift servers scripts/swift-up.sh started (if they run) and deletes every stored
# object. The next scripts/swift-up.sh starts an empty store.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
D="${DREAMLAKE_SERVICES_DIR:-${TMPDIR:-/tmp}/dreamlake-services}/swift"
bash "$here/swift-stop.sh" >/dev/null
rm -rf "$D"
echo "swift: deleted $D"
