#!/usr/bin/env bash
# View counter benchmark (issue 7). See bench/README.md, "Views".
#
#   bench/views.sh                                    # release build, sqlite + postgres
#   SKIP_BUILD=1 BACKENDS=sqlite DURATION=5s CLIENTS_RSS=200000 bench/views.sh
#
# For each backend: a fresh database (PostgreSQL: its own, khabar_bench_views)
# with the seed article and ARTICLES demo articles; `khabar serve` with
# loopback as a trusted proxy (KHABAR_TRUSTED_PROXIES=127.0.0.1), so that wrk
# is many distinct clients by X-Forwarded-For; then, with wrk -c$CONNECTIONS:
#   1. /healthz (the baseline of the run);
#   2. POST /articles/{id}/views, Zipf ids, every request a new client;
#   3. GET /articles/{id}, Zipf ids, alone, then with the beacon load of 2.
#      running beside it (a second wrk);
#   4. the beacon again until CLIENTS_RSS distinct clients have posted: the
#      server's RSS then (the dedupe memory is bounded by
#      KHABAR_VIEW_DEDUPE_CAPACITY, 300,000 pairs by default).
# The flusher's transactions and rows per second are counted from its debug
# log lines during row 2. At the end the server gets SIGTERM (it writes what
# is pending) and the stored counts (article_stats.view_count and the day
# buckets) must have grown by exactly the number of "counted": true answers.
# Targets: beacon >= 0.3x healthz with p99 < 5 ms; stored = counted.
# Exits 2 when a target FAILs.
set -euo pipefail
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
# Its own database, so that it never drops the one another script is using.
PG_DB=${PG_DB:-khabar_bench_views}
# The flusher's "views: flushed" lines are debug; everything else warn.
RUST_LOG=${RUST_LOG:-warn,khabar::service::views=debug}
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

BACKENDS=${BACKENDS:-sqlite postgres}
ARTICLES=${ARTICLES:-10000}
CLIENTS_RSS=${CLIENTS_RSS:-1000000}
T_RATIO=0.3
T_P99_MS=5
# Read by run_wrk.
MAX_ID=$((ARTICLES + 1)) ZIPF_S=${ZIPF_S:-1} LIST_PAGES=1
[[ $ARTICLES =~ ^[0-9]+$ && $CLIENTS_RSS =~ ^[0-9]+$ ]] || die "ARTICLES/CLIENTS_RSS must be integers"

need wrk wrk
need curl curl
need jq jq
check_backends "$BACKENDS"
[[ " $BACKENDS " == *" sqlite "* ]] && need python3 python3
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  log "cargo build --release"
  (cd "$ROOT" && cargo build --release -q)
fi
[[ -x $KHABAR_BIN ]] || die "no binary at $KHABAR_BIN (build it or set KHABAR_BIN)"
bench_lifecycle

stored_totals() { # stored_totals BACKEND URL -> "ALL_TIME DAILY"
  case $1 in
    sqlite)
      python3 - "${2#sqlite://}" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
a = c.execute("SELECT COALESCE(SUM(view_count), 0) FROM article_stats").fetchone()[0]
d = c.execute("SELECT COALESCE(SUM(n), 0) FROM article_views_daily").fetchone()[0]
print(a, d)
PY
      ;;
    postgres)
      psql -X -At -F ' ' -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" -c \
        "SELECT (SELECT COALESCE(SUM(view_count), 0) FROM article_stats), (SELECT COALESCE(SUM(n), 0) FROM article_views_daily)"
      ;;
  esac
}

flushes() { # flushes LOG -> "TRANSACTIONS ROWS VIEWS MS" written so far (JSON log lines)
  grep '"message":"views: flushed"' "$1" \
    | sed -n 's/.*"views":\([0-9]*\),"rows":\([0-9]*\),"ms":\([0-9.]*\).*/\1 \2 \3/p' \
    | awk '{ n++; v += $1; r += $2; t += $3 } END { printf "%d %d %d %.0f\n", n, r, v, t }'
}

counted_in() { # counted_in FILE... -> the sum of counted= of their result lines
  local total=0 f c
  for f in "$@"; do
    [[ -f $f ]] || continue
    c=$(grep '^KHABAR_RESULT ' "$f" | tail -n1 || true)
    [[ -n $c ]] && total=$((total + $(field "$c" counted)))
  done
  echo "$total"
}

