#!/usr/bin/env bash
# Installs the Debian packages the test suite needs when they are missing:
#   python3-msgpack (interop tests run Debian's /usr/bin/python3 over files we write);
#   python3-venv (scripts/python-clients.sh makes a venv per Python dreamlake client);
#   chromium (the dashboard's browser tests drive Debian's /usr/bin/chromium with
#   playwright-core; no browser is ever downloaded).
# Service packages (PostgreSQL, Swift) are installed by their own start scripts.
set -euo pipefail
missing=()
/usr/bin/python3 -c "import msgpack" 2>/dev/null || missing+=(python3-msgpack)
dpkg -s python3-venv >/dev/null 2>&1 || missing+=(python3-venv)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
