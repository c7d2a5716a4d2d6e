# Sourced by bench/ledger.sh and bench/mixed.sh: builds `zeren`, generates the university-size
# demo into a fresh SQLite data dir and serves it on a free 127.0.0.1 port.
#
# Reads NAME (the calling script, for messages), PROFILE (release or debug) and CLOCK. Sets BIN,
# TMP (removed on exit, with the server stopped), DATA, GEN_SECS, DB_SIZE, PID, URL; defines
# `token USER` (a bearer token for a demo account) and `rss PID` / `peak PID` (MiB).

command -v wrk >/dev/null || { echo "$NAME: wrk is not installed (apt-get install wrk)" >&2; exit 1; }

if [ "$PROFILE" = release ]; then
  echo "== cargo build --release -p zeren"
  # As bench/load.sh builds it, so the scripts share one release build.
  cargo build --release -p zeren -p zeren-web --bins --example bare
else
  echo "== cargo build -p zeren"
  cargo build -p zeren
fi
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/$PROFILE/zeren"

TMP="$(mktemp -d -t "zeren-$NAME.XXXXXX")"
PID=""
cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill "$PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

DATA="$TMP/data"
unset DATABASE_URL
export ZEREN_LANG=zh-CN

echo "== zeren demo --scale university --clock $CLOCK"
start=$(date +%s.%N)
"$BIN" --data-dir "$DATA" demo --scale university --clock "$CLOCK"
GEN_SECS="$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
DB_SIZE="$(du -sh "$DATA" | cut -f1)"

# `zeren user token create` prints the token alone on its last line.
token() {
  local t
  t="$("$BIN" --data-dir "$DATA" user token create "$1" | tail -n1)"
  [ -n "$t" ] || { echo "$NAME: no token for $1" >&2; exit 1; }
  printf '%s' "$t"
}

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
env -u ZEREN_LOG "$BIN" --data-dir "$DATA" serve --clock "$CLOCK" --addr "127.0.0.1:$PORT" \
  >"$TMP/zeren.log" 2>&1 &
PID=$!
URL="http://127.0.0.1:$PORT"
for _ in $(seq 1 150); do
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "$NAME: zeren exited before answering; its log:" >&2
    cat "$TMP/zeren.log" >&2
    exit 1
  fi
  curl -fs -o /dev/null --max-time 1 "$URL/api/v1/health" && break
  sleep 0.2
done

rss() { awk '/^VmRSS:/ { printf "%.1f MiB", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }
peak() { awk '/^VmHWM:/ { printf "%.1f MiB", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }
