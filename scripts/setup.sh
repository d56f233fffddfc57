#!/usr/bin/env bash
# Installs what building, the demo and the tests need, only when it is missing. Idempotent.
#   scripts/setup.sh            Rust wasm target, the pinned wasm-bindgen-cli, npm packages
#   scripts/setup.sh --browser  ... and Debian's Chromium for the browser tests
#   scripts/setup.sh --fuzz     ... and cargo-fuzz for scripts/fuzz.sh, when a nightly toolchain is present
# The flags combine (--browser --fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
want() { case " $ARGS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
ARGS="$*"

command -v cargo >/dev/null || { say "cargo is missing: install Rust with rustup first"; exit 1; }
command -v node >/dev/null || { say "node is missing: install Node.js 20 or newer first"; exit 1; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
for component in clippy rustfmt; do
  rustup component list --installed | grep -q "^$component" || rustup component add "$component"
done

# wasm-bindgen-cli must be the exact version Cargo.toml pins for the wasm-bindgen crate.
pinned=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml)
if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$pinned" ]; then
  say "installing wasm-bindgen-cli $pinned (about 3 minutes)"
  cargo install wasm-bindgen-cli --version "$pinned" --locked
fi

# npm ci only when package-lock.json changed since the last install.
stamp=node_modules/.setup-stamp
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
  touch "$stamp"
fi

# Debian's Chromium for the browser tests, and CJK fonts so screenshots show GeWe's Chinese text.
if want --browser && { [ ! -x /usr/bin/chromium ] || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; }; then
  say "installing Debian's chromium and fonts-noto-cjk"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi

# cargo-fuzz (libFuzzer) only on request and only with a nightly toolchain, which it needs; none is downloaded.
if want --fuzz && ! command -v cargo-fuzz >/dev/null; then
  if rustup toolchain list | grep -q '^nightly'; then
    say "installing cargo-fuzz (about a minute)"
    cargo install cargo-fuzz --locked
  else
    say "no nightly toolchain: cargo-fuzz not installed (scripts/fuzz.sh needs nightly)"
  fi
fi
