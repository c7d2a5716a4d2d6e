#!/usr/bin/env bash
# Builds the fuzz targets and runs each for a bounded time: `fuzz/run.sh [TARGET] [SECONDS]`.
# Every target (`cargo fuzz list`) when none is named; 40 s each unless told. Exits non-zero on
# the first crash, after printing its input in hex. Needs the nightly toolchain and cargo-fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."

only="${1:-}"
seconds="${2:-${FUZZ_SECONDS:-40}}"
sanitizer="${SANITIZER:-none}"
# The dev profile unless FUZZ_RELEASE=1: it builds in half the time (what CI, which builds from
# nothing, spends most of its fuzzing on), and its overflow checks and debug assertions are
# more for a run to find; the release build runs more inputs a second, for long runs.
build=(--dev)
[ "${FUZZ_RELEASE:-0}" = 1 ] && build=()
# The flags of the build and of every run must be the same, or `cargo fuzz run` builds again.
build+=(--sanitizer "$sanitizer" --codegen-units 16)
flags=(+nightly fuzz run "${build[@]}")

if ! rustup toolchain list | grep -q '^nightly'; then
  echo "FAIL: no nightly toolchain (rustup toolchain list); cargo fuzz needs one" >&2
  exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "FAIL: cargo-fuzz is not installed (cargo install cargo-fuzz --locked)" >&2
  exit 1
fi

# Nightly may warn where stable does not: the main workspace's -D warnings is not for this build.
unset RUSTFLAGS
# The targets stage uploads and spool workbooks in temporary files: kept inside the clone.
export TMPDIR="$PWD/fuzz/tmp"
rm -rf "$TMPDIR"
mkdir -p "$TMPDIR"

start=$(date +%s)
cargo +nightly fuzz build "${build[@]}"
echo "fuzz build: $(( $(date +%s) - start )) s"

targets=$(cargo +nightly fuzz list)
[ -n "$only" ] && targets="$only"
for t in $targets; do
  mkdir -p "fuzz/corpus/$t"
  dirs=("fuzz/corpus/$t")
  [ -d "fuzz/seeds/$t" ] && dirs+=("fuzz/seeds/$t")
  opts=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 -print_final_stats=1)
  [ -f "fuzz/dict/$t.dict" ] && opts+=(-dict="fuzz/dict/$t.dict")
  echo "== fuzz $t (${seconds} s)"
  t0=$(date +%s)
  if ! cargo "${flags[@]}" "$t" "${dirs[@]}" -- "${opts[@]}" 2>"fuzz/$t.log"; then
    tail -n 60 "fuzz/$t.log" >&2
    for f in fuzz/artifacts/"$t"/*; do
      [ -f "$f" ] || continue
      echo "input $f (hex):" >&2
      od -An -v -tx1 "$f" | tr -d ' \n' | head -c 8192 >&2
      echo >&2
    done
    echo "FAIL: fuzz target $t crashed" >&2
    exit 1
  fi
  grep -E '^stat::number_of_executed_units|^Done ' "fuzz/$t.log" || true
  echo "fuzz $t: ok in $(( $(date +%s) - t0 )) s"
done
rm -rf "$TMPDIR"
echo "fuzz: $(echo $targets | wc -w) targets, no crash, $(( $(date +%s) - start )) s in all"
