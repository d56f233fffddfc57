#!/usr/bin/env bash
# Installs what is missing, builds the package and serves the demo on http://127.0.0.1:8080/.
#   scripts/demo.sh [--port N] [--host H] [--upstream http://api.geweapi.com/gewe/v2/api] [--help]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v node >/dev/null || { echo "demo: node is missing: install Node.js 20 or newer first" >&2; exit 1; }
# The arguments are checked before anything is built or started: a mistyped flag says why and exits 2.
node demo/cli.js "$@"
for arg in "$@"; do case $arg in --help | -h) exit 0 ;; esac; done
bash scripts/build.sh
exec node demo/serve.js "$@"
