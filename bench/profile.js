// Where a call's CPU goes end to end: `node bench/profile.js [concurrency] [calls]` runs revokeMsg and the
// hand-written fetch against the stand-in (its own process) under V8's sampling profiler, one child process each,
// and prints CPU per call by where the code lives: gewe-revoke's wasm and glue, undici, Node's internals, GC.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { selfTimePerCall } from './cpuprofile.js';
import { standinProcess } from './standin-process.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIR = `${ROOT}bench/out/profile/`;
const [concurrency = '16', calls = '15000'] = process.argv.slice(2).filter((a) => !a.startsWith('--'));

if (process.argv.includes('--child')) {
  const [, , variant, baseUrl, token, appId, c, n] = process.argv.filter((a) => a !== '--child');
  const { load } = await import('./load.js');
  const { revokeParams } = await import('./fixture.js');
  const params = revokeParams(appId);
  const options = { token, baseUrl };
  // Each child loads only its own variant, so the baseline's profile holds none of the library (not even its start).
  const revoke = variant === 'lib' ? (await import('gewe-revoke')).revokeMsg : (await import('./plain.js')).plainRevoke;
  const call = () => revoke(params, options);
  const run = async (total) => {
    const { errors } = await load(call, total, Number(c));
    if (errors) throw new Error(`${errors} of ${total} calls failed`);
  };
  await run(2000); // warm-up, inside the profile too: it is small beside the measured calls
  const cpu = process.cpuUsage();
  await run(Number(n));
  const used = process.cpuUsage(cpu);
  console.log(JSON.stringify({ cpuUsPerCall: (used.user + used.system) / Number(n) }));
  process.exit(0);
}

const PLACES = ['gewe-revoke glue (JS)', "wasm (gewe-revoke, and undici's llhttp)", 'undici (fetch)', 'Node internals', 'hand-written baseline (plain.js)', '(garbage collector)'];

/** Where a sampled function's code lives. */
function place({ url, functionName }) {
  return url.includes('gewe_revoke.js')
    ? PLACES[0]
    : url.includes('/pkg/wasm/') || (url.startsWith('wasm://') && !url.includes('undici'))
      ? PLACES[1]
      : url.includes('undici')
        ? 'undici (fetch)'
        : url.startsWith('node:')
          ? 'Node internals'
          : url.includes('plain.js')
            ? 'hand-written baseline (plain.js)'
            : functionName.startsWith('(') ? functionName : 'native and other';
}

const standin = await standinProcess();
try {
  const { baseUrl, token, appId } = standin;
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const rows = {};
  for (const variant of ['lib', 'plain']) {
    const run = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${DIR}`, `--cpu-prof-name=${variant}.cpuprofile`, fileURLToPath(import.meta.url), '--child', variant, baseUrl, token, appId, concurrency, calls], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
    if (run.status !== 0) throw new Error(`${variant}: ${run.stderr}`);
    rows[variant] = { ...JSON.parse(run.stdout), places: selfTimePerCall(`${DIR}${variant}.cpuprofile`, Number(calls) + 2000, place) };
  }
  console.log(`CPU per call at concurrency ${concurrency}, ${calls} calls: gewe-revoke ${rows.lib.cpuUsPerCall.toFixed(0)} µs, hand-written ${rows.plain.cpuUsPerCall.toFixed(0)} µs`);
  console.log('\n| where (self time per call, µs) | gewe-revoke | hand-written |\n| --- | ---: | ---: |');
  // Every place, sampled or not, so the table always has the same rows.
  const places = new Set([...PLACES, ...rows.lib.places.keys(), ...rows.plain.places.keys()]);
  for (const place of places) {
    const cell = (v) => (rows[v].places.get(place) ?? 0).toFixed(1);
    console.log(`| ${place} | ${cell('lib')} | ${cell('plain')} |`);
  }
} finally {
  standin.stop();
}
