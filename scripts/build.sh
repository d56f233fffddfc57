#!/usr/bin/env bash
# Builds the npm package's generated part, pkg/wasm/: release .wasm (cdylib only), web-target bindings, wasm-opt -Oz.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${SKIP_SETUP:-}" = 1 ] || bash scripts/setup.sh

# Cargo writes where CARGO_TARGET_DIR says when it is set (scripts/variants.sh gives its worktree its own).
target=${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/gewe_revoke.wasm
# The lib's default crate-type is rlib for native tests; the shipped wasm is a cdylib alone (an rlib costs ~3 KB gzip).
cargo rustc --quiet --lib --release --target wasm32-unknown-unknown --crate-type cdylib
rm -rf pkg/wasm
# Every runtime we support has TextEncoder.encodeInto, and every entry point (node.js, browser.js, workerd.js) hands
# init the module or its URL, so the glue needs neither fallback.
wasm-bindgen --target web --no-typescript --encode-into always --omit-default-module-path \
  --out-dir pkg/wasm --out-name gewe_revoke "$target"
# The producers and target_features sections are metadata for tools (wasm-bindgen and wasm-opt read the
# latter); nothing reads them once wasm-opt has run. wasm-bindgen's import names carry a 16-digit hash each
# (about 4.5 KB of the .wasm): wasm-opt shortens every import, export and the import module to a letter or two and
# prints the map, which rename-glue.mjs applies to the glue.
mkdir -p target
node_modules/.bin/wasm-opt -Oz --minify-imports-and-exports-and-modules --strip-producers --strip-target-features \
  pkg/wasm/gewe_revoke_bg.wasm -o pkg/wasm/gewe_revoke_bg.wasm > target/wasm-names.json
node scripts/rename-glue.mjs target/wasm-names.json pkg/wasm/gewe_revoke.js
raw=$(wc -c < pkg/wasm/gewe_revoke_bg.wasm)
gz=$(gzip -9 -c pkg/wasm/gewe_revoke_bg.wasm | wc -c)
echo "[build] pkg/wasm/gewe_revoke_bg.wasm: $raw bytes, $gz bytes gzip -9" >&2
