#!/usr/bin/env bash
# Starts Debian's nginx as a round-robin load balancer in front of dreamlake-server replicas
# (installed with apt when missing), for tests, the benchmark and trials:
#   bash scripts/nginx-up.sh <state folder> <port> <replica host:port>...
# Listens on 127.0.0.1:<port>; the generated configuration, the pid file and the logs live in
# <state folder>. Stop it with scripts/nginx-stop.sh <state folder>. The configuration is the
# example of docs/deployment.md ("Running several replicas").
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: nginx-up.sh <state folder> <port> <replica host:port>..." >&2
  exit 2
fi
DIR="$1"
PORT="$2"
shift 2
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light >/dev/null 2>&1 ||
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
mkdir -p "$DIR/temp"
DIR="$(cd "$DIR" && pwd)"
servers=""
for replica in "$@"; do
  # A replica that fails (refused, reset, timed out) is left out for 2 s; the request that
  # failed is not sent again to another one (a client retries with its Idempotency-Key).
  servers+="    server $replica max_fails=1 fail_timeout=2s;"$'\n'
done
user_line=""
if [ "$(id -u)" = 0 ]; then user_line="user root;"; fi
cat >"$DIR/nginx.conf" <<CONF
$user_line
worker_processes 1;
pid $DIR/nginx.pid;
error_log $DIR/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $DIR/temp/body;
  proxy_temp_path $DIR/temp/proxy;
  fastcgi_temp_path $DIR/temp/fastcgi;
  uwsgi_temp_path $DIR/temp/uwsgi;
  scgi_temp_path $DIR/temp/scgi;
  upstream dreamlake {
$servers    keepalive 32;
  }
  server {
    listen 127.0.0.1:$PORT;
    # The server enforces its own limits (DREAMLAKE_MAX_BODY_BYTES, DREAMLAKE_MAX_FILE_BYTES).
    client_max_body_size 0;
    location / {
      proxy_pass http://dreamlake;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      # Stream uploads and downloads (a 2 GiB file never sits in nginx's memory or disk).
      proxy_request_buffering off;
      proxy_buffering off;
      proxy_read_timeout 120s;
      proxy_send_timeout 120s;
    }
  }
}
CONF
"$NGINX" -t -q -c "$DIR/nginx.conf" -p "$DIR" -g "daemon on;" 2>>"$DIR/error.log" || {
  cat "$DIR/error.log" >&2
  exit 1
}
"$NGINX" -c "$DIR/nginx.conf" -p "$DIR" -g "daemon on;"
for _ in $(seq 1 100); do
  [ -s "$DIR/nginx.pid" ] && break
  sleep 0.05
done
echo "nginx: round robin on http://127.0.0.1:$PORT over $* (state in $DIR)"
