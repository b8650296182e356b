#!/usr/bin/env bash
# khabar HTTP benchmark (wrk). See bench/README.md.
#
#   bench/run.sh                          # build, then sqlite + postgres
#   SKIP_BUILD=1 BACKENDS=sqlite ARTICLES=20000 DURATION=5s bench/run.sh
#
# For each backend: fresh database, `khabar seed --articles N` and
# `khabar reindex` (both timed), an editor token, `khabar serve` on a free
# 127.0.0.1 port, then for each endpoint a 2 s warm-up and a measured
# `wrk -t2 -c32 -d$DURATION --latency` run: the reads (article, list,
# archive, search, tag/section pages, deep cursors) with the answer cache off
# and/or on (CACHE=off|on|both; both restarts the server between the two
# passes), then on the last server the writes (PATCH, POST), then the reads
# again while bench/writer.py edits articles at $WRITER_RATE/s (WRITES=0:
# reads only). Prints a table per backend, writes bench/results-<backend>.md,
# and exits 2 if any target FAILs (0 when all PASS).
set -euo pipefail
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
# Shared knobs (DURATION, WARMUP, THREADS, CONNECTIONS, PER_PAGE, PG_*, *_CPUS,
# READY_TIMEOUT, MAX_ERROR_PCT, KHABAR_BIN, PAGES, Q_*) and helpers.
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

BACKENDS=${BACKENDS:-sqlite postgres}
ARTICLES=${ARTICLES:-100000}
ZIPF_S=${ZIPF_S:-1.0}
LIST_PAGES=${LIST_PAGES:-50}
CACHE=${CACHE:-both}                # off | on | both (read rows with the answer cache off, on, or both)
WRITES=${WRITES:-1}                 # 0: skip patch/post/reads-under-writer rows
WRITER_RATE=${WRITER_RATE:-50}      # edits/s of the background writer
WRITER_CONNECTIONS=${WRITER_CONNECTIONS:-4} # its edits in flight at most (keeps the rate when answers are slow)
MAX_412_PCT=${MAX_412_PCT:-1}       # patch: >=this % of 412 (stale If-Match) => FAIL
# The reader row's beacons come from many addresses through loopback as a
# trusted proxy (X-Forwarded-For), as a CDN or load balancer sends them.
export KHABAR_TRUSTED_PROXIES=${KHABAR_TRUSTED_PROXIES:-127.0.0.1}

# Targets (ratios are req/s relative to /healthz on the same run).
T_ART_P99_MS=10
T_HOT_RATIO=0.6       # hot article and 304, cache on (issue 9)
T_RSS_MB=150
T_RUW_RATIO=0.80     # reads under the writer: >= this x the same reads without it
T_WRITER_RATE=0.90   # the writer must reach >= this x WRITER_RATE (else the row is moot)
# With the answer cache off only (with it on these rows just report):
T_MONTH_P99_MS=10    # archive_month
T_CAL_P99_MS=20      # calendar
T_SEARCH_P99_MS=50   # search_common
T_FEED_P99_MS=20     # feeds (either cache setting)

[[ $ARTICLES =~ ^[0-9]+$ ]] || die "ARTICLES must be a non-negative integer"
[[ $CACHE == off || $CACHE == on || $CACHE == both ]] || die "CACHE must be off, on or both"
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
need wrk wrk
need curl curl
need jq jq
PYTHON=""
if [[ $WRITES == 1 ]]; then
  need python3 python3
  # the interpreter itself, not a wrapper such as a pyenv shim (which forks:
  # SIGTERM would then miss the writer and lose its summary line)
  PYTHON=$(python3 -c 'import sys; print(sys.executable)') || die "python3 does not run"
  [[ -x $PYTHON ]] || die "python3 reports no usable sys.executable"
fi
check_backends "$BACKENDS"
if [[ -n $SERVER_CPUS || -n $WRK_CPUS ]]; then need taskset util-linux; fi

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  log "cargo build --release"
  (cd "$ROOT" && cargo build --release)
fi
[[ -x $KHABAR_BIN ]] || die "$KHABAR_BIN not found (build it, or set KHABAR_BIN)"

bench_lifecycle

# ---------------------------------------------------------------- run
# name | wrk script | path given to wrk | description
# (an optional 5th field: VAR=value for that row's wrk runs)
ENDPOINTS=(
  "healthz|healthz.lua|/healthz|GET /healthz (in-process, no DB)"
  "article_zipf|article_zipf.lua|/|GET /api/v1/articles/{id}, Zipf s=$ZIPF_S over 1..$MAX_ID"
  "article_uniform|article_uniform.lua|/|GET /api/v1/articles/{id}, uniform over 1..$MAX_ID"
  "article_304|article_304.lua|/|GET /api/v1/articles/1 with If-None-Match of its tag (answered 304)"
  "article_zipf_gzip|article_zipf.lua|/|GET /api/v1/articles/{id}, Zipf s=$ZIPF_S, Accept-Encoding: gzip (as an app's HTTP stack asks)|KHABAR_ACCEPT_ENCODING=gzip"
  "reader|reader.lua|/|readers: GET /api/v1/articles/{id} (Zipf s=$ZIPF_S, Accept-Encoding: gzip), then its view beacon from the reader's address; req/s counts both"
  "list|list.lua|/|GET /api/v1/articles?page=P&per_page=$PER_PAGE, P uniform 1..$LIST_PAGES"
  "calendar|calendar.lua|/|GET /api/v1/archive: 1/2 whole calendar, 1/4 ?section=S, 1/4 ?tag=T (random slugs)"
  "archive_month|archive_month.lua|/|GET /api/v1/archive/{year}/{month}?page=P&per_page=$PER_PAGE, month uniform over the calendar, P 1..$PAGES"
  "search_common|search.lua|/|GET /api/v1/articles?q=$Q_COMMON&page=P (relevance), P 1..$PAGES|KHABAR_QUERY=$Q_COMMON"
  "search_rare|search.lua|/|GET /api/v1/articles?q=$Q_RARE&page=P (relevance), P 1..$PAGES|KHABAR_QUERY=$Q_RARE"
  "search_two_words|search.lua|/|GET /api/v1/articles?q=$Q_TWO_WORDS&page=P (relevance), P 1..$PAGES|KHABAR_QUERY=$Q_TWO_WORDS"
  "tag_page|tag_page.lua|/|GET /api/v1/articles?tag=T, random tag; 1/2 page 1..$PAGES, 1/2 a random-depth cursor"
  "section_page|section_page.lua|/|GET /api/v1/articles?section=S, random section; 1/2 page 1..$PAGES, 1/2 a random-depth cursor"
  "deep_cursor|deep_cursor.lua|/|GET /api/v1/articles?per_page=$PER_PAGE&cursor=n<micros>_999999999, micros uniform over the corpus"
  "feeds|feeds.lua|/|GET /api/v1/feeds/{rss,atom,json} (50 items with bodies): 1/2 the site, 1/4 ?section=S, 1/4 ?tag=T"
)

# ROWS=name,name… keeps only those rows (and healthz, the baseline).
if [[ -n ${ROWS:-} ]]; then
  kept=()
  for entry in "${ENDPOINTS[@]}"; do
    name=${entry%%|*}
    [[ $name == healthz || ",$ROWS," == *",$name,"* ]] && kept+=("$entry")
  done
  ENDPOINTS=("${kept[@]}")
fi

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
ROW_FMT='%-28s %10s %8s %8s %9s %16s %8s  %-28s %s'


