// Helpers for the Airtight cases. Each case runs alone in a child process (see child.js): these helpers may keep
// state for that one process (servers to close at the end).
import assert from 'node:assert/strict';
import { GeweError, parseSendReceipt } from 'gewe-revoke';
import { startStandin } from '../../../standin/standin.js';
import { sendText, startRecorder } from '../../helpers.js';

const cleanups = [];

/** Runs `fn` when the case is over (servers close in reverse order). */
export const onCleanup = (fn) => void cleanups.push(fn);

/** Runs the registered cleanups. */
export async function cleanup() {
  for (const fn of cleanups.reverse()) await fn();
}

/** A GeWe stand-in on 127.0.0.1, closed when the case ends. */
export async function standin(options) {
  const s = await startStandin(options);
  onCleanup(() => s.close());
  return s;
}

/** A recording server on 127.0.0.1 (see tests/helpers.js), closed when the case ends. */
export async function recorder() {
  const r = await startRecorder();
  onCleanup(() => r.close());
  return r;
}

/** A message just sent through the stand-in, as exact revoke params (appId included). */
export async function fresh(s, toWxid) {
  const { type: _type, ...receipt } = parseSendReceipt(await sendText(s, toWxid));
  return { appId: s.appId, ...receipt };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * How `promiseOrFn` settles, within `ms` or the case fails: `{ ok, value | error, ms }`. A function is called
 * first; its synchronous throw counts as a rejection.
 */
export async function settle(promiseOrFn, ms = 4000, what = 'the call') {
  const start = performance.now();
  let promise;
  try {
    promise = Promise.resolve(typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn);
  } catch (error) {
    return { ok: false, error, ms: performance.now() - start };
  }
  let timer;
  const guard = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ ok: true, value, ms: performance.now() - start }),
        (error) => ({ ok: false, error, ms: performance.now() - start }),
      ),
      guard,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A short description of an error for assertion messages. */
export function describe(e) {
  if (!(e instanceof Error)) return `${typeof e}: ${String(e)}`;
  return `${e.name} ${e.code ?? ''}${e.field ? `/${e.field}` : ''}: ${e.message}`;
}

/**
 * Asserts that the call rejects (within `ms`) with a GeweError matching `expected` (`code`, `field`, `status`, ...;
 * a RegExp value is matched against the property). Returns the error and the time it took.
 */
export async function rejects(promiseOrFn, expected = {}, { ms = 4000, label = '' } = {}) {
  const r = await settle(promiseOrFn, ms, label || 'the call');
  const where = label ? `${label}: ` : '';
  assert.ok(!r.ok, `${where}expected a GeweError ${JSON.stringify(expected)}, got success ${JSON.stringify(r.value)}`);
  const e = r.error;
  assert.ok(e instanceof GeweError, `${where}not a GeweError: ${describe(e)}\n${e?.stack ?? ''}`);
  assert.ok(e instanceof Error && e.name === 'GeweError', `${where}not a real Error named GeweError`);
  for (const [key, want] of Object.entries(expected)) {
    if (want instanceof RegExp) assert.match(String(e[key]), want, `${where}${key} of ${describe(e)}`);
    else assert.deepEqual(e[key], want, `${where}${key} of ${describe(e)}`);
  }
  return { error: e, ms: r.ms };
}

/** Asserts that the call resolves (within `ms`); returns the value and the time it took. */
export async function resolves(promiseOrFn, { ms = 4000, label = '' } = {}) {
  const r = await settle(promiseOrFn, ms, label || 'the call');
  assert.ok(r.ok, `${label ? `${label}: ` : ''}expected success, got ${describe(r.error)}\n${r.error?.stack ?? ''}`);
  return { value: r.value, ms: r.ms };
}

/** Asserts `maybeDelivered` is an own boolean property of `e` with the value `want`. */
export function delivered(e, want, label = '') {
  assert.ok(Object.hasOwn(e, 'maybeDelivered'), `${label}: ${describe(e)} has no own maybeDelivered`);
  assert.equal(typeof e.maybeDelivered, 'boolean', `${label}: maybeDelivered is not a boolean`);
  assert.equal(e.maybeDelivered, want, `${label}: maybeDelivered of ${describe(e)}`);
}

/** A fetch that counts its calls and delegates to `impl` (default: the global fetch). */
export function counted(impl = (url, init) => fetch(url, init)) {
  const f = (url, init) => {
    f.calls.push({ url, init });
    return impl(url, init);
  };
  f.calls = [];
  return f;
}

/** Whether `s` is at most `n` characters, or `n` and an ellipsis. */
export function capped(s, n) {
  const chars = [...s];
  return chars.length <= n || (chars.length === n + 1 && chars[n] === '…');
}

/** Waits until `check()` holds, up to `ms`; returns whether it did. */
export async function until(check, ms = 2000) {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) return false;
    await sleep(10);
  }
  return true;
}

const MB = 1024 * 1024;

/**
 * Memory now: rss, heap, external and the wasm instance's linear memory (read through the bindings' `initSync`,
 * which returns the live exports once initialised; null when that is not available).
 */
export async function memory() {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  let wasm = null;
  try {
    const glue = await import(new URL('../../../pkg/wasm/gewe_revoke.js', import.meta.url).href);
    const bytes = glue.initSync?.()?.memory?.buffer?.byteLength;
    if (typeof bytes === 'number') wasm = bytes;
  } catch {
    wasm = null;
  }
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, wasm };
}

/** Memory figures in MB for a report line. */
export function mb(m) {
  const f = (v) => (v === null ? 'n/a' : `${(v / MB).toFixed(1)}MB`);
  return `rss=${f(m.rss)} heapUsed=${f(m.heapUsed)} external=${f(m.external)} arrayBuffers=${f(m.arrayBuffers)} wasmMemory=${f(m.wasm)}`;
}

/** Prints a measurement line; the parent test repeats it in its own output. */
export function report(line) {
  console.log(`[airtight-measure] ${line}`);
}

export { MB, assert };
