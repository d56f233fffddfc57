// Contract item 6: at most once after delivery. Retries only when the request certainly did not reach GeWe
// (connection refused, DNS failures, connect timeout) or on 429/502/503; every GeweError says maybeDelivered.
import { revokeMsg, buildRevokeRequest, parseSendReceipt, GeweClient, GeweError } from 'gewe-revoke';
import { closedPort } from '../../helpers.js';
import { assert, standin, fresh, rejects, counted, delivered, describe } from './lib.js';

const PARAMS = { appId: 'wx_app', toWxid: 'wxid_x', msgId: '1', newMsgId: '2', createTime: '0' };
const BASE = { token: 'delivery-token-123456', baseUrl: 'http://127.0.0.1:9/v2/api' };

/** The error Node's fetch throws, with `code` on its cause (as undici does). */
const fetchFailed = (code) => {
  const cause = code === undefined ? undefined : Object.assign(new Error(`connect ${code} 127.0.0.1:2531`), { code });
  return new TypeError('fetch failed', cause === undefined ? undefined : { cause });
};

export const delivery = {
  /** Against the real stand-in: reset and truncated are final and maybe delivered; refused and 503 are retried. */
  async 'delivery-standin'() {
    const s = await standin();
    const options = { token: s.token, baseUrl: s.baseUrl };

    for (const kind of ['reset', 'truncated']) {
      const p = await fresh(s);
      s.resetCounters();
      s.fault(kind, { times: 3 });
      const { error } = await rejects(revokeMsg(p, { ...options, retries: 2 }), { code: 'NETWORK' }, { label: kind });
      assert.equal(s.stats.revokeMsg, 1, `${kind}: exactly one request reached the stand-in`);
      delivered(error, true, kind);
      s.clearFaults();
    }

    const port = await closedPort();
    const f = counted();
    const refused = await rejects(revokeMsg(PARAMS, { ...BASE, baseUrl: `http://127.0.0.1:${port}/v2/api`, fetch: f, retries: 1 }), { code: 'NETWORK' }, { label: 'connection refused' });
    assert.equal(f.calls.length, 2, 'connection refused: 2 attempts with retries 1');
    assert.match(refused.error.message, /2 attempts/);
    delivered(refused.error, false, 'connection refused');

    const p = await fresh(s);
    s.resetCounters();
    s.fault('unavailable503', { retryAfter: 0, times: 2 });
    const busy = await rejects(revokeMsg(p, { ...options, retries: 1 }), { code: 'HTTP_STATUS', status: 503 }, { label: '503 twice' });
    assert.equal(s.stats.revokeMsg, 2, '503: retried');
    delivered(busy.error, false, '503');
    s.fault('unavailable503', { retryAfter: 0 });
    assert.equal((await revokeMsg(p, options)).ret, 200, 'a 503 then success through the retry');
    assert.equal(s.message(p.newMsgId).revoked, true);
  },

  /** Which thrown fetch errors are retried: only those that prove the request never left. */
  async 'delivery-thrown'() {
    const problems = [];
    for (const [code, retried] of [
      ['ECONNREFUSED', true], ['ENOTFOUND', true], ['EAI_AGAIN', true], ['UND_ERR_CONNECT_TIMEOUT', true],
      ['ECONNRESET', false], ['UND_ERR_SOCKET', false], ['EPIPE', false], ['ETIMEDOUT', false], [undefined, false],
    ]) {
      const f = counted(() => Promise.reject(fetchFailed(code)));
      try {
        await revokeMsg(PARAMS, { ...BASE, fetch: f, retries: 1 });
        problems.push(`${code}: resolved`);
      } catch (e) {
        if (!(e instanceof GeweError) || e.code !== 'NETWORK') problems.push(`${code}: ${describe(e)}`);
        if (f.calls.length !== (retried ? 2 : 1)) problems.push(`${code}: ${f.calls.length} attempts, expected ${retried ? 2 : 1}`);
        if (e.maybeDelivered !== !retried) problems.push(`${code}: maybeDelivered ${e.maybeDelivered}, expected ${!retried}`);
      }
    }
    // A synchronous throw, a plain Error, a thrown string: not classified, so final and maybe delivered.
    for (const [what, impl] of [
      ['a synchronous throw', () => { throw fetchFailed('ECONNRESET'); }],
      ['a plain Error', () => Promise.reject(new Error('proxy said no'))],
      ['a string', () => Promise.reject('nope')],
    ]) {
      const f = counted(impl);
      try {
        await revokeMsg(PARAMS, { ...BASE, fetch: f, retries: 3 });
        problems.push(`${what}: resolved`);
      } catch (e) {
        if (e?.code !== 'NETWORK') problems.push(`${what}: ${describe(e)}`);
        if (f.calls.length !== 1) problems.push(`${what}: ${f.calls.length} attempts, expected 1`);
        if (e?.maybeDelivered !== true) problems.push(`${what}: maybeDelivered ${e?.maybeDelivered}`);
      }
    }
    assert.deepEqual(problems, []);
  },

  /** maybeDelivered on every kind of GeweError. */
  async 'delivery-matrix'() {
    const s = await standin();
    const options = { token: s.token, baseUrl: s.baseUrl };
    const p = await fresh(s);
    const nowSec = Math.floor(Date.now() / 1000);
    const answer = (status, body = '', headers = {}) => async () => new Response(body, { status, headers });
    const cases = [
      // Nothing was sent.
      ['INVALID_PARAMS', false, () => revokeMsg({ ...p, toWxid: '' }, options)],
      ['INVALID_OPTIONS', false, () => revokeMsg(p, { ...options, retries: 99 })],
      ['UNSAFE_INTEGER', false, () => revokeMsg({ ...p, newMsgId: 2 ** 60 }, options)],
      ['PLACEHOLDER', false, () => revokeMsg({ ...p, appId: '{{appid}}' }, options)],
      ['REVOKE_WINDOW_EXPIRED', false, () => revokeMsg({ ...p, createTime: nowSec - 600 }, options)],
      ['INVALID_OPTIONS', false, () => buildRevokeRequest(p, {})],
      ['INVALID_OPTIONS', false, () => new GeweClient({})],
      ['INVALID_PARAMS', false, () => new GeweClient(options).revokeMany('x')],
      ['ABORTED', false, () => revokeMsg(p, { ...options, signal: AbortSignal.abort() })],
      ['INVALID_PARAMS', false, () => parseSendReceipt({})],
      // GeWe answered: the outcome is known.
      ['API_ERROR', false, () => (s.fault('offline'), revokeMsg(p, options))],
      ['HTTP_STATUS', false, () => revokeMsg(PARAMS, { ...BASE, fetch: answer(404, 'Not Found') })],
      ['HTTP_STATUS', false, () => revokeMsg(PARAMS, { ...BASE, fetch: answer(401, '{"ret":401}') })],
      ['HTTP_STATUS', false, () => revokeMsg(PARAMS, { ...BASE, fetch: answer(302, '', { location: 'http://127.0.0.1:9/elsewhere' }) })],
      ['HTTP_STATUS', false, () => revokeMsg(PARAMS, { ...BASE, retries: 0, fetch: answer(429, '{}') })],
      ['HTTP_STATUS', false, () => revokeMsg(PARAMS, { ...BASE, retries: 0, fetch: answer(502, 'bad gateway') })],
      ['HTTP_STATUS', false, () => revokeMsg(PARAMS, { ...BASE, retries: 0, fetch: answer(503, 'busy') })],
      // The request may have reached GeWe; the outcome is unknown.
      ['HTTP_STATUS', true, () => revokeMsg(PARAMS, { ...BASE, fetch: answer(500, 'oops') })],
      ['HTTP_STATUS', true, () => (s.fault('gatewayTimeout504'), revokeMsg(p, options))],
      ['HTTP_STATUS', true, () => revokeMsg(PARAMS, { ...BASE, fetch: answer(501, 'not implemented') })],
      ['HTTP_STATUS', true, () => revokeMsg(PARAMS, { ...BASE, fetch: answer(599, 'odd') })],
      ['BAD_RESPONSE', true, () => (s.fault('invalidJson'), revokeMsg(p, options))],
      ['BAD_RESPONSE', true, () => revokeMsg(PARAMS, { ...BASE, fetch: async () => ({}) })],
      ['TIMEOUT', true, () => (s.fault('hang'), revokeMsg(p, { ...options, timeoutMs: 300, retries: 3 }))],
      ['ABORTED', true, () => {
        s.fault('hang');
        const c = new AbortController();
        setTimeout(() => c.abort(), 200);
        return revokeMsg(p, { ...options, signal: c.signal });
      }],
      ['TIMEOUT', true, () => revokeMsg(PARAMS, { ...BASE, timeoutMs: 300, fetch: () => new Promise(() => {}) })],
      // Aborted while waiting to retry after a 503: nothing in flight, the 503 was not delivered.
      ['ABORTED', false, () => {
        s.fault('unavailable503', { retryAfter: 5 });
        const c = new AbortController();
        setTimeout(() => c.abort(), 200);
        return revokeMsg(p, { ...options, timeoutMs: 0, signal: c.signal });
      }],
    ];
    const problems = [];
    for (const [code, want, call] of cases) {
      const label = `${code} ${call.toString().replace(/\s+/g, ' ').slice(6, 110)}`;
      const { error } = await rejects(call, { code }, { label });
      if (!Object.hasOwn(error, 'maybeDelivered') || typeof error.maybeDelivered !== 'boolean') problems.push(`${label}: no own boolean maybeDelivered`);
      else if (error.maybeDelivered !== want) problems.push(`${label}: maybeDelivered ${error.maybeDelivered}, expected ${want}`);
      s.clearFaults();
    }
    // Errors from parseSendReceipt carry it too.
    for (const text of ['{"ret":500,"msg":"x"}', 'not json']) {
      const { error } = await rejects(() => parseSendReceipt(text), {}, { label: `parseSendReceipt(${text})` });
      if (typeof error.maybeDelivered !== 'boolean' || !Object.hasOwn(error, 'maybeDelivered')) problems.push(`parseSendReceipt(${text}): no own boolean maybeDelivered`);
    }
    assert.deepEqual(problems, []);
  },
};
