#!/usr/bin/env bash
# Browser tests: builds zeren, serves the demo on a free loopback port with a fixed clock,
# and runs tests/browser/*.test.mjs in Debian's chromium (playwright-core).
#
#   tests/browser/run.sh                      # all test files
#   tests/browser/run.sh tests/browser/pages.test.mjs
#   ZEREN_BIN=target/debug/zeren tests/browser/run.sh   # that binary, not built here
#
# Needs /usr/bin/chromium (Debian packages chromium, fonts-noto-cjk), node and npm.
# Screenshots land in tests/browser/artifacts/, and the list of pages checked for
# accessibility (axe-core, WCAG 2.1 AA; see lib.mjs) in artifacts/a11y-checked.tsv.
# Exits with the tests' status.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"

CLOCK="${ZEREN_BROWSER_CLOCK:-2026-11-28}"
ARTIFACTS="$ROOT/tests/browser/artifacts"

command -v node >/dev/null || { echo "run.sh: node is missing" >&2; exit 1; }
[ -x "${ZEREN_CHROMIUM:-/usr/bin/chromium}" ] || {
  echo "run.sh: ${ZEREN_CHROMIUM:-/usr/bin/chromium} is missing (apt-get install chromium fonts-noto-cjk)" >&2
  exit 1
}
if [ ! -d tests/browser/node_modules/playwright-core ] || [ ! -d tests/browser/node_modules/axe-core ]; then
  (cd tests/browser && npm ci --no-audit --no-fund)
fi

# ZEREN_BIN: a zeren built already (CI passes the one `cargo test --workspace` built: building
# `-p zeren` alone unifies other features and compiles a good part of the tree again).
if [ -n "${ZEREN_BIN:-}" ]; then
  BIN="$(cd "$(dirname "$ZEREN_BIN")" && pwd)/$(basename "$ZEREN_BIN")"
  [ -x "$BIN" ] || { echo "run.sh: ZEREN_BIN=$ZEREN_BIN is not an executable" >&2; exit 1; }
  echo "== browser tests: $BIN (built already)"
else
  echo "== browser tests: cargo build -p zeren"
  cargo build -p zeren
  BIN="$ROOT/target/debug/zeren"
fi

TMP="$(mktemp -d -t zeren-browser.XXXXXX)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A free loopback port: the kernel picks one, we release it and hand it to zeren.
PORT="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
URL="http://127.0.0.1:$PORT"

echo "== browser tests: zeren serve --demo --clock $CLOCK on $URL"
"$BIN" --data-dir "$TMP/data" serve --demo --clock "$CLOCK" --addr "127.0.0.1:$PORT" \
  >"$TMP/server.log" 2>&1 &
SERVER_PID=$!

# Wait (at most 30 s) for GET /api/v1/health to answer 200.
ready=""
for _ in $(seq 1 150); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "run.sh: zeren exited before it answered; its log:" >&2
    cat "$TMP/server.log" >&2
    exit 1
  fi
  if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' \
    "$URL/api/v1/health" 2>/dev/null; then
    ready=1
    break
  fi
  sleep 0.2
done
if [ -z "$ready" ]; then
  echo "run.sh: zeren did not answer $URL/api/v1/health within 30 s; its log:" >&2
  cat "$TMP/server.log" >&2
  exit 1
fi

rm -rf "$ARTIFACTS"
mkdir -p "$ARTIFACTS"

if [ "$#" -gt 0 ]; then
  FILES=("$@")
else
  FILES=(tests/browser/*.test.mjs)
fi

echo "== browser tests: node --test ${FILES[*]}"
status=0
ZEREN_URL="$URL" ZEREN_ARTIFACTS="$ARTIFACTS" \
  node --test --test-reporter=spec "${FILES[@]}" || status=$?

echo "== browser tests: screenshots"
shopt -s nullglob
for f in "$ARTIFACTS"/*.png; do echo "  $f"; done
if [ -f "$ARTIFACTS/a11y-checked.tsv" ]; then
  echo "== browser tests: accessibility (axe-core, WCAG 2.1 AA): $(wc -l <"$ARTIFACTS/a11y-checked.tsv") pages checked" \
    "($(cut -f1,2 "$ARTIFACTS/a11y-checked.tsv" | sort -u | wc -l) distinct role × address)," \
    "$(grep -vc $'\t-$' "$ARTIFACTS/a11y-checked.tsv" || true) with violations; see $ARTIFACTS/a11y-checked.tsv"
fi

if [ "$status" -ne 0 ]; then
  echo "browser tests FAILED (status $status); zeren's log (last 40 lines):" >&2
  tail -n 40 "$TMP/server.log" >&2
else
  echo "browser tests passed"
fi
exit "$status"