add_row() {
  local name=$1 desc=$2 rps=$3 p50=$4 p99=$5 ratio=$6 non2xx=$7 reqs=$8 errpct=$9 sockerr=${10} target=${11} why=${12}
  local verdict="PASS" rps_f nonx
  [[ $reqs -gt 0 ]] || why+=" no-requests"
  lt "$errpct" "$MAX_ERROR_PCT" || why+=" errors>${MAX_ERROR_PCT}%"
  [[ -n $why ]] && verdict="FAIL(${why# })" && OVERALL_FAIL=1
  rps_f=$(fmt "$rps" "%.0f")
  nonx="$non2xx ($(awk -v e="$non2xx" -v n="$reqs" 'BEGIN { printf "%.1f", (n > 0 ? 100 * e / n : 0) }')%)"
  local ratio_txt="${ratio}x"
  [[ $ratio == - ]] && ratio_txt="-"
  # shellcheck disable=SC2059
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


# read_pass BACKEND PASS(off|on) SUFFIX HEALTHZ-RPS-VAR: the read rows on the running server
read_pass() {
  local backend=$1 pass=$2 suffix=$3
  local healthz_rps="" entry name script path desc rowenv ratio target why missing
  for entry in "${ENDPOINTS[@]}"; do
    rowenv=""
    IFS='|' read -r name script path desc rowenv <<<"$entry"
    missing=$(row_inputs_missing "$script")
    if [[ -n $missing ]]; then
      log "$backend/$name: skipped ($missing)"
      NOTES+=("$name$suffix: skipped, $missing")
      continue
    fi
    WRK_ENV_WARMUP=()
    [[ -n $rowenv ]] && WRK_ENV_WARMUP=("$rowenv")
    WRK_ENV_MEASURE=("${WRK_ENV_WARMUP[@]}")
    measure "$backend" "$name-cache-$pass" "$script" "$BASE$path"
    WRK_ENV_WARMUP=()
    WRK_ENV_MEASURE=()
    [[ $name == healthz ]] && healthz_rps=$M_RPS
    ratio=$(ratio_of "$M_RPS" "$healthz_rps")
    plain_rps[$name]=$M_RPS
    plain_p99[$name]=$M_P99
    plain_desc[$name]=$desc
    why=""
    case $name in
      healthz) target="baseline" ;;
      # Issue 9: the hot article and a 304 with the answer cache on; an
      # article at random and list pages with it off; every p99 < 10 ms.
      article_zipf | article_304)
        if [[ $pass == on ]]; then
          target=">=${T_HOT_RATIO}x, p99<${T_ART_P99_MS}ms"
          ge "$ratio" "$T_HOT_RATIO" || why+=" ratio"
          lt "$M_P99" "$T_ART_P99_MS" || why+=" p99"
        else
          target="report (>=${T_HOT_RATIO}x cache on)"
        fi
        ;;
      article_uniform | list)
        local t_ratio=$t_art_ratio
        [[ $name == list ]] && t_ratio=$t_list_ratio
        if [[ $pass == off ]]; then
          target=">=${t_ratio}x, p99<${T_ART_P99_MS}ms"
          ge "$ratio" "$t_ratio" || why+=" ratio"
          lt "$M_P99" "$T_ART_P99_MS" || why+=" p99"
        else
          target="report (>=${t_ratio}x cache off)"
        fi
        ;;
      archive_month | calendar | search_common)
        local t_p99
        case $name in
          archive_month) t_p99=$T_MONTH_P99_MS ;;
          calendar) t_p99=$T_CAL_P99_MS ;;
          search_common) t_p99=$T_SEARCH_P99_MS ;;
        esac
        if [[ $pass == off ]]; then
          target="p99<${t_p99}ms"
          lt "$M_P99" "$t_p99" || why+=" p99"
        else
          target="report (p99<${t_p99}ms cache off)"
        fi
        ;;
      feeds)
        target="p99<${T_FEED_P99_MS}ms"
        lt "$M_P99" "$T_FEED_P99_MS" || why+=" p99"
        ;;
      *) target="report" ;;
    esac
    [[ $name == article_304 ]] &&
      NOTES+=("article_304$suffix: $(field "$M_RESULT" s304) answers 304, $(field "$M_RESULT" s200) answers 200 (the first of each connection, or after the tag changed)")
    add_row "$name$suffix" "$desc" "$M_RPS" "$M_P50" "$M_P99" "$ratio" "$M_NON2XX" "$M_REQS" "$M_ERRPCT" "$M_SOCKERR" "$target" "$why"
    if [[ $backend == postgres ]]; then
      NOTES+=("$name$suffix: CPU per request: khabar $M_CPU_SERVER_MS ms, PostgreSQL $M_CPU_PG_MS ms")
    else
      NOTES+=("$name$suffix: CPU per request: khabar $M_CPU_SERVER_MS ms")
    fi
  done
  PASS_HEALTHZ_RPS=$healthz_rps
}

