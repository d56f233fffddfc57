#!/usr/bin/env bash
# The compatibility matrix: the package packed by `npm pack`, installed into a fresh throwaway project per cell under
# test-output/matrix/, and the snippets of the README and docs/ run there against the GeWe stand-in, every cell with
# no setting: Node 20.3.0 (the minimum), 20.x, 22, 24 and 26 (ESM and CommonJS) and 20.2.0 (below it), Deno (current
# and 2.0), Bun, Chromium with no bundler and with Vite 8, 7 and 6 (build and dev server), webpack 5, Rollup and
# esbuild (iife and esm), Workers (wrangler dry-run + Miniflare; @cloudflare/vite-plugin build and dev server), the
# slim entry (Node, Chromium, Vite), TypeScript 5.9 and 7. The pinned tools (tests/matrix/tools/) are installed once
# into ~/.cache/gewe-revoke/matrix/<hash of their lock> (GEWE_MATRIX_CACHE overrides); Node 22, esbuild,
# TypeScript 5.9, wrangler and Miniflare are the root's. Cells can be chosen: `scripts/matrix.sh FILE...` runs only
# those test files (e.g. tests/matrix/node.test.js). Prints the table at the end; exits non-zero when any cell failed.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${SKIP_SETUP:-}" = 1 ] || bash scripts/setup.sh --browser
[ -f pkg/wasm/gewe_revoke_bg.wasm ] || SKIP_SETUP=1 bash scripts/build.sh

say() { printf '\033[1m[matrix]\033[0m %s\n' "$*" >&2; }
start=$SECONDS
rm -rf test-output/matrix
mkdir -p test-output/matrix

say "the pinned tools (installed once per version set; cold: about 520 MB from the npm registry, 1.5 GB installed, 2.5 min)"
node -e "
  const m = await import('./tests/matrix/matrix.js');
  const { dir } = m.toolsDir();
  const fresh = !(await import('node:fs')).existsSync(dir + '/.installed');
  const t = performance.now();
  await m.tools();
  console.error('[matrix] tools in ' + dir + (fresh ? ', installed in ' : ', cached, checked in ') + Math.round(performance.now() - t) + ' ms');
" --input-type=module

say "npm pack ./pkg"
tarball=$(npm pack ./pkg --pack-destination test-output/matrix --loglevel=error | tail -1)
export GEWE_MATRIX_TARBALL="$PWD/test-output/matrix/$tarball"
ls -l "$GEWE_MATRIX_TARBALL" >&2

say "cells (two test files at a time)"
status=0
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(tests/matrix/*.test.js)
node --test --test-concurrency=2 --test-reporter=dot "${files[@]}" || status=$?

node tests/matrix/table.js
say "done in $((SECONDS - start)) s"
exit $status
