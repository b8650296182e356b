#!/usr/bin/env bash
# Issue 10: read throughput with public reads on a streaming replica versus on
# the primary, and two nodes behind nginx versus one, each while a writer load
# runs beside it (50 edits/s, view beacons on 2 connections, comments on 1),
# each as a ratio in the same run. PostgreSQL only; needs root (the replica is
# a second local cluster, scripts/replica.sh) and nginx.
#
#   SKIP_BUILD=1 ARTICLES=20000 DURATION=8s bench/scale_out.sh
#
# Reads are uniform random articles with the answer cache off (every read is
# a database read, so where it goes is what is measured).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
cd "$ROOT"
ARTICLES=${ARTICLES:-20000}
DURATION=${DURATION:-8s}
WARMUP=${WARMUP:-2s}
CONNECTIONS=${CONNECTIONS:-32}
DB=${PG_DB:-khabar_scale}
PRIMARY="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable"
REPLICA="postgres://postgres@127.0.0.1:5433/$DB?sslmode=disable"
BIN=${KHABAR_BIN:-$ROOT/target/release/khabar}
WORK=$(mktemp -d)
export KHABAR_BENCH_DIR=$BENCH_DIR
log() { echo "scale_out: $*" >&2; }

command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null
command -v nginx >/dev/null || apt-get install -y -q nginx-light >/dev/null
[[ -n ${SKIP_BUILD:-} ]] || cargo build --release --quiet

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  RUN_DIR=$WORK/nodes bash scripts/nodes.sh down >/dev/null 2>&1 || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

bash scripts/replica.sh up >&2
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" postgres
log "seeding $ARTICLES articles"
"$BIN" --database-url "$PRIMARY" seed --articles "$ARTICLES" >/dev/null 2>&1
MAX_ID=$((ARTICLES + 1))
TOKEN=$("$BIN" --database-url "$PRIMARY" token create --role editor --name scale-out 2>/dev/null)
for _ in $(seq 1 120); do
  n=$(psql -h 127.0.0.1 -p 5433 -U postgres -Atc "SELECT count(*) FROM articles" "$DB" 2>/dev/null || echo 0)
  [[ $n == "$MAX_ID" ]] && break
  sleep 0.5
done
log "the replica has the $MAX_ID articles"

# Every node: cache off, view counts from X-Forwarded-For, comments open.
export KHABAR_CACHE_TTL_MS=0 KHABAR_TRUSTED_PROXIES=127.0.0.1/32 \
  KHABAR_COMMENT_TRUST_FORWARDED=true KHABAR_COMMENT_FLOOD_SECS=0 \
  KHABAR_RATE_LIMIT_ANONYMOUS=0 RUST_LOG=warn

start() { # start PORT [REPLICA_URL]: a node in the background
  local port=$1 replica=${2:-}
  DATABASE_REPLICA_URL=$replica "$BIN" --database-url "$PRIMARY" serve --bind "127.0.0.1:$port" \
    >"$WORK/node-$port.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return; sleep 0.1; done
  cat "$WORK/node-$port.log" >&2
  exit 1
}
stop_all() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}

writers_start() { # writers_start BASE: edits, view beacons and comments
  local base=$1
  # Each run edits ids of its own: the writer's first If-Match is version 1.
  EDIT_LO=$((${EDIT_LO:-0} + 2000))
  KHABAR_BENCH_TOKEN=$TOKEN python3 bench/writer.py --base "$base" --rate 50 \
    --lo "$EDIT_LO" --hi $((EDIT_LO + 1999)) \
    --tag "scale" >"$WORK/writer.txt" 2>&1 &
  WRITERS=($!)
  KHABAR_MAX_ID=$MAX_ID wrk -t1 -c2 -d600s -s bench/view_post.lua "$base" >"$WORK/views.txt" 2>&1 &
  WRITERS+=($!)
  KHABAR_POST_ARTICLE=1 wrk -t1 -c1 -d600s -s bench/comment_post.lua "$base" >"$WORK/comments.txt" 2>&1 &
  WRITERS+=($!)
}
writers_stop() { # -> WRITES: what the writer load did during the run
  for pid in "${WRITERS[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  for pid in "${WRITERS[@]}"; do wait "$pid" 2>/dev/null || true; done
  local edits views comments
  edits=$(grep -o 'rate=[0-9.]*' "$WORK/writer.txt" | head -n1 | cut -d= -f2)
  views=$(grep '^KHABAR_RESULT ' "$WORK/views.txt" | sed -E 's/.* rps=([0-9.]+).*/\1/')
  comments=$(grep '^KHABAR_RESULT ' "$WORK/comments.txt" | sed -E 's/.* rps=([0-9.]+).*/\1/')
  WRITES="edits ${edits:-?}/s, beacons ${views:-?}/s, comments ${comments:-?}/s"
  log "writer load: $WRITES"
}

