#!/usr/bin/env bash
# khabar scale benchmark (wrk): the same read routes at several corpus sizes.
# See bench/README.md.
#
#   bench/scale.sh                                        # sqlite, 100k and 1M articles
#   SKIP_BUILD=1 SIZES="1000 3000" DURATION=2s bench/scale.sh   # smoke run
#   BACKENDS="sqlite postgres" bench/scale.sh
#
# For each backend and each N in SIZES: fresh database, `khabar seed
# --articles N` (timed), `khabar serve` with the answer cache off
# (KHABAR_CACHE_TTL_MS=0) and, unless ITEM_CACHES=on, the rendered list and
# feed items off too (KHABAR_LIST_ITEM_CACHE_MB=0, KHABAR_FEED_ITEM_CACHE_MB=0),
# then a warm-up and a measured wrk run per route. The table compares plans:
# a cache of a fixed size holds a tenth as much of a corpus ten times larger,
# so with it on the ratio also measures how much of the corpus it holds.
# Prints one table per backend (req/s and p99 per size, the ratio of the
# largest to the smallest size, a verdict), writes bench/scale-<backend>.md,
# and exits 2 if any check FAILs.
set -euo pipefail
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

BACKENDS=${BACKENDS:-sqlite}
SIZES=${SIZES:-100000 1000000}
LIST_PAGES=${LIST_PAGES:-5}   # the list row: pages 1..5
ZIPF_S=${ZIPF_S:-1.0}         # (not measured here; run_wrk passes it on)
MAX_ID=1                      # set per size
ITEM_CACHES=${ITEM_CACHES:-off} # off: every item is rendered from the database (see above)
[[ $ITEM_CACHES == off || $ITEM_CACHES == on ]] || die "ITEM_CACHES must be off or on"
if [[ $ITEM_CACHES == off ]]; then
  export KHABAR_LIST_ITEM_CACHE_MB=0 KHABAR_FEED_ITEM_CACHE_MB=0
fi
CACHES_TXT="answer cache off (KHABAR_CACHE_TTL_MS=0), list and feed item caches $ITEM_CACHES"
[[ $ITEM_CACHES == off ]] && CACHES_TXT+=" (KHABAR_LIST_ITEM_CACHE_MB=0, KHABAR_FEED_ITEM_CACHE_MB=0)"

# A route scales when its req/s at the largest size is >= this x its req/s
# at the smallest, and its p99 at the largest size is below T_SCALE_P99_MS.
T_SCALE_RATIO=0.67
T_SCALE_P99_MS=50
# Seeding must not grow faster than the corpus: seed time ratio < size ratio
# (1M vs 100k: < 10x).

