#!/usr/bin/env bash
# Ledger export benchmark: a 100 000-row ledger (台账) written to xlsx, its time and peak RSS.
#
#   bench/export.sh
#   BENCH_ROWS=200000 bench/export.sh     # more obligation rows
#   BENCH_PROFILE=debug bench/export.sh   # use the debug build (faster to build, slower to run)
#
# Builds `zeren` (release), loads the demo on a fresh SQLite data dir — the university-scale
# demo (`zeren demo --scale university`) when the binary has it — then tops the year's
# obligations up to BENCH_ROWS with synthetic rows inserted by SQL (spread over the orgs of the
# university, marked `bench/…`, outside the audit chain: a benchmark database only), and runs
# `zeren export ledger --org cqu --year 2026` under `/usr/bin/time -v`. Prints rows, wall time,
# peak RSS and the file size; raw output goes to bench/out/<time>/ (ignored by git).
# A benchmark, never an assertion: the exit status is non-zero only when the export fails.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

ROWS="${BENCH_ROWS:-100000}"
PROFILE="${BENCH_PROFILE:-release}"
DAY="${ZEREN_BENCH_CLOCK:-2026-11-28}"
YEAR="${DAY%%-*}"
OUT="$ROOT/bench/out/export-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"

if [ ! -x /usr/bin/time ]; then
  echo "== installing time"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends time
fi
command -v sqlite3 >/dev/null || {
  echo "== installing sqlite3"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends sqlite3
}

if [ "$PROFILE" = release ]; then
  echo "== cargo build --release -p zeren"
  # As bench/run builds it, so the two share one release build.
  cargo build --release -p zeren -p zeren-web --bins --example bare
else
  echo "== cargo build -p zeren"
  cargo build -p zeren
fi
BIN="$ROOT/target/$PROFILE/zeren"

DATA="$(mktemp -d -t zeren-export-bench.XXXXXX)"
trap 'rm -rf "$DATA"' EXIT
export ZEREN_DATA_DIR="$DATA" ZEREN_LANG=zh-CN
unset DATABASE_URL

if "$BIN" demo --help 2>/dev/null | grep -q -- '--scale'; then
  echo "== zeren demo --scale university"
  "$BIN" demo --scale university --clock "$DAY" >"$OUT/demo.txt" 2>&1
else
  echo "== zeren demo (no --scale in this build)"
  "$BIN" demo --clock "$DAY" >"$OUT/demo.txt" 2>&1
fi
DB="$DATA/zeren.db"
have=$(sqlite3 "$DB" "SELECT COUNT(*) FROM obligations WHERE year = $YEAR")
orgs=$(sqlite3 "$DB" "SELECT COUNT(*) FROM orgs")
need=$((ROWS - have))
echo "   $orgs orgs, $have obligations of $YEAR"
if [ "$need" -gt 0 ]; then
  echo "== adding $need synthetic obligations (bench/…) to reach $ROWS"
  sqlite3 "$DB" <<SQL
CREATE TEMP TABLE o AS SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS n, id FROM orgs;
WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < $need)
INSERT INTO obligations (id, obligation_key, policy_id, duty_id, subject_kind, subject_id, org_id,
  period, year, due_on, citation, state, completed_on, completion_note, version, created_at, updated_at)
SELECT printf('bench-%09d', i), printf('bench/%09d', i), (SELECT id FROM policies ORDER BY id LIMIT 1),
  CASE i % 4 WHEN 0 THEN 'situation-analysis' WHEN 1 THEN 'cadre-training' WHEN 2 THEN 'youth-education' ELSE 'annual-dedicated-study' END,
  'org', o.id, o.id, printf('$YEAR-b%09d', i), $YEAR,
  printf('$YEAR-%02d-%02d', 1 + i % 12, 1 + i % 28), 'Art.4(2)',
  CASE WHEN i % 3 = 0 THEN 'done' ELSE 'open' END,
  CASE WHEN i % 3 = 0 THEN '$YEAR-01-15' END,
  CASE WHEN i % 3 = 0 THEN '按期完成，材料已归档。' END, 1, 0, 0
FROM k JOIN o ON o.n = k.i % $orgs;
SQL
fi
total=$(sqlite3 "$DB" "SELECT COUNT(*) FROM obligations WHERE year = $YEAR")
echo "   $total obligations of $YEAR"

FILE="$OUT/cqu-$YEAR.xlsx"
echo "== zeren export ledger --org cqu --year $YEAR"
/usr/bin/time -v "$BIN" export ledger --org cqu --year "$YEAR" --out "$FILE" --clock "$DAY" \
  >"$OUT/export.txt" 2>"$OUT/time.txt" || { cat "$OUT/export.txt" "$OUT/time.txt"; exit 1; }
cat "$OUT/export.txt"
wall=$(grep 'Elapsed (wall clock)' "$OUT/time.txt" | awk '{print $NF}')
rss_kb=$(grep 'Maximum resident set size' "$OUT/time.txt" | awk '{print $NF}')
user=$(grep 'User time' "$OUT/time.txt" | awk '{print $NF}')
size=$(stat -c %s "$FILE")
printf '\n%-28s %s\n' "obligation rows ($YEAR):" "$total"
printf '%-28s %s\n' "export wall time:" "$wall"
printf '%-28s %s s\n' "export user CPU:" "$user"
printf '%-28s %s MB\n' "peak RSS:" "$((rss_kb / 1024))"
printf '%-28s %s MB\n' "xlsx size:" "$((size / 1024 / 1024))"
printf '%-28s %s\n' "targets:" "under 3 s, RSS under 300 MB (issue 4)"
echo "raw output: $OUT"
