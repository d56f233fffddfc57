#!/usr/bin/env bash
# Size of the alternatives: builds HEAD and each variant in bench/variants/ with scripts/build.sh, one at a time, in a
# throwaway worktree, and writes bench/variants.json (bench/run.js renders it into BENCHMARKS.md).
#   baseline         HEAD as scripts/build.sh builds it
#   <name>.patch     HEAD with bench/variants/<name>.patch applied; its first lines say what it measures and breaks
#   nightly-...      no patch: nightly flags (build-std, immediate-abort panics); skipped when nightly is missing
# A patch that no longer applies fails the run: that variant must be redone on the current code.
# Only committed code and patches are measured. The main pkg/ is not touched; each variant's package is kept in
# target/variants/pkgs/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$root/target/variants
wt=$work/wt
export CARGO_TARGET_DIR=$work/target
say() { printf '\033[1m[variants]\033[0m %s\n' "$*" >&2; }

# Row order in the table; every bench/variants/*.patch must be listed here.
PATCHES=(serde-in serde-json serde-in+json serializer-new empty-messages no-exchange no-client js-attempt task-slots)
NIGHTLY=nightly-build-std-immediate-abort
NIGHTLY_WHAT="Measures: nightly, -Zbuild-std=std,panic_abort with -Cpanic=immediate-abort and legacy symbol mangling: std's panic messages and their formatting dropped. Breaks: nothing at run time (panics already abort silently), but it needs a nightly toolchain."

start=$SECONDS
commit=$(git rev-parse HEAD)
git diff --quiet HEAD -- src Cargo.toml Cargo.lock scripts bench/variants ||
  say "uncommitted changes under src, Cargo.*, scripts or bench/variants are not measured: HEAD ${commit:0:7} is"

cleanup() {
  git worktree remove --force "$wt" 2>/dev/null || rm -rf "$wt"
  git worktree prune
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cleanup # a worktree left by an interrupted run
mkdir -p "$work"
git worktree add --quiet --detach "$wt" "$commit"
ln -s "$root/node_modules" "$wt/node_modules"
reset() { git -C "$wt" reset --quiet --hard && git -C "$wt" clean --quiet -fd -e /node_modules; }

for p in "$wt"/bench/variants/*.patch; do
  name=$(basename "$p" .patch)
  [[ " ${PATCHES[*]} " == *" $name "* ]] || { say "bench/variants/$name.patch is not listed in PATCHES in scripts/variants.sh"; exit 1; }
done

# Every patch is checked before anything is built, so a stale one fails in seconds and all of them are named.
stale=()
for name in "${PATCHES[@]}"; do
  [ -f "$wt/bench/variants/$name.patch" ] || { say "bench/variants/$name.patch is missing at HEAD"; exit 1; }
  git -C "$wt" apply --check "bench/variants/$name.patch" 2>/dev/null || stale+=("bench/variants/$name.patch")
done
if [ ${#stale[@]} -gt 0 ]; then
  say "these patches no longer apply to HEAD ${commit:0:7}; redo each variant on the current code:"
  printf '  %s\n' "${stale[@]}" >&2
  exit 1
fi

rows=$work/rows.tsv
: > "$rows"
skipped=$work/skipped.tsv
: > "$skipped"
what() { sed '/^diff --git /,$d' "$1" | tr '\n' ' ' | sed 's/  */ /g; s/^ //; s/ $//'; }
# Builds the worktree as it stands and appends one row: name, what, raw, gzip -9 of the .wasm and of the glue (with
# any snippets wasm-bindgen wrote beside it). The built package is kept in target/variants/pkgs/<name>, so that
# `node bench/ab.js` can time two of them against each other.
measure() {
  say "building $1"
  # Explicit returns: under `if` (the nightly row) errexit is off, and a failed build must not record stale files.
  (cd "$wt" && SKIP_SETUP=1 bash scripts/build.sh) || return 1
  local raw gz glue
  raw=$(wc -c < "$wt/pkg/wasm/gewe_revoke_bg.wasm") || return 1
  gz=$(cd "$wt/pkg/wasm" && gzip -9 -c gewe_revoke_bg.wasm | wc -c) || return 1
  glue=$(cd "$wt/pkg/wasm" && find . -name '*.js' | sort | xargs cat | gzip -9 -c | wc -c) || return 1
  rm -rf "$work/pkgs/$1" && mkdir -p "$work/pkgs" && cp -r "$wt/pkg" "$work/pkgs/$1" || return 1
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$raw" "$gz" "$glue" >> "$rows"
}

measure baseline "HEAD as scripts/build.sh builds it."
for name in "${PATCHES[@]}"; do
  patch=$wt/bench/variants/$name.patch
  git -C "$wt" apply "$patch"
  measure "$name" "$(what "$patch")"
  reset
done

if ! rustup toolchain list | grep -q '^nightly'; then
  reason="no nightly toolchain (rustup toolchain install nightly --component rust-src)"
elif ! rustup +nightly component list --installed | grep -qx 'rust-src'; then
  reason="nightly has no rust-src (rustup component add rust-src --toolchain nightly)"
else
  reason=
  if ! RUSTUP_TOOLCHAIN=nightly CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
    RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Csymbol-mangling-version=legacy" \
    measure "$NIGHTLY" "$NIGHTLY_WHAT"; then
    reason="the nightly build failed with $(rustc +nightly -V) (its output is above)"
  fi
fi
if [ -n "$reason" ]; then
  say "skipped $NIGHTLY: $reason"
  printf '%s\t%s\n' "$NIGHTLY" "$reason" >> "$skipped"
fi

node - "$rows" "$skipped" "$commit" "$((SECONDS - start))" > "$work/variants.json" <<'EOF'
const { readFileSync } = require('node:fs');
const { execFileSync } = require('node:child_process');
const [rowsFile, skippedFile, commit, seconds] = process.argv.slice(2);
const lines = (f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t'));
const rows = lines(rowsFile).map(([name, what, raw, gzip, glueGzip]) => ({ name, what, raw: +raw, gzip: +gzip, glueGzip: +glueGzip }));
for (const row of rows) row.delta = row.gzip - rows[0].gzip;
const version = (cmd, ...args) => execFileSync(cmd, args, { encoding: 'utf8' }).trim();
const out = {
  commit,
  date: new Date().toISOString().slice(0, 10),
  tools: {
    rustc: version('rustc', '-V'),
    wasmBindgen: version('wasm-bindgen', '--version'),
    wasmOpt: version('node_modules/.bin/wasm-opt', '--version'),
    gzip: version('gzip', '--version').split('\n')[0],
    ...(rows.some((r) => r.name.startsWith('nightly')) && { nightly: version('rustc', '+nightly', '-V') }),
  },
  seconds: +seconds,
  rows,
  skipped: lines(skippedFile).map(([name, reason]) => ({ name, reason })),
};
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
EOF
mv "$work/variants.json" bench/variants.json
say "wrote bench/variants.json ($((SECONDS - start)) s)"
column -t -s $'\t' < <(cut -f1,3- "$rows") >&2
