#!/usr/bin/env bash
# Ledger benchmark: the dashboard and the obligation lists on a university-size data set.
#
#   bench/ledger.sh
#   BENCH_DURATION=30s bench/ledger.sh
#   BENCH_PROFILE=debug bench/ledger.sh      # the debug build (faster to build, slower to run)
#
# Builds `zeren` (release), generates the university-scale demo (`zeren demo --scale
# university`: 1 000 orgs, 20 000 people, 3 000 platforms, a year of obligations, most of those
# already due done) into a fresh SQLite data dir, serves it on a free 127.0.0.1 port, creates a
# bearer token for the `supervisor` demo account (who reads the whole university), and measures
# with `wrk -t2 -c16 -d10s --latency` (after a warm-up):
#   - the root dashboard (`/api/v1/dashboard?org=cqu`), also with one connection (-t1 -c1), whose
#     latency is the server time of one request with nothing queued in front of it;
#   - the dashboard page (HTML with the SVG charts);
#   - the obligations list of the whole university, 50 rows (first page, a filtered page, and a
#     page deep in the list).
# Prints req/s, p50, p95, p99 and errors per target, then the server's RSS. Raw output goes to
# bench/out/ledger-<time>/ (ignored by git). A benchmark, never an assertion: the exit status is
# non-zero only when a target did not answer 2xx.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

DURATION="${BENCH_DURATION:-10s}"
WARMUP="${BENCH_WARMUP:-3s}"
PROFILE="${BENCH_PROFILE:-release}"
CLOCK="${ZEREN_BENCH_CLOCK:-2026-11-28}"
YEAR="${CLOCK%%-*}"
OUT="$ROOT/bench/out/ledger-$(date +%Y%m%d-%H%M%S)"

NAME=ledger.sh
# shellcheck source=bench/university.sh
. "$ROOT/bench/university.sh"

export ZEREN_TOKEN
ZEREN_TOKEN="$(token supervisor)"
RSS_IDLE="$(rss "$PID")"

# wrk script: the bearer token on every request (kept out of `ps`), and p50/p95/p99 in ms at
# the end (wrk's own --latency table has no p95).
cat >"$TMP/ledger.lua" <<'LUA'
local token = os.getenv("ZEREN_TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token
done = function(summary, latency, requests)
  io.write(string.format("LEDGER p50=%.2f p95=%.2f p99=%.2f\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
LUA

NAMES=() PATHS=() CONNS=()
target() { NAMES+=("$1"); PATHS+=("$2"); CONNS+=("$3"); }
target "dashboard API, root (1 connection: server time)" "/api/v1/dashboard?org=cqu&year=$YEAR" 1
target "dashboard API, root" "/api/v1/dashboard?org=cqu&year=$YEAR" 16
target "dashboard page, root (HTML + SVG)" "/dashboard?org=cqu&year=$YEAR" 16
target "dashboard API, one college" "/api/v1/dashboard?org=cqu-c01&year=$YEAR" 16
target "obligations API, root, page 1 (50 rows)" "/api/v1/obligations?org=cqu&year=$YEAR" 16
target "obligations API, root, overdue (50 rows)" "/api/v1/obligations?org=cqu&year=$YEAR&status=overdue" 16
target "obligations API, root, sort=status, page 40" "/api/v1/obligations?org=cqu&year=$YEAR&sort=status&page=40" 16
target "obligations API, one college (50 rows)" "/api/v1/obligations?org=cqu-c01&year=$YEAR" 16

mkdir -p "$OUT"
TOTAL="$(curl -fs -H "Authorization: Bearer $ZEREN_TOKEN" "$URL/api/v1/dashboard?org=cqu&year=$YEAR" |
  python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["total"], "obligations,", d["overdue"], "overdue,", d["done"], "done,", len(d["matrix"]), "rows in the matrix")')"
echo "== $(nproc) cores; data set generated in ${GEN_SECS}s, ${DB_SIZE} on disk; root: $TOTAL"
echo "== wrk -t2 -c16 -d$DURATION --latency (after a $WARMUP warm-up), loopback, bearer token of supervisor"

failed=0
ROWS=()
for i in "${!NAMES[@]}"; do
  name="${NAMES[$i]}" url="$URL${PATHS[$i]}" c="${CONNS[$i]}"
  t=2; [ "$c" -ge 2 ] || t=1
  code="$(curl -s -o "$OUT/$i.body" -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $ZEREN_TOKEN" "$url" || echo 000)"
  if [[ "$code" != 2* ]]; then
    echo "   $name: HTTP $code — not measured" >&2
    ROWS+=("$(printf '%-50s %4s %9s %8s %8s %8s %7s' "$name" "$c" "HTTP $code" - - - -)")
    failed=1
    continue
  fi
  echo "   $name …"
  wrk -t"$t" -c"$c" -d"$WARMUP" -s "$TMP/ledger.lua" "$url" >/dev/null
  log="$OUT/$i.txt"
  wrk -t"$t" -c"$c" -d"$DURATION" --latency -s "$TMP/ledger.lua" "$url" >"$log"
  rps="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$log")"
  read -r p50 p95 p99 < <(awk '/^LEDGER/ { split($2, a, "="); split($3, b, "="); split($4, c, "="); print a[2], b[2], c[2] }' "$log")
  non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$log")"
  sockerr="$(awk '/Socket errors:/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) s += $i } END { print s + 0 }' "$log")"
  errors=$(( ${non2xx:-0} + ${sockerr:-0} ))
  [ "$errors" -eq 0 ] || failed=1
  ROWS+=("$(printf '%-50s %4s %9s %8s %8s %8s %7s' "$name" "$c" "$rps" "$p50" "$p95" "$p99" "$errors")")
done

{
  echo
  printf '%-50s %4s %9s %8s %8s %8s %7s\n' "target" "conn" "req/s" "p50 ms" "p95 ms" "p99 ms" "errors"
  printf '%s\n' "$(printf '%.0s-' $(seq 1 100))"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "zeren RSS: $RSS_IDLE idle after start, $(rss "$PID") after the runs"
} | tee "$OUT/table.txt"
echo "raw wrk output: $OUT/"
exit "$failed"
