// gewe-revoke benchmarks: every figure measured in one run beside its plain-JavaScript baseline, several rounds,
// median and spread. `node --expose-gc bench/run.js` writes BENCHMARKS.md; `--smoke` runs a few hundred calls and
// writes nothing (the test command runs it so the harness cannot rot).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { revokeMsg, buildRevokeRequest, parseSendReceipt, GeweClient } from 'gewe-revoke';
import { airtightRevoke, buildPlain, parsePlain, plainRevoke } from './plain.js';
import { inMemory, revokeParams, SENT } from './fixture.js';
import { keptSections } from './sections.js';
import { load as runLoad } from './load.js';
import { standinProcess } from './standin-process.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = `${ROOT}bench/out/`;
const SMOKE = process.argv.includes('--smoke');
const N = SMOKE
  ? { coldProcs: 3, buildCalls: 300, buildRounds: 3, e2eCalls: 300, e2eRounds: 2, workerdCalls: 200, workerdRounds: 1, memoryCalls: 500 }
  : { coldProcs: 25, buildCalls: 20_000, buildRounds: 7, e2eCalls: 20_000, e2eRounds: 3, workerdCalls: 5_000, workerdRounds: 3, memoryCalls: 100_000 };

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const spread = (xs) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
const fmt = (x, digits = 2) => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(digits));
const ratio = (a, b) => (a / b).toFixed(3);
/** A Markdown table row. */
const row = (...cells) => `| ${cells.join(' | ')} |`;
/** A table row for per-call timings (µs, one figure per round): label, median, spread, calls × rounds. */
const timed = (label, xs) => row(label, fmt(median(xs), 3), spread(xs), `${N.buildCalls} × ${N.buildRounds}`);
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const log = (...a) => console.error('[bench]', ...a);

/** Bytes per wasm section (code, data, imports, …), read from the module's own section table. */
function sections(wasm) {
  const names = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'data count', 'tag'];
  const out = {};
  let at = 8; // magic + version
  const leb = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = wasm[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < wasm.length) {
    const id = wasm[at++];
    const size = leb();
    const name = names[id] ?? `#${id}`;
    out[name] = (out[name] ?? 0) + size;
    at += size;
  }
  return out;
}

function sizes() {
  const wasm = readFileSync(`${ROOT}pkg/wasm/gewe_revoke_bg.wasm`);
  const glue = ['wasm/gewe_revoke.js', 'api.js', 'error.js'].map((f) => readFileSync(`${ROOT}pkg/${f}`));
  const measure = (buf) => ({ raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length, brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length });
  const entries = ['node.js', 'browser.js', 'workerd.js'].map((entry) => ({ entry, ...measure(Buffer.concat([...glue, readFileSync(`${ROOT}pkg/${entry}`)])) }));
  // gewe-revoke/callbacks' own .wasm (scripts/build-callbacks.sh): loaded only by parseCallback's users.
  const callbacks = measure(readFileSync(`${ROOT}pkg/wasm/gewe_revoke_callbacks_bg.wasm`));
  return { wasm: measure(wasm), callbacks, entries, sections: sections(wasm), crates: crates() };
}

/**
 * Where the code goes, by crate: twiggy over the release .wasm before wasm-bindgen and wasm-opt (the only build
 * that still has function names), as shares of its code and data. `null` when twiggy is not installed.
 */
