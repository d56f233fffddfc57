// Contract item 2: one deadline. timeoutMs and the signal bound the whole call, fetch promise and body reads included.
import { revokeMsg, GeweClient } from 'gewe-revoke';
import { assert, standin, fresh, rejects, resolves, counted, until, describe } from './lib.js';

const PARAMS = { appId: 'wx_app', toWxid: 'wxid_x', msgId: '1', newMsgId: '2', createTime: '0' };
const BASE = { token: 'deadline-token-123456', baseUrl: 'http://127.0.0.1:9/v2/api' };
const bytes = (s) => new TextEncoder().encode(s);

/** A fetch that ignores init.signal and never resolves. */
const never = () => new Promise(() => {});
/** A fetch that resolves a 200 whose body sends a few bytes, then never ends nor errors (it ignores the signal). */
const endlessBody = () => Promise.resolve(new Response(new ReadableStream({
  start(c) { c.enqueue(bytes('{"ret":200,')); },
  pull() { return new Promise(() => {}); },
}), { headers: { 'content-type': 'application/json' } }));

/** Asserts a TIMEOUT close to `timeoutMs`. `call` makes the call, so the clock starts before any of it runs (the
 * deadline starts inside the call's synchronous part, which can be long on a process's first fetch). */
async function timesOut(call, timeoutMs, label) {
  const { error, ms } = await rejects(call, { code: 'TIMEOUT', field: 'timeoutMs' }, { label, ms: timeoutMs + 3000 });
  assert.ok(ms >= timeoutMs - 15 && ms < timeoutMs + 800, `${label}: TIMEOUT after ${ms.toFixed(0)} ms, timeoutMs ${timeoutMs}`);
  return error;
}

/** Asserts an ABORTED close to `afterMs`, the signal's reason as cause. */
async function aborts(call, controller, afterMs, label) {
  const reason = new Error(`caller gave up (${label})`);
  setTimeout(() => controller.abort(reason), afterMs);
  const { error, ms } = await rejects(call, { code: 'ABORTED' }, { label, ms: afterMs + 3000 });
  assert.equal(error.cause, reason, `${label}: the reason is the cause`);
  assert.ok(ms >= afterMs - 15 && ms < afterMs + 800, `${label}: ABORTED after ${ms.toFixed(0)} ms, aborted at ${afterMs}`);
  return error;
}

export const deadline = {
  /** An injected fetch that ignores the signal and never resolves: TIMEOUT at timeoutMs, ABORTED when the signal fires. */
  async 'deadline-fetch-never'() {
    const f = counted(never);
    await timesOut(() => revokeMsg(PARAMS, { ...BASE, fetch: f, timeoutMs: 400, retries: 3 }), 400, 'revokeMsg, fetch never resolves');
    assert.equal(f.calls.length, 1, 'a timeout during the exchange is final');
    const client = new GeweClient({ ...BASE, fetch: never, timeoutMs: 60_000 });
    await timesOut(() => client.revokeMsg(PARAMS, { timeoutMs: 300 }), 300, 'client.revokeMsg, per-call timeoutMs');
    await timesOut(() => new GeweClient({ ...BASE, fetch: never, timeoutMs: 350 }).revokeMsg(PARAMS), 350, 'client timeoutMs');
    const c1 = new AbortController();
    await aborts(revokeMsg(PARAMS, { ...BASE, fetch: never, timeoutMs: 0, signal: c1.signal }), c1, 250, 'revokeMsg, timeoutMs 0, signal');
    const c2 = new AbortController();
    await aborts(revokeMsg(PARAMS, { ...BASE, fetch: never, timeoutMs: 5000, signal: c2.signal }), c2, 200, 'revokeMsg, signal before timeoutMs');
    const c3 = new AbortController();
    await aborts(client.revokeMsg(PARAMS, { signal: c3.signal }), c3, 200, 'client.revokeMsg, signal');
  },

  /** A body that never ends: TIMEOUT, from an injected Response, a real server, and a fetch that drops the signal. */
  async 'deadline-body-never'() {
    await timesOut(() => revokeMsg(PARAMS, { ...BASE, fetch: endlessBody, timeoutMs: 400 }), 400, 'injected endless body');
    const c = new AbortController();
    await aborts(revokeMsg(PARAMS, { ...BASE, fetch: endlessBody, timeoutMs: 0, signal: c.signal }), c, 250, 'injected endless body, signal');

    const s = await standin();
    const p = await fresh(s);
    s.fault('endless');
    await timesOut(() => revokeMsg(p, { token: s.token, baseUrl: s.baseUrl, timeoutMs: 500 }), 500, 'real server, body never ends');
    assert.equal(s.stats.revokeMsg, 1);
    assert.ok(await until(() => s.streams[0]?.closedAt !== null, 2000), 'the endless answer\'s connection was closed');

    s.resetCounters();
    s.fault('endless');
    const dropsSignal = (url, init) => fetch(url, { ...init, signal: undefined });
    await timesOut(() => revokeMsg(p, { token: s.token, baseUrl: s.baseUrl, timeoutMs: 500, fetch: dropsSignal }), 500, 'real server, body never ends, fetch drops the signal');
    assert.equal(s.stats.revokeMsg, 1);
  },

  /** revokeMany bounds items whose fetch never resolves, by the signal and by timeoutMs, and still resolves. */
  async 'deadline-many'() {
    const f = counted(never);
    const client = new GeweClient({ ...BASE, fetch: f, timeoutMs: 0 });
    const list = [1, 2, 3, 4].map((n) => ({ ...PARAMS, newMsgId: String(n) }));
    const c = new AbortController();
    setTimeout(() => c.abort(), 200);
    const { value, ms } = await resolves(client.revokeMany(list, { concurrency: 2, signal: c.signal }), { label: 'revokeMany aborted' });
    assert.deepEqual(value.map((r) => r.error?.code), ['ABORTED', 'ABORTED', 'ABORTED', 'ABORTED'], value.map((r) => describe(r.error)).join('; '));
    assert.ok(ms < 1000, `revokeMany resolved ${ms.toFixed(0)} ms after the start, abort at 200`);
    assert.equal(f.calls.length, 2, 'pending items were never sent');

    const timed = new GeweClient({ ...BASE, fetch: never, timeoutMs: 300 });
    const { value: results, ms: ms2 } = await resolves(timed.revokeMany(list.slice(0, 3), { concurrency: 3 }), { label: 'revokeMany timed out' });
    assert.deepEqual(results.map((r) => r.error?.code), ['TIMEOUT', 'TIMEOUT', 'TIMEOUT']);
    assert.ok(ms2 < 1100, `${ms2.toFixed(0)} ms`);
  },
};
