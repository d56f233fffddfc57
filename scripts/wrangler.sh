#!/usr/bin/env bash
# Runs the project's pinned wrangler on Node 22 (wrangler needs >= 22.12; the npm package node@22 provides it).
#   scripts/wrangler.sh deploy            deploy worker/ (after `wrangler login` and the two `secret put`s)
#   scripts/wrangler.sh deploy --dry-run  bundle only
#   scripts/wrangler.sh dev               run it locally in workerd (secrets from worker/.dev.vars, see
#                                         worker/.dev.vars.example; e.g. against `node standin/standin.js --port 2531`)
set -euo pipefail
cd "$(dirname "$0")/.."
node22=node_modules/node/bin/node
[ -x "$node22" ] || { echo "run scripts/setup.sh first (node@22 comes with npm ci)" >&2; exit 1; }
export WRANGLER_SEND_METRICS=false WRANGLER_HIDE_BANNER=true CLOUDFLARE_CF_FETCH_ENABLED=false
exec "$node22" node_modules/wrangler/bin/wrangler.js --config worker/wrangler.toml "$@"
