// Airtight: the adversarial suite. Every case runs in its own Node process (tests/node/airtight/child.js <case>)
// against real servers on 127.0.0.1 and Node's own fetch, so that a hang, a crash, an uncaught exception, an
// unhandled rejection or a top-level await that never settles (exit code 13) fails that case instead of stopping
// the run. The contract being checked: one GeweError for every failure (1), one deadline (2), bounded answers (3),
// no redirects (4), own properties only (5), at most once after delivery (6), redaction (7), one URL judge (8),
// a success is a success (9), revokeMany de-duplication (10).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./airtight/child.js', import.meta.url));
const LONELY = fileURLToPath(new URL('./airtight/lonely.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CASE_TIMEOUT_MS = 15_000;

/** Runs `node [flags] script arg`, killing it after `timeoutMs`. */
function run(script, arg, { flags = [], timeoutMs = CASE_TIMEOUT_MS } = {}) {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(process.execPath, [...flags, script, arg], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, ms: performance.now() - start });
    });
  });
}

const tail = (s, n = 12_000) => (s.length > n ? `…${s.slice(-n)}` : s);
const output = (r) => `\n--- stdout ---\n${tail(r.stdout)}\n--- stderr ---\n${tail(r.stderr)}`;

/** Fails unless the process ended by itself, with code 0, and printed nothing about an escaped error. */
function judge(r, what) {
  if (r.timedOut) assert.fail(`${what} did not finish within ${CASE_TIMEOUT_MS} ms (a hang)${output(r)}`);
  if (r.code === 13) assert.fail(`${what} exited with 13: a top-level await never settled (the call's promise was left pending with nothing to keep the process alive)${output(r)}`);
  if (r.code !== 0) assert.fail(`${what} exited with ${r.code ?? r.signal}${output(r)}`);
  for (const escaped of ['uncaughtException', 'unhandledRejection']) {
    if (r.stdout.includes(escaped) || r.stderr.includes(escaped)) assert.fail(`${what}: an ${escaped} in the child${output(r)}`);
  }
}

/** Runs one case in a child process; repeats its measurement lines here. */
async function runCase(name, options) {
  const r = await run(CHILD, name, options);
  for (const line of r.stdout.split('\n')) if (line.startsWith('[airtight-measure]')) console.log(line);
  judge(r, `case ${name}`);
  assert.match(r.stdout, new RegExp(`^AIRTIGHT PASS ${name}$`, 'm'), `case ${name} did not report passing${output(r)}`);
}

const GC = { flags: ['--expose-gc'] };

test('(1) fetch resolving a non-Response, or a real Response whose status/headers/body getters throw: BAD_RESPONSE, fetch called once', () => runCase('hostile-answers'));
test('(1) a body stream that errors or yields strings: a final GeweError after one call', () => runCase('hostile-streams'));
test('(1) thenables whose then throws, a Promise with a throwing constructor getter, thrown oddities: NETWORK, one call, settles', () => runCase('hostile-thenables'));
test('(1) fake or booby-trapped signals, revoked and throwing Proxies as list, params and options; a Proxy list with one throwing item', () => runCase('hostile-inputs'));
test('(1) hostile calls fail at once while an unrelated call (stand-in, slow 300 ms) resolves on time', () => runCase('hostile-unrelated'));

test('(2) an injected fetch that ignores the signal and never resolves: TIMEOUT at timeoutMs, ABORTED when the signal fires', () => runCase('deadline-fetch-never'));
test('(2) a body that never ends (injected, real server, fetch dropping the signal): TIMEOUT', () => runCase('deadline-body-never'));
test('(2) revokeMany bounds never-resolving items by the signal and by timeoutMs', () => runCase('deadline-many'));
for (const [variant, outcome, min, max] of [
  ['fetch', 'TIMEOUT', 450, 4000],
  ['body', 'TIMEOUT', 450, 4000],
  ['abort', 'ABORTED', 250, 4000],
  ['success', 'ok', 0, 4000],
]) {
  test(`(2) a script whose only pending work is one call (${variant}) settles with ${outcome}: no exit 13, no lingering timer`, async () => {
    const r = await run(LONELY, variant);
    judge(r, `lonely ${variant}`);
    const m = r.stdout.match(new RegExp(`^LONELY ${variant} (\\S+)(?: \\S+)? (\\d+)$`, 'm'));
    assert.ok(m, `no outcome line${output(r)}`);
    assert.equal(m[1], outcome, output(r));
    const ms = Number(m[2]);
    assert.ok(ms >= min && ms < max, `settled after ${ms} ms${output(r)}`);
    // The process ends once the call settled: nothing (a deadline timer) keeps it alive for the default 10 s.
    assert.ok(r.ms < ms + 3000, `the process lived ${r.ms.toFixed(0)} ms, the call settled at ${ms} ms${output(r)}`);
  });
}

test('(3) maxResponseBytes is a whole number 1..=67108864 in revokeMsg, client and request options', () => runCase('bounded-options'));
test('(3) a 64 MB answer with Content-Length: BAD_RESPONSE at once, the read cancelled (memory reported)', () => runCase('bounded-64mb-length', GC));
test('(3) a 64 MB chunked answer without Content-Length: BAD_RESPONSE at once, the read cancelled (memory reported)', () => runCase('bounded-64mb-chunked', GC));
test('(3) the cap counts bytes exactly, per client too, after gzip decoding; an injected endless stream is cancelled', () => runCase('bounded-edges'));
test('(3) apiMsg is capped at 1000 characters, body and location at 200', () => runCase('bounded-caps'));
test('(3) 10,000 oversized answers (4 KB, maxResponseBytes 1024): no heap or wasm growth between 1,000 and 10,000 (reported)', () => runCase('bounded-10k', { ...GC, timeoutMs: 40_000 }));

test('(4) 301/302/303/307/308 to another origin: HTTP_STATUS with location, not followed, not retried; a loop sends one request', () => runCase('redirect-never-followed'));
test('(4) buildRevokeRequest and the init given to fetch say redirect: manual', () => runCase('redirect-manual-init'));

test('(5) a polluted Object.prototype changes nothing: own token, appId, ids, baseUrl, fetch, signal, timeoutMs, retries, window, cap', () => runCase('pollution-prototype'));

test('(6) reset and truncated are final (one request, maybeDelivered); refused and 503 are retried (not delivered)', () => runCase('delivery-standin'));
test('(6) only ECONNREFUSED, ENOTFOUND, EAI_AGAIN and UND_ERR_CONNECT_TIMEOUT are retried among thrown fetch errors', () => runCase('delivery-thrown'));
test('(6) every GeweError has an own boolean maybeDelivered with the right value', () => runCase('delivery-matrix'));

test('(7) tokens with <, >, double spaces, a trailing [, ", \\, /, % never leak: HTML, plain text, JSON-escaped, Location, thrown errors', () => runCase('redaction-echoes'));

test('(8) http://999.1.1.1/x, http://[1:2]/x and a fullwidth @ are INVALID_OPTIONS/baseUrl everywhere, fetch never called', () => runCase('urls-one-judge'));

test('(9) ret 200 with data nested 100 deep or of 100 KB resolves without data; API_ERROR likewise', () => runCase('success-large-data'));

test('(10) revokeMany sends duplicates once and gives them the same outcome object', () => runCase('many-duplicates'));
