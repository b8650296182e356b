# shellcheck shell=bash
# shellcheck disable=SC2034 # globals set here are read by run.sh / scale.sh
# Shared helpers of bench/run.sh and bench/scale.sh (sourced, not run).
# See bench/README.md.
#
# The caller sets `set -euo pipefail`, BENCH_DIR and ROOT, sources this file
# (which sets the shared knobs' defaults and checks them), checks its tools
# with `need`, optionally builds, and calls bench_lifecycle before it starts
# a server. Helpers report through globals (M_* from measure, SERVER_PID and
# BASE from start_server, CORPUS_* from probe_corpus).

: "${BENCH_DIR:?set BENCH_DIR before sourcing bench/lib.sh}"
: "${ROOT:?set ROOT before sourcing bench/lib.sh}"

die() { echo "bench: error: $*" >&2; exit 1; }
log() { echo "bench: $*" >&2; }

DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
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
PAGES=${PAGES:-5}                   # pages 1..PAGES of the archive/search/tag/section rows
# Search texts (raw UTF-8; search.lua URL-encodes them). Chosen against the
# seeded corpus, see README.md: a word in >= 20% of the articles, one in
# <= 0.5%, and a two-word query.
Q_COMMON=${Q_COMMON:-وزير}
Q_RARE=${Q_RARE:-طشقند}
Q_TWO_WORDS=${Q_TWO_WORDS:-وزير الصحة}

[[ $PG_DB =~ ^[a-z_][a-z0-9_]*$ ]] || die "PG_DB must be a plain lower-case identifier"
[[ $THREADS =~ ^[0-9]+$ && $CONNECTIONS =~ ^[0-9]+$ ]] || die "THREADS/CONNECTIONS must be integers"
[[ $PAGES =~ ^[1-9][0-9]*$ ]] || die "PAGES must be a positive integer"

# Filled by probe_corpus from a running server; passed to every wrk run.
CORPUS_MONTHS=""
CORPUS_TAGS=""
CORPUS_SECTIONS=""
CORPUS_MIN_US=""
CORPUS_MAX_US=""
CORPUS_SUMMARY=""

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

# ---------------------------------------------------------------- lifecycle
WORK=""
SERVER_PID=""
WRK_PID=""
WRITER_PID=""   # run.sh's background writer (stopped by cleanup too)

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
bench_lifecycle() { # the work directory and the traps that stop what we started
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/khabar-bench.XXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

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
WRK_ENV_WARMUP=()  # measure() uses these for its warm-up and measured runs
WRK_ENV_MEASURE=()
run_wrk() { # run_wrk SCRIPT URL DURATION OUTFILE
  # wrk runs as its own process (in the background + wait, so that Ctrl-C
  # reaches our trap at once and cleanup can stop both wrk and the server).
  (
    export KHABAR_BENCH_DIR=$BENCH_DIR KHABAR_MAX_ID=$MAX_ID KHABAR_ZIPF_S=$ZIPF_S \
      KHABAR_LIST_PAGES=$LIST_PAGES KHABAR_PER_PAGE=$PER_PAGE KHABAR_THREADS=$THREADS \
      KHABAR_PAGES=$PAGES KHABAR_MONTHS=$CORPUS_MONTHS KHABAR_TAGS=$CORPUS_TAGS \
      KHABAR_SECTIONS=$CORPUS_SECTIONS KHABAR_CURSOR_MIN_US=$CORPUS_MIN_US KHABAR_CURSOR_MAX_US=$CORPUS_MAX_US
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
  local cpu_server0 cpu_pg0
  cpu_server0=$(cpu_ticks_of "$SERVER_PID")
  cpu_pg0=$(cpu_ticks_of $(pgrep -x postgres 2>/dev/null || true))
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
  # CPU per request: what a row costs, whatever else shares the machine
  # (req/s and p99 move with the load beside them; this moves much less).
  local cpu_server1 cpu_pg1
  cpu_server1=$(cpu_ticks_of "$SERVER_PID")
  cpu_pg1=$(cpu_ticks_of $(pgrep -x postgres 2>/dev/null || true))
  M_CPU_SERVER_MS=$(ticks_per_request "$cpu_server0" "$cpu_server1" "$M_REQS")
  M_CPU_PG_MS=$(ticks_per_request "$cpu_pg0" "$cpu_pg1" "$M_REQS")
}

CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
cpu_ticks_of() { # cpu_ticks_of PID... -> user+system clock ticks of these processes, summed
  local pid total=0 t
  for pid in "$@"; do
    t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) || continue
    total=$((total + ${t:-0}))
  done
  echo "$total"
}
ticks_per_request() { # ticks_per_request BEFORE AFTER REQUESTS -> CPU ms per request
  awk -v a="$1" -v b="$2" -v n="$3" -v hz="$CLK_TCK" 'BEGIN { if (n > 0) printf "%.3f", (b - a) * 1000 / hz / n; else printf "n/a" }'
}


ratio_of() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else printf "n/a" }'; }

