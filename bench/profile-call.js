// Where one call's time goes, without the network and on the loopback: `node bench/profile-call.js [--write]`.
//
// 1. CPU per call under V8's sampling profiler, `client.revokeMsg` and the hand-written airtight call
//    (bench/plain.js) on the in-memory `fetch` of BENCHMARKS.md section 4, one child process each. The library runs
//    from a copy of the package whose .wasm keeps its function names (wasm-bindgen's output before wasm-opt), so
//    wasm time is split by Rust module; the copy is a little slower than the shipped one, which only widens it.
// 2. The loopback call cut into stages (before `fetch`, `fetch`, between the Response and `text()`, `text()`,
//    after it), timed through an injected `fetch` and `Response.prototype.text`, beside the airtight call. At
//    concurrency 1 a call is a chain of these stages, so a stage's extra time is the end-to-end gap.
// `--write` puts the tables into BENCHMARKS.md between the `profile` markers (bench/run.js keeps them); `--smoke`
// runs a few hundred calls, for the test that keeps the script working.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { selfTimePerCall } from './cpuprofile.js';
import { writeSection } from './sections.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIR = `${ROOT}bench/out/profile-call/`;
const SMOKE = process.argv.includes('--smoke') || process.env.PROFILE_SMOKE === '1';
const CALLS = SMOKE ? 2_000 : 30_000;
const STAGE_CALLS = SMOKE ? 100 : 3_000;
const WARM = SMOKE ? 100 : 3_000;

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4]);
  process.exit(0);
}

/** One profiled run (`cpu`) or the stage timings (`stages`) of one variant, as JSON on stdout. */
async function child(what, variant) {
  const { inMemory, revokeParams } = await import('./fixture.js');
  const { airtightRevoke } = await import('./plain.js');
  const lib = variant === 'lib' ? await import(pathToFileURL(`${DIR}pkg/node.js`).href) : null;
  if (what === 'cpu') {
    const { options } = inMemory();
    const params = revokeParams('wx_a');
    const client = lib && new lib.GeweClient(options);
    const call = lib ? () => client.revokeMsg(params) : () => airtightRevoke(params, options, options.fetch);
    for (let i = 0; i < WARM; i++) await call();
    // The profiler runs around the timed calls only: start-up, imports, the .wasm's compilation and the warm-up
    // stay out of the table, so its rows add up to the wall time per call.
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    // A smoke run samples every 100 µs so that its few calls still name each part of a call; a full run keeps V8's
    // 1 ms, which distorts less (a finer interval slows both variants by half) and still takes thousands of samples.
    if (SMOKE) await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    const t = performance.now();
    for (let i = 0; i < CALLS; i++) await call();
    const usPerCall = ((performance.now() - t) * 1000) / CALLS;
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    writeFileSync(`${DIR}${variant}.cpuprofile`, JSON.stringify(profile));
    console.log(JSON.stringify({ usPerCall }));
    return;
  }
  const { standinProcess } = await import('./standin-process.js');
  const standin = await standinProcess();
  try {
    const at = {};
    const text = Response.prototype.text;
    Response.prototype.text = function () {
      at.text = performance.now();
      return text.call(this).then((body) => ((at.body = performance.now()), body));
    };
    const timed = (url, init) => ((at.fetch = performance.now()), fetch(url, init).then((r) => ((at.response = performance.now()), r)));
    const options = { token: standin.token, baseUrl: standin.baseUrl, fetch: timed };
    const params = revokeParams(standin.appId);
    const call = lib ? () => lib.revokeMsg(params, options) : () => airtightRevoke(params, options, timed);
    const sums = { 'before fetch': 0, fetch: 0, 'Response to text()': 0, 'text()': 0, 'after text()': 0, whole: 0 };
    for (let round = 0; round < 2; round++) {
      for (const k of Object.keys(sums)) sums[k] = 0; // the first round warms up
      for (let i = 0; i < STAGE_CALLS; i++) {
        const start = performance.now();
        await call();
        const end = performance.now();
        sums['before fetch'] += at.fetch - start;
        sums.fetch += at.response - at.fetch;
        sums['Response to text()'] += at.text - at.response;
        sums['text()'] += at.body - at.text;
        sums['after text()'] += end - at.body;
        sums.whole += end - start;
      }
    }
    console.log(JSON.stringify(Object.fromEntries(Object.entries(sums).map(([k, ms]) => [k, (ms * 1000) / STAGE_CALLS]))));
  } finally {
    standin.stop();
  }
}

/** The package with a .wasm that keeps its names: pkg/ with wasm-bindgen's output for the release build. */
function namedPackage() {
  // Where scripts/build.sh had Cargo write it (CARGO_TARGET_DIR when set).
  const target = process.env.CARGO_TARGET_DIR ? `${process.env.CARGO_TARGET_DIR.replace(/\/$/, '')}/` : `${ROOT}target/`;
  const wasm = `${target}wasm32-unknown-unknown/release/gewe_revoke.wasm`;
  if (!existsSync(wasm) || !existsSync(`${ROOT}pkg/wasm/gewe_revoke_bg.wasm`)) throw new Error('build first: bash scripts/build.sh');
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  cpSync(`${ROOT}pkg`, `${DIR}pkg`, { recursive: true });
  rmSync(`${DIR}pkg/wasm/gewe_revoke.js`);
  rmSync(`${DIR}pkg/wasm/gewe_revoke_bg.wasm`);
  const args = ['--target', 'web', '--no-typescript', '--encode-into', 'always', '--omit-default-module-path', '--out-dir', `${DIR}pkg/wasm`, '--out-name', 'gewe_revoke', wasm];
  const run = spawnSync('wasm-bindgen', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`wasm-bindgen: ${run.stderr || run.error}`);
}

