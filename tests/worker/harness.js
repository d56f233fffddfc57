// The Worker as a deploy packages it: bundled by `wrangler deploy --dry-run`, run in workerd through Miniflare with
// the compatibility settings and bindings of worker/wrangler.toml (the dry run prints bindings but writes none).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const API_KEY = 'worker-api-key-5f3a9c';

/** compatibility_date and compatibility_flags as worker/wrangler.toml sets them, so workerd runs what a deploy runs. */
function compatibility() {
  const toml = readFileSync(`${ROOT}worker/wrangler.toml`, 'utf8');
  const date = toml.match(/^compatibility_date\s*=\s*"([^"]+)"/m);
  const flags = toml.match(/^compatibility_flags\s*=\s*(\[[^\]]*\])/m);
  assert.ok(date, 'wrangler.toml sets compatibility_date');
  return { compatibilityDate: date[1], compatibilityFlags: flags ? JSON.parse(flags[1]) : [] };
}
export const COMPAT = compatibility();

/** Bundles worker/ with wrangler (on Node 22) into test-output/<name>, as `wrangler deploy` would; returns its stdout. */
export function dryRun(name) {
  const dist = `${ROOT}test-output/${name}`;
  rmSync(dist, { recursive: true, force: true });
  // An absolute --outdir: wrangler resolves a relative one against worker/.
  const run = spawnSync('bash', ['scripts/wrangler.sh', 'deploy', '--dry-run', '--outdir', dist], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, `wrangler deploy --dry-run failed:\n${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /--dry-run: exiting now/);
  const files = readdirSync(dist);
  assert.ok(files.includes('index.js') && files.some((f) => f.endsWith('.wasm')), files.join(', '));
  return { dist, stdout: run.stdout };
}

/** Miniflare options for the bundle in `dist` with these bindings. */
export function workerOptions(dist, bindings) {
  return {
    modules: true,
    scriptPath: `${dist}/index.js`,
    modulesRules: [{ type: 'ESModule', include: ['**/*.js'] }, { type: 'CompiledWasm', include: ['**/*.wasm'] }],
    ...COMPAT,
    bindings,
  };
}

/** The bundled Worker with its ledger (SQLite-backed Durable Objects, persisted in `persist` when given). */
export function ledgerWorker(dist, bindings, { persist, ...options } = {}) {
  return new Miniflare({
    ...workerOptions(dist, bindings),
    durableObjects: { LEDGER: { className: 'Ledger', useSQLite: true } },
    ...(persist ? { durableObjectsPersist: persist } : {}),
    cf: false,
    ...options,
  });
}

/** Polls `check` until it returns a truthy value (which is returned), failing after `ms`. */
export async function until(what, check, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
