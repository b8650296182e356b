#!/usr/bin/env bash
# khabar HTTP benchmark (wrk). See bench/README.md.
#
#   bench/run.sh                          # build, then sqlite + postgres
#   SKIP_BUILD=1 BACKENDS=sqlite ARTICLES=20000 DURATION=5s bench/run.sh
#
# For each backend: fresh database, `khabar seed --articles N` (timed), an
# editor token, `khabar serve` on a free 127.0.0.1 port, then for each
# endpoint a 2 s warm-up and a measured `wrk -t2 -c32 -d$DURATION --latency`
# run: the reads, then the writes (PATCH, POST), then the reads again while
# bench/writer.py edits articles at $WRITER_RATE/s (WRITES=0: reads only).
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
WRITES=${WRITES:-1}                 # 0: skip patch/post/reads-under-writer rows
WRITER_RATE=${WRITER_RATE:-50}      # edits/s of the background writer
WRITER_CONNECTIONS=${WRITER_CONNECTIONS:-4} # its edits in flight at most (keeps the rate when answers are slow)
MAX_412_PCT=${MAX_412_PCT:-1}       # patch: >=this % of 412 (stale If-Match) => FAIL

# Targets (ratios are req/s relative to /healthz on the same run).
T_ART_P99_MS=10
T_LIST_P99_MS=25
T_RSS_MB=150
T_RUW_RATIO=0.80     # reads under the writer: >= this x the same reads without it
T_WRITER_RATE=0.90   # the writer must reach >= this x WRITER_RATE (else the row is moot)

die() { echo "bench: error: $*" >&2; exit 1; }
log() { echo "bench: $*" >&2; }

[[ $ARTICLES =~ ^[0-9]+$ ]] || die "ARTICLES must be a non-negative integer"
[[ $PG_DB =~ ^[a-z_][a-z0-9_]*$ ]] || die "PG_DB must be a plain lower-case identifier"
[[ $THREADS =~ ^[0-9]+$ && $CONNECTIONS =~ ^[0-9]+$ ]] || die "THREADS/CONNECTIONS must be integers"
[[ $WRITER_CONNECTIONS =~ ^[1-9][0-9]*$ ]] || die "WRITER_CONNECTIONS must be a positive integer"
[[ $WRITES == 0 || $WRITES == 1 ]] || die "WRITES must be 0 or 1"
[[ $WRITER_RATE =~ ^[0-9]+([.][0-9]+)?$ ]] && awk -v r="$WRITER_RATE" 'BEGIN { exit !(r > 0) }' \
  || die "WRITER_RATE must be a positive number"
MAX_ID=$((ARTICLES + 1)) # id 1 = fixed seed article, ids 2..N+1 generated

# Article ids edited by the write runs: disjoint ranges, so that every run
# knows each article's version (1, as seeded) without reading it first.
# ids 2..N+1: first 20% patch warm-up, next 60% measured patch run, last 20%
# the background writer. Each wrk thread gets a disjoint slice of its range.
PW_LO=2
PW_HI=$((1 + ARTICLES / 5))
PM_LO=$((PW_HI + 1))
PM_HI=$((PW_HI + ARTICLES * 3 / 5))
WR_LO=$((PM_HI + 1))
WR_HI=$MAX_ID
if [[ $WRITES == 1 ]]; then
  # every thread slice of the measured range must be far larger than that
  # thread's connections, or an article could be edited twice at once
  if ((ARTICLES / 5 < THREADS || WR_HI - WR_LO + 1 < 4 * WRITER_CONNECTIONS || (PM_HI - PM_LO + 1) < 4 * (CONNECTIONS > THREADS ? CONNECTIONS : THREADS))); then
    die "ARTICLES=$ARTICLES is too small for the write rows with -c$CONNECTIONS (need >= $((7 * CONNECTIONS)); or WRITES=0)"
  fi
