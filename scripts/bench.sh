#!/usr/bin/env bash
# Runs the benchmarks and rewrites BENCHMARKS.md (a few minutes; not part of the test command).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
exec node --expose-gc bench/run.js "$@"