bench_backend() {
  local backend=$1
  local t_art_ratio t_list_ratio
  case $backend in
    postgres) t_art_ratio=0.15 t_list_ratio=0.1 ;;
    sqlite) t_art_ratio=0.2 t_list_ratio=0.1 ;;
  esac
  local -a passes
  case $CACHE in
    off) passes=(off) ;;
    on) passes=(on) ;;
    both) passes=(off on) ;;
  esac
  local last_pass=${passes[${#passes[@]} - 1]}

  echo
  echo "=== $backend: $ARTICLES articles, wrk -t$THREADS -c$CONNECTIONS -d$DURATION (warm-up $WARMUP), answer cache: ${passes[*]} ==="

  local url
  url=$(fresh_db "$backend")

  local seed_s
  seed_db "$backend" "$url" "$ARTICLES" "$WORK/seed-$backend.log"
  seed_s=$SEED_S
  local seed_rate
  seed_rate=$(awk -v n="$ARTICLES" -v s="$seed_s" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
  local size
  size=$(db_size "$backend")
  echo "seed: $ARTICLES articles in ${seed_s}s (${seed_rate} articles/s), database size $size"
  local reindex_s
  reindex_db "$backend" "$url" "$WORK/reindex-$backend.log"
  reindex_s=$REINDEX_S
  echo "reindex: ${reindex_s}s (khabar reindex over the seeded database)"
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

  ROWS_TXT=()
  ROWS_MD=()
  NOTES=()
  NOTES+=("seed: $ARTICLES articles in ${seed_s}s (${seed_rate} articles/s); reindex (\`khabar reindex\` over the seeded database): ${reindex_s}s")
  local -a rss_txt=() rss_md=()
  local entry name script path desc ratio target why
  local -A plain_rps=() plain_p99=() plain_desc=()
  local pass suffix healthz_rps="" s1 sl q total
  for pass in "${passes[@]}"; do
    suffix=""
    [[ $CACHE == both && $pass == on ]] && suffix=" (cache on)"
    start_server "$url" "$pass" "$WORK/server-$backend-$pass.log"

    s1=$(status_of "$BASE/api/v1/articles/1")
    sl=$(status_of "$BASE/api/v1/articles?page=1&per_page=$PER_PAGE")
    [[ $s1 == 200 ]] || log "warning: GET /api/v1/articles/1 answered $s1 (expected 200)"
    [[ $sl == 200 ]] || log "warning: GET /api/v1/articles?page=1 answered $sl (expected 200)"
    if [[ $pass == "${passes[0]}" ]]; then # same database for every pass
      probe_corpus "$BASE"
      NOTES+=("corpus: $CORPUS_SUMMARY")
      for q in "common|$Q_COMMON" "rare|$Q_RARE" "two_words|$Q_TWO_WORDS"; do
        total=$(query_total "$BASE" "${q#*|}")
        NOTES+=("search_${q%%|*}: q=\"${q#*|}\" matches $total of $ARTICLES articles ($(awk -v t="$total" -v n="$ARTICLES" 'BEGIN { if (n > 0 && t ~ /^[0-9]+$/) printf "%.2f%%", 100 * t / n; else printf "?" }'))")
      done
    fi

    # ---- 1. reads
    read_pass "$backend" "$pass" "$suffix"
    healthz_rps=$PASS_HEALTHZ_RPS

    if [[ $WRITES == 1 && $pass == "$last_pass" ]]; then
      # ---- 2. writes
      local sp
      sp=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X PATCH \
        -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -H 'If-Match: "v1"' \
        --data '{"summary":"bench: probe edit of the seed article"}' "$BASE/api/v1/articles/1" || true)
      [[ $sp == 200 ]] || log "warning: PATCH /api/v1/articles/1 answered $sp (expected 200)"

      local tok_env="KHABAR_BENCH_TOKEN=$token"
      WRK_ENV_WARMUP=("$tok_env" "KHABAR_ID_LO=$PW_LO" "KHABAR_ID_HI=$PW_HI" "KHABAR_RUN_TAG=w")
      WRK_ENV_MEASURE=("$tok_env" "KHABAR_ID_LO=$PM_LO" "KHABAR_ID_HI=$PM_HI" "KHABAR_RUN_TAG=m")
      measure "$backend" patch patch.lua "$BASE/"
      local s200 s412 s428 s_other parse_fail skips pct412
      s200=$(field "$M_RESULT" s200)
      s412=$(field "$M_RESULT" s412)
      s428=$(field "$M_RESULT" s428)
      s_other=$(field "$M_RESULT" s_other)
      parse_fail=$(field "$M_RESULT" parse_fail)
      skips=$(field "$M_RESULT" inflight_skips)
      pct412=$(awk -v e="$s412" -v n="$M_REQS" 'BEGIN { printf "%.2f", (n > 0 ? 100 * e / n : 0) }')
      ratio=$(ratio_of "$M_RPS" "$healthz_rps")
      why=""
      lt "$pct412" "$MAX_412_PCT" || why+=" 412s>=${MAX_412_PCT}%"
      add_row patch "PATCH /api/v1/articles/{id} (new summary, If-Match \"v<n>\"), ids $PM_LO..$PM_HI, one slice per wrk thread" \
        "$M_RPS" "$M_P50" "$M_P99" "$ratio" "$M_NON2XX" "$M_REQS" "$M_ERRPCT" "$M_SOCKERR" "report; 412<${MAX_412_PCT}%" "$why"
      NOTES+=("patch: $s200 edits answered 200; 412 (stale If-Match) $s412 ($pct412%), 428 $s428, other $s_other; ETag/id parse failures $parse_fail, in-flight skips $skips (warm-up edited ids $PW_LO..$PW_HI)")

      WRK_ENV_WARMUP=("$tok_env" "KHABAR_RUN_TAG=w")
      WRK_ENV_MEASURE=("$tok_env" "KHABAR_RUN_TAG=m")
      measure "$backend" post post.lua "$BASE/"
      ratio=$(ratio_of "$M_RPS" "$healthz_rps")
      add_row post "POST /api/v1/articles (published, section 1, unique titles)" \
        "$M_RPS" "$M_P50" "$M_P99" "$ratio" "$M_NON2XX" "$M_REQS" "$M_ERRPCT" "$M_SOCKERR" "report" ""
      NOTES+=("post: $M_REQS articles created in the measured run (answers 201; HTTP>=400 $M_NON2XX)")
      WRK_ENV_WARMUP=()
      WRK_ENV_MEASURE=()

      # ---- 3. reads again, first without and then while writer.py edits at
      # WRITER_RATE/s (whole warm-up + measured runs). The reference is
      # measured here, after the write rows, not taken from step 1: the
      # patch and post rows leave a changed database (thousands of edits,
      # new articles, SQLite's WAL), and the ratio is to show the writer's
      # cost alone.
      local -A before_rps=() before_p99=()
      local rname
      local -a writer_reads=() # those of article_uniform and list that ROWS keeps
      for rname in article_uniform list; do
        if printf '%s\n' "${ENDPOINTS[@]}" | grep -q "^$rname|"; then writer_reads+=("$rname"); fi
      done
      for rname in "${writer_reads[@]}"; do
        IFS='|' read -r name script path desc <<<"$(printf '%s\n' "${ENDPOINTS[@]}" | grep "^$rname|")"
        measure "$backend" "$rname+before-writer" "$script" "$BASE$path"
        before_rps[$rname]=$M_RPS
        before_p99[$rname]=$M_P99
      done
      local writer_out=$WORK/writer-$backend.txt
      start_writer "$backend" "$BASE" "$token" "$writer_out"
      local -a ruw_rows=()
      for rname in "${writer_reads[@]}"; do
        IFS='|' read -r name script path desc <<<"$(printf '%s\n' "${ENDPOINTS[@]}" | grep "^$rname|")"
        measure "$backend" "$rname+writer" "$script" "$BASE$path"
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
        ratio=$(ratio_of "$rrps" "$healthz_rps")
        nw=$(awk -v a="$rrps" -v b="${before_rps[$rname]}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "0" }')
        why=""
        ge "$nw" "$T_RUW_RATIO" || why+=" vs-no-writer"
        add_row "$rname+writer" "${plain_desc[$rname]}, while the writer edits" \
          "$rrps" "$rp50" "$rp99" "$ratio" "$rnon" "$rreqs" "$rerr" "$rsock" "${nw}x no-writer (>=${T_RUW_RATIO})" "$why"
        NOTES+=("$rname+writer: $(fmt "$rrps" "%.0f") req/s vs $(fmt "${before_rps[$rname]}" "%.0f") without the writer right before it (${nw}x), p99 $rp99 vs ${before_p99[$rname]} ms; $(fmt "${plain_rps[$rname]}" "%.0f") req/s, p99 ${plain_p99[$rname]} ms before the write rows")
      done
    fi

    # Peak RSS of this server over its runs (it is still alive here).
    local rss_mb rss_verdict="PASS"
    rss_mb=$(server_rss_mb)
    if [[ -z $rss_mb ]]; then
      rss_mb="?"
      rss_verdict="FAIL(unreadable)"
      OVERALL_FAIL=1
    elif ! lt "$rss_mb" "$T_RSS_MB"; then
      rss_verdict="FAIL"
      OVERALL_FAIL=1
    fi
    # A SQLite memory map (KHABAR_SQLITE_MMAP_MB, none by default) counts in
    # RSS once per pooled connection although it is the shared, reclaimable
    # page cache: the note tells the server's own memory from mapped files.
    NOTES+=("memory of the server$suffix after its runs: $(server_rss_parts)")
    # shellcheck disable=SC2059
    rss_txt+=("$(printf "$ROW_FMT" "peak RSS$suffix" "${rss_mb} MB" "" "" "" "" "" "<${T_RSS_MB} MB (VmHWM)" "$rss_verdict")")
    rss_md+=("| peak RSS$suffix | VmHWM of the server (answer cache $pass) after its runs | $rss_mb MB | | | | | | < $T_RSS_MB MB | **$rss_verdict** |")
    stop_server
  done

  local cache_txt
  case $CACHE in
    off) cache_txt="off (KHABAR_CACHE_TTL_MS=0)" ;;
    on) cache_txt="on (the server's default TTL)" ;;
    both) cache_txt="the reads twice on the same database: first cache off (KHABAR_CACHE_TTL_MS=0, rows \`name\`), then after a restart cache on (default TTL, rows \`name (cache on)\`)" ;;
  esac

  echo
  # shellcheck disable=SC2059
  printf "$ROW_FMT\n" endpoint req/s "p50 ms" "p99 ms" "/healthz" "HTTP>=400" "sock err" target result
  printf '%s\n' "${ROWS_TXT[@]}"
  printf '%s\n' "${rss_txt[@]}"
  echo "(list pages are drawn from 1..$LIST_PAGES only: the first pages are what apps hit; deep_cursor measures deep keyset pages)"
  local writes_txt=""
  [[ $WRITES == 1 ]] && writes_txt="; the write rows ran on the last server (cache $last_pass)"
  echo "(answer cache: $cache_txt$writes_txt)"
  if ((${#NOTES[@]})); then printf '%s\n' "${NOTES[@]}"; fi

  local md=$BENCH_DIR/results-$backend.md
  {
    echo "# khabar benchmark: $backend"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit: $GIT_REV"
    echo "- machine: $(nproc) cores${CPU_MODEL:+, $CPU_MODEL}; server and wrk share it${SERVER_CPUS:+ (server cpus $SERVER_CPUS)}${WRK_CPUS:+ (wrk cpus $WRK_CPUS)}"
    echo "- load: \`wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency\`, $WARMUP warm-up before each run, 127.0.0.1 only"
    echo "- data: $ARTICLES generated articles + 1 fixed (ids 1..$MAX_ID, ~3% drafts answer 404); seeded in ${seed_s}s (${seed_rate} articles/s); \`khabar reindex\` ${reindex_s}s; database size $size"
    echo "- server: RUST_LOG=$BENCH_RUST_LOG, KHABAR_POOL_SIZE=${KHABAR_POOL_SIZE:-default}; answer cache: $cache_txt"
    if [[ $WRITES == 1 ]]; then
      echo "- order: reads, then writes (patch, post; editor token), then article_uniform and list again, without and then while \`bench/writer.py\` PATCHes at $WRITER_RATE/s (these on the last server: answer cache $last_pass)"
    fi
    echo
    echo "| endpoint | request | req/s | p50 ms | p99 ms | × /healthz | HTTP ≥400 | socket errors | target | result |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---|---|"
    printf '%s\n' "${ROWS_MD[@]}"
    printf '%s\n' "${rss_md[@]}"
    echo
    if ((${#NOTES[@]})); then
      printf -- '- %s\n' "${NOTES[@]}"
      echo
    fi
    echo "List pages are drawn uniformly from 1..$LIST_PAGES (per_page=$PER_PAGE): the first pages are what apps hit. Deep pages are measured by keyset cursor (deep_cursor, and half of tag_page/section_page); archive_month and search draw pages 1..$PAGES."
    echo "Ratios are req/s divided by /healthz req/s of the same server. A row also FAILs when more than $MAX_ERROR_PCT% of its responses are HTTP ≥400 or timeouts. The archive_month, calendar and search_common targets apply with the answer cache off; with it on those rows only report."
    if [[ $WRITES == 1 ]]; then
      echo "Write rows (patch, post) only report throughput and latency; patch also FAILs at ≥ $MAX_412_PCT% 412s (the benchmark sent a stale If-Match). The writer row's req/s is the edits/s it achieved (HTTP ≥400 = its non-200 answers, socket errors = connection errors); the +writer rows PASS at ≥ ${T_RUW_RATIO}× the req/s of the same reads without the writer, measured on the same server right before the writer starts (after the write rows, so both see the same database)."
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
