#!/usr/bin/env bash
# Runs every test: installs what is missing, builds the package, then the Rust core (fmt, clippy, cargo test),
# the TypeScript declarations, and the Node, workerd (Miniflare) and Chromium tests against the GeWe stand-in,
# a smoke run of the benchmarks so the harness cannot rot, the compatibility matrix (the packed package in fresh
# projects on every runtime and bundler the README names; its tools are cached after the first run), and a fuzz
# smoke run (5 s per target) where a nightly toolchain exists.
#   scripts/test.sh --quick   the inner loop: build, then the Rust tests and the Node tests only
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

if [ "${1:-}" = "--quick" ]; then
  step "build the package (installs what is missing)"
  bash scripts/build.sh
  step "Rust: cargo test"
  cargo test --quiet
  step "JavaScript: the Node tests"
  node --test --test-concurrency=1 tests/node/*.test.js
  exit 0
elif [ $# -gt 0 ]; then
  echo "usage: scripts/test.sh [--quick]" >&2
  exit 2
fi

step "setup"
bash scripts/setup.sh --browser

step "build the package"
SKIP_SETUP=1 bash scripts/build.sh

step "Rust: fmt, clippy (native and wasm32), cargo test"
cargo fmt --check
cargo clippy --quiet --all-targets -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown --features callbacks --target-dir target/callbacks -- -D warnings
cargo test --quiet

step "TypeScript declarations (tsc --strict)"
node_modules/.bin/tsc -p tests/types/tsconfig.json

step "JavaScript: Node, workerd and Chromium tests, benchmark smoke run"
node --test --test-concurrency=1 tests/node/*.test.js tests/worker/*.test.js tests/browser/*.test.js bench/*.test.js

step "compatibility matrix: the packed package in fresh projects, every runtime and bundler (scripts/matrix.sh)"
SKIP_SETUP=1 bash scripts/matrix.sh

step "fuzz smoke (scripts/fuzz.sh, 5 s per target)"
if rustup toolchain list | grep -q '^nightly'; then
  bash scripts/fuzz.sh 5
else
  echo "fuzz smoke skipped: no nightly toolchain"
fi
