#!/usr/bin/env bash
# The production tier on one machine: several gunicorn processes (one gevent
# worker each) on PostgreSQL with the Redis message queue, plus separate
# delivery workers. Put a load balancer in front of the printed ports
# (docs/DEPLOY.md has an nginx example). Stop everything with Ctrl-C.
#
#   GUIDE_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/guide \
#   GUIDE_MESSAGE_QUEUE=redis://127.0.0.1:6379/0 \
#   GUIDE_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))') \
#   PROCESSES=3 WORKERS=2 scripts/scale-out.sh
#
# Prometheus scrapes each printed port's /metrics with GUIDE_METRICS_TOKEN (set
# it here too) as a bearer token; without it /metrics answers 403.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${GUIDE_DATABASE_URL:?set GUIDE_DATABASE_URL, e.g. postgresql://user@host:5432/guide}"
: "${GUIDE_MESSAGE_QUEUE:?set GUIDE_MESSAGE_QUEUE, e.g. redis://127.0.0.1:6379/0}"
: "${GUIDE_SECRET_KEY:?set GUIDE_SECRET_KEY to the same random value on every process}"
PROCESSES=${PROCESSES:-2}
WORKERS=${WORKERS:-1}
BASE_PORT=${BASE_PORT:-5101}
HOST=${GUIDE_HOST:-127.0.0.1}
BIN=.venv/bin

export GUIDE_ASYNC_MODE=gevent          # many idle WebSockets per process
export GUIDE_WORKER=off                 # delivery runs in the separate workers below
export GUIDE_MESSAGE_QUEUE_CHANNEL=${GUIDE_MESSAGE_QUEUE_CHANNEL:-guide-socketio}
export GUIDE_DEMO=${GUIDE_DEMO:-false}

"$BIN/guide" db upgrade
"$BIN/guide" content push "${GUIDE_CONTENT_DIR:-content}"

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

for i in $(seq 0 $((PROCESSES - 1))); do
  port=$((BASE_PORT + i))
  "$BIN/gunicorn" --config python:guide.gunicorn_config --bind "$HOST:$port" wsgi:app &
  pids+=($!)
  echo "web process $((i + 1)): http://$HOST:$port"
done
for i in $(seq 1 "$WORKERS"); do
  "$BIN/guide" worker &
  pids+=($!)
  echo "delivery worker $i: pid $!"
done
wait -n
