#!/usr/bin/env bash
# Starts a single-node OpenStack Swift with the s3api middleware: an S3-compatible server on
# http://127.0.0.1:$DREAMLAKE_S3_PORT (region us-east-1, access key "test:tester", secret
# "testing", path-style). Installs the Debian packages when missing. Idempotent: a server
# already answering (its proxy and back-ends) is left alone. State in
# $DREAMLAKE_SERVICES_DIR/swift: the objects of a store stopped by scripts/swift-stop.sh (or
# killed) are kept and served again; only scripts/swift-delete.sh removes them. Prints one line.
# Works as root and as a normal user.
set -euo pipefail
D="${DREAMLAKE_SERVICES_DIR:-${TMPDIR:-/tmp}/dreamlake-services}/swift"
PROXY_PORT="${DREAMLAKE_S3_PORT:-18080}"
# Back-end ports sit next to the proxy's so that a second instance can move them all at once.
OBJECT_PORT=$((PROXY_PORT - 1880)) CONTAINER_PORT=$((PROXY_PORT - 1879))
ACCOUNT_PORT=$((PROXY_PORT - 1878)) MEMCACHED_PORT=$((PROXY_PORT - 6769))

is_healthy() { curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$PROXY_PORT/healthcheck"; }
# The proxy's healthcheck answers before its back-end servers listen, and until they do S3
# calls answer 503 ("Please reduce your request rate"): ready means all of them listen.
listens() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
is_ready() {
  is_healthy && listens "$ACCOUNT_PORT" && listens "$CONTAINER_PORT" && listens "$OBJECT_PORT" \
    && listens "$MEMCACHED_PORT"
}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if is_ready; then
  echo "swift: already running, S3 on http://127.0.0.1:$PROXY_PORT"
  exit 0
fi

packages=(swift swift-proxy swift-account swift-container swift-object memcached curl)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

started=$(date +%s%N)
# A stale instance (some servers died): stop what is left, keep the objects (srv/), and start
# again with the same configuration (so the same rings find them).
if [ -d "$D/pid" ]; then
  for file in "$D"/pid/*; do [ -f "$file" ] && kill "$(cat "$file")" 2>/dev/null || true; done
fi
rm -rf "$D/etc" "$D/log" "$D/pid"
mkdir -p "$D/etc" "$D/srv/d1" "$D/log" "$D/pid"
if [ "$(id -u)" = 0 ]; then user=swift; else user="$(id -un)"; fi

cat >"$D/etc/swift.conf" <<CONF
[swift-hash]
swift_hash_path_suffix = dreamlake-test-suffix
swift_hash_path_prefix = dreamlake-test-prefix
[storage-policy:0]
name = Policy-0
default = yes
CONF
common() {
  cat <<CONF
[DEFAULT]
devices = $D/srv
mount_check = false
bind_ip = 127.0.0.1
bind_port = $1
workers = 0
user = $user
swift_dir = $D/etc
log_name = $2
CONF
}
{ common "$ACCOUNT_PORT" account; printf '[pipeline:main]\npipeline = account-server\n[app:account-server]\nuse = egg:swift#account\n'; } >"$D/etc/account-server.conf"
{ common "$CONTAINER_PORT" container; printf '[pipeline:main]\npipeline = container-server\n[app:container-server]\nuse = egg:swift#container\n'; } >"$D/etc/container-server.conf"
{ common "$OBJECT_PORT" object; printf '[pipeline:main]\npipeline = object-server\n[app:object-server]\nuse = egg:swift#object\n'; } >"$D/etc/object-server.conf"
{
  common "$PROXY_PORT" proxy
  cat <<CONF
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin
[filter:s3api]
use = egg:swift#s3api
location = us-east-1
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$MEMCACHED_PORT
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
CONF
} >"$D/etc/proxy-server.conf"

# The three 1-replica rings, built in one process (nine swift-ring-builder calls take ~3.5 s).
# Debian's python3: the `python3` on PATH may be another install without the swift module.
(
  cd "$D/etc"
  /usr/bin/python3 - "$OBJECT_PORT" "$CONTAINER_PORT" "$ACCOUNT_PORT" <<'PY'
import sys
from swift.common.ring import RingBuilder
for name, port in zip(("object", "container", "account"), map(int, sys.argv[1:])):
    builder = RingBuilder(6, 1, 1)
    builder.add_dev({"region": 1, "zone": 1, "ip": "127.0.0.1", "port": port, "device": "d1", "weight": 100})
    builder.rebalance()
    builder.save(name + ".builder")
    builder.get_ring().save(name + ".ring.gz")
PY
)
if [ "$(id -u)" = 0 ]; then chown -R swift:swift "$D"; fi

# setsid: the servers outlive the shell that started them (scripts/test.sh sources this).
if [ "$(id -u)" = 0 ]; then memcached_user=(-u memcache); else memcached_user=(); fi
setsid memcached "${memcached_user[@]}" -l 127.0.0.1 -p "$MEMCACHED_PORT" -m 32 \
  </dev/null >"$D/log/memcached.log" 2>&1 &
echo $! >"$D/pid/memcached"
for server in account container object proxy; do
  setsid "swift-$server-server" "$D/etc/$server-server.conf" -v \
    </dev/null >"$D/log/$server.log" 2>&1 &
  echo $! >"$D/pid/$server"
done
for _ in $(seq 1 1200); do is_ready && break; sleep 0.05; done
if ! is_ready; then
  echo "swift: did not become healthy on port $PROXY_PORT; logs in $D/log" >&2
  exit 1
fi
echo "swift: started, S3 on http://127.0.0.1:$PROXY_PORT in $(( ($(date +%s%N) - started) / 1000000 )) ms (state in $D)"
