// GeweClient: options validated once, per-call overrides, and revokeMany's ordering, concurrency, pacing and abort.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GeweClient, GeweError, parseSendReceipt } from 'gewe-revoke';
import { standinFor, sendText, failure, assertNoToken } from '../helpers.js';

const nowSec = () => Math.floor(Date.now() / 1000);

test('GeweClient', async (t) => {
  const s = await standinFor(t);
  const client = new GeweClient({ token: s.token, baseUrl: s.baseUrl, appId: s.appId });
  const fresh = async () => parseSendReceipt(await sendText(s));
  t.beforeEach(() => s.resetCounters());

  await t.test('the constructor validates options synchronously', () => {
    for (const [options, code, field] of [
      [undefined, 'INVALID_OPTIONS', 'options'],
      [{ baseUrl: s.baseUrl }, 'INVALID_OPTIONS', 'token'],
      [{ token: '{{gewe-token}}' }, 'PLACEHOLDER', 'token'],
      [{ token: s.token, retries: -1 }, 'INVALID_OPTIONS', 'retries'],
      [{ token: s.token, appId: 7 }, 'INVALID_OPTIONS', 'appId'],
    ]) {
      assert.throws(() => new GeweClient(options), (e) => e instanceof GeweError && e.code === code && e.field === field);
    }
  });

  await t.test('revokeMsg uses the default appId and the exact ids', async () => {
    const r = await fresh();
    assert.deepEqual(await client.revokeMsg(r), { ret: 200, msg: '操作成功' });
    assert.equal(s.message(r.newMsgId).revoked, true);
    assert.equal(s.revokeCalls[0].body.appId, s.appId);
  });

  await t.test('revokeMsg takes a per-call timeoutMs and signal', async () => {
    const r = await fresh();
    s.fault('hang');
    const e = await failure(client.revokeMsg(r, { timeoutMs: 150 }));
    assert.equal(e.code, 'TIMEOUT');
    assert.match(e.message, /150 ms/);
    const aborted = await failure(client.revokeMsg(r, { signal: AbortSignal.abort() }));
    assert.equal(aborted.code, 'ABORTED');
    for (const [call, field] of [[{ timeoutMs: 'soon' }, 'timeoutMs'], [{ signal: 'stop' }, 'signal'], ['x', 'options']]) {
      const bad = await failure(client.revokeMsg(r, call));
      assert.deepEqual([bad.code, bad.field], ['INVALID_OPTIONS', field]);
    }
  });

  await t.test('revokeMany: results in input order, mixed outcomes, never rejects for an item', async () => {
    const good = await Promise.all([fresh(), fresh(), fresh()]);
    const old = s.send({ createTime: nowSec() - 600 });
    const list = [
      good[0],
      { ...good[1], newMsgId: Number(good[1].newMsgId) },
      { toWxid: 'x' },
      old,
      good[2],
      { ...good[1], appId: 'wx_unknown_device' },
    ];
    const results = await client.revokeMany(list);
    assert.equal(results.length, list.length);
    assert.deepEqual(
      results.map((r) => (r.ok ? 'ok' : r.error.code)),
      ['ok', 'UNSAFE_INTEGER', 'INVALID_PARAMS', 'REVOKE_WINDOW_EXPIRED', 'ok', 'API_ERROR'],
    );
    assert.deepEqual(results[0].result, { ret: 200, msg: '操作成功' });
    assert.ok(results.every((r) => r.ok || r.error instanceof GeweError));
    assert.equal(results[5].error.data.msg, '设备不存在');
    assert.equal(s.message(good[0].newMsgId).revoked, true);
    assert.equal(s.message(good[1].newMsgId).revoked, false);
    assert.equal(s.message(good[2].newMsgId).revoked, true);
    assert.equal(s.stats.revokeMsg, 3, 'invalid items sent nothing');
    for (const r of results) if (!r.ok) assertNoToken(r.error, s.token);
  });

  await t.test('revokeMany runs at most `concurrency` at once (default 4)', async () => {
    const list = await Promise.all(Array.from({ length: 12 }, fresh));
    s.fault('slow', { delayMs: 150, times: 12 });
    const results = await client.revokeMany(list);
    assert.ok(results.every((r) => r.ok));
    assert.equal(s.stats.maxInflight, 4);
    s.resetCounters();
    const more = await Promise.all(Array.from({ length: 6 }, fresh));
    s.fault('slow', { delayMs: 150, times: 6 });
    await client.revokeMany(more, { concurrency: 2 });
    assert.equal(s.stats.maxInflight, 2);
    assert.ok(more.every((r) => s.message(r.newMsgId).revoked));
  });

  await t.test('revokeMany spaces starts by intervalMs', async () => {
    const list = await Promise.all(Array.from({ length: 4 }, fresh));
    const starts = [];
    const paced = new GeweClient({ token: s.token, baseUrl: s.baseUrl, appId: s.appId, fetch: (url, init) => (starts.push(performance.now()), fetch(url, init)) });
    const results = await paced.revokeMany(list, { concurrency: 4, intervalMs: 100 });
    assert.ok(results.every((r) => r.ok));
    assert.equal(starts.length, 4);
    for (let i = 1; i < starts.length; i++) assert.ok(starts[i] - starts[i - 1] >= 95, `gap ${starts[i] - starts[i - 1]} ms`);
    assert.ok(list.every((r) => s.message(r.newMsgId).revoked));
  });

  await t.test('revokeMany with an aborted signal: in-flight and pending items are ABORTED, the call resolves', async () => {
    const list = await Promise.all(Array.from({ length: 6 }, fresh));
    s.fault('hang', { times: 6 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const results = await client.revokeMany(list, { concurrency: 2, signal: controller.signal });
    assert.deepEqual(results.map((r) => r.error?.code), Array(6).fill('ABORTED'));
    assert.equal(s.stats.revokeMsg, 2, 'pending items were never sent');
  });

  await t.test('revokeMany refuses bad arguments by rejecting', async () => {
    assert.deepEqual(await client.revokeMany([]), []);
    for (const [list, call, field] of [
      ['nope', undefined, 'list'],
      [[], { concurrency: 0 }, 'concurrency'],
      [[], { concurrency: 65 }, 'concurrency'],
      [[], { intervalMs: -1 }, 'intervalMs'],
      [[], { signal: 1 }, 'signal'],
    ]) {
      const e = await failure(client.revokeMany(list, call));
      assert.equal(e.field, field);
    }
  });
});
