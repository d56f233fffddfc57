#!/usr/bin/env bash
# Runs the benchmarks and rewrites BENCHMARKS.md (a few minutes; not part of the test command, which runs their
# smoke versions).
# Installs twiggy (the breakdown of the .wasm by crate) when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
command -v twiggy >/dev/null || cargo install twiggy --version 0.8.0 --locked
node --expose-gc bench/run.js "$@"
# Where one call's time goes, beside the hand-written call (BENCHMARKS.md, "Profile of one call"); a smoke run
# writes nothing, so it profiles nothing either.
case " $* " in
  *" --smoke "*) ;;
  *) node bench/profile-call.js --write ;;
esac