fi

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
PYTHON=""
if [[ $WRITES == 1 ]]; then
  need python3 python3
  # the interpreter itself, not a wrapper such as a pyenv shim (which forks:
  # SIGTERM would then miss the writer and lose its summary line)
  PYTHON=$(python3 -c 'import sys; print(sys.executable)') || die "python3 does not run"
  [[ -x $PYTHON ]] || die "python3 reports no usable sys.executable"
fi
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
WRITER_PID=""

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
  if [[ -n $WRITER_PID ]]; then
    kill -TERM "$WRITER_PID" 2>/dev/null || true
    wait "$WRITER_PID" 2>/dev/null || true
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

WRK_ENV=() # extra VAR=value for the next run_wrk (ids, token, run tag)
run_wrk() { # run_wrk SCRIPT URL DURATION OUTFILE
  # wrk runs as its own process (in the background + wait, so that Ctrl-C
  # reaches our trap at once and cleanup can stop both wrk and the server).
  (
    export KHABAR_BENCH_DIR=$BENCH_DIR KHABAR_MAX_ID=$MAX_ID KHABAR_ZIPF_S=$ZIPF_S \
      KHABAR_LIST_PAGES=$LIST_PAGES KHABAR_PER_PAGE=$PER_PAGE KHABAR_THREADS=$THREADS
    with_cpus "$WRK_CPUS" env "${WRK_ENV[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$3" --latency \
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

# Row bookkeeping shared by bench_backend's runs.
ROWS_TXT=()
ROWS_MD=()
NOTES=()
WRK_ENV_WARMUP=()
WRK_ENV_MEASURE=()
ROW_FMT='%-22s %10s %8s %8s %9s %16s %8s  %-26s %s'

server_gone() { # server_gone WHAT: dies with the server's exit status if it is no longer running
  [[ -n $SERVER_PID ]] && ! kill -0 "$SERVER_PID" 2>/dev/null || return 0
  local rc=0
  wait "$SERVER_PID" 2>/dev/null || rc=$?
  SERVER_PID=""
  if ((rc > 128)); then
    die "the server died during $1 (signal $((rc - 128)): $(kill -l $((rc - 128)) 2>/dev/null || echo '?'); killed from outside?)"
  fi
  die "the server exited during $1 (status $rc; see its log)"
}

measure() { # measure BACKEND NAME SCRIPT URL -> M_* globals (uses WRK_ENV_WARMUP/_MEASURE)
  local backend=$1 name=$2 script=$3 url=$4 out
  log "$backend/$name: warm-up $WARMUP"
  WRK_ENV=("${WRK_ENV_WARMUP[@]}")
  run_wrk "$script" "$url" "$WARMUP" "$WORK/warmup-$backend-$name.txt" || true
  log "$backend/$name: measuring $DURATION"
  out=$WORK/wrk-$backend-$name.txt
  WRK_ENV=("${WRK_ENV_MEASURE[@]}")
  if ! run_wrk "$script" "$url" "$DURATION" "$out"; then
    WRK_ENV=()
    cat "$out" >&2
    server_gone "$backend/$name"
    die "wrk failed for $backend/$name"
  fi
  WRK_ENV=()
  M_RESULT=$(grep '^KHABAR_RESULT ' "$out" | tail -n1 || true)
  [[ -n $M_RESULT ]] || { cat "$out" >&2; die "no KHABAR_RESULT line from wrk for $backend/$name"; }
  M_RPS=$(field "$M_RESULT" rps)
  M_P50=$(field "$M_RESULT" p50_ms)
  M_P99=$(field "$M_RESULT" p99_ms)
  M_REQS=$(field "$M_RESULT" requests)
  M_NON2XX=$(field "$M_RESULT" non2xx)
  local timeouts
  timeouts=$(field "$M_RESULT" timeouts)
  M_SOCKERR=$(( $(field "$M_RESULT" connect_err) + $(field "$M_RESULT" read_err) + $(field "$M_RESULT" write_err) + timeouts ))
  M_ERRPCT=$(awk -v e="$M_NON2XX" -v t="$timeouts" -v n="$M_REQS" 'BEGIN { printf "%.1f", (n > 0 ? 100 * (e + t) / n : 100) }')
}

# add_row NAME DESC RPS P50 P99 RATIO NON2XX REQS ERRPCT SOCKERR TARGET WHY
# (WHY: space-separated failed checks; the request/error checks are added here)
add_row() {
  local name=$1 desc=$2 rps=$3 p50=$4 p99=$5 ratio=$6 non2xx=$7 reqs=$8 errpct=$9 sockerr=${10} target=${11} why=${12}
  local verdict="PASS" rps_f nonx
  [[ $reqs -gt 0 ]] || why+=" no-requests"
  lt "$errpct" "$MAX_ERROR_PCT" || why+=" errors>${MAX_ERROR_PCT}%"
  [[ -n $why ]] && verdict="FAIL(${why# })" && OVERALL_FAIL=1
  rps_f=$(fmt "$rps" "%.0f")
  nonx="$non2xx ($(awk -v e="$non2xx" -v n="$reqs" 'BEGIN { printf "%.1f", (n > 0 ? 100 * e / n : 0) }')%)"
  # shellcheck disable=SC2059
  local ratio_txt="${ratio}x"
  [[ $ratio == - ]] && ratio_txt="-"
  ROWS_TXT+=("$(printf "$ROW_FMT" "$name" "$rps_f" "$p50" "$p99" "$ratio_txt" "$nonx" "$sockerr" "$target" "$verdict")")
  ROWS_MD+=("| $name | \`$desc\` | $rps_f | $p50 | $p99 | $ratio | $nonx | $sockerr | ${target//>=/≥} | **$verdict** |")
}

start_writer() { # start_writer BACKEND BASE_URL TOKEN OUTFILE
  (
    export KHABAR_BENCH_TOKEN=$3
    with_cpus "$WRK_CPUS" "$PYTHON" "$BENCH_DIR/writer.py" --base "$2" --rate "$WRITER_RATE" \
      --connections "$WRITER_CONNECTIONS" --lo "$WR_LO" --hi "$WR_HI" --tag "writer-$1"
  ) >"$4" 2>&1 &
  WRITER_PID=$!
  sleep 0.5
  if ! kill -0 "$WRITER_PID" 2>/dev/null; then
    wait "$WRITER_PID" 2>/dev/null || true
    WRITER_PID=""
    cat "$4" >&2
    die "writer.py exited at once (output above)"
  fi
  log "$1: writer pid $WRITER_PID editing ids $WR_LO..$WR_HI at $WRITER_RATE/s"
}

stop_writer() {
  [[ -n $WRITER_PID ]] || return 0
  kill -TERM "$WRITER_PID" 2>/dev/null || true
  wait "$WRITER_PID" 2>/dev/null || true
  WRITER_PID=""
}

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

  # An editor token for the write rows (after seeding, before serving).
  local token=""
  if [[ $WRITES == 1 ]]; then
    local token_log=$WORK/token-$backend.log
    if ! token=$(RUST_LOG=$BENCH_RUST_LOG DATABASE_URL=$url "$KHABAR_BIN" token create --role editor --name bench 2>"$token_log"); then
      cat "$token_log" >&2 || true
      die "khabar token create failed for $backend"
    fi
    token=${token//[[:space:]]/}
    [[ $token == khb_* ]] || { cat "$token_log" >&2 || true; die "khabar token create printed no khb_ token"; }
  fi

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

  ROWS_TXT=()
  ROWS_MD=()
  NOTES=()
  local healthz_rps="" entry name script path desc ratio target why
  local -A plain_rps=() plain_p99=() plain_desc=()

  # ---- 1. reads
  WRK_ENV_WARMUP=()
  WRK_ENV_MEASURE=()
  for entry in "${ENDPOINTS[@]}"; do
    IFS='|' read -r name script path desc <<<"$entry"
    measure "$backend" "$name" "$script" "$base$path"
    [[ $name == healthz ]] && healthz_rps=$M_RPS
    ratio=$(awk -v a="$M_RPS" -v b="$healthz_rps" 'BEGIN { if (b > 0) printf "%.3f", a / b; else printf "n/a" }')
    plain_rps[$name]=$M_RPS
    plain_p99[$name]=$M_P99
    plain_desc[$name]=$desc
    why=""
    case $name in
      healthz) target="baseline" ;;
      article_*)
        target=">=${t_art_ratio}x, p99<${T_ART_P99_MS}ms"
        ge "$ratio" "$t_art_ratio" || why+=" ratio"
        lt "$M_P99" "$T_ART_P99_MS" || why+=" p99"
        ;;
      list)
        target=">=${t_list_ratio}x, p99<${T_LIST_P99_MS}ms"
        ge "$ratio" "$t_list_ratio" || why+=" ratio"
        lt "$M_P99" "$T_LIST_P99_MS" || why+=" p99"
        ;;
    esac
    add_row "$name" "$desc" "$M_RPS" "$M_P50" "$M_P99" "$ratio" "$M_NON2XX" "$M_REQS" "$M_ERRPCT" "$M_SOCKERR" "$target" "$why"
  done

  if [[ $WRITES == 1 ]]; then
    # ---- 2. writes
    local sp
    sp=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X PATCH \
      -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -H 'If-Match: "v1"' \
      --data '{"summary":"bench: probe edit of the seed article"}' "$base/api/v1/articles/1" || true)
    [[ $sp == 200 ]] || log "warning: PATCH /api/v1/articles/1 answered $sp (expected 200)"

    local tok_env="KHABAR_BENCH_TOKEN=$token"
    WRK_ENV_WARMUP=("$tok_env" "KHABAR_ID_LO=$PW_LO" "KHABAR_ID_HI=$PW_HI" "KHABAR_RUN_TAG=w")
    WRK_ENV_MEASURE=("$tok_env" "KHABAR_ID_LO=$PM_LO" "KHABAR_ID_HI=$PM_HI" "KHABAR_RUN_TAG=m")
    measure "$backend" patch patch.lua "$base/"
    local s200 s412 s428 s_other parse_fail skips pct412
    s200=$(field "$M_RESULT" s200)
    s412=$(field "$M_RESULT" s412)
    s428=$(field "$M_RESULT" s428)
    s_other=$(field "$M_RESULT" s_other)
    parse_fail=$(field "$M_RESULT" parse_fail)
    skips=$(field "$M_RESULT" inflight_skips)
    pct412=$(awk -v e="$s412" -v n="$M_REQS" 'BEGIN { printf "%.2f", (n > 0 ? 100 * e / n : 0) }')
    ratio=$(awk -v a="$M_RPS" -v b="$healthz_rps" 'BEGIN { if (b > 0) printf "%.3f", a / b; else printf "n/a" }')
    why=""
    lt "$pct412" "$MAX_412_PCT" || why+=" 412s>=${MAX_412_PCT}%"
    add_row patch "PATCH /api/v1/articles/{id} (new summary, If-Match \"v<n>\"), ids $PM_LO..$PM_HI, one slice per wrk thread" \
      "$M_RPS" "$M_P50" "$M_P99" "$ratio" "$M_NON2XX" "$M_REQS" "$M_ERRPCT" "$M_SOCKERR" "report; 412<${MAX_412_PCT}%" "$why"
    NOTES+=("patch: $s200 edits answered 200; 412 (stale If-Match) $s412 ($pct412%), 428 $s428, other $s_other; ETag/id parse failures $parse_fail, in-flight skips $skips (warm-up edited ids $PW_LO..$PW_HI)")

    WRK_ENV_WARMUP=("$tok_env" "KHABAR_RUN_TAG=w")
    WRK_ENV_MEASURE=("$tok_env" "KHABAR_RUN_TAG=m")
    measure "$backend" post post.lua "$base/"
    ratio=$(awk -v a="$M_RPS" -v b="$healthz_rps" 'BEGIN { if (b > 0) printf "%.3f", a / b; else printf "n/a" }')
    add_row post "POST /api/v1/articles (published, section 1, unique titles)" \
      "$M_RPS" "$M_P50" "$M_P99" "$ratio" "$M_NON2XX" "$M_REQS" "$M_ERRPCT" "$M_SOCKERR" "report" ""
    NOTES+=("post: $M_REQS articles created in the measured run (answers 201; HTTP>=400 $M_NON2XX)")
    WRK_ENV_WARMUP=()
    WRK_ENV_MEASURE=()

    # ---- 3. reads again, while writer.py edits at WRITER_RATE/s (whole warm-up + measured runs)
    local writer_out=$WORK/writer-$backend.txt
    start_writer "$backend" "$base" "$token" "$writer_out"
    local -a ruw_rows=()
    local rname
    for rname in article_uniform list; do
      IFS='|' read -r name script path desc <<<"$(printf '%s\n' "${ENDPOINTS[@]}" | grep "^$rname|")"
      measure "$backend" "$rname+writer" "$script" "$base$path"
      ruw_rows+=("$rname|$script|$M_RPS|$M_P50|$M_P99|$M_NON2XX|$M_REQS|$M_ERRPCT|$M_SOCKERR")
    done
    stop_writer
    local wres
    wres=$(grep '^KHABAR_WRITER ' "$writer_out" | tail -n1 || true)
    [[ -n $wres ]] || { cat "$writer_out" >&2; die "no KHABAR_WRITER line from writer.py for $backend"; }
    local w_edits w_ok w_non200 w_412 w_err w_secs w_rate w_p50 w_p99 w_errpct w_cpu
    w_edits=$(field "$wres" edits)
    w_ok=$(field "$wres" ok)
    w_non200=$(field "$wres" non200)
    w_412=$(field "$wres" s412)
    w_err=$(field "$wres" errors)
    w_secs=$(field "$wres" elapsed_s)
    w_rate=$(field "$wres" rate)
    w_p50=$(field "$wres" p50_ms)
    w_p99=$(field "$wres" p99_ms)
    w_cpu=$(field "$wres" cpu_s)
    w_errpct=$(awk -v e="$w_non200" -v x="$w_err" -v n="$w_edits" 'BEGIN { printf "%.1f", (n + x > 0 ? 100 * (e + x) / (n + x) : 100) }')
    why=""
    ge "$w_rate" "$(awk -v r="$WRITER_RATE" -v f="$T_WRITER_RATE" 'BEGIN { print r * f }')" || why+=" rate"
    add_row writer "writer.py: PATCH /api/v1/articles/{id} at $WRITER_RATE/s, ids $WR_LO..$WR_HI, during the rows below" \
      "$w_rate" "$w_p50" "$w_p99" "-" "$w_non200" "$w_edits" "$w_errpct" "$w_err" ">=${T_WRITER_RATE}x of ${WRITER_RATE}/s" "$why"
    NOTES+=("writer: $w_ok edits answered 200 of $w_edits in ${w_secs}s (${w_rate}/s, target ${WRITER_RATE}/s); non-200 $w_non200 (412: $w_412), connection errors $w_err; writer CPU ${w_cpu}s")

    local row rrps rp50 rp99 rnon rreqs rerr rsock nw
    for row in "${ruw_rows[@]}"; do
      IFS='|' read -r rname script rrps rp50 rp99 rnon rreqs rerr rsock <<<"$row"
      ratio=$(awk -v a="$rrps" -v b="$healthz_rps" 'BEGIN { if (b > 0) printf "%.3f", a / b; else printf "n/a" }')
      nw=$(awk -v a="$rrps" -v b="${plain_rps[$rname]}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "0" }')
      why=""
      ge "$nw" "$T_RUW_RATIO" || why+=" vs-no-writer"
      add_row "$rname+writer" "${plain_desc[$rname]}, while the writer edits" \
        "$rrps" "$rp50" "$rp99" "$ratio" "$rnon" "$rreqs" "$rerr" "$rsock" "${nw}x no-writer (>=${T_RUW_RATIO})" "$why"
      NOTES+=("$rname+writer: $(fmt "$rrps" "%.0f") req/s vs $(fmt "${plain_rps[$rname]}" "%.0f") without the writer (${nw}x), p99 $rp99 vs ${plain_p99[$rname]} ms")
    done
  fi

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
  # shellcheck disable=SC2059
  printf "$ROW_FMT\n" endpoint req/s "p50 ms" "p99 ms" "/healthz" "HTTP>=400" "sock err" target result
  printf '%s\n' "${ROWS_TXT[@]}"
  # shellcheck disable=SC2059
  printf "$ROW_FMT\n" "peak RSS" "${rss_mb} MB" "" "" "" "" "" "<${T_RSS_MB} MB (VmHWM)" "$rss_verdict"
  echo "(list pages are drawn from 1..$LIST_PAGES only: the first pages are what apps hit)"
  if ((${#NOTES[@]})); then printf '%s\n' "${NOTES[@]}"; fi

  local md=$BENCH_DIR/results-$backend.md
  {
    echo "# khabar benchmark: $backend"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit: $GIT_REV"
    echo "- machine: $(nproc) cores${CPU_MODEL:+, $CPU_MODEL}; server and wrk share it${SERVER_CPUS:+ (server cpus $SERVER_CPUS)}${WRK_CPUS:+ (wrk cpus $WRK_CPUS)}"
    echo "- load: \`wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency\`, $WARMUP warm-up before each run, 127.0.0.1 only"
    echo "- data: $ARTICLES generated articles + 1 fixed (ids 1..$MAX_ID, ~3% drafts answer 404); seeded in ${seed_s}s (${seed_rate} articles/s); database size $size"
    echo "- server: RUST_LOG=$BENCH_RUST_LOG, KHABAR_POOL_SIZE=${KHABAR_POOL_SIZE:-default}"
    if [[ $WRITES == 1 ]]; then
      echo "- order: reads, then writes (patch, post; editor token), then article_uniform and list again while \`bench/writer.py\` PATCHes at $WRITER_RATE/s"
    fi
    echo
    echo "| endpoint | request | req/s | p50 ms | p99 ms | × /healthz | HTTP ≥400 | socket errors | target | result |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---|---|"
    printf '%s\n' "${ROWS_MD[@]}"
    echo "| peak RSS | VmHWM of the server after all runs | $rss_mb MB | | | | | | < $T_RSS_MB MB | **$rss_verdict** |"
    echo
    if ((${#NOTES[@]})); then
      printf -- '- %s\n' "${NOTES[@]}"
      echo
    fi
    echo "List pages are drawn uniformly from 1..$LIST_PAGES (per_page=$PER_PAGE): the first pages are what apps hit, so deep pagination is deliberately not measured."
    echo "Ratios are req/s divided by /healthz req/s of the same run. A row also FAILs when more than $MAX_ERROR_PCT% of its responses are HTTP ≥400 or timeouts."
    if [[ $WRITES == 1 ]]; then
      echo "Write rows (patch, post) only report throughput and latency; patch also FAILs at ≥ $MAX_412_PCT% 412s (the benchmark sent a stale If-Match). The writer row's req/s is the edits/s it achieved (HTTP ≥400 = its non-200 answers, socket errors = connection errors); the +writer rows PASS at ≥ ${T_RUW_RATIO}× the req/s of the same reads without the writer, earlier in this run."
    fi
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