BASE="" # http://127.0.0.1:PORT of the running server
start_server() { # start_server DATABASE_URL CACHE(on|off) LOGFILE -> SERVER_PID, BASE
  # cache off: KHABAR_CACHE_TTL_MS=0 (every answer is computed); on: the
  # server's default TTL (an inherited KHABAR_CACHE_TTL_MS is dropped).
  local port
  port=$(pick_port)
  BASE="http://127.0.0.1:$port"
  (
    if [[ $2 == off ]]; then export KHABAR_CACHE_TTL_MS=0; else unset KHABAR_CACHE_TTL_MS; fi
    RUST_LOG=$BENCH_RUST_LOG DATABASE_URL=$1 \
      with_cpus "$SERVER_CPUS" "$KHABAR_BIN" serve --bind "127.0.0.1:$port"
  ) >"$3" 2>&1 &
  SERVER_PID=$! # the subshell execs the server (with_cpus), so this is its pid
  wait_ready "$BASE" "$3"
  log "server pid $SERVER_PID ready on $BASE (answer cache $2, pool size ${KHABAR_POOL_SIZE:-default})"
}

server_rss_mb() { # peak RSS (VmHWM) of the running server in MB, or "" if unreadable
  local kb
  kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || true)
  [[ -n $kb ]] && awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }'
  return 0
}

server_rss_parts() { # "private X MB, file-backed Y MB" of the running server now, or ""
  awk '/^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 }
       END { if (a != "") printf "private (RssAnon) %.1f MB, file-backed (RssFile) %.1f MB", a / 1024, f / 1024 }' \
    "/proc/$SERVER_PID/status" 2>/dev/null || true
}

get_json() { curl -fsS --max-time 30 "$1"; } # get_json URL (fails on HTTP >= 400)

iso_to_us() { # iso_to_us 2024-08-01T12:34:56.123456Z -> Unix microseconds
  local s frac=""
  s=$(date -u -d "$1" +%s) || die "cannot parse the time '$1'"
  [[ $1 =~ [.]([0-9]+) ]] && frac=${BASH_REMATCH[1]}
  frac=${frac}000000
  echo "$s${frac:0:6}"
}

probe_corpus() { # probe_corpus BASE_URL -> CORPUS_* (months, slugs, publication range)
  local base=$1 json newest oldest
  json=$(get_json "$base/api/v1/archive") || die "GET /api/v1/archive failed"
  CORPUS_MONTHS=$(jq -r '[.data[] | .year as $y | .months[] | "\($y)/\(.month)"] | join(",")' <<<"$json")
  json=$(get_json "$base/api/v1/tags?per_page=100") || die "GET /api/v1/tags failed"
  CORPUS_TAGS=$(jq -r '[.data[].slug] | join(",")' <<<"$json")
  json=$(get_json "$base/api/v1/sections") || die "GET /api/v1/sections failed"
  CORPUS_SECTIONS=$(jq -r '[.data[].slug] | join(",")' <<<"$json")
  newest=$(get_json "$base/api/v1/articles?per_page=1&sort=newest" | jq -r '.data[0].published_at // empty') || true
  oldest=$(get_json "$base/api/v1/articles?per_page=1&sort=oldest" | jq -r '.data[0].published_at // empty') || true
  if [[ -n $newest && -n $oldest ]]; then
    CORPUS_MIN_US=$(iso_to_us "$oldest")
    CORPUS_MAX_US=$(iso_to_us "$newest")
  else
    CORPUS_MIN_US="" CORPUS_MAX_US=""
  fi
  local nm=0 nt=0 ns=0
  [[ -n $CORPUS_MONTHS ]] && nm=$(tr ',' '\n' <<<"$CORPUS_MONTHS" | wc -l)
  [[ -n $CORPUS_TAGS ]] && nt=$(tr ',' '\n' <<<"$CORPUS_TAGS" | wc -l)
  [[ -n $CORPUS_SECTIONS ]] && ns=$(tr ',' '\n' <<<"$CORPUS_SECTIONS" | wc -l)
  CORPUS_SUMMARY="$nm months (${CORPUS_MONTHS%%,*} .. ${CORPUS_MONTHS##*,}), $nt tags, $ns sections, published ${oldest:-?} .. ${newest:-?}"
  log "corpus: $CORPUS_SUMMARY"
}