function crates() {
  const wasm = `${ROOT}target/wasm32-unknown-unknown/release/gewe_revoke.wasm`;
  const run = spawnSync('twiggy', ['top', '-n', '100000', '--format', 'json', wasm], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (run.status !== 0) return null;
  const groups = [
    ['gewe-revoke: the core (`core`)', /gewe_revoke::core::/],
    ['gewe-revoke: the shell (`wasm`)', /gewe_revoke::wasm::|^revokeMsg|^buildRevokeRequest|^parseSendReceipt|^gewecl|^__wbg_gewecl/],
    ['serde, serde-wasm-bindgen (with its key cache, a hashbrown map)', /serde|hashbrown/],
    ['wasm-bindgen, js-sys (bindings, closures, externref table)', /wasm_bindgen|js_sys|__wbindgen|__externref|__wbg|closure/],
    ['allocator (lol_alloc)', /lol_alloc|__rust_alloc|__rust_dealloc|__rust_realloc|__rdl_/],
    ['std: formatting', /fmt|Formatter|pad_integral|Display|Debug/],
    ['std: the rest (strings, collections, panics)', /^<?(core|alloc|std)(\[|::)|<(str|char)>|__rustc|mem(cpy|set|cmp|move|chr)/],
    ['data (messages, tables)', /^data segment/],
  ];
  const totals = new Map(groups.map(([name]) => [name, 0]));
  totals.set('other', 0);
  for (const item of JSON.parse(run.stdout)) {
    // Sections, and the descriptor functions that wasm-bindgen reads and then removes.
    if (/custom section|names" subsection|^elem|^table|^type\[|^import |^export |describe/i.test(item.name)) continue;
    const group = groups.find(([, re]) => re.test(item.name))?.[0] ?? 'other';
    totals.set(group, totals.get(group) + item.shallow_size);
  }
  const all = [...totals.values()].reduce((a, b) => a + b, 0);
  return [...totals].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).map(([name, bytes]) => ({ name, bytes, share: bytes / all }));
}

/** Import + instantiation in fresh Node processes, against a plain JS module of about the same size. */
function coldStart(size) {
  mkdirSync(OUT, { recursive: true });
  const plainPath = `${OUT}plain-module.js`;
  const parts = ['// A plain JS module as large as the .wasm plus its glue: the floor for cold start.'];
  for (let i = 0; parts.join('\n').length < size; i++) {
    parts.push(`export function f${i}(a, b) { const s = 'message ${i}: ' + String(a); if (b > ${i}) return s.toUpperCase(); return s.length + b * ${i}; }`);
  }
  writeFileSync(plainPath, parts.join('\n'));
  const timeImport = (specifier) => {
    const code = `const t=performance.now();await import(${JSON.stringify(specifier)});process.stdout.write(String(performance.now()-t))`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    return Number(run.stdout);
  };
  const lib = [];
  const plain = [];
  for (let i = 0; i < N.coldProcs; i++) {
    lib.push(timeImport('gewe-revoke'));
    plain.push(timeImport(plainPath));
  }
  return { lib, plain, plainBytes: readFileSync(plainPath).length };
}

/** Per-call cost of building the request, rounds alternating, µs per call. */
function requestBuilding(params, options) {
  const time = (fn) => {
    const t = performance.now();
    for (let i = 0; i < N.buildCalls; i++) fn(params, options);
    return ((performance.now() - t) * 1000) / N.buildCalls;
  };
  for (let i = 0; i < 2000; i++) buildRevokeRequest(params, options), buildPlain(params, options); // warm-up
  const lib = [];
  const plain = [];
  const receipt = { lib: [], plain: [] };
  for (let i = 0; i < 2000; i++) parseSendReceipt(SENT), parsePlain(SENT); // warm-up
  for (let r = 0; r < N.buildRounds; r++) {
    lib.push(time(buildRevokeRequest));
    plain.push(time(buildPlain));
    receipt.lib.push(time(() => parseSendReceipt(SENT)));
    receipt.plain.push(time(() => parsePlain(SENT)));
  }
  return { lib, plain, receipt };
}

/** `calls` revokes at `concurrency`: throughput (calls/s) and p50/p99 latency (ms); any failure fails the run. */
async function load(call, calls, concurrency) {
  const { ms, latencies, errors } = await runLoad(call, calls, concurrency);
  if (errors) throw new Error(`${errors} of ${calls} calls failed`);
  return { rps: (calls / ms) * 1000, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

async function endToEnd(params, options) {
  const calls = {
    lib: () => revokeMsg(params, options),
    plain: () => plainRevoke(params, options),
    airtight: () => airtightRevoke(params, options),
  };
  for (const call of Object.values(calls)) await load(call, 500, 8);
  const names = Object.keys(calls);
  const out = {};
  for (const c of [1, 16]) {
    out[c] = { lib: [], plain: [], airtight: [] };
    for (let r = 0; r < N.e2eRounds; r++) {
      // The order rotates each round, so no variant always runs first or last.
      for (let k = 0; k < names.length; k++) {
        const name = names[(r + k) % names.length];
        out[c][name].push(await load(calls[name], N.e2eCalls, c));
      }
    }
  }
  return out;
}

async function workerd(params, options) {
  const dir = `${OUT}worker/`;
  await build({
    entryPoints: [`${ROOT}bench/worker-bench.js`],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    loader: { '.wasm': 'copy' },
    outdir: dir,
    logLevel: 'silent',
  });
  const mf = new Miniflare({
    modules: true,
    scriptPath: `${dir}worker-bench.js`,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2026-07-01',
    cf: false,
    bindings: { TOKEN: options.token, BASE_URL: options.baseUrl, PARAMS: JSON.stringify(params) },
  });
  const run = async (mode, n, c) => {
    const res = await mf.dispatchFetch(`http://bench/?mode=${mode}&n=${n}&c=${c}`);
    const r = await res.json();
    if (r.errors) throw new Error(`${r.errors} workerd calls failed (${mode})`);
    return { rps: (n / r.ms) * 1000, p50: quantile(r.latencies, 0.5), p99: quantile(r.latencies, 0.99) };
  };
  try {
    const modes = { lib: 'lib', plain: 'js', airtight: 'airtight' };
    for (const mode of Object.values(modes)) await run(mode, 200, 8);
    const names = Object.keys(modes);
    const out = {};
    for (const c of [1, 16]) {
      out[c] = { lib: [], plain: [], airtight: [] };
      for (let r = 0; r < N.workerdRounds; r++) {
        // The order rotates each round, as in Node's rounds.
        for (let k = 0; k < names.length; k++) {
          const name = names[(r + k) % names.length];
          out[c][name].push(await run(modes[name], N.workerdCalls, c));
        }
      }
    }
    return out;
  } finally {
    await mf.dispose();
  }
}

/** The library's own cost per call: both variants against the same in-memory `fetch`, so no network or server
 * time hides or blurs it. µs per call, sequential, rounds alternating. */
async function overhead(params) {
  const { answer, options } = inMemory();
  const client = new GeweClient(options);
  const variants = {
    lib: () => revokeMsg(params, options),
    client: () => client.revokeMsg(params),
    plain: () => plainRevoke(params, options, answer),
    airtight: () => airtightRevoke(params, options, answer),
  };
  const time = async (call) => {
    const t = performance.now();
    for (let i = 0; i < N.buildCalls; i++) await call();
    return ((performance.now() - t) * 1000) / N.buildCalls;
  };
  for (const call of Object.values(variants)) for (let i = 0; i < 2000; i++) await call(); // warm-up
  const out = { lib: [], client: [], plain: [], airtight: [] };
  for (let r = 0; r < N.buildRounds; r++) {
    for (const [name, call] of Object.entries(variants)) out[name].push(await time(call));
  }
  return out;
}

/** Crossings between JS and wasm per call of each API (bench/crossings.js, in a process of its own). */
function crossings() {
  const run = spawnSync(process.execPath, [`${ROOT}bench/crossings.js`], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout);
}

/** Memory of each variant in its own fresh process (bench/memory.js), so nothing else this run did is counted. */
function memory(standin) {
  const measure = (variant) => {
    const run = spawnSync(process.execPath, ['--expose-gc', `${ROOT}bench/memory.js`, variant, standin.baseUrl, standin.token, standin.appId, String(N.memoryCalls)], { cwd: ROOT, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    return JSON.parse(run.stdout);
  };
  return { lib: measure('lib'), plain: measure('plain'), calls: N.memoryCalls };
}

function machine() {
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  return { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memory: `${Math.round(totalmem() / 2 ** 30)} GiB`, node: process.version, date: new Date().toISOString().slice(0, 10), commit };
}

/** The airtight baseline's throughput in the same rounds, against plain fetch: what the library's rules cost in JS. */
function airtightLine(data) {
  const rps = (xs) => median(xs.map((x) => x.rps));
  const each = [1, 16].map((c) => `concurrency ${c}, ${fmt(rps(data[c].airtight))} calls/s, ${ratio(rps(data[c].airtight), rps(data[c].plain))}× plain fetch`);
  return `Hand-written JS held to the library's own rules (\`airtightRevoke\`, the same rounds): ${each.join('; ')}.`;
}

/** The targets, each met or missed by this run's figures. */
function targets({ size, building, cost, e2e, edge, mem }) {
  const rps = (xs) => median(xs.map((x) => x.rps));
  const worst = (data) => Math.min(...[1, 16].map((c) => rps(data[c].lib) / rps(data[c].plain)));
  const node = worst(e2e);
  const workerd = worst(edge);
  const build = median(building.lib) / median(building.plain);
  const receipt = median(building.receipt.lib) / median(building.receipt.plain);
  const call = median(cost.lib) / median(cost.plain);
  const clientCall = median(cost.client) / median(cost.plain);
  const grew = mem.lib.after.wasm - mem.lib.before.wasm + (mem.lib.after.externrefs - mem.lib.before.externrefs);
  const mark = (ok) => (ok ? 'met' : '**missed**');
  return [
    '## Targets',
    '',
    `| target | this run | |`,
    `| --- | --- | --- |`,
    `| .wasm at most 30 KB gzip | ${kb(size.wasm.gzip)} | ${mark(size.wasm.gzip <= 30 * 1024)} |`,
    `| a call through \`GeweClient\` at most 1.15× the hand-written call, without the network | ${clientCall.toFixed(2)}× | ${mark(clientCall <= 1.15)} |`,
    `| a call through \`revokeMsg\` at most 1.25× the hand-written call, without the network | ${call.toFixed(2)}× | ${mark(call <= 1.25)} |`,
    `| \`buildRevokeRequest\` at most 1.5× hand-written JS | ${build.toFixed(2)}× | ${mark(build <= 1.5)} |`,
    `| \`parseSendReceipt\` at most 1.5× hand-written JS | ${receipt.toFixed(2)}× | ${mark(receipt <= 1.5)} |`,
    `| end-to-end throughput at least 0.95× plain fetch, Node, concurrency 1 and 16 | worst ${node.toFixed(3)}× | ${mark(node >= 0.95)} |`,
    `| end-to-end throughput at least 0.95× plain fetch, workerd, concurrency 1 and 16 | worst ${workerd.toFixed(3)}× | ${mark(workerd >= 0.95)} |`,
    `| no memory growth (wasm memory + externref table) | ${grew === 0 ? 'none' : `${grew}`} | ${mark(grew === 0)} |`,
    '',
  ];
}

function report({ m, size, cold, building, cost, e2e, edge, mem }) {
  const e2eRows = (data) =>
    [1, 16].flatMap((c) => {
      const lib = data[c].lib;
      const plain = data[c].plain;
      const rps = (xs) => median(xs.map((x) => x.rps));
      const p = (xs, k) => median(xs.map((x) => x[k]));
      return [
        row(`${c}`, 'throughput (calls/s)', fmt(rps(lib)), fmt(rps(plain)), ratio(rps(lib), rps(plain)), `${spread(lib.map((x) => x.rps))} / ${spread(plain.map((x) => x.rps))}`),
        row(`${c}`, 'p50 latency (ms)', fmt(p(lib, 'p50'), 3), fmt(p(plain, 'p50'), 3), ratio(p(lib, 'p50'), p(plain, 'p50')), ''),
        row(`${c}`, 'p99 latency (ms)', fmt(p(lib, 'p99'), 3), fmt(p(plain, 'p99'), 3), ratio(p(lib, 'p99'), p(plain, 'p99')), ''),
      ];
    });
  const lines = [
    '# Benchmarks',
    '',
    `Written by \`bench/run.js\` (run it with \`bash scripts/bench.sh\`). Machine: ${m.cpu}, ${m.cores} cores, ${m.memory}; Node ${m.node}; ${m.date}; commit ${m.commit}.`,
    'Every figure is measured in the same run as its baseline: plain JavaScript doing the same work (`bench/plain.js`). Ratios are gewe-revoke / plain; for throughput above 1 is better, for time and latency below 1 is better. The GeWe stand-in runs in its own process on 127.0.0.1 with keep-alive.',
    '',
    '## 1. Size',
    '',
    row('artifact', 'raw', 'gzip -9', 'brotli 11'),
    row('---', '---:', '---:', '---:'),
    row('`pkg/wasm/gewe_revoke_bg.wasm`', `${size.wasm.raw} B`, `${size.wasm.gzip} B (${kb(size.wasm.gzip)})`, `${size.wasm.brotli} B`),
    ...size.entries.map((e) => row(`JS glue + \`${e.entry}\``, `${e.raw} B`, `${e.gzip} B`, `${e.brotli} B`)),
    row('`pkg/wasm/gewe_revoke_callbacks_bg.wasm` (gewe-revoke/callbacks only)', `${size.callbacks.raw} B`, `${size.callbacks.gzip} B (${kb(size.callbacks.gzip)})`, `${size.callbacks.brotli} B`),
    '',
    `Where the .wasm's bytes go, by section: ${Object.entries(size.sections).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v} B`).join(', ')}.`,
    '',
    ...(size.crates
      ? [
          'By crate (twiggy, over the release build before wasm-bindgen and wasm-opt, which still has names; shares of its code and data):',
          '',
          row('part', 'bytes', 'share'),
          row('---', '---:', '---:'),
          ...size.crates.map((c) => row(c.name, `${c.bytes} B`, `${(c.share * 100).toFixed(1)}%`)),
          '',
        ]
      : ['(twiggy is not installed: `cargo install twiggy --locked` adds the breakdown by crate.)', '']),
    '## 2. Cold start (import + wasm instantiation in a fresh Node process)',
    '',
    row('module', 'median (ms)', 'spread (ms)', 'processes'),
    row('---', '---:', '---:', '---:'),
    row('`gewe-revoke` (node entry: read + compile + instantiate)', fmt(median(cold.lib), 3), spread(cold.lib), cold.lib.length),
    row(`plain JS module of ${cold.plainBytes} B (the floor)`, fmt(median(cold.plain), 3), spread(cold.plain), cold.plain.length),
    row('ratio', ratio(median(cold.lib), median(cold.plain)), '', ''),
    '',
    '## 3. Request building (`buildRevokeRequest` vs a hand-written JS function with the same validation and the same `Request`)',
    '',
    row('variant', 'µs per call (median)', 'spread', 'calls × rounds'),
    row('---', '---:', '---:', '---:'),
    timed('gewe-revoke', building.lib),
    timed('hand-written JS', building.plain),
    row('ratio (target ≤ 1.5)', ratio(median(building.lib), median(building.plain)), '', ''),
    '',
    '`parseSendReceipt` vs a hand-written parse that quotes the ids before `JSON.parse`, with the same checks:',
    '',
    row('variant', 'µs per call (median)', 'spread', 'calls × rounds'),
    row('---', '---:', '---:', '---:'),
    timed('gewe-revoke', building.receipt.lib),
    timed('hand-written JS', building.receipt.plain),
    row('ratio', ratio(median(building.receipt.lib), median(building.receipt.plain)), '', ''),
    '',
    `## 4. Cost per call without the network (\`revokeMsg\` vs the hand-written call, both with the same in-memory \`fetch\`)`,
    '',
    row('variant', 'µs per call (median)', 'spread', 'calls × rounds'),
    row('---', '---:', '---:', '---:'),
    timed('`revokeMsg(params, options)`', cost.lib),
    timed('`client.revokeMsg(params)`', cost.client),
    timed('hand-written JS (same validation, deadline and checks)', cost.plain),
    row('ratio, `revokeMsg` / `client.revokeMsg`', `${ratio(median(cost.lib), median(cost.plain))} / ${ratio(median(cost.client), median(cost.plain))}`, '', ''),
    timed('hand-written JS held to the library\'s own rules (`airtightRevoke`)', cost.airtight),
    row('ratio, `airtightRevoke` / hand-written', ratio(median(cost.airtight), median(cost.plain)), '', ''),
    '',
    'What each call crosses between JS and wasm (`bench/crossings.js` counts them; a count, so it does not vary between runs or machines), and what that many bare crossings cost:',
    '',
    row('call', 'wasm → JS (imports)', 'JS → wasm (exports)', 'as bare crossings (µs)'),
    row('---', '---:', '---:', '---:'),
    ...Object.entries(cost.crossings.calls).map(([call, n]) => row(`\`${call}\``, n.imports, n.exports, fmt(((n.imports + n.exports) * cost.crossings.bareCrossingNs) / 1000, 2))),
    '',
    `A bare crossing (a wasm loop calling a JS function that tests its argument for \`undefined\`) took ${fmt(cost.crossings.bareCrossingNs, 1)} ns in this run. The count times this is what the transitions themselves cost. Merging crossings would save that and the wasm-bindgen shims' own work (the catching wrappers, the string copies' setup), but not what each crossing is for: a property still has to be read, a string still copied.`,
    '',
    '`airtightRevoke` (in `bench/plain.js`) does what the library\'s rules ask in plain JavaScript: own properties only, one deadline raced against the fetch and the body read, the request aborted when it wins, `instanceof Response`, the body read only within the byte cap. Where its ratio is near 1 and the library\'s is not, the difference is the library\'s own work (the crossings between JS and wasm, the glue, the promise bridges), not its rules.',
    '',
    'The in-memory `fetch` answers what the network would: GeWe\'s JSON with its `Content-Length`, so the body is read in one step, as it is from a real server (a body without one is streamed under the byte cap).',
    '',
    `## 5. End to end in Node: \`revokeMsg\` vs hand-written \`fetch\` (${N.e2eCalls} calls per round, ${N.e2eRounds} rounds, rotating order)`,
    '',
    row('concurrency', 'figure', 'gewe-revoke', 'plain fetch', 'ratio', 'spread of rounds (lib / plain)'),
    row('---:', '---', '---:', '---:', '---:', '---'),
    ...e2eRows(e2e),
    '',
    airtightLine(e2e),
    '',
    `## 6. End to end inside workerd (Miniflare): the same comparison (${N.workerdCalls} calls per round, ${N.workerdRounds} rounds)`,
    '',
    'workerd advances its clock only on I/O, so per-call latencies there have 1 ms resolution.',
    '',
    row('concurrency', 'figure', 'gewe-revoke', 'plain fetch', 'ratio', 'spread of rounds (lib / plain)'),
    row('---:', '---', '---:', '---:', '---:', '---'),
    ...e2eRows(edge),
    '',
    airtightLine(edge),
    '',
    `## 7. Memory (each variant in a fresh process: warm-up of 2,000 calls, then ${mem.calls.toLocaleString('en-US')} successful and ${Math.ceil(mem.calls / 5).toLocaleString('en-US')} failing calls; heap after GC)`,
    '',
    row('figure', 'after warm-up', 'after the calls', 'growth', 'plain fetch: growth'),
    row('---', '---:', '---:', '---:', '---:'),
    row('wasm linear memory', `${mem.lib.before.wasm} B`, `${mem.lib.after.wasm} B`, `${mem.lib.after.wasm - mem.lib.before.wasm} B`, 'n/a'),
    row('externref table (JS values held by wasm)', `${mem.lib.before.externrefs}`, `${mem.lib.after.externrefs}`, `${mem.lib.after.externrefs - mem.lib.before.externrefs}`, 'n/a'),
    row('JS heap used', kb(mem.lib.before.heap), kb(mem.lib.after.heap), kb(mem.lib.after.heap - mem.lib.before.heap), kb(mem.plain.after.heap - mem.plain.before.heap)),
    row('process RSS', kb(mem.lib.before.rss), kb(mem.lib.after.rss), kb(mem.lib.after.rss - mem.lib.before.rss), kb(mem.plain.after.rss - mem.plain.before.rss)),
    '',
    ...targets({ size, building, cost, e2e, edge, mem }),
  ];
  return lines.join('\n');
}

async function main() {
  const m = machine();
  log(SMOKE ? 'smoke run' : 'full run', m);
  const size = sizes();
  const standin = await standinProcess();
  try {
    const params = revokeParams(standin.appId);
    const options = { token: standin.token, baseUrl: standin.baseUrl };
    log('cold start');
    const cold = coldStart(size.wasm.raw + size.entries[0].raw);
    log('request building');
    const building = requestBuilding(params, options);
    log('overhead per call (in-memory fetch)');
    const cost = await overhead(params);
    cost.crossings = crossings();
    log('end to end (node)');
    const e2e = await endToEnd(params, options);
    log('end to end (workerd)');
    const edge = await workerd(params, options);
    log('memory');
    const mem = memory(standin);
    const md = report({ m, size, cold, building, cost, e2e, edge, mem });
    if (SMOKE) console.log(md);
    else writeFileSync(`${ROOT}BENCHMARKS.md`, `${md.trimEnd()}\n${keptSections()}`), log('wrote BENCHMARKS.md');
    return md;
  } finally {
    standin.stop();
  }
}

await main();
