#!/usr/bin/env bash
# khabar HTTP benchmark (wrk). See bench/README.md.
#
#   bench/run.sh                          # build, then sqlite + postgres
#   SKIP_BUILD=1 BACKENDS=sqlite ARTICLES=20000 DURATION=5s bench/run.sh
#
# For each backend: fresh database, `khabar seed --articles N` (timed),
# `khabar serve` on a free 127.0.0.1 port, then for each endpoint a 2 s
# warm-up and a measured `wrk -t2 -c32 -d$DURATION --latency` run.
# Prints a table per backend, writes bench/results-<backend>.md, and exits
# 2 if any target FAILs (0 when all PASS).
set -euo pipefail
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)

BACKENDS=${BACKENDS:-sqlite postgres}
ARTICLES=${ARTICLES:-100000}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
ZIPF_S=${ZIPF_S:-1.0}
LIST_PAGES=${LIST_PAGES:-50}
PER_PAGE=${PER_PAGE:-20}
PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-5432}
PG_USER=${PG_USER:-postgres}
PG_DB=${PG_DB:-khabar_bench}
SERVER_CPUS=${SERVER_CPUS:-}        # optional: taskset -c list for the server
WRK_CPUS=${WRK_CPUS:-}              # optional: taskset -c list for wrk
READY_TIMEOUT=${READY_TIMEOUT:-60}  # seconds to wait for /readyz
MAX_ERROR_PCT=${MAX_ERROR_PCT:-20}  # >=this % of HTTP>=400/timeouts => FAIL
BENCH_RUST_LOG=${RUST_LOG:-warn}    # keep request logs out of the measurement
KHABAR_BIN=${KHABAR_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/khabar}

# Targets (ratios are req/s relative to /healthz on the same run).
T_ART_P99_MS=10
T_LIST_P99_MS=25
T_RSS_MB=150

die() { echo "bench: error: $*" >&2; exit 1; }
log() { echo "bench: $*" >&2; }

[[ $ARTICLES =~ ^[0-9]+$ ]] || die "ARTICLES must be a non-negative integer"
[[ $PG_DB =~ ^[a-z_][a-z0-9_]*$ ]] || die "PG_DB must be a plain lower-case identifier"
[[ $THREADS =~ ^[0-9]+$ && $CONNECTIONS =~ ^[0-9]+$ ]] || die "THREADS/CONNECTIONS must be integers"
MAX_ID=$((ARTICLES + 1)) # id 1 = fixed seed article, ids 2..N+1 generated

# ---------------------------------------------------------------- tools
apt_install() {
  local -a sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || die "need root or sudo to apt-get install $*"
    sudo=(sudo)
  fi
  log "installing $* with apt-get"
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2; then
    "${sudo[@]}" apt-get update >&2
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2
  fi
}
need() { # need COMMAND DEBIAN-PACKAGE
  command -v "$1" >/dev/null 2>&1 || apt_install "$2"
  command -v "$1" >/dev/null 2>&1 || die "$1 not found after installing $2"
}
need wrk wrk
need curl curl
for b in $BACKENDS; do
  case $b in
    sqlite) ;;
    postgres) need psql postgresql-client ;;
    *) die "unknown backend '$b' (expected sqlite and/or postgres)" ;;
  esac
done
if [[ -n $SERVER_CPUS || -n $WRK_CPUS ]]; then need taskset util-linux; fi

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  log "cargo build --release"
  (cd "$ROOT" && cargo build --release)
fi
[[ -x $KHABAR_BIN ]] || die "$KHABAR_BIN not found (build it, or set KHABAR_BIN)"

# ---------------------------------------------------------------- lifecycle
WORK=$(mktemp -d "${TMPDIR:-/tmp}/khabar-bench.XXXXXX")
SERVER_PID=""
WRK_PID=""

