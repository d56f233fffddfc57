// revokeMsg and buildRevokeRequest in Node, against the GeWe stand-in over Node's own fetch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { revokeMsg, buildRevokeRequest, parseSendReceipt, GeweClient, GeweError } from 'gewe-revoke';
import { standinFor, sendText, failure, assertNoToken, closedPort, timed } from '../helpers.js';

const nowSec = () => Math.floor(Date.now() / 1000);

test('revokeMsg', async (t) => {
  const s = await standinFor(t);
  const options = { token: s.token, baseUrl: s.baseUrl };
  /** A fresh message and its exact params. */
  const fresh = async () => ({ appId: s.appId, ...parseSendReceipt(await sendText(s)) });
  /** Every error seen, checked for the token at the end. */
  const errors = [];
  const fails = async (promise) => {
    const e = await failure(promise);
    errors.push(e);
    assert.ok(e instanceof GeweError, `not a GeweError: ${e}`);
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'GeweError');
    return e;
  };
  t.beforeEach(() => s.resetCounters());

  await t.test('send -> parseSendReceipt -> revoke: the stand-in revoked that exact message', async () => {
    const params = await fresh();
    assert.ok(BigInt(params.newMsgId) > 2n ** 53n);
    const result = await revokeMsg(params, options);
    assert.deepEqual(result, { ret: 200, msg: '操作成功' });
    assert.equal(s.message(params.newMsgId).revoked, true);
    const { type: _type, ...sent } = params;
    assert.deepEqual(s.revokeCalls.map((c) => [c.body, c.outcome]), [[sent, 'revoked']]);
  });

  await t.test('BigInt and safe-number ids work; ids go out as canonical strings', async () => {
    const p = await fresh();
    await revokeMsg({ ...p, newMsgId: BigInt(p.newMsgId), msgId: Number(p.msgId), createTime: ` 0${p.createTime} ` }, options);
    assert.equal(s.message(p.newMsgId).revoked, true);
    assert.deepEqual(s.revokeCalls[0].body, { appId: s.appId, toWxid: p.toWxid, msgId: p.msgId, newMsgId: p.newMsgId, createTime: p.createTime });
  });

  await t.test('a rounded JS number is refused locally and nothing is sent', async () => {
    const p = await fresh();
    const e = await fails(revokeMsg({ ...p, newMsgId: Number(p.newMsgId) }, options));
    assert.equal(e.code, 'UNSAFE_INTEGER');
    assert.equal(e.field, 'newMsgId');
    assert.match(e.message, /parseSendReceipt/);
    assert.equal(s.stats.revokeMsg, 0);
    assert.equal(s.message(p.newMsgId).revoked, false);
  });

  await t.test('the trap it guards against: a rounded id sent as a string "succeeds" and revokes nothing', async () => {
    const p = await fresh();
    const rounded = String(Number(p.newMsgId));
    assert.notEqual(rounded, p.newMsgId);
    assert.equal((await revokeMsg({ ...p, newMsgId: rounded }, options)).ret, 200);
    assert.equal(s.message(p.newMsgId).revoked, false);
    assert.equal(s.revokeCalls[0].outcome, 'unmatched');
  });

  await t.test('API_ERROR: HTTP 200 with ret 500 and data is a failure, never retried', async () => {
    s.fault('offline', { times: 5 });
    const e = await fails(revokeMsg(await fresh(), { ...options, retries: 3 }));
    assert.equal(e.code, 'API_ERROR');
    assert.equal(e.status, 200);
    assert.equal(e.ret, 500);
    assert.equal(e.apiMsg, '撤回消息失败');
    assert.deepEqual(e.data, { code: '-1', msg: '微信已离线' });
    assert.match(e.message, /ret 500: 撤回消息失败 \(微信已离线\)/);
    assert.equal(s.stats.revokeMsg, 1);
  });

  await t.test('API_ERROR for a bad token blames the token and never echoes it', async () => {
    const token = 'wrong-secret-token-987654';
    const e = await fails(revokeMsg(await fresh(), { ...options, token }));
    assert.equal(e.code, 'API_ERROR');
    assert.equal(e.field, 'token');
    assert.match(e.apiMsg, /X-GEWE-TOKEN=\[redacted\] 不可用或已过期/);
    assertNoToken(e, token);
  });

  await t.test('HTTP_STATUS: a 502 page from a gateway, with a short excerpt', async () => {
    s.fault('html502', { times: 2 });
    const e = await fails(revokeMsg(await fresh(), { ...options, retries: 1 }));
    assert.equal(e.code, 'HTTP_STATUS');
    assert.equal(e.status, 502);
    assert.equal(e.body, '502 Bad Gateway 502 Bad Gateway nginx');
    assert.equal(s.stats.revokeMsg, 2, 'one retry after a 502');
  });

  await t.test('a 503 with Retry-After, then success through a retry that waited', async () => {
    const p = await fresh();
    s.fault('unavailable503', { retryAfter: 1 });
    const { value, ms } = await timed(() => revokeMsg(p, options));
    assert.equal(value.ret, 200);
    assert.equal(s.stats.revokeMsg, 2);
    assert.ok(ms >= 990, `Retry-After: 1 was honoured (${ms} ms)`);
    assert.equal(s.message(p.newMsgId).revoked, true);
  });

  await t.test('a 429 is retried too; retries: 0 disables retrying', async () => {
    s.fault('rateLimited429', { retryAfter: 0 });
    assert.equal((await revokeMsg(await fresh(), options)).ret, 200);
    s.resetCounters();
    s.fault('rateLimited429', { retryAfter: 0 });
    const e = await fails(revokeMsg(await fresh(), { ...options, retries: 0 }));
    assert.equal(e.status, 429);
    assert.equal(s.stats.revokeMsg, 1);
  });

  await t.test('504 is never retried: the gateway may have delivered the revoke', async () => {
    s.fault('gatewayTimeout504', { times: 3 });
    const e = await fails(revokeMsg(await fresh(), { ...options, retries: 3 }));
    assert.equal(e.status, 504);
    assert.equal(s.stats.revokeMsg, 1);
  });

  await t.test('a retry that would end past the deadline is not attempted', async () => {
    const p = await fresh();
    s.fault('unavailable503', { retryAfter: 5 });
    const { error, ms } = await timed(() => revokeMsg(p, { ...options, timeoutMs: 2000 }));
    assert.equal(error.code, 'HTTP_STATUS');
    assert.ok(ms < 1500, `gave up at once (${ms} ms)`);
    assert.equal(s.stats.revokeMsg, 1);
  });

  await t.test('a retry that would end past the revoke window is not attempted', async () => {
    const m = s.send({ createTime: nowSec() - 119 });
    s.fault('unavailable503', { retryAfter: 2 });
    const e = await fails(revokeMsg({ appId: s.appId, ...m }, options));
    assert.equal(e.status, 503);
    assert.equal(s.stats.revokeMsg, 1);
  });

  await t.test('BAD_RESPONSE: 200 with a body that is not JSON, not retried', async () => {
    s.fault('invalidJson', { times: 2 });
    const e = await fails(revokeMsg(await fresh(), options));
    assert.equal(e.code, 'BAD_RESPONSE');
    assert.equal(e.status, 200);
    assert.match(e.body, /^\{"ret":200/);
    assert.equal(s.stats.revokeMsg, 1);
  });

  await t.test('TIMEOUT: a hanging server and timeoutMs', async () => {
    const p = await fresh();
    s.fault('hang');
    const { error, ms } = await timed(() => revokeMsg(p, { ...options, timeoutMs: 300 }));
    errors.push(error);
    assert.equal(error.code, 'TIMEOUT');
    assert.equal(error.field, 'timeoutMs');
    assert.ok(ms >= 290 && ms < 2000, `${ms} ms`);
  });

  await t.test('TIMEOUT also bounds a slow answer across retries (one deadline for the whole call)', async () => {
    const p = await fresh();
    s.fault('unavailable503', { retryAfter: 0 });
    s.fault('slow', { delayMs: 3000 });
    const { error, ms } = await timed(() => revokeMsg(p, { ...options, timeoutMs: 800 }));
    assert.equal(error.code, 'TIMEOUT');
    assert.ok(ms < 1500, `${ms} ms`);
    assert.equal(s.stats.revokeMsg, 2);
  });

  await t.test('ABORTED: the caller aborts mid-request; the reason is the cause', async () => {
    s.fault('hang');
    const controller = new AbortController();
    const reason = new Error('user navigated away');
    setTimeout(() => controller.abort(reason), 100);
    const e = await fails(revokeMsg(await fresh(), { ...options, signal: controller.signal }));
    assert.equal(e.code, 'ABORTED');
    assert.equal(e.cause, reason);
  });

  await t.test('ABORTED: an already-aborted signal sends nothing; abort during a retry wait stops at once', async () => {
    const e = await fails(revokeMsg(await fresh(), { ...options, signal: AbortSignal.abort() }));
    assert.equal(e.code, 'ABORTED');
    assert.equal(s.stats.revokeMsg, 0);
    const p = await fresh();
    s.fault('unavailable503', { retryAfter: 5 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const { error, ms } = await timed(() => revokeMsg(p, { ...options, timeoutMs: 0, signal: controller.signal }));
    assert.equal(error.code, 'ABORTED');
    assert.ok(ms < 1000, `${ms} ms`);
  });

  await t.test('NETWORK: connection refused, retried once, with the cause', async () => {
    const port = await closedPort();
    const e = await fails(revokeMsg(await fresh(), { ...options, baseUrl: `http://127.0.0.1:${port}/gewe/v2/api` }));
    assert.equal(e.code, 'NETWORK');
    assert.ok(e.cause instanceof Error);
    assert.match(e.message, /\(2 attempts\): fetch failed \(ECONNREFUSED\)/);
  });

  await t.test('NETWORK: a reset connection and a truncated body are final and maybe delivered; a refused connection then succeeds through the retry', async () => {
    for (const kind of ['reset', 'truncated']) {
      s.resetCounters();
      s.fault(kind, { times: 2 });
      const e = await fails(revokeMsg(await fresh(), options));
      assert.equal(e.code, 'NETWORK', kind);
      assert.equal(s.stats.revokeMsg, 1, `${kind}: not retried, the request may have arrived`);
      assert.equal(e.maybeDelivered, true, kind);
      s.clearFaults();
    }
    const p = await fresh();
    let attempts = 0;
    const refusedOnce = (url, init) => {
      if (attempts++ === 0) {
        const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2531'), { code: 'ECONNREFUSED' });
        return Promise.reject(new TypeError('fetch failed', { cause }));
      }
      return fetch(url, init);
    };
    assert.equal((await revokeMsg(p, { ...options, fetch: refusedOnce })).ret, 200);
    assert.equal(attempts, 2);
    assert.equal(s.message(p.newMsgId).revoked, true);
  });

  await t.test('REVOKE_WINDOW_EXPIRED: refused locally; revokeWindowSec: null sends and GeWe says too late', async () => {
    const m = s.send({ createTime: nowSec() - 300 });
    const e = await fails(revokeMsg({ appId: s.appId, ...m }, options));
    assert.equal(e.code, 'REVOKE_WINDOW_EXPIRED');
    assert.equal(e.field, 'createTime');
    assert.match(e.message, /sent 30\d s ago, past the 120 s revoke window/);
    assert.equal(s.stats.revokeMsg, 0);
    const late = await fails(revokeMsg({ appId: s.appId, ...m }, { ...options, revokeWindowSec: null }));
    assert.equal(late.code, 'API_ERROR');
    assert.equal(late.apiMsg, '消息已超过可撤回时间');
    assert.equal(late.field, 'createTime');
    const shorter = await fails(revokeMsg({ appId: s.appId, ...s.send({ createTime: nowSec() - 20 }) }, { ...options, revokeWindowSec: 10 }));
    assert.equal(shorter.code, 'REVOKE_WINDOW_EXPIRED');
  });

  await t.test('createTime 0 (images, videos) skips the window check', async () => {
    const m = s.send({ createTime: 0 });
    await revokeMsg({ appId: s.appId, ...m, createTime: '0' }, options);
    assert.equal(s.message(m.newMsgId).revoked, true);
  });

  await t.test('PLACEHOLDER: template values pasted from the API console are refused, nothing sent', async () => {
    const p = await fresh();
    for (const [params, opts, field] of [
      [{ ...p, appId: '{{appid}}' }, options, 'appId'],
      [{ ...p, toWxid: '{{toWxid}}' }, options, 'toWxid'],
      [{ ...p, newMsgId: '{{newMsgId}}' }, options, 'newMsgId'],
      [p, { ...options, token: '{{gewe-token}}' }, 'token'],
      [p, { ...options, baseUrl: 'http://{{host}}/gewe/v2/api' }, 'baseUrl'],
    ]) {
      const e = await fails(revokeMsg(params, opts));
      assert.deepEqual([e.code, e.field], ['PLACEHOLDER', field]);
    }
    assert.equal(s.stats.revokeMsg, 0);
  });

  await t.test('INVALID_PARAMS: every kind of bad parameter, nothing sent', async () => {
    const p = await fresh();
    const cases = [
      [null, 'params'],
      ['x', 'params'],
      [{ ...p, appId: undefined }, 'appId'],
      [{ ...p, appId: '  ' }, 'appId'],
      [{ ...p, appId: 'a'.repeat(257) }, 'appId'],
      [{ ...p, toWxid: 'wx\nid' }, 'toWxid'],
      [{ ...p, toWxid: 42 }, 'toWxid'],
      [{ ...p, msgId: undefined }, 'msgId'],
      [{ ...p, msgId: -1 }, 'msgId'],
      [{ ...p, msgId: 1.5 }, 'msgId'],
      [{ ...p, newMsgId: '12a' }, 'newMsgId'],
      [{ ...p, newMsgId: '18446744073709551616' }, 'newMsgId'],
      [{ ...p, newMsgId: 2n ** 64n }, 'newMsgId'],
      [{ ...p, newMsgId: -1n }, 'newMsgId'],
      [{ ...p, newMsgId: true }, 'newMsgId'],
      [{ ...p, createTime: NaN }, 'createTime'],
      [{ ...p, createTime: '' }, 'createTime'],
      [{ ...p, createTime: {} }, 'createTime'],
    ];
    for (const [params, field] of cases) {
      const e = await fails(revokeMsg(params, options));
      assert.deepEqual([e.code, e.field], ['INVALID_PARAMS', field], JSON.stringify(params, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
      assert.match(e.message, /^[A-Za-z].*\.$/s, 'one sentence');
    }
    assert.equal(s.stats.revokeMsg, 0);
  });

  await t.test('INVALID_OPTIONS: every kind of bad option, nothing sent', async () => {
    const p = await fresh();
    const cases = [
      [undefined, 'options'],
      [{}, 'token'],
      [{ ...options, token: '' }, 'token'],
      [{ ...options, token: 'tok\r\nX-Evil: 1' }, 'token'],
      [{ ...options, baseUrl: 'ftp://x' }, 'baseUrl'],
      [{ ...options, baseUrl: 'http://u:p@x/v2' }, 'baseUrl'],
      [{ ...options, baseUrl: `${s.baseUrl}/message/revokeMsg` }, 'baseUrl'],
      [{ ...options, baseUrl: 'http://[::1/v2' }, 'baseUrl'],
      [{ ...options, timeoutMs: -1 }, 'timeoutMs'],
      [{ ...options, timeoutMs: 2 ** 31 }, 'timeoutMs'],
      [{ ...options, retries: 11 }, 'retries'],
      [{ ...options, retries: '1' }, 'retries'],
      [{ ...options, revokeWindowSec: -5 }, 'revokeWindowSec'],
      [{ ...options, fetch: 'fetch' }, 'fetch'],
      [{ ...options, signal: {} }, 'signal'],
      [{ ...options, appId: '' }, 'appId'],
    ];
    for (const [opts, field] of cases) {
      const e = await fails(revokeMsg(p, opts));
      assert.deepEqual([e.code, e.field], ['INVALID_OPTIONS', field], JSON.stringify(opts));
    }
    assert.equal(s.stats.revokeMsg, 0);
  });

  await t.test('a path baseUrl needs a page: in Node it is INVALID_OPTIONS asking for an absolute URL, nothing sent', async () => {
    const p = await fresh();
    for (const call of [
      () => revokeMsg(p, { ...options, baseUrl: '/gewe/v2/api' }),
      async () => buildRevokeRequest(p, { ...options, baseUrl: '/gewe/v2/api' }),
      async () => new GeweClient({ ...options, baseUrl: '/' }),
    ]) {
      const e = await fails(call());
      assert.deepEqual([e.code, e.field], ['INVALID_OPTIONS', 'baseUrl']);
      assert.match(e.message, /is a path, and there is no page here to resolve it against: give an absolute URL\.$/);
    }
    // Paths that could leave the page's origin are refused whatever the runtime.
    for (const baseUrl of ['//evil.example/v2/api', '/\\evil.example/v2/api', 'gewe/v2/api']) {
      const e = await fails(revokeMsg(p, { ...options, baseUrl }));
      assert.deepEqual([e.code, e.field], ['INVALID_OPTIONS', 'baseUrl'], baseUrl);
      assert.match(e.message, /must be an http:\/\/ or https:\/\/ URL or a path such as \/gewe\/v2\/api/, baseUrl);
    }
    assert.equal(s.stats.revokeMsg, 0);
  });

  await t.test('an injected fetch is called as fetch(url, init) with no receiver, sending what buildRevokeRequest builds', async () => {
    const p = await fresh();
    const seen = [];
    function injected(url, init) {
      'use strict';
      seen.push({ self: this, url, init });
      return fetch(url, init);
    }
    await revokeMsg(p, { ...options, fetch: injected });
    assert.equal(seen.length, 1);
    assert.equal(seen[0].self, undefined);
    assert.equal(seen[0].url, `${s.baseUrl}/message/revokeMsg`);
    assert.ok(seen[0].init.signal instanceof AbortSignal, 'the deadline travels with the request');
    const sent = new Request(seen[0].url, seen[0].init);
    const built = buildRevokeRequest(p, options);
    assert.deepEqual([sent.method, sent.url, [...sent.headers], await sent.text()], [built.method, built.url, [...built.headers], await built.text()]);
    assert.equal(s.message(p.newMsgId).revoked, true);
    const bad = await fails(revokeMsg(p, { ...options, fetch: async () => 42 }));
    assert.equal(bad.code, 'BAD_RESPONSE');
    const thrown = await fails(revokeMsg(p, { ...options, retries: 0, fetch: () => { throw new TypeError('proxy down'); } }));
    assert.equal(thrown.code, 'NETWORK');
    assert.equal(thrown.cause.message, 'proxy down');
  });

  await t.test('options.appId fills params that omit it', async () => {
    const { appId: _a, ...p } = await fresh();
    await revokeMsg(p, { ...options, appId: s.appId });
    assert.equal(s.revokeCalls[0].body.appId, s.appId);
  });

  await t.test('the token appears in no error', () => {
    assert.ok(errors.length > 40, `${errors.length} errors checked`);
    for (const e of errors) assertNoToken(e, s.token);
  });
});

test('buildRevokeRequest builds exactly what revokeMsg sends', async () => {
  const params = { appId: ' wx_app ', toWxid: '34757816141@chatroom', msgId: 769533801, newMsgId: '5271007655758710001', createTime: 1704163145n, type: 1 };
  const request = buildRevokeRequest(params, { token: 'tok-abcdef-123', baseUrl: 'http://127.0.0.1:2531/v2/api/' });
  assert.ok(request instanceof Request);
  assert.equal(request.method, 'POST');
  assert.equal(request.url, 'http://127.0.0.1:2531/v2/api/message/revokeMsg');
  assert.equal(request.headers.get('content-type'), 'application/json');
  assert.equal(request.headers.get('x-gewe-token'), 'tok-abcdef-123');
  assert.equal(
    await request.text(),
    '{"appId":"wx_app","toWxid":"34757816141@chatroom","msgId":"769533801","newMsgId":"5271007655758710001","createTime":"1704163145"}',
  );
  assert.equal(buildRevokeRequest(params, { token: 'tok-abcdef-123' }).url, 'http://api.geweapi.com/gewe/v2/api/message/revokeMsg');
  // Validation throws synchronously.
  assert.throws(() => buildRevokeRequest({ ...params, newMsgId: 5271007655758710001 }, { token: 't' }), { name: 'GeweError', code: 'UNSAFE_INTEGER' });
  assert.throws(() => buildRevokeRequest(params, {}), { code: 'INVALID_OPTIONS', field: 'token' });
});
