#!/usr/bin/env bash
# Stops the nginx that scripts/nginx-up.sh started with this state folder (by its pid file).
set -euo pipefail
DIR="${1:?usage: nginx-stop.sh <state folder>}"
if [ ! -s "$DIR/nginx.pid" ]; then
  echo "nginx: not running from $DIR"
  exit 0
fi
pid="$(cat "$DIR/nginx.pid")"
kill -QUIT "$pid" 2>/dev/null || true
for _ in $(seq 1 100); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
echo "nginx: stopped"
