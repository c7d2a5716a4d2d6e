#!/usr/bin/env bash
# Reads beside a steady write stream: do writes stall readers?
#
#   bench/mixed.sh
#   BENCH_RATES="0 1 5 10" BENCH_DURATION=20s bench/mixed.sh
#   BENCH_PROFILE=debug bench/mixed.sh
#
# Builds `zeren` (release), generates the university-scale demo into a fresh SQLite data dir,
# serves it on a free 127.0.0.1 port and creates bearer tokens for `supervisor` (the reader,
# who reads the whole university) and `secretary` (the writer). For each write rate in
# BENCH_RATES (writes per second; 0 is read-only) it runs, side by side:
#   - readers: `wrk -t2 -c16 --latency` with a script that asks for random pages and filters of
#     `/api/v1/obligations?org=cqu&year=…` (status, duty, sort, page 1–10);
#   - writers: `bench/writes.py` at that rate — org-model writes (`POST /api/v1/people`, a new
#     person in a college of the secretary's org), paced by the clock, each timed.
# Prints per rate: read req/s, p50/p99, errors; the writes done and their p50/p99; then the
# server's RSS. Raw output goes to bench/out/mixed-<time>/ (ignored by git). A benchmark, never
# an assertion: the exit status is non-zero only when a request did not answer 2xx.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

DURATION="${BENCH_DURATION:-15s}"
WARMUP="${BENCH_WARMUP:-3s}"
RATES="${BENCH_RATES:-0 1 5 10}"
PROFILE="${BENCH_PROFILE:-release}"
CLOCK="${ZEREN_BENCH_CLOCK:-2026-11-28}"
YEAR="${CLOCK%%-*}"
OUT="$ROOT/bench/out/mixed-$(date +%Y%m%d-%H%M%S)"

NAME=mixed.sh
# shellcheck source=bench/university.sh
. "$ROOT/bench/university.sh"

export ZEREN_TOKEN ZEREN_WRITER_TOKEN
ZEREN_TOKEN="$(token supervisor)"
ZEREN_WRITER_TOKEN="$(token secretary)"

# The writer's org: the colleges the secretary may add people to.
WRITE_ORG="${BENCH_WRITE_ORG:-cqu-mse}"

cat >"$TMP/reads.lua" <<LUA
local token = os.getenv("ZEREN_TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token
local filters = { "", "&status=overdue", "&status=done", "&status=upcoming",
  "&status=due_soon", "&sort=status", "&sort=-due", "&duty=annual-dedicated-study",
  "&duty=platform-annual-review" }
math.randomseed(os.time())
request = function()
  local f = filters[math.random(#filters)]
  local page = math.random(10)
  return wrk.format("GET", "/api/v1/obligations?org=cqu&year=$YEAR" .. f .. "&page=" .. page)
end
done = function(summary, latency, requests)
  io.write(string.format("READS p50=%.2f p99=%.2f\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA

mkdir -p "$OUT"
echo "== $(nproc) cores; reads: wrk -t2 -c16 -d$DURATION (after a $WARMUP warm-up) of random obligation pages of the whole university"
wrk -t2 -c16 -d"$WARMUP" -s "$TMP/reads.lua" "$URL" >/dev/null

failed=0
ROWS=()
for rate in $RATES; do
  echo "   $rate writes/s …"
  log="$OUT/reads-$rate.txt"
  wlog="$OUT/writes-$rate.txt"
  secs="${DURATION%s}"
  if [ "$rate" != 0 ]; then
    python3 "$ROOT/bench/writes.py" "$URL" "$WRITE_ORG" "$rate" "$secs" >"$wlog" 2>&1 &
    WPID=$!
  fi
  wrk -t2 -c16 -d"$DURATION" --latency -s "$TMP/reads.lua" "$URL" >"$log"
  writes="-" wp50="-" wp99="-"
  if [ "$rate" != 0 ]; then
    wait "$WPID" || failed=1
    read -r writes wp50 wp99 werr < <(awk '/^WRITES/ { print $2, $3, $4, $5 }' "$wlog")
    [ "${werr:-1}" = 0 ] || { failed=1; cat "$wlog" >&2; }
  fi
  rps="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$log")"
  read -r p50 p99 < <(awk '/^READS/ { split($2, a, "="); split($3, b, "="); print a[2], b[2] }' "$log")
  non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$log")"
  sockerr="$(awk '/Socket errors:/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) s += $i } END { print s + 0 }' "$log")"
  errors=$(( ${non2xx:-0} + ${sockerr:-0} ))
  [ "$errors" -eq 0 ] || failed=1
  ROWS+=("$(printf '%8s %10s %9s %9s %7s | %7s %9s %9s' "$rate" "$rps" "$p50" "$p99" "$errors" "$writes" "$wp50" "$wp99")")
done

echo
printf '%8s %10s %9s %9s %7s | %7s %9s %9s\n' "writes/s" "read rq/s" "p50 ms" "p99 ms" "errors" "writes" "w p50 ms" "w p99 ms"
printf '%s\n' "$(printf '%.0s-' $(seq 1 80))"
printf '%s\n' "${ROWS[@]}"
echo
echo "zeren RSS $(rss "$PID") now, peak $(peak "$PID"); raw output in $OUT"
exit "$failed"