read_load() { # read_load NAME BASE -> RPS, P99
  local name=$1 base=$2
  KHABAR_MAX_ID=$MAX_ID wrk -t2 -c"$CONNECTIONS" -d"$WARMUP" -s bench/article_uniform.lua "$base" >/dev/null 2>&1 || true
  KHABAR_MAX_ID=$MAX_ID wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s bench/article_uniform.lua "$base" >"$WORK/$name.txt" 2>&1
  local line
  line=$(grep '^KHABAR_RESULT ' "$WORK/$name.txt" | tail -n1)
  RPS=$(sed -E 's/.* rps=([0-9.]+).*/\1/' <<<"$line")
  P99=$(sed -E 's/.* p99_ms=([0-9.]+).*/\1/' <<<"$line")
  log "$name: $RPS req/s, p99 $P99 ms"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# 1. One node, reads on the primary, then on the replica (same node count).
start 8181
writers_start http://127.0.0.1:8181
read_load primary http://127.0.0.1:8181
PRIMARY_RPS=$RPS PRIMARY_P99=$P99
writers_stop
PRIMARY_W=$WRITES
stop_all
start 8182 "$REPLICA"
for _ in $(seq 1 50); do curl -fsS http://127.0.0.1:8182/readyz | grep -q '"state":"up"' && break; sleep 0.1; done
writers_start http://127.0.0.1:8182
read_load replica http://127.0.0.1:8182
REPLICA_RPS=$RPS REPLICA_P99=$P99
READY=$(curl -fsS http://127.0.0.1:8182/readyz)
writers_stop
REPLICA_W=$WRITES
stop_all

# 2. nginx in front of one node, then of two.
nodes_up() { # nodes_up "PORTS"
  RUN_DIR=$WORK/nodes NGINX_PORT=8190 NODE_PORTS="$1" DATABASE_URL=$PRIMARY KHABAR_BIN=$BIN \
    bash scripts/nodes.sh up >&2
}
nodes_down() { RUN_DIR=$WORK/nodes bash scripts/nodes.sh down >/dev/null; }
nodes_up "8191"
writers_start http://127.0.0.1:8190
read_load nginx-one http://127.0.0.1:8190
ONE_RPS=$RPS ONE_P99=$P99
writers_stop
ONE_W=$WRITES
nodes_down
nodes_up "8191 8192"
writers_start http://127.0.0.1:8190
read_load nginx-two http://127.0.0.1:8190
TWO_RPS=$RPS TWO_P99=$P99
writers_stop
TWO_W=$WRITES
nodes_down

cat <<EOF

Scale-out, $ARTICLES articles, PostgreSQL, answer cache off, wrk -t2 -c$CONNECTIONS -d$DURATION,
uniform random articles, beside 50 edits/s + view beacons (2 conns) + comments (1 conn):

| reads | req/s | p99 ms | ratio | writer load beside it |
|---|---:|---:|---:|---|
| one node, reads on the primary | $PRIMARY_RPS | $PRIMARY_P99 | 1.00× | $PRIMARY_W |
| one node, public reads on the replica | $REPLICA_RPS | $REPLICA_P99 | $(ratio "$REPLICA_RPS" "$PRIMARY_RPS")× | $REPLICA_W |
| nginx → one node | $ONE_RPS | $ONE_P99 | 1.00× | $ONE_W |
| nginx → two nodes | $TWO_RPS | $TWO_P99 | $(ratio "$TWO_RPS" "$ONE_RPS")× | $TWO_W |

replica at the end of its run: $READY
EOF
