#!/usr/bin/env bash
# Two khabar nodes on one PostgreSQL database behind nginx, on loopback.
#   up    start node 1, then node 2 (one migrates at a time), then nginx
#   down  stop nginx and the nodes (SIGTERM: pending views are written)
# Environment:
#   DATABASE_URL   postgres://… (required for up; seed it first if you like)
#   KHABAR_BIN     the binary (default target/release/khabar)
#   RUN_DIR        pid files, logs, the generated nginx.conf (default /tmp/khabar-nodes)
#   NGINX_PORT     where nginx listens (default 8090)
#   NODE_PORTS     the nodes' ports (default "8091 8092"; one or more)
# Extra environment (KHABAR_*) is passed on to the nodes.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN_DIR="${RUN_DIR:-/tmp/khabar-nodes}"
KHABAR_BIN="${KHABAR_BIN:-target/release/khabar}"
NGINX_PORT="${NGINX_PORT:-8090}"
read -r -a PORTS <<<"${NODE_PORTS:-8091 8092}"

wait_ready() {
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "nodes.sh: nothing ready on port $1" >&2
  return 1
}

up() {
  : "${DATABASE_URL:?DATABASE_URL (postgres://…) is required}"
  command -v nginx >/dev/null || { echo "nodes.sh: nginx is not installed (apt-get install -y nginx-light)" >&2; exit 1; }
  mkdir -p "$RUN_DIR"
  local n=0
  for port in "${PORTS[@]}"; do
    n=$((n + 1))
    KHABAR_TRUSTED_PROXIES="${KHABAR_TRUSTED_PROXIES:-127.0.0.1/32}" \
      "$KHABAR_BIN" serve --bind "127.0.0.1:$port" >"$RUN_DIR/node$n.log" 2>&1 &
    echo $! >"$RUN_DIR/node$n.pid"
    wait_ready "$port"
  done
  # The two upstream lines of deploy/nginx.conf become this run's nodes
  # (one node: the second line goes; more: lines are added).
  local servers="" port
  for port in "${PORTS[@]}"; do
    servers+="        server 127.0.0.1:$port max_fails=1 fail_timeout=5s;\n"
  done
  sed -e "/server khabar2:8080/d" \
      -e "s/^ *server khabar1:8080.*$/$servers/" \
      -e "s/listen 80;/listen 127.0.0.1:$NGINX_PORT;/" \
      deploy/nginx.conf >"$RUN_DIR/nginx.conf"
  nginx -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" \
    -g "pid $RUN_DIR/nginx.pid; error_log $RUN_DIR/nginx-error.log;"
  wait_ready "$NGINX_PORT"
  echo "nginx on 127.0.0.1:$NGINX_PORT -> nodes on ${PORTS[*]} (logs in $RUN_DIR)"
}

down() {
  if [ -f "$RUN_DIR/nginx.pid" ]; then
    kill -QUIT "$(cat "$RUN_DIR/nginx.pid")" 2>/dev/null || true
    rm -f "$RUN_DIR/nginx.pid"
  fi
  for pidfile in "$RUN_DIR"/node*.pid; do
    [ -f "$pidfile" ] || continue
    pid="$(cat "$pidfile")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$pidfile"
  done
  echo "nodes stopped"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
