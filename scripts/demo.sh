#!/usr/bin/env bash
# Installs what is missing, builds the package and serves the demo on http://127.0.0.1:8080/.
#   scripts/demo.sh [--port N] [--upstream http://api.geweapi.com/gewe/v2/api]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
exec node demo/serve.js "$@"