/** Where a sample's function lives: a Rust module for wasm, the glue, the hand-written call, or a part of Node. */
function place({ url, functionName: name }) {
  if (url.includes('.wasm') || name.startsWith('wasm-')) {
    const rust = /gewe_revoke::(?:core|wasm)::\w+|lol_alloc|wasm_bindgen|js_sys|alloc|core|std/.exec(name.replace(/^wasm-to-js:\S*?-/, ''));
    const module = rust?.[0].replace('gewe_revoke::', '') ?? 'other';
    return `wasm: ${['alloc', 'core', 'std', 'lol_alloc'].includes(module) ? 'std and the allocator' : module}`;
  }
  if (url.includes('gewe_revoke.js')) return 'JS glue (wasm-bindgen)';
  if (url.includes('/pkg/')) return 'JS entry (pkg/*.js)';
  if (url.includes('plain.js')) return 'hand-written call (plain.js)';
  if (url.includes('undici')) return 'Node: fetch, Response (undici)';
  if (/abort_controller|js_transferable|event_target/.test(url) || name === 'JSTransferable') return 'Node: AbortController';
  if (/webstreams|readablestream/.test(url)) return 'Node: web streams';
  if (/timers/.test(url)) return 'Node: timers';
  if (/encoding/.test(url) || /^(encodeInto|decodeUTF8|encodeUtf8String)$/.test(name)) return 'Node: TextEncoder, TextDecoder';
  if (name === '(garbage collector)') return 'garbage collector';
  if (name === '(program)' || name === '(idle)') return 'V8 (program, idle)';
  return 'other (Node internals, natives, the driver)';
}

function runChild(args) {
  const env = { ...process.env, PROFILE_SMOKE: SMOKE ? '1' : '0' };
  const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 300_000, env });
  if (run.status !== 0) throw new Error(`${args.join(' ')}: ${run.stderr || run.error}`);
  return JSON.parse(run.stdout);
}

namedPackage();
const me = fileURLToPath(import.meta.url);
const cpu = {};
for (const variant of ['lib', 'plain']) {
  const timing = runChild([me, '--child', 'cpu', variant]);
  cpu[variant] = { ...timing, places: selfTimePerCall(`${DIR}${variant}.cpuprofile`, CALLS, place) };
}
const stages = { lib: runChild([me, '--child', 'stages', 'lib']), plain: runChild([me, '--child', 'stages', 'plain']) };

const f = (x) => x.toFixed(1);
const lines = [];
const say = (s = '') => lines.push(s);
say('<!-- profile: begin (written by `node bench/profile-call.js --write`; bench/run.js keeps it) -->');
say('## Profile of one call (what stands between the library and hand-written JavaScript)');
say();
say(`Node ${process.version}; commit ${spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim()}; \`node bench/profile-call.js\`.`);
say();
say(`### CPU per call without the network (\`client.revokeMsg\` vs \`airtightRevoke\`, the in-memory \`fetch\`, ${CALLS} calls, V8's sampling profiler)`);
say();
say(`Wall time per call under the profiler (the profile covers these calls only): gewe-revoke ${f(cpu.lib.usPerCall)} µs (its .wasm with names, without wasm-opt), hand-written ${f(cpu.plain.usPerCall)} µs. Self time per call:`);
say();
say('| where | gewe-revoke (µs) | hand-written (µs) | difference (µs) |');
say('| --- | ---: | ---: | ---: |');
const keys = [...new Set([...cpu.lib.places.keys(), ...cpu.plain.places.keys()])];
const get = (v, k) => cpu[v].places.get(k) ?? 0;
keys.sort((a, b) => get('lib', b) - get('plain', b) - (get('lib', a) - get('plain', a)));
for (const k of keys) say(`| ${k} | ${f(get('lib', k))} | ${f(get('plain', k))} | ${f(get('lib', k) - get('plain', k))} |`);
say();
say(`### The loopback call in stages (\`revokeMsg\` vs \`airtightRevoke\` against the stand-in in its own process, concurrency 1, ${STAGE_CALLS} calls after as many to warm up; mean µs)`);
say();
say('| stage | gewe-revoke | hand-written | difference |');
say('| --- | ---: | ---: | ---: |');
for (const k of Object.keys(stages.lib)) say(`| ${k} | ${f(stages.lib[k])} | ${f(stages.plain[k])} | ${f(stages.lib[k] - stages.plain[k])} |`);
say();
say('`fetch` and `text()` are Node\'s own work for both; the other stages are each side\'s: reading the params and options, the deadline and the `init` (before `fetch`), checking the `Response` and its headers (to `text()`), and reading the answer into a result (after `text()`).');
say('<!-- profile: end -->');
const md = lines.join('\n');
console.log(md);
if (process.argv.includes('--write') && !SMOKE) writeSection('profile', md);