stop_server() {
  if [[ -n $SERVER_PID ]]; then
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      kill -TERM "$SERVER_PID" 2>/dev/null || true

      for _ in $(seq 1 50); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
      done
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
cleanup() {
  local rc=$?
  trap - EXIT
  if [[ -n $WRK_PID ]]; then
    kill -TERM "$WRK_PID" 2>/dev/null || true
    wait "$WRK_PID" 2>/dev/null || true
  fi
  stop_server
  if [[ $rc -ne 0 && $rc -ne 2 ]] || [[ ${KEEP_WORKDIR:-0} == 1 ]]; then
    log "logs kept in $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_busy() {
  if command -v ss >/dev/null 2>&1; then
    [[ -n $(ss -Htan "sport = :$1" 2>/dev/null) ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}
pick_port() {
  if [[ -n ${PORT:-} ]]; then echo "$PORT"; return; fi
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    if ! port_busy "$p"; then echo "$p"; return; fi
  done
  die "no free port found"
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

with_cpus() { # with_cpus CPULIST CMD... (exec-style: keeps the PID)
  local cpus=$1; shift
  if [[ -n $cpus ]]; then exec taskset -c "$cpus" "$@"; else exec "$@"; fi
}

fresh_db() { # fresh_db BACKEND -> prints DATABASE_URL
  case $1 in
    sqlite)
      local path=$WORK/khabar-bench.sqlite
      rm -f "$path" "$path-wal" "$path-shm" "$path-journal"
      echo "sqlite://$path"
      ;;
    postgres)
      local -a psql=(psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres)
      "${psql[@]}" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >&2 2>/dev/null \
        || "${psql[@]}" -c "DROP DATABASE IF EXISTS $PG_DB" >&2
      "${psql[@]}" -c "CREATE DATABASE $PG_DB" >&2
      # TLS on loopback only burns CPU on both ends (measured: -17% req/s);
      # PG_SSLMODE=prefer measures what libpq does by default.
      echo "postgres://$PG_USER@$PG_HOST:$PG_PORT/$PG_DB?sslmode=${PG_SSLMODE:-disable}"
      ;;
  esac
}

db_size() { # db_size BACKEND -> e.g. "41.2 MB"
  local bytes=0 f
  case $1 in
    sqlite)
      for f in "$WORK"/khabar-bench.sqlite*; do
        if [[ -f $f ]]; then bytes=$((bytes + $(stat -c %s "$f"))); fi
      done
      ;;
    postgres)
      bytes=$(psql -X -At -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres \
        -c "SELECT pg_database_size('$PG_DB')" 2>/dev/null || echo 0)
      ;;
  esac
  awk -v b="$bytes" 'BEGIN { printf "%.1f MB", b / 1048576 }'
}

wait_ready() { # wait_ready BASE_URL SERVER_LOG
  local deadline=$((SECONDS + READY_TIMEOUT))
  until curl -fsS -o /dev/null --max-time 2 "$1/readyz" 2>/dev/null; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      tail -n 40 "$2" >&2 || true
      die "server exited before /readyz answered (log above)"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 40 "$2" >&2 || true
      die "/readyz not ready after ${READY_TIMEOUT}s"
    fi
    sleep 0.2
  done
}

status_of() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1" || true; }

run_wrk() { # run_wrk SCRIPT URL DURATION OUTFILE
  # wrk runs as its own process (in the background + wait, so that Ctrl-C
  # reaches our trap at once and cleanup can stop both wrk and the server).
  (
    export KHABAR_BENCH_DIR=$BENCH_DIR KHABAR_MAX_ID=$MAX_ID KHABAR_ZIPF_S=$ZIPF_S \
      KHABAR_LIST_PAGES=$LIST_PAGES KHABAR_PER_PAGE=$PER_PAGE
    with_cpus "$WRK_CPUS" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$3" --latency \
      -s "$BENCH_DIR/$1" "$2"
  ) >"$4" 2>&1 &
  WRK_PID=$!
  local rc=0
  wait "$WRK_PID" || rc=$?
  WRK_PID=""
  return "$rc"
}

field() { # field "KHABAR_RESULT k=v ..." KEY
  local v
  v=$(sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1")
  echo "${v:-0}"
}
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }
fmt() { awk -v a="$1" -v f="$2" 'BEGIN { printf f, a }'; }

# ---------------------------------------------------------------- run
# name | wrk script | path given to wrk | description
ENDPOINTS=(
  "healthz|healthz.lua|/healthz|GET /healthz (in-process, no DB)"
  "article_zipf|article_zipf.lua|/|GET /api/v1/articles/{id}, Zipf s=$ZIPF_S over 1..$MAX_ID"
  "article_uniform|article_uniform.lua|/|GET /api/v1/articles/{id}, uniform over 1..$MAX_ID"
  "list|list.lua|/|GET /api/v1/articles?page=P&per_page=$PER_PAGE, P uniform 1..$LIST_PAGES"
)

OVERALL_FAIL=0
GIT_REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "no commit")
if [[ -n $(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null) ]]; then GIT_REV="$GIT_REV (dirty)"; fi
CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n1)

