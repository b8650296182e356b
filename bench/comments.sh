#!/usr/bin/env bash
# Comments benchmark (issue 8). See bench/README.md, "Comments".
#
#   bench/comments.sh                                  # release build, sqlite + postgres
#   SKIP_BUILD=1 BACKENDS=postgres DURATION=5s bench/comments.sh
#
# For each backend: a fresh database with the seed article and a few demo
# articles, `khabar serve` with flood control off and X-Forwarded-For trusted
# (so wrk can be many distinct clients), 500 approved comments posted on one
# article, then wrk rows: /healthz (baseline), GET of that article's thread
# (pages of 20), and comment POSTs from distinct clients on another article.
# Targets: POST >= 1000/s with p99 < 50 ms on PostgreSQL; list p99 < 10 ms.
# Exits 2 when a target FAILs.
set -euo pipefail
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
# Its own database, so that it never drops the one run.sh or scale.sh is using.
PG_DB=${PG_DB:-khabar_bench_comments}
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

BACKENDS=${BACKENDS:-sqlite postgres}
THREAD_COMMENTS=${THREAD_COMMENTS:-500}
CACHE=${CACHE:-on} # the answer cache of the thread pages: on (the server's default) or off
[[ $CACHE == on || $CACHE == off ]] || die "CACHE must be on or off"
T_POST_RPS_PG=1000
T_POST_P99_MS=50
T_LIST_P99_MS=10
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

failed=0
for backend in $BACKENDS; do
  url=$(fresh_db "$backend")
  seed_db "$backend" "$url" 20 "$WORK/seed-$backend.log"
  log "starting the server ($backend)"
  export KHABAR_COMMENT_FLOOD_SECS=0 KHABAR_COMMENT_TRUST_FORWARDED=true KHABAR_COMMENT_HOLD_FIRST_TIME=false
  start_server "$url" "$CACHE" "$WORK/server-$backend.log"
  ids=$(get_json "$BASE/api/v1/articles?per_page=100&fields=id,comments_open" \
    | jq -r '[.data[] | select(.comments_open) | .id] | .[0:2] | map(tostring) | join(" ")')
  read -r list_article post_article <<<"$ids"
  [[ -n ${post_article:-} ]] || die "fewer than two articles open to comments"
  log "$backend: posting $THREAD_COMMENTS comments on article $list_article"
  t0=$(now)
  for i in $(seq 1 "$THREAD_COMMENTS"); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' \
      -H "x-forwarded-for: 10.200.$((i / 256)).$((i % 256))" \
      -d "{\"author_name\":\"قارئ\",\"author_email\":\"t$i@example.com\",\"body\":\"تعليق رقم $i في النقاش\"}" \
      "$BASE/api/v1/articles/$list_article/comments")
    [[ $code == 201 ]] || die "posting comment $i answered $code"
  done
  log "$backend: $THREAD_COMMENTS comments posted in $(elapsed "$t0" "$(now)") s (one curl each)"
  pages=$(( (THREAD_COMMENTS + PER_PAGE - 1) / PER_PAGE ))
  WRK_ENV_WARMUP=(KHABAR_RUN_TAG="w$RANDOM" KHABAR_POST_ARTICLE="$post_article" KHABAR_LIST_ARTICLE="$list_article" KHABAR_COMMENT_PAGES="$pages")
  WRK_ENV_MEASURE=(KHABAR_RUN_TAG="m$RANDOM" KHABAR_POST_ARTICLE="$post_article" KHABAR_LIST_ARTICLE="$list_article" KHABAR_COMMENT_PAGES="$pages")

  measure "$backend" healthz healthz.lua "$BASE/healthz"
  h_rps=$M_RPS h_p99=$M_P99
  measure "$backend" comment_list comment_list.lua "$BASE"
  l_rps=$M_RPS l_p99=$M_P99 l_err=$M_ERRPCT
  measure "$backend" comment_post comment_post.lua "$BASE"
  p_rps=$M_RPS p_p99=$M_P99 p_err=$M_ERRPCT

  verdict() { if "$@"; then echo PASS; else failed=1; echo FAIL; fi; }
  list_ok=$(verdict lt "$l_p99" "$T_LIST_P99_MS")
  if [[ $backend == postgres ]]; then
    if ge "$p_rps" "$T_POST_RPS_PG" && lt "$p_p99" "$T_POST_P99_MS"; then post_ok=PASS; else post_ok=FAIL; failed=1; fi
  else
    post_ok="(target on postgres only)"
  fi
  for e in "$l_err" "$p_err"; do
    ge "$e" "$MAX_ERROR_PCT" && { failed=1; log "$backend: error rate $e% >= $MAX_ERROR_PCT%"; }
  done
  {
    echo
    echo "## $backend: comments ($THREAD_COMMENTS on the listed article; wrk -t$THREADS -c$CONNECTIONS -d$DURATION)"
    echo
    echo "| row | req/s | p99 ms | errors % | target | verdict |"
    echo "|---|---|---|---|---|---|"
    echo "| healthz | $h_rps | $h_p99 | | baseline | |"
    echo "| GET /articles/{id}/comments (pages of $PER_PAGE) | $l_rps | $l_p99 | $l_err | p99 < $T_LIST_P99_MS ms | $list_ok |"
    echo "| POST /articles/{id}/comments (distinct clients) | $p_rps | $p_p99 | $p_err | >= $T_POST_RPS_PG/s, p99 < $T_POST_P99_MS ms (postgres) | $post_ok |"
  } | tee -a "$BENCH_DIR/results-comments-$backend.md"
  stop_server
done
exit $((failed * 2))
