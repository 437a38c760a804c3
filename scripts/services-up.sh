#!/usr/bin/env bash
# The services the tests and the benchmark use: PostgreSQL (hot tier), an S3-compatible
# server (Swift, cold tier) and a MongoDB wire-protocol server (FerretDB on that PostgreSQL, the
# other hot tier), started through scripts/pg-up.sh, scripts/swift-up.sh and scripts/mongo-up.sh
# when they are not already running (fast when they are), plus the test bucket. Meant to be
# sourced (scripts/test.sh does): it exports the variables the server and the tests read:
#   DATABASE_URL, MONGODB_URI, S3_ENDPOINT, S3_BUCKET, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY
# (a server takes DATABASE_URL or MONGODB_URI, not both: the tests pass one of them on).
# Run on its own it starts the services and prints the exports on stdout:
#   eval "$(bash scripts/services-up.sh)"
# Safe under `set -euo pipefail`; prints one line per service.

_dreamlake_services_up() {
  local here port s3_port bucket auth token storage_url status
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  port="${DREAMLAKE_PG_PORT:-55432}"
  s3_port="${DREAMLAKE_S3_PORT:-18080}"
  bucket="${DREAMLAKE_S3_BUCKET:-dreamlake-test}"
  # Status lines go to stderr: run on its own, stdout carries only the exports (for eval).
  bash "$here/pg-up.sh" >&2
  bash "$here/swift-up.sh" >&2
  bash "$here/mongo-up.sh" >&2
  # The bucket is a Swift container: create it through Swift's own API (tempauth), which needs
  # only curl. Retried: the back-end servers may answer a moment after the proxy.
  for _ in $(seq 1 100); do
    auth="$(curl -sf -D - -o /dev/null --max-time 5 \
      -H "X-Auth-User: test:tester" -H "X-Auth-Key: testing" \
      "http://127.0.0.1:$s3_port/auth/v1.0" | tr -d '\r' || true)"
    token="$(sed -n 's/^[Xx]-[Aa]uth-[Tt]oken: //p' <<<"$auth")"
    storage_url="$(sed -n 's/^[Xx]-[Ss]torage-[Uu]rl: //p' <<<"$auth")"
    if [ -n "$token" ] && [ -n "$storage_url" ]; then
      status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X PUT \
        -H "X-Auth-Token: $token" "$storage_url/$bucket" || true)"
      case "$status" in 201 | 202) break ;; esac
    fi
    sleep 0.1
  done
  case "${status:-}" in
    201 | 202) ;;
    *)
      echo "services-up: could not create bucket $bucket on http://127.0.0.1:$s3_port (status ${status:-none})" >&2
      return 1
      ;;
  esac
  export DATABASE_URL="postgres://app@127.0.0.1:$port/${DREAMLAKE_PG_DATABASE:-dreamlake}"
  export MONGODB_URI="mongodb://127.0.0.1:${DREAMLAKE_MONGO_PORT:-27117}/"
  export S3_ENDPOINT="http://127.0.0.1:$s3_port"
  export S3_BUCKET="$bucket"
  export S3_REGION="us-east-1"
  export S3_ACCESS_KEY_ID="test:tester"
  export S3_SECRET_ACCESS_KEY="testing"
  # The pinned AWS SDK warns on Node 20 about releases after January 2027; we pin, so hush it.
  export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  _dreamlake_services_up
  for name in DATABASE_URL MONGODB_URI S3_ENDPOINT S3_BUCKET S3_REGION S3_ACCESS_KEY_ID S3_SECRET_ACCESS_KEY; do
    printf 'export %s=%q\n' "$name" "${!name}"
  done
else
  _dreamlake_services_up
fi
unset -f _dreamlake_services_up
