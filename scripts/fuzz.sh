#!/usr/bin/env bash
# Fuzzes the Rust core (gewe_revoke::core) with cargo-fuzz and libFuzzer; needs a nightly toolchain.
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   default 60 s for each of fuzz/fuzz_targets/*.rs
# Installs cargo-fuzz when it is missing, builds every target once, runs each for the given time on its
# corpus (fuzz/corpus/<target>, seeded by the committed seed-* files) and prints one line per target. A crash
# leaves its input in fuzz/artifacts/<target>/ and makes the script exit 1 after the other targets have run.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[fuzz]\033[0m %s\n' "$*" >&2; }

secs=${1:-60}
[ $# -gt 0 ] && shift
case "$secs" in
  '' | *[!0-9]*) say "usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]"; exit 2 ;;
esac
if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for f in fuzz/fuzz_targets/*.rs; do targets+=("$(basename "$f" .rs)"); done
fi
for t in "${targets[@]}"; do
  [ -f "fuzz/fuzz_targets/$t.rs" ] || { say "no such target: $t (see fuzz/fuzz_targets/)"; exit 2; }
done

if ! rustup toolchain list | grep -q '^nightly'; then
  say "needs a nightly toolchain (rustup toolchain install nightly)"
  exit 1
fi
if ! command -v cargo-fuzz >/dev/null; then
  say "installing cargo-fuzz (about a minute)"
  cargo install cargo-fuzz --locked
fi

# No sanitizer: the core forbids unsafe code; panics, overflows (debug assertions are on), stack exhaustion
# and timeouts are what is looked for, and AddressSanitizer would only slow that down.
flags=(-s none)
logs=fuzz/target/logs
mkdir -p "$logs"
say "building the fuzz targets (cargo +nightly fuzz build -s none)"
if ! cargo +nightly fuzz build "${flags[@]}" >"$logs/build.log" 2>&1; then
  tail -n 40 "$logs/build.log" >&2
  say "build failed (full log: $logs/build.log)"
  exit 1
fi

# Longest input per target: answers and send responses are small, ids and baseUrls shorter still; a
# callback is longer (an ImgBuf thumbnail), but the readers' edges show in a few KB.
max_len() {
  case "$1" in
    id) echo 64 ;;
    options) echo 512 ;;
    redact) echo 1024 ;;
    callback) echo 8192 ;;
    *) echo 4096 ;;
  esac
}

failed=()
for t in "${targets[@]}"; do
  log="$logs/$t.log"
  args=(-max_total_time="$secs" -max_len="$(max_len "$t")" -timeout=10 -print_final_stats=1)
  [ -f "fuzz/dict/$t.dict" ] && args+=(-dict="$PWD/fuzz/dict/$t.dict")
  if cargo +nightly fuzz run "${flags[@]}" "$t" -- "${args[@]}" >"$log" 2>&1; then rc=0; else rc=$?; fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  if [ "$rc" = 0 ]; then
    printf 'fuzz %-8s ok     %10s runs  %7s exec/s  (%s s)\n' "$t" "${runs:-?}" "${rate:-?}" "$secs"
  else
    failed+=("$t")
    printf 'fuzz %-8s FAILED %10s runs  %7s exec/s  (exit %s)\n' "$t" "${runs:-?}" "${rate:-?}" "$rc"
    # The panic message (up to the backtrace), else libFuzzer's own diagnosis (timeout, out of memory, ...).
    if grep -q 'panicked at' "$log"; then
      awk '/panicked at/ { on = 1 } /^stack backtrace:/ { exit } on { print "    " $0 }' "$log"
    else
      grep -m3 -E 'ERROR|SUMMARY' "$log" | sed 's/^/    /' || true
    fi
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    if [ -n "$artifact" ]; then
      echo "    input: ${artifact#"$PWD"/}  (replay: cargo +nightly fuzz run -s none $t ${artifact#"$PWD"/})"
    fi
    echo "    log: $log"
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  say "failed: ${failed[*]}"
  exit 1
fi
