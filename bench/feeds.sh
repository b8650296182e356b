#!/usr/bin/env bash
# Feeds benchmark (issue 9). See bench/README.md, "Feeds".
#
#   bench/feeds.sh                                     # release build, sqlite + postgres, 100,000 articles
#   SKIP_BUILD=1 BACKENDS=sqlite ARTICLES=20000 DURATION=5s bench/feeds.sh
#   SKIP_BUILD=1 BACKENDS=sqlite SEEDED_DB=sqlite:///tmp/k.db bench/feeds.sh   # an already seeded database, as it is
#
# For each backend: a fresh database seeded with ARTICLES articles (or
# SEEDED_DB), `khabar serve` with the answer cache off and/or on (CACHE=off|
# on|both, default both: a restart between the passes), then wrk rows on the
# same server: /healthz (the baseline), the three feeds mixed (feeds.lua),
# each format alone, and the mix with Accept-Encoding: gzip (as feed readers
# send it). Target: every feed row p99 < 20 ms (issue 9). Ratios are req/s
# over /healthz of the same server. Writes bench/results-feeds-<backend>.md;
# exits 2 when a target FAILs.
set -euo pipefail
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
# Its own database, so that it never drops the one run.sh or scale.sh is using.
PG_DB=${PG_DB:-khabar_bench_feeds}
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

BACKENDS=${BACKENDS:-sqlite postgres}
ARTICLES=${ARTICLES:-100000}
CACHE=${CACHE:-both}
SEEDED_DB=${SEEDED_DB:-}
T_FEED_P99_MS=20
[[ $ARTICLES =~ ^[0-9]+$ ]] || die "ARTICLES must be a non-negative integer"
[[ $CACHE == off || $CACHE == on || $CACHE == both ]] || die "CACHE must be off, on or both"
if [[ -n $SEEDED_DB ]]; then
  [[ $BACKENDS != *" "* ]] || die "SEEDED_DB needs one backend in BACKENDS"
fi
# Read by run_wrk (unused by these scripts).
MAX_ID=1 ZIPF_S=1 LIST_PAGES=1

need wrk wrk
need curl curl
need jq jq
check_backends "$BACKENDS"
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  log "cargo build --release"
  (cd "$ROOT" && cargo build --release -q)
fi
[[ -x $KHABAR_BIN ]] || die "no binary at $KHABAR_BIN (build it or set KHABAR_BIN)"
bench_lifecycle

# name | KHABAR_FEED_FORMATS | KHABAR_FEED_GZIP | what
ROWS=(
  "feeds|rss,atom,json|0|GET /api/v1/feeds/{rss,atom,json}: 1/2 the site, 1/4 ?section=S, 1/4 ?tag=T"
  "feeds_rss|rss|0|GET /api/v1/feeds/rss, same mix"
  "feeds_atom|atom|0|GET /api/v1/feeds/atom, same mix"
  "feeds_json|json|0|GET /api/v1/feeds/json, same mix"
  "feeds_gzip|rss,atom,json|1|the three feeds mixed, Accept-Encoding: gzip"
)

failed=0
case $CACHE in
  off) passes=(off) ;;
  on) passes=(on) ;;
  both) passes=(off on) ;;
esac
for backend in $BACKENDS; do
  if [[ -n $SEEDED_DB ]]; then
    url=$SEEDED_DB
    seeded="the database at SEEDED_DB, as it was"
  else
    url=$(fresh_db "$backend")
    seed_db "$backend" "$url" "$ARTICLES" "$WORK/seed-$backend.log"
    seeded="$ARTICLES articles seeded in ${SEED_S}s"
  fi
  md=$BENCH_DIR/results-feeds-$backend.md
  {
    echo "# khabar feeds benchmark: $backend"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "- machine: $(nproc) cores; server and wrk share it"
    echo "- load: \`wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency\`, $WARMUP warm-up before each run; data: $seeded"
    echo
    echo "| row | request | answer cache | req/s | p50 ms | p99 ms | × /healthz | HTTP ≥400 | bytes/answer | target | verdict |"
    echo "|---|---|---|---:|---:|---:|---:|---:|---:|---|---|"
  } >"$md"
  for pass in "${passes[@]}"; do
    start_server "$url" "$pass" "$WORK/server-$backend-$pass.log"
    probe_corpus "$BASE"
    for f in rss atom json; do
      s=$(status_of "$BASE/api/v1/feeds/$f")
      [[ $s == 200 ]] || die "GET /api/v1/feeds/$f answered $s"
    done
    bytes=$(curl -s -o /dev/null -w '%{size_download}' "$BASE/api/v1/feeds/rss")
    gz_bytes=$(curl -s -o /dev/null -H 'Accept-Encoding: gzip' -w '%{size_download}' "$BASE/api/v1/feeds/rss")
    WRK_ENV_WARMUP=()
    WRK_ENV_MEASURE=()
    measure "$backend" "healthz-$pass" healthz.lua "$BASE/healthz"
    h_rps=$M_RPS
    echo "| healthz | GET /healthz | $pass | $(fmt "$M_RPS" "%.0f") | $M_P50 | $M_P99 | 1 | $M_NON2XX | | baseline | |" >>"$md"
    for row in "${ROWS[@]}"; do
      IFS='|' read -r name formats gzip desc <<<"$row"
      WRK_ENV_WARMUP=("KHABAR_FEED_FORMATS=$formats" "KHABAR_FEED_GZIP=$gzip")
      WRK_ENV_MEASURE=("${WRK_ENV_WARMUP[@]}")
      measure "$backend" "$name-$pass" feeds.lua "$BASE"
      ratio=$(ratio_of "$M_RPS" "$h_rps")
      verdict=PASS
      lt "$M_P99" "$T_FEED_P99_MS" || verdict=FAIL
      lt "$M_ERRPCT" "$MAX_ERROR_PCT" || verdict="FAIL(errors)"
      [[ $verdict == PASS ]] || failed=1
      size=$bytes
      [[ $gzip == 1 ]] && size="$gz_bytes (gzip)"
      echo "| $name | $desc | $pass | $(fmt "$M_RPS" "%.0f") | $M_P50 | $M_P99 | $ratio | $M_NON2XX | $size | p99 < $T_FEED_P99_MS ms | $verdict |" >>"$md"
      log "$backend/$name (cache $pass): $(fmt "$M_RPS" "%.0f") req/s (${ratio}x healthz), p99 $M_P99 ms, CPU $M_CPU_SERVER_MS ms/request: $verdict"
    done
    stop_server
  done
  {
    echo
    echo "bytes/answer: the site's RSS feed (50 items with their bodies). Cache off: KHABAR_CACHE_TTL_MS=0 (every answer read and rendered); on: the default TTL."
  } >>"$md"
  echo
  cat "$md"
done
exit $((failed * 2))