rss_mb() { # current RSS (VmRSS) of the server in MB
  awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo "?"
}

beacon_beside() { # beacon_beside SECONDS OUTFILE: the beacon load in the background (WRITER_PID)
  (
    export KHABAR_BENCH_DIR=$BENCH_DIR KHABAR_MAX_ID=$MAX_ID KHABAR_ZIPF_S=$ZIPF_S \
      KHABAR_THREADS=$THREADS KHABAR_CLIENT_BASE=50000000
    with_cpus "$WRK_CPUS" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$1" --latency \
      -s "$BENCH_DIR/view_post.lua" "$BASE"
  ) >"$2" 2>&1 &
  WRITER_PID=$!
}

export KHABAR_TRUSTED_PROXIES=127.0.0.1 KHABAR_LOG_FORMAT=json
failed=0
for backend in $BACKENDS; do
  url=$(fresh_db "$backend")
  seed_db "$backend" "$url" "$ARTICLES" "$WORK/seed-$backend.log"
  log "starting the server ($backend)"
  log_file=$WORK/server-$backend.log
  start_server "$url" on "$log_file"
  rss_start=$(rss_mb)

  WRK_ENV_WARMUP=() WRK_ENV_MEASURE=()
  measure "$backend" healthz healthz.lua "$BASE/healthz"
  h_rps=$M_RPS h_p99=$M_P99
  rss_healthz=$(rss_mb)

  read -r tx0 rows0 views0 ms0 <<<"$(flushes "$log_file")"
  t0=$(now)
  WRK_ENV_WARMUP=(KHABAR_CLIENT_BASE=20000000)
  WRK_ENV_MEASURE=(KHABAR_CLIENT_BASE=0)
  measure "$backend" view_post view_post.lua "$BASE"
  v_rps=$M_RPS v_p50=$M_P50 v_p99=$M_P99 v_err=$M_ERRPCT v_reqs=$M_REQS
  sleep 1.5 # the last flush of the run
  read -r tx1 rows1 views1 ms1 <<<"$(flushes "$log_file")"
  secs=$(elapsed "$t0" "$(now)")
  tx_s=$(awk -v a="$tx0" -v b="$tx1" -v s="$secs" 'BEGIN { printf "%.2f", (b - a) / s }')
  rows_s=$(awk -v a="$rows0" -v b="$rows1" -v s="$secs" 'BEGIN { printf "%.0f", (b - a) / s }')
  per_tx=$(awk -v a="$tx0" -v b="$tx1" -v v0="$views0" -v v1="$views1" -v r0="$rows0" -v r1="$rows1" -v m0="$ms0" -v m1="$ms1" \
    'BEGIN { if (b > a) printf "%.0f views in %.0f rows, %.0f ms", (v1 - v0) / (b - a), (r1 - r0) / (b - a), (m1 - m0) / (b - a); else print "n/a" }')
  rss_beacon=$(rss_mb)

  WRK_ENV_WARMUP=() WRK_ENV_MEASURE=()
  measure "$backend" article_alone article_zipf.lua "$BASE"
  a_rps=$M_RPS a_p99=$M_P99
  beside_secs=$(( ${WARMUP%s} + ${DURATION%s} + 2 ))
  beacon_beside "${beside_secs}s" "$WORK/wrk-$backend-beacon-beside.txt"
  measure "$backend" article_beside article_zipf.lua "$BASE"
  b_rps=$M_RPS b_p99=$M_P99
  wait "$WRITER_PID" || true
  WRITER_PID=""
  bb=$(grep '^KHABAR_RESULT ' "$WORK/wrk-$backend-beacon-beside.txt" | tail -n1 || true)
  bb_rps=$(field "$bb" rps)
  sleep 2
  rss_reads=$(rss_mb)

  # Distinct clients until CLIENTS_RSS have posted.
  posted=0 round=0
  while ((posted < CLIENTS_RSS)); do
    round=$((round + 1))
    left=$((CLIENTS_RSS - posted))
    secs_needed=$(awk -v n="$left" -v r="$v_rps" 'BEGIN { s = int(n / (r > 100 ? r : 100) * 1.1) + 1; print (s < 2 ? 2 : s) }')
    log "$backend: $left more distinct clients (~${secs_needed}s)"
    WRK_ENV=(KHABAR_CLIENT_BASE=$((30000000 + posted)))
    run_wrk view_post.lua "$BASE" "${secs_needed}s" "$WORK/wrk-$backend-rss-$round.txt" \
      || { cat "$WORK/wrk-$backend-rss-$round.txt" >&2; server_gone "the RSS run"; die "wrk failed"; }
    WRK_ENV=()
    r=$(grep '^KHABAR_RESULT ' "$WORK/wrk-$backend-rss-$round.txt" | tail -n1)
    posted=$((posted + $(field "$r" requests)))
    ((round < 10)) || break
  done
  sleep 2
  rss_clients=$(rss_mb)
  rss_peak=$(server_rss_mb)

  # Exactness: wrk never reads the answers still in flight when a run
  # ends (the server counted those views; wrk cannot say whether), so the
  # count is checked on a run whose last seconds send GET /healthz only:
  # every beacon of it is answered. The stored totals are read once the
  # earlier runs are written (two flush intervals later), and after SIGTERM.
  sleep 2.5
  read -r before_all before_daily <<<"$(stored_totals "$backend" "$url")"
  exact_secs=$(( ${DURATION%s} + 3 ))
  WRK_ENV=(KHABAR_CLIENT_BASE=60000000 KHABAR_POST_FOR_S=$(( exact_secs - 3 )))
  run_wrk view_post.lua "$BASE" "${exact_secs}s" "$WORK/wrk-$backend-exact.txt" \
    || { cat "$WORK/wrk-$backend-exact.txt" >&2; server_gone "the exactness run"; die "wrk failed"; }
  WRK_ENV=()
  counted=$(counted_in "$WORK/wrk-$backend-exact.txt")
  log "$backend: SIGTERM (pending views are written before exit)"
  stop_server
  read -r after_all after_daily <<<"$(stored_totals "$backend" "$url")"
  stored=$((after_all - before_all)) stored_daily=$((after_daily - before_daily))

  ratio=$(ratio_of "$v_rps" "$h_rps")
  beside_ratio=$(ratio_of "$b_rps" "$a_rps")
  if ge "$ratio" "$T_RATIO" && lt "$v_p99" "$T_P99_MS"; then beacon_ok=PASS; else beacon_ok=FAIL; failed=1; fi
  if [[ $stored == "$counted" && $stored_daily == "$counted" ]]; then exact=PASS; else exact=FAIL; failed=1; fi
  ge "$v_err" "$MAX_ERROR_PCT" && { failed=1; log "$backend: beacon error rate $v_err% >= $MAX_ERROR_PCT%"; }
  {
    echo
    echo "## $backend: views ($ARTICLES articles, Zipf s=$ZIPF_S; wrk -t$THREADS -c$CONNECTIONS -d$DURATION; $(date -u +%Y-%m-%d))"
    echo
    echo "| row | req/s | p99 ms | note | verdict |"
    echo "|---|---|---|---|---|"
    echo "| GET /healthz | $h_rps | $h_p99 | baseline | |"
    echo "| POST /articles/{id}/views (distinct clients) | $v_rps | $v_p99 | ${ratio}x healthz, p50 $v_p50 ms, errors $v_err % (404s: drafts among the ids) | $beacon_ok (>= ${T_RATIO}x, p99 < $T_P99_MS ms) |"
    echo "| GET /articles/{id}, alone | $a_rps | $a_p99 | | |"
    echo "| GET /articles/{id}, beacon beside | $b_rps | $b_p99 | ${beside_ratio}x of alone; the beacon beside ran at $bb_rps req/s | |"
    echo
    echo "- exactness run (${exact_secs}s, beacons for the first $(( exact_secs - 3 ))s, then /healthz so that every beacon is answered; SIGTERM at its end): counted: true answers $counted; stored count grew by $stored (all-time) and $stored_daily (day buckets): $exact"
    echo "- flushes during the beacon row: $tx_s transactions/s, $rows_s rows/s (a transaction: $per_tx on average)"
    echo "- RSS (MB): $rss_start at start, $rss_healthz after healthz, $rss_beacon after the beacon row, $rss_reads after the article rows, $rss_clients after $posted distinct clients in all (peak $rss_peak)"
  } | tee -a "$BENCH_DIR/results-views-$backend.md"
done
exit $((failed * 2))
