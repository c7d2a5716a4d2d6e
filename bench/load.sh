#!/usr/bin/env bash
# Load test: Zeren against the bare-axum floor, on loopback, with wrk.
#
#   bench/load.sh
#   BENCH_DURATION=30s bench/load.sh
#   ZEREN_BENCH_USER=secretary bench/load.sh  # authenticated targets too, as that demo user
#   ZEREN_TOKEN=… bench/load.sh               # … or with this bearer token (for a server
#                                             #     whose database already has it)
#   ZEREN_TOKEN_CMD='…' bench/load.sh         # … or a command that prints a token once zeren
#                                             #     is up (gets ZEREN_BIN, ZEREN_URL, ZEREN_DATA_DIR)
#
# Builds --release `zeren` and the `bare` example (crates/web/examples/bare.rs), starts both
# on free 127.0.0.1 ports (zeren on a fresh temp data dir with the demo loaded), warms each
# target up, then runs `wrk -t2 -c16 -d10s --latency` per target and prints one table:
# req/s, p50, p99, errors, and req/s as a share of the bare floor; then the servers' RSS.
# Raw wrk output goes to bench/out/<time>/ (ignored by git). Benchmarks are never assertions:
# the exit status is non-zero only when a target did not answer 2xx.
#
# To add a target, add one `target` line below; `auth` makes wrk send the bearer token
# (bench/bearer.lua). Without a token, `auth` targets are listed as not measured.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

THREADS="${BENCH_THREADS:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-16}"
DURATION="${BENCH_DURATION:-10s}"
WARMUP="${BENCH_WARMUP:-2s}"
CLOCK="${ZEREN_BENCH_CLOCK:-2026-11-28}"
OUT="$ROOT/bench/out/$(date +%Y%m%d-%H%M%S)"

if ! command -v wrk >/dev/null; then
  echo "== installing wrk"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk
fi
command -v curl >/dev/null || { echo "load.sh: curl is missing" >&2; exit 1; }

echo "== cargo build --release (zeren, example bare)"
# One invocation, so both see the same features and zeren-web is compiled once.
cargo build --release -p zeren -p zeren-web --bins --example bare
ZEREN_BIN="$ROOT/target/release/zeren"
BARE_BIN="$ROOT/target/release/examples/bare"

TMP="$(mktemp -d -t zeren-bench.XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_ready NAME PID URL: waits (at most 30 s) for URL to answer 2xx while PID lives.
wait_ready() {
  local name=$1 pid=$2 url=$3
  for _ in $(seq 1 150); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "load.sh: $name exited before answering; its log:" >&2
      cat "$TMP/$name.log" >&2
      exit 1
    fi
    curl -fs -o /dev/null --max-time 1 "$url" && return 0
    sleep 0.2
  done
  echo "load.sh: $name did not answer $url within 30 s" >&2
  cat "$TMP/$name.log" >&2
  exit 1
}

rss() { awk '/^VmRSS:/ { printf "%.1f MiB", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }

BARE_PORT="$(free_port)"
"$BARE_BIN" "127.0.0.1:$BARE_PORT" >"$TMP/bare.log" 2>&1 &
BARE_PID=$!
PIDS+=("$BARE_PID")
BARE="http://127.0.0.1:$BARE_PORT"

ZEREN_PORT="$(free_port)"
ZEREN_DATA_DIR="$TMP/data"
env -u ZEREN_LOG "$ZEREN_BIN" --data-dir "$ZEREN_DATA_DIR" serve --demo --clock "$CLOCK" \
  --addr "127.0.0.1:$ZEREN_PORT" >"$TMP/zeren.log" 2>&1 &
ZEREN_PID=$!
PIDS+=("$ZEREN_PID")
ZEREN="http://127.0.0.1:$ZEREN_PORT"

wait_ready bare "$BARE_PID" "$BARE/"
wait_ready zeren "$ZEREN_PID" "$ZEREN/api/v1/health"
ZEREN_RSS_IDLE="$(rss "$ZEREN_PID")"

if [ -z "${ZEREN_TOKEN:-}" ] && [ -z "${ZEREN_TOKEN_CMD:-}" ] && [ -n "${ZEREN_BENCH_USER:-}" ]; then
  # `zeren user token create` prints the token alone on its last line.
  ZEREN_TOKEN_CMD='"$ZEREN_BIN" --data-dir "$ZEREN_DATA_DIR" user token create "$ZEREN_BENCH_USER" | tail -n1'
fi
if [ -z "${ZEREN_TOKEN:-}" ] && [ -n "${ZEREN_TOKEN_CMD:-}" ]; then
  ZEREN_TOKEN="$(ZEREN_BIN="$ZEREN_BIN" ZEREN_URL="$ZEREN" ZEREN_DATA_DIR="$ZEREN_DATA_DIR" \
    ZEREN_BENCH_USER="${ZEREN_BENCH_USER:-}" bash -c "$ZEREN_TOKEN_CMD")"
  [ -n "$ZEREN_TOKEN" ] || { echo "load.sh: ZEREN_TOKEN_CMD printed no token" >&2; exit 1; }
fi
export ZEREN_TOKEN="${ZEREN_TOKEN:-}"

# ---- targets: name | url | "auth" to send the bearer token ------------------------------
# The first target is the floor the others are compared to.
NAMES=() URLS=() AUTHS=()
target() { NAMES+=("$1"); URLS+=("$2"); AUTHS+=("${3:-}"); }

target "bare GET /" "$BARE/"
target "zeren GET /api/v1/health" "$ZEREN/api/v1/health"
target "zeren GET /api/v1/policies/cqu-mse-2021-6" "$ZEREN/api/v1/policies/cqu-mse-2021-6" auth
target "zeren GET / (landing page, anonymous)" "$ZEREN/"
target "zeren GET /api/v1/me" "$ZEREN/api/v1/me" auth
target "zeren GET /api/v1/orgs/cqu-mse (org with posts)" "$ZEREN/api/v1/orgs/cqu-mse" auth
target "zeren GET / (signed-in home page)" "$ZEREN/" auth
# ------------------------------------------------------------------------------------------

# Latency as printed by wrk (850.00us, 1.23ms, 1.02s) in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n *= 60000;
    else if (v ~ /s$/) n *= 1000
    printf "%.2f", n }'
}