read -r -a SIZE_LIST <<<"$SIZES"
((${#SIZE_LIST[@]} >= 2)) || die "SIZES needs at least two sizes (got '$SIZES')"
for n in "${SIZE_LIST[@]}"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "SIZES must be positive integers (got '$n')"
done
mapfile -t SIZE_LIST < <(printf '%s\n' "${SIZE_LIST[@]}" | sort -n -u)
((${#SIZE_LIST[@]} >= 2)) || die "SIZES needs at least two different sizes (got '$SIZES')"
SMALL=${SIZE_LIST[0]}
LARGE=${SIZE_LIST[${#SIZE_LIST[@]} - 1]}

need wrk wrk
need curl curl
need jq jq
check_backends "$BACKENDS"
if [[ -n $SERVER_CPUS || -n $WRK_CPUS ]]; then need taskset util-linux; fi

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  log "cargo build --release"
  (cd "$ROOT" && cargo build --release)
fi
[[ -x $KHABAR_BIN ]] || die "$KHABAR_BIN not found (build it, or set KHABAR_BIN)"

bench_lifecycle

# name | wrk script | path given to wrk | description | optional VAR=value
ROUTES=(
  "healthz|healthz.lua|/healthz|GET /healthz (no DB; shows how steady the machine was)"
  "article_uniform|article_uniform.lua|/|GET /api/v1/articles/{id}, id uniform over 1..N+1"
  "list|list.lua|/|GET /api/v1/articles?page=P&per_page=$PER_PAGE, P 1..$LIST_PAGES"
  "tag_page|tag_page.lua|/|GET /api/v1/articles?tag=T: 1/2 page 1..$PAGES, 1/2 a random-depth cursor"
  "section_page|section_page.lua|/|GET /api/v1/articles?section=S: 1/2 page 1..$PAGES, 1/2 a random-depth cursor"
  "deep_cursor|deep_cursor.lua|/|GET /api/v1/articles?cursor=n<micros>_999999999, micros uniform over the corpus"
  "archive_month|archive_month.lua|/|GET /api/v1/archive/{year}/{month}?page=P, random month, P 1..$PAGES"
  "calendar|calendar.lua|/|GET /api/v1/archive (1/2 whole, 1/4 ?section=, 1/4 ?tag=)"
  "search_common|search.lua|/|GET /api/v1/articles?q=$Q_COMMON&page=P, P 1..$PAGES|KHABAR_QUERY=$Q_COMMON"
)

OVERALL_FAIL=0
GIT_REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "no commit")
if [[ -n $(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null) ]]; then GIT_REV="$GIT_REV (dirty)"; fi
CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n1)

size_label() { # 100000 -> 100k, 1000000 -> 1M, 2500 -> 2500
  local n=$1
  if ((n % 1000000 == 0)); then echo "$((n / 1000000))M"
  elif ((n % 1000 == 0)); then echo "$((n / 1000))k"
  else echo "$n"; fi
}

scale_backend() {
  local backend=$1 n url size name script path desc rowenv missing entry
  local -A rps=() p99=() non2xx=() reqs=() errpct=() seed_s=() db_mb=() rss=()
  local -a notes=()

  echo
  echo "=== scale $backend: sizes ${SIZE_LIST[*]}, $CACHES_TXT, wrk -t$THREADS -c$CONNECTIONS -d$DURATION (warm-up $WARMUP) ==="
  for n in "${SIZE_LIST[@]}"; do
    MAX_ID=$((n + 1))
    url=$(fresh_db "$backend")
    seed_db "$backend" "$url" "$n" "$WORK/seed-$backend-$n.log"
    seed_s[$n]=$SEED_S
    size=$(db_size "$backend")
    db_mb[$n]=$size
    echo "seed: $n articles in ${SEED_S}s, database size $size"

    start_server "$url" off "$WORK/server-$backend-$n.log"
    probe_corpus "$BASE"
    notes+=("$(size_label "$n"): corpus $CORPUS_SUMMARY; search_common q=\"$Q_COMMON\" matches $(query_total "$BASE" "$Q_COMMON") articles")
    for entry in "${ROUTES[@]}"; do
      rowenv=""
      IFS='|' read -r name script path desc rowenv <<<"$entry"
      missing=$(row_inputs_missing "$script")
      if [[ -n $missing ]]; then
        log "$backend/$name at $n: skipped ($missing)"
        notes+=("$name at $(size_label "$n"): skipped, $missing")
        continue
      fi
      WRK_ENV_WARMUP=()
      [[ -n $rowenv ]] && WRK_ENV_WARMUP=("$rowenv")
      WRK_ENV_MEASURE=("${WRK_ENV_WARMUP[@]}")
      measure "$backend" "$name-$n" "$script" "$BASE$path"
      WRK_ENV_WARMUP=()
      WRK_ENV_MEASURE=()
      rps[$name,$n]=$M_RPS
      p99[$name,$n]=$M_P99
      non2xx[$name,$n]=$M_NON2XX
      reqs[$name,$n]=$M_REQS
      errpct[$name,$n]=$M_ERRPCT
    done
    rss[$n]=$(server_rss_mb)
    stop_server
  done

  # ---- table
  local -a lines=()
  local hdr="| route |" sep="|---|"
  for n in "${SIZE_LIST[@]}"; do
    hdr+=" req/s at $(size_label "$n") | p99 ms |"
    sep+="---:|---:|"
  done
  hdr+=" ratio $(size_label "$LARGE")/$(size_label "$SMALL") | HTTP ≥400 at $(size_label "$LARGE") | verdict |"
  sep+="---:|---:|---|"
  lines+=("$hdr" "$sep")
  local line ratio verdict why e
  for entry in "${ROUTES[@]}"; do
    IFS='|' read -r name script path desc rowenv <<<"$entry"
    line="| $name |"
    for n in "${SIZE_LIST[@]}"; do
      if [[ -n ${rps[$name,$n]:-} ]]; then
        line+=" $(fmt "${rps[$name,$n]}" "%.0f") | ${p99[$name,$n]} |"
      else
        line+=" - | - |"
      fi
    done
    why=""
    if [[ -n ${rps[$name,$SMALL]:-} && -n ${rps[$name,$LARGE]:-} ]]; then
      ratio=$(ratio_of "${rps[$name,$LARGE]}" "${rps[$name,$SMALL]}")
      ge "$ratio" "$T_SCALE_RATIO" || why+=" ratio"
      lt "${p99[$name,$LARGE]}" "$T_SCALE_P99_MS" || why+=" p99"
      lt "${errpct[$name,$LARGE]}" "$MAX_ERROR_PCT" || why+=" errors>${MAX_ERROR_PCT}%"
      ((${reqs[$name,$LARGE]} > 0)) || why+=" no-requests"
      e="${non2xx[$name,$LARGE]} ($(awk -v e="${non2xx[$name,$LARGE]}" -v n="${reqs[$name,$LARGE]}" 'BEGIN { printf "%.1f", (n > 0 ? 100 * e / n : 0) }')%)"
    else
      ratio="-" e="-" why=" not-measured"
    fi
    verdict="PASS"
    [[ -n $why ]] && verdict="FAIL(${why# })" && OVERALL_FAIL=1
    [[ $ratio == - ]] || ratio+="x"
    line+=" $ratio | $e | **$verdict** |"
    lines+=("$line")
  done

  local seed_ratio size_ratio seed_verdict="PASS" seed_line
  seed_ratio=$(ratio_of "${seed_s[$LARGE]}" "${seed_s[$SMALL]}")
  size_ratio=$(ratio_of "$LARGE" "$SMALL")
  lt "$seed_ratio" "$size_ratio" || { seed_verdict="FAIL"; OVERALL_FAIL=1; }
  seed_line="seed time: $(for n in "${SIZE_LIST[@]}"; do printf '%s %ss, ' "$(size_label "$n")" "${seed_s[$n]}"; done)"
  seed_line="${seed_line%, }; ratio $(size_label "$LARGE")/$(size_label "$SMALL") ${seed_ratio}x (target < ${size_ratio}x, the size ratio): $seed_verdict"
  local db_line rss_line
  db_line="database size: $(for n in "${SIZE_LIST[@]}"; do printf '%s %s, ' "$(size_label "$n")" "${db_mb[$n]}"; done)"
  rss_line="server peak RSS: $(for n in "${SIZE_LIST[@]}"; do printf '%s %s MB, ' "$(size_label "$n")" "${rss[$n]:-?}"; done)"

  echo
  printf '%s\n' "${lines[@]}"
  echo
  echo "$seed_line"
  echo "${db_line%, }"
  echo "${rss_line%, }"
  printf '%s\n' "${notes[@]}"

  local md=$BENCH_DIR/scale-$backend.md
  {
    echo "# khabar scale benchmark: $backend"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit: $GIT_REV"
    echo "- machine: $(nproc) cores${CPU_MODEL:+, $CPU_MODEL}; server and wrk share it${SERVER_CPUS:+ (server cpus $SERVER_CPUS)}${WRK_CPUS:+ (wrk cpus $WRK_CPUS)}"
    echo "- load: \`wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency\`, $WARMUP warm-up before each run, 127.0.0.1 only"
    echo "- server: $CACHES_TXT, RUST_LOG=$BENCH_RUST_LOG, KHABAR_POOL_SIZE=${KHABAR_POOL_SIZE:-default}; a fresh database per size"
    echo "- verdict: PASS when req/s at $(size_label "$LARGE") ≥ ${T_SCALE_RATIO}× req/s at $(size_label "$SMALL") and p99 at $(size_label "$LARGE") < ${T_SCALE_P99_MS} ms (and < ${MAX_ERROR_PCT}% HTTP ≥400/timeouts)"
    echo
    printf '%s\n' "${lines[@]}"
    echo
    echo "- $seed_line"
    echo "- ${db_line%, }"
    echo "- ${rss_line%, }"
    printf -- '- %s\n' "${notes[@]}"
    echo
    echo "Routes:"
    echo
    for entry in "${ROUTES[@]}"; do
      IFS='|' read -r name script path desc rowenv <<<"$entry"
      echo "- \`$name\`: \`$desc\`"
    done
  } >"$md"
  log "wrote $md"
}

for backend in $BACKENDS; do
  scale_backend "$backend"
done

echo
if [[ $OVERALL_FAIL -ne 0 ]]; then
  echo "scale: some checks FAILED"
  exit 2
fi
echo "scale: all checks PASS"