query_total() { # query_total BASE_URL QUERY -> the number of articles the search matches ("?" on error)
  local enc total
  enc=$(jq -rn --arg q "$2" '$q | @uri')
  total=$(get_json "$1/api/v1/articles?q=$enc&per_page=1&include_total=true" 2>/dev/null | jq -r '.meta.total // empty' 2>/dev/null) || true
  echo "${total:-?}"
}

# row_inputs_missing SCRIPT: prints what a read script needs but the corpus lacks ("" if none)
row_inputs_missing() {
  case $1 in
    archive_month.lua) [[ -n $CORPUS_MONTHS ]] || echo "no months in the calendar" ;;
    tag_page.lua) [[ -n $CORPUS_TAGS && -n $CORPUS_MIN_US ]] || echo "no tags or no published articles" ;;
    section_page.lua) [[ -n $CORPUS_SECTIONS && -n $CORPUS_MIN_US ]] || echo "no sections or no published articles" ;;
    deep_cursor.lua) [[ -n $CORPUS_MIN_US ]] || echo "no published articles" ;;
  esac
  return 0
}

check_backends() { # check_backends "sqlite postgres": known names, psql for postgres
  local b
  for b in $1; do
    case $b in
      sqlite) ;;
      postgres) need psql postgresql-client ;;
      *) die "unknown backend '$b' (expected sqlite and/or postgres)" ;;
    esac
  done
}

settle_writes() { # settle_writes BACKEND: start a timed load from clean buffers
  # A timed seed must not pay for the writes of what ran before it (the
  # previous size's load, a dropped database): the kernel's dirty pages
  # and, on PostgreSQL, a checkpoint are flushed first. The 100k
  # PostgreSQL seed's time had moved 22-38 s between runs, and the 1M/100k
  # ratio 8.0-10.4x with it.
  sync
  if [[ $1 == postgres ]]; then
    psql -X -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -c "CHECKPOINT" >&2 \
      || log "CHECKPOINT failed (needs a superuser or pg_checkpoint); timing anyway"
  fi
}

seed_db() { # seed_db BACKEND DATABASE_URL ARTICLES LOGFILE -> SEED_S (seconds)
  local t0 t1
  settle_writes "$1"
  log "seeding $3 articles into $1"
  t0=$(now)
  if ! RUST_LOG=$BENCH_RUST_LOG DATABASE_URL=$2 "$KHABAR_BIN" seed --articles "$3" >"$4" 2>&1; then
    tail -n 40 "$4" >&2 || true
    die "khabar seed failed for $1"
  fi
  t1=$(now)
  SEED_S=$(elapsed "$t0" "$t1")
}

reindex_db() { # reindex_db BACKEND DATABASE_URL LOGFILE -> REINDEX_S (seconds)
  local t0 t1
  settle_writes "$1"
  log "khabar reindex on $1"
  t0=$(now)
  if ! RUST_LOG=$BENCH_RUST_LOG DATABASE_URL=$2 "$KHABAR_BIN" reindex >"$3" 2>&1; then
    tail -n 40 "$3" >&2 || true
    die "khabar reindex failed for $1"
  fi
  t1=$(now)
  REINDEX_S=$(elapsed "$t0" "$t1")
}