# CPU busy (all cores, %) over one second, before any load: wrk and the servers share the
# cores, so anything else running (a build, another session's tests) lowers every figure.
cpu_busy() {
  local a b
  a=($(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)); sleep 1
  b=($(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat))
  awk -v u=$((b[0] - a[0])) -v i=$((b[1] - a[1])) 'BEGIN { printf "%.0f", (u + i > 0 ? 100 * u / (u + i) : 0) }'
}
BUSY_BEFORE="$(cpu_busy)"

mkdir -p "$OUT"
echo "== wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency (after a $WARMUP warm-up), loopback"
echo "   $(nproc) cores; $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2);" \
  "zeren $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo '+dirty')"

failed=0
BARE_RPS=""
ROWS=()
for i in "${!NAMES[@]}"; do
  name="${NAMES[$i]}" url="${URLS[$i]}"
  wrk_args=(-t"$THREADS" -c"$CONNECTIONS" --latency)
  curl_args=(-s -o /dev/null -w '%{http_code}' --max-time 5)
  if [ "${AUTHS[$i]}" = auth ]; then
    if [ -z "$ZEREN_TOKEN" ]; then
      echo "   $name: needs a token (ZEREN_BENCH_USER, ZEREN_TOKEN) — not measured"
      ROWS+=("$(printf '%-52s %10s %9s %9s %8s %8s' "$name" "no token" - - - -)")
      continue
    fi
    name="$name (bearer)"
    wrk_args+=(-s "$ROOT/bench/bearer.lua")
    curl_args+=(-K -) # the header comes on stdin, so the token stays out of `ps`
  fi
  code="$(printf 'header = "Authorization: Bearer %s"\n' "$ZEREN_TOKEN" |
    curl "${curl_args[@]}" "$url" || echo 000)"
  if [[ "$code" != 2* ]]; then
    echo "   $name: HTTP $code before the run — not measured" >&2
    ROWS+=("$(printf '%-52s %10s %9s %9s %8s %8s' "$name" "HTTP $code" - - - -)")
    failed=1
    continue
  fi
  echo "   $name …"
  wrk "${wrk_args[@]}" -d"$WARMUP" "$url" >/dev/null
  log="$OUT/$i.txt"
  wrk "${wrk_args[@]}" -d"$DURATION" "$url" >"$log"
  rps="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$log")"
  p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' "$log")")"
  p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' "$log")")"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$log")"
  sockerr="$(awk '/Socket errors:/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) s += $i }
    END { print s + 0 }' "$log")"
  errors=$(( ${non2xx:-0} + ${sockerr:-0} ))
  [ "$errors" -eq 0 ] || failed=1
  [ -n "$BARE_RPS" ] || BARE_RPS="$rps"
  ratio="$(awk -v a="$rps" -v b="$BARE_RPS" 'BEGIN { printf "%.1f%%", (b > 0 ? 100 * a / b : 0) }')"
  ROWS+=("$(printf '%-52s %10s %9s %9s %8s %8s' "$name" "$rps" "$p50" "$p99" "$errors" "$ratio")")
done

{
  echo
  printf '%-52s %10s %9s %9s %8s %8s\n' "target" "req/s" "p50 ms" "p99 ms" "errors" "vs bare"
  printf '%s\n' "$(printf '%.0s-' $(seq 1 101))"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "zeren RSS: $ZEREN_RSS_IDLE idle after start, $(rss "$ZEREN_PID") after the run" \
    "(bare: $(rss "$BARE_PID"))"
  echo "CPU busy before the run (no load from us): $BUSY_BEFORE%, after: $(cpu_busy)%"
  if [ "$BUSY_BEFORE" -gt 10 ]; then
    echo "WARNING: the machine was not idle; these figures are low. Run again when it is."
  fi
} | tee "$OUT/table.txt"
echo "raw wrk output: $OUT/"
exit "$failed"