bench_backend() {
  local backend=$1
  local t_art_ratio t_list_ratio
  case $backend in
    postgres) t_art_ratio=0.12 t_list_ratio=0.04 ;;
    sqlite) t_art_ratio=0.2 t_list_ratio=0.06 ;;
  esac

  echo
  echo "=== $backend: $ARTICLES articles, wrk -t$THREADS -c$CONNECTIONS -d$DURATION (warm-up $WARMUP) ==="

  local url
  url=$(fresh_db "$backend")

  local seed_log=$WORK/seed-$backend.log t0 t1 seed_s
  log "seeding $ARTICLES articles into $backend"
  t0=$(now)
  if ! RUST_LOG=$BENCH_RUST_LOG DATABASE_URL=$url "$KHABAR_BIN" seed --articles "$ARTICLES" >"$seed_log" 2>&1; then
    tail -n 40 "$seed_log" >&2 || true
    die "khabar seed failed for $backend"
  fi
  t1=$(now)
  seed_s=$(elapsed "$t0" "$t1")
  local seed_rate
  seed_rate=$(awk -v n="$ARTICLES" -v s="$seed_s" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
  local size
  size=$(db_size "$backend")
  echo "seed: $ARTICLES articles in ${seed_s}s (${seed_rate} articles/s), database size $size"

  local port base server_log=$WORK/server-$backend.log
  port=$(pick_port)
  base="http://127.0.0.1:$port"
  RUST_LOG=$BENCH_RUST_LOG DATABASE_URL=$url \
    with_cpus "$SERVER_CPUS" "$KHABAR_BIN" serve --bind "127.0.0.1:$port" >"$server_log" 2>&1 &
  SERVER_PID=$!
  wait_ready "$base" "$server_log"
  log "server pid $SERVER_PID ready on $base (pool size ${KHABAR_POOL_SIZE:-default})"

  local s1 sl
  s1=$(status_of "$base/api/v1/articles/1")
  sl=$(status_of "$base/api/v1/articles?page=1&per_page=$PER_PAGE")
  [[ $s1 == 200 ]] || log "warning: GET /api/v1/articles/1 answered $s1 (expected 200)"
  [[ $sl == 200 ]] || log "warning: GET /api/v1/articles?page=1 answered $sl (expected 200)"

  local -a rows_txt=() rows_md=()
  local healthz_rps="" entry name script path desc out result
  for entry in "${ENDPOINTS[@]}"; do
    IFS='|' read -r name script path desc <<<"$entry"
    log "$backend/$name: warm-up $WARMUP"
    run_wrk "$script" "$base$path" "$WARMUP" "$WORK/warmup-$backend-$name.txt" || true
    log "$backend/$name: measuring $DURATION"
    out=$WORK/wrk-$backend-$name.txt
    if ! run_wrk "$script" "$base$path" "$DURATION" "$out"; then
      cat "$out" >&2
      die "wrk failed for $backend/$name"
    fi
    result=$(grep '^KHABAR_RESULT ' "$out" | tail -n1 || true)
    [[ -n $result ]] || { cat "$out" >&2; die "no KHABAR_RESULT line from wrk for $backend/$name"; }

    local rps p50 p99 reqs non2xx timeouts sockerr ratio errpct
    rps=$(field "$result" rps)
    p50=$(field "$result" p50_ms)
    p99=$(field "$result" p99_ms)
    reqs=$(field "$result" requests)
    non2xx=$(field "$result" non2xx)
    timeouts=$(field "$result" timeouts)
    sockerr=$(( $(field "$result" connect_err) + $(field "$result" read_err) + $(field "$result" write_err) + timeouts ))
    errpct=$(awk -v e="$non2xx" -v t="$timeouts" -v n="$reqs" 'BEGIN { printf "%.1f", (n > 0 ? 100 * (e + t) / n : 100) }')
    [[ $name == healthz ]] && healthz_rps=$rps
    ratio=$(awk -v a="$rps" -v b="$healthz_rps" 'BEGIN { if (b > 0) printf "%.3f", a / b; else printf "n/a" }')

    local target verdict="PASS" why=""
    case $name in
      healthz) target="baseline" ;;
      article_*)
        target=">=${t_art_ratio}x, p99<${T_ART_P99_MS}ms"
        ge "$ratio" "$t_art_ratio" || why+=" ratio"
        lt "$p99" "$T_ART_P99_MS" || why+=" p99"
        ;;
      list)
        target=">=${t_list_ratio}x, p99<${T_LIST_P99_MS}ms"
        ge "$ratio" "$t_list_ratio" || why+=" ratio"
        lt "$p99" "$T_LIST_P99_MS" || why+=" p99"
        ;;
    esac
    [[ $reqs -gt 0 ]] || why+=" no-requests"
    lt "$errpct" "$MAX_ERROR_PCT" || why+=" errors>${MAX_ERROR_PCT}%"
    [[ -n $why ]] && verdict="FAIL(${why# })" && OVERALL_FAIL=1

    local rps_f nonx
    rps_f=$(fmt "$rps" "%.0f")
    nonx="$non2xx ($(awk -v e="$non2xx" -v n="$reqs" 'BEGIN { printf "%.1f", (n > 0 ? 100 * e / n : 0) }')%)"
    rows_txt+=("$(printf '%-16s %10s %8s %8s %9s %16s %8s  %-26s %s' \
      "$name" "$rps_f" "$p50" "$p99" "${ratio}x" "$nonx" "$sockerr" "$target" "$verdict")")
    rows_md+=("| $name | \`$desc\` | $rps_f | $p50 | $p99 | $ratio | $nonx | $sockerr | ${target//>=/≥} | **$verdict** |")
  done

  # Peak RSS of the server over the whole run (it is still alive here).
  local hwm_kb rss_mb rss_verdict="PASS"
  hwm_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || true)
  if [[ -z $hwm_kb ]]; then
    rss_mb="?"
    rss_verdict="FAIL(unreadable)"
    OVERALL_FAIL=1
  else
    rss_mb=$(awk -v k="$hwm_kb" 'BEGIN { printf "%.1f", k / 1024 }')
    if ! lt "$rss_mb" "$T_RSS_MB"; then rss_verdict="FAIL"; OVERALL_FAIL=1; fi
  fi
  stop_server

  echo
  printf '%-16s %10s %8s %8s %9s %16s %8s  %-26s %s\n' \
    endpoint req/s "p50 ms" "p99 ms" "/healthz" "HTTP>=400" "sock err" target result
  printf '%s\n' "${rows_txt[@]}"
  printf '%-16s %10s %8s %8s %9s %16s %8s  %-26s %s\n' \
    "peak RSS" "${rss_mb} MB" "" "" "" "" "" "<${T_RSS_MB} MB (VmHWM)" "$rss_verdict"
  echo "(list pages are drawn from 1..$LIST_PAGES only: the first pages are what apps hit)"

  local md=$BENCH_DIR/results-$backend.md
  {
    echo "# khabar benchmark: $backend"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit: $GIT_REV"
    echo "- machine: $(nproc) cores${CPU_MODEL:+, $CPU_MODEL}; server and wrk share it${SERVER_CPUS:+ (server cpus $SERVER_CPUS)}${WRK_CPUS:+ (wrk cpus $WRK_CPUS)}"
    echo "- load: \`wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency\`, $WARMUP warm-up before each run, 127.0.0.1 only"
    echo "- data: $ARTICLES generated articles + 1 fixed (ids 1..$MAX_ID, ~3% drafts answer 404); seeded in ${seed_s}s (${seed_rate} articles/s); database size $size"
    echo "- server: RUST_LOG=$BENCH_RUST_LOG, KHABAR_POOL_SIZE=${KHABAR_POOL_SIZE:-default}"
    echo
    echo "| endpoint | request | req/s | p50 ms | p99 ms | × /healthz | HTTP ≥400 | socket errors | target | result |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---|---|"
    printf '%s\n' "${rows_md[@]}"
    echo "| peak RSS | VmHWM of the server after all runs | $rss_mb MB | | | | | | < $T_RSS_MB MB | **$rss_verdict** |"
    echo
    echo "List pages are drawn uniformly from 1..$LIST_PAGES (per_page=$PER_PAGE): the first pages are what apps hit, so deep pagination is deliberately not measured."
    echo "Ratios are req/s divided by /healthz req/s of the same run. A row also FAILs when more than $MAX_ERROR_PCT% of its responses are HTTP ≥400 or timeouts."
  } >"$md"
  log "wrote $md"
}

for backend in $BACKENDS; do
  bench_backend "$backend"
done

echo
if [[ $OVERALL_FAIL -ne 0 ]]; then
  echo "bench: some targets FAILED"
  exit 2
fi
echo "bench: all targets PASS"
