// The ledger (the Ledger Durable Object behind /messages and /chats) in workerd through Miniflare, bundled as a
// deploy would bundle it, against the GeWe stand-in: recording, scheduled recall, cancel, exactly-once under races,
// a crash half way through an alarm, restarts on persisted storage, "undo the burst", and the storage bound.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { startStandin } from '../../standin/standin.js';
import { API_KEY, ROOT, dryRun, ledgerWorker, until, workerOptions } from './harness.js';

const { dist: DIST, stdout: DRY_RUN } = dryRun('worker-dist-ledger');
const nowSec = () => Math.floor(Date.now() / 1000);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const keyPath = (key) => `/messages/${encodeURIComponent(key)}`;

/** Calls the Worker with the API key; returns status and parsed body, keeping every text for the token check. */
function caller(mf, texts = []) {
  const call = async (method, path, body, { auth = API_KEY, headers = {} } = {}) => {
    const h = { ...headers };
    if (auth) h.Authorization = `Bearer ${auth}`;
    if (body !== undefined) h['Content-Type'] = 'application/json';
    const res = await mf.dispatchFetch(`http://worker.test${path}`, { method, headers: h, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    texts.push(text);
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  };
  call.texts = texts;
  return call;
}

/** A stand-in and a ledger Worker on it, both closed after the test. */
async function setup(t, vars = {}, options = {}) {
  const s = await startStandin();
  const env = { API_KEY, GEWE_TOKEN: s.token, GEWE_BASE_URL: s.baseUrl, GEWE_APP_ID: s.appId, GEWE_TIMEOUT_MS: '3000', ...vars };
  const mf = ledgerWorker(DIST, env, options);
  t.after(async () => {
    await mf.dispose();
    await s.close();
  });
  return { s, mf, env, call: caller(mf) };
}

/** Records a fresh stand-in message to `toWxid` (raw send text); returns the message, the answer and its key. */
async function recordFresh(s, call, { toWxid = 'wxid_friend', createTime, ...extra } = {}) {
  const { message, text } = s.sendRaw({ toWxid, createTime });
  const r = await call('POST', '/messages', { response: text, ...extra });
  return { m: message, text, r, key: r.body?.message?.key };
}

/** A message's view (`{}` while the lookup fails, e.g. as the object restarts). */
const state = async (call, key) => (await call('GET', keyPath(key))).body?.message ?? {};

test('wrangler deploy --dry-run bundles the ledger: the LEDGER Durable Object binding and its SQLite migration', () => {
  assert.match(DRY_RUN, /env\.LEDGER \(Ledger\)\s+Durable Object/);
  const toml = readFileSync(`${ROOT}worker/wrangler.toml`, 'utf8');
  assert.match(toml, /\[\[durable_objects\.bindings\]\]\s*\nname = "LEDGER"\s*\nclass_name = "Ledger"/);
  assert.match(toml, /\[\[migrations\]\]\s*\ntag = "v1"\s*\nnew_sqlite_classes = \["Ledger"\]/);
  assert.match(readFileSync(`${DIST}/index.js`, 'utf8'), /from "cloudflare:workers"/);
});

// Each test has its own stand-in and Worker; most of their time is spent waiting on alarms, retries and restarts, so
// they run side by side.
describe('the ledger in workerd', { concurrency: true }, () => {
  test('records, schedules, revokes and undoes', { timeout: 120_000 }, async (t) => {
    const { s, call } = await setup(t, { LEDGER_REVOKE_CONCURRENCY: '1', LEDGER_REVOKE_INTERVAL_MS: '20', ALLOWED_ORIGINS: 'https://app.example.com' });
    t.beforeEach(() => s.resetCounters());

    await t.test('record: the raw send text keeps the 64-bit ids exact; the answer carries a stable key', async () => {
      const { m, text, r, key } = await recordFresh(s, call);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.deepEqual(r.body.message, {
        key: `${s.appId}:${m.newMsgId}`,
        appId: s.appId,
        toWxid: m.toWxid,
        msgId: m.msgId,
        newMsgId: m.newMsgId,
        createTime: String(m.createTime),
        type: 1,
        state: 'recorded',
        sentAt: m.createTime * 1000,
        revocableUntil: (m.createTime + 120) * 1000,
        recordedAt: r.body.message.recordedAt,
        updatedAt: r.body.message.recordedAt,
      });
      assert.equal(r.body.created, true);
      assert.notEqual(String(Number(m.newMsgId)), m.newMsgId, 'the id is one JSON.parse would round');
      const again = await call('POST', '/messages', { response: text });
      assert.deepEqual([again.status, again.body.created, again.body.message.key], [200, false, key]);
      const byKey = await call('GET', keyPath(key));
      const byId = await call('GET', `/messages?newMsgId=${m.newMsgId}`);
      const byIdAndApp = await call('GET', `/messages?newMsgId=00${m.newMsgId}&appId=${s.appId}`);
      assert.deepEqual([byKey.status, byId.body, byIdAndApp.body], [200, byKey.body, byKey.body]);
      // The same id with other fields is another message: refused, the stored one stays.
      const other = text.replace(`"msgId":${m.msgId}`, `"msgId":${Number(m.msgId) + 1}`);
      const conflict = await call('POST', '/messages', { response: other });
      assert.deepEqual([conflict.status, conflict.body.error.code, conflict.body.message.key, conflict.body.message.msgId], [409, 'CONFLICT', key, m.msgId]);
      assert.equal(s.stats.revokeMsg, 0);
    });

    await t.test('record: refusals say why and store nothing', async () => {
      const { message: m, text } = s.sendRaw({ toWxid: 'wxid_refused' });
      const cases = [
        [{ response: JSON.parse(text) }, 400, 'INVALID_PARAMS', 'response'],
        [{ response: '{"ret":500,"msg":"发送文字消息失败"}' }, 400, 'API_ERROR', 'response'],
        [{ response: '{"ret":200,"msg":"ok","data":{"toWxid":"x"}}' }, 400, 'BAD_RESPONSE', 'response'],
        [{ response: text, appId: '{{appid}}' }, 400, 'PLACEHOLDER', 'appId'],
        [{ response: text, revokeAfterSec: -1 }, 400, 'INVALID_PARAMS', 'revokeAfterSec'],
        [{ response: text, revokeAfterSec: 1.5 }, 400, 'INVALID_PARAMS', 'revokeAfterSec'],
        [{ response: text, revokeAfterSec: '5' }, 400, 'INVALID_PARAMS', 'revokeAfterSec'],
        [{ response: text, revokeAfterSec: 111 }, 422, 'REVOKE_WINDOW_EXPIRED', 'revokeAfterSec'],
        [{ response: s.sendRaw({ createTime: nowSec() - 115 }).text, revokeAfterSec: 0 }, 422, 'REVOKE_WINDOW_EXPIRED', 'revokeAfterSec'],
        [{ response: s.sendRaw({ createTime: nowSec() + 3600 }).text }, 400, 'INVALID_PARAMS', 'createTime'],
        [{ response: text.replace(/"newMsgId":\d+/, '"newMsgId":0') }, 400, 'INVALID_PARAMS', 'newMsgId'],
        [[], 400, 'BAD_REQUEST'],
        [Array(101).fill({ response: text }), 400, 'BAD_REQUEST'],
        ['not json', 400, 'BAD_JSON'],
      ];
      for (const [body, status, code, field] of cases) {
        const r = await call('POST', '/messages', body);
        assert.deepEqual([r.status, r.body.ok, r.body.error?.code, r.body.error?.field], [status, false, code, field], JSON.stringify([body, r.body]).slice(0, 400));
      }
      assert.equal((await call('GET', `/messages?newMsgId=${m.newMsgId}`)).status, 404);
      // An array answers each item in order; good ones are stored.
      const good = s.sendRaw({ toWxid: 'wxid_refused' });
      const batch = await call('POST', '/messages', [{ response: good.text, revokeAfterSec: 100 }, { response: JSON.parse(text) }, { response: good.text }, 7]);
      assert.equal(batch.status, 200);
      assert.deepEqual(
        batch.body.results.map((x) => (x.ok ? [x.created, x.message.state] : x.error.code)),
        [[true, 'scheduled'], 'INVALID_PARAMS', [false, 'scheduled'], 'BAD_REQUEST'],
      );
      assert.equal(batch.body.results[0].message.revokeAt, (good.message.createTime + 100) * 1000);
      assert.equal((await call('DELETE', `${keyPath(batch.body.results[0].message.key)}/schedule`)).status, 200);
    });

    await t.test('lookups: unknown messages, bad keys, chats', async () => {
      const unknown = await call('GET', keyPath(`${s.appId}:1234567890123456789`));
      assert.deepEqual([unknown.status, unknown.body.error.code], [404, 'UNKNOWN_MESSAGE']);
      const otherAccount = await call('GET', keyPath(`wx_other_app:1234567890123456789`));
      assert.equal(otherAccount.status, 404);
      for (const bad of ['nokey', `${s.appId}:12x`, `:123`, `${s.appId}:123456789012345678901`]) {
        const r = await call('GET', keyPath(bad));
        assert.deepEqual([r.status, r.body.error.code], [400, 'INVALID_PARAMS'], bad);
      }
      assert.equal((await call('GET', '/messages')).status, 400);
      assert.equal((await call('GET', '/messages?newMsgId=abc')).body.error.code, 'INVALID_PARAMS');
      const sent = [];
      for (let i = 0; i < 3; i++) sent.push((await recordFresh(s, call, { toWxid: '34757816141@chatroom' })).m.newMsgId);
      const chat = await call('GET', `/chats/${encodeURIComponent('34757816141@chatroom')}/messages`);
      assert.deepEqual(chat.body.messages.map((x) => [x.newMsgId, x.state]), sent.map((id) => [id, 'recorded']));
      const last = await call('GET', `/chats/${encodeURIComponent('34757816141@chatroom')}/messages?limit=2`);
      assert.deepEqual(last.body.messages.map((x) => x.newMsgId), sent.slice(1));
      assert.equal((await call('GET', '/chats/wxid_nobody/messages')).body.messages.length, 0);
      // One ledger per account: an array may span accounts; each message lives in its own.
      const [mine, theirs] = [s.sendRaw({ toWxid: 'wxid_two' }), s.sendRaw({ toWxid: 'wxid_two' })];
      const both = await call('POST', '/messages', [{ response: mine.text }, { appId: ' wx_other_app ', response: theirs.text }]);
      assert.deepEqual(both.body.results.map((x) => x.message.key), [`${s.appId}:${mine.message.newMsgId}`, `wx_other_app:${theirs.message.newMsgId}`]);
      assert.equal((await call('GET', `/messages?newMsgId=${theirs.message.newMsgId}`)).status, 404, 'not in the default account');
      assert.equal((await call('GET', `/messages?newMsgId=${theirs.message.newMsgId}&appId=wx_other_app`)).status, 200);
      assert.deepEqual((await call('GET', '/chats/wxid_two/messages?appId=wx_other_app')).body.messages.map((x) => x.newMsgId), [theirs.message.newMsgId]);
      assert.equal((await call('GET', '/chats/x/messages?limit=501')).body.error.field, 'limit');
    });

    await t.test('a scheduled recall fires and revokes that exact message; a cancelled one never fires', async () => {
      const fire = await recordFresh(s, call, { toWxid: 'wxid_sched', revokeAfterSec: 2 });
      const cancelled = await recordFresh(s, call, { toWxid: 'wxid_sched', revokeAfterSec: 5 });
      const later = await recordFresh(s, call, { toWxid: 'wxid_sched' });
      assert.equal(fire.r.body.message.state, 'scheduled');
      assert.equal(fire.r.body.message.revokeAt, (fire.m.createTime + 2) * 1000);
      const c = await call('DELETE', `${keyPath(cancelled.key)}/schedule`);
      assert.deepEqual([c.status, c.body.message.state], [200, 'cancelled']);
      assert.equal((await call('DELETE', `${keyPath(cancelled.key)}/schedule`)).status, 200, 'cancelling again changes nothing');
      // Set later for a recorded message; moved once before it fires.
      assert.equal((await call('PUT', `${keyPath(later.key)}/schedule`, { revokeAfterSec: 100 })).body.message.revokeAt, (later.m.createTime + 100) * 1000);
      const moved = await call('PUT', `${keyPath(later.key)}/schedule`, { revokeAfterSec: 2 });
      assert.deepEqual([moved.status, moved.body.message.state], [200, 'scheduled']);
      for (const [body, status] of [[{ revokeAfterSec: 200 }, 422], [{}, 400], [{ revokeAfterSec: null }, 400]]) {
        assert.equal((await call('PUT', `${keyPath(later.key)}/schedule`, body)).status, status);
      }
      await until('both recalls', async () => (await state(call, fire.key)).state === 'revoked' && (await state(call, later.key)).state === 'revoked');
      for (const x of [fire, later]) {
        assert.equal(s.revokesOf(x.m.newMsgId), 1);
        assert.equal(s.message(x.m.newMsgId).revoked, true);
        const at = s.revokeCalls.find((c) => c.body.newMsgId === x.m.newMsgId).at;
        assert.ok(at >= (x.m.createTime + 2) * 1000, 'not before its time');
      }
      await sleep((cancelled.m.createTime + 6) * 1000 - Date.now());
      assert.equal((await state(call, cancelled.key)).state, 'cancelled');
      assert.equal(s.revokesOf(cancelled.m.newMsgId), 0);
      assert.equal(s.message(cancelled.m.newMsgId).revoked, false);
      const revoked = await call('DELETE', `${keyPath(fire.key)}/schedule`);
      assert.deepEqual([revoked.status, revoked.body.error.code, revoked.body.message.state], [409, 'INVALID_STATE', 'revoked']);
      assert.match(revoked.body.error.message, /cannot be cancelled: it is revoked/);
      assert.equal((await call('PUT', `${keyPath(fire.key)}/schedule`, { revokeAfterSec: 50 })).status, 409);
    });

    await t.test('revoke by hand: once; an undelivered failure may be retried, one GeWe may have acted on never is', async () => {
      const a = await recordFresh(s, call);
      const r1 = await call('POST', `${keyPath(a.key)}/revoke`);
      assert.deepEqual([r1.status, r1.body.message.state], [200, 'revoked']);
      const r2 = await call('POST', `${keyPath(a.key)}/revoke`);
      assert.deepEqual([r2.status, r2.body.message.state], [200, 'revoked']);
      assert.equal(s.stats.revokeMsg, 1);

      const b = await recordFresh(s, call);
      s.fault('offline');
      const failed = await call('POST', `${keyPath(b.key)}/revoke`);
      assert.deepEqual([failed.status, failed.body.error.code, failed.body.error.maybeDelivered, failed.body.message.state], [502, 'API_ERROR', undefined, 'failed']);
      assert.equal(failed.body.message.error.apiMsg, '撤回消息失败');
      const retried = await call('POST', `${keyPath(b.key)}/revoke`);
      assert.deepEqual([retried.status, retried.body.message.state], [200, 'revoked']);
      assert.equal(s.stats.revokeMsg, 3, 'the refused call and the retry');

      const c = await recordFresh(s, call);
      s.fault('reset');
      const maybe = await call('POST', `${keyPath(c.key)}/revoke`);
      assert.deepEqual([maybe.status, maybe.body.error.code, maybe.body.error.maybeDelivered, maybe.body.message.state], [502, 'NETWORK', true, 'failed']);
      const before = s.stats.revokeMsg;
      const again = await call('POST', `${keyPath(c.key)}/revoke`);
      assert.deepEqual([again.status, again.body.error.code, again.body.message.state], [502, 'NETWORK', 'failed']);
      assert.equal((await call('PUT', `${keyPath(c.key)}/schedule`, { revokeAfterSec: 30 })).status, 409);
      assert.equal(s.stats.revokeMsg, before, 'never sent again');

      const old = await recordFresh(s, call, { createTime: nowSec() - 200 });
      assert.equal(old.r.status, 201);
      assert.equal((await state(call, old.key)).state, 'expired');
      const late = await call('POST', `${keyPath(old.key)}/revoke`);
      assert.deepEqual([late.status, late.body.error.code, late.body.message.state], [422, 'REVOKE_WINDOW_EXPIRED', 'expired']);
      assert.equal(s.revokesOf(old.m.newMsgId), 0);
    });

    await t.test('exactly once: a recall revoked by hand while its alarm is out, and at random moments around it', async () => {
      // Deterministic: the alarm's revoke is held at GeWe while the hand revoke arrives.
      s.fault('slow', { delayMs: 1000 });
      const x = await recordFresh(s, call, { revokeAfterSec: 0 });
      await until('the alarm revoke to reach GeWe', () => s.stats.inflight === 1, 5000);
      const hand = await call('POST', `${keyPath(x.key)}/revoke`);
      assert.deepEqual([hand.status, hand.body.message.state], [200, 'revoked']);
      assert.equal(s.stats.revokeMsg, 1);
      // Twenty recalls due in 1 to 2 s, each also revoked by hand at a random moment from 0 to 2.5 s, some held at GeWe.
      s.resetCounters();
      s.fault('slow', { delayMs: 100, times: 8 });
      const many = [];
      for (let i = 0; i < 20; i++) many.push(await recordFresh(s, call, { toWxid: 'wxid_race', revokeAfterSec: 1 + (i % 2) }));
      const answers = await Promise.all(many.map(async (x) => (await sleep(Math.random() * 2500), call('POST', `${keyPath(x.key)}/revoke`))));
      assert.deepEqual([...new Set(answers.map((a) => `${a.status} ${a.body.message.state}`))], ['200 revoked']);
      await sleep(300);
      for (const x of many) assert.equal(s.revokesOf(x.m.newMsgId), 1, x.m.newMsgId);
      assert.equal(s.stats.revokeMsg, 20);
    });

    await t.test('exactly once: the same send recorded twelve times at once is one row and one revoke', async () => {
      const { message, text } = s.sendRaw({ toWxid: 'wxid_dup' });
      const singles = Array.from({ length: 10 }, () => call('POST', '/messages', { response: text, revokeAfterSec: 0 }));
      const pair = call('POST', '/messages', [{ response: text, revokeAfterSec: 0 }, { response: text }]);
      const answers = await Promise.all([...singles, pair]);
      const statuses = answers.slice(0, 10).map((a) => a.status).concat(answers[10].body.results.map((x) => (x.created ? 201 : 200)));
      assert.deepEqual([statuses.filter((x) => x === 201).length, statuses.filter((x) => x === 200).length], [1, 11]);
      assert.equal(new Set(answers.slice(0, 10).map((a) => a.body.message.key)).size, 1);
      const key = answers[0].body.message.key;
      await until('the recall', async () => (await state(call, key)).state === 'revoked');
      await sleep(200);
      assert.equal(s.revokesOf(message.newMsgId), 1);
      assert.equal((await call('GET', '/chats/wxid_dup/messages')).body.messages.length, 1);
    });

    await t.test('undo the burst: 50 messages to one chat revoked in send order, the other chat untouched, an expired one not sent', async () => {
      const expired = await recordFresh(s, call, { toWxid: 'wxid_burst', createTime: nowSec() - 200 });
      const burst = [];
      const other = [];
      for (let i = 0; i < 60; i++) {
        const x = s.sendRaw({ toWxid: i % 6 === 5 ? 'wxid_bystander' : 'wxid_burst' });
        (x.message.toWxid === 'wxid_burst' ? burst : other).push(x.message);
        const r = await call('POST', '/messages', { response: x.text });
        assert.equal(r.status, 201);
      }
      assert.deepEqual([burst.length, other.length], [50, 10]);
      const started = Date.now();
      const r = await call('POST', '/chats/wxid_burst/undo', {});
      const took = Date.now() - started;
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(
        r.body.messages.map((x) => [x.newMsgId, x.state]),
        [[expired.m.newMsgId, 'expired'], ...burst.map((m) => [m.newMsgId, 'revoked'])],
      );
      // GeWe saw exactly the 50, once each, in send order, each inside its window (it refuses late ones), paced.
      assert.deepEqual(s.revokeCalls.map((c) => c.body.newMsgId), burst.map((m) => m.newMsgId));
      assert.deepEqual([...new Set(s.revokeCalls.map((c) => c.outcome))], ['revoked']);
      assert.ok(s.revokeCalls.every((c, i) => c.at <= (burst[i].createTime + 120) * 1000));
      assert.ok(took >= 49 * 20, `50 revokes at least 20 ms apart took ${took} ms`);
      assert.equal(s.stats.maxInflight, 1);
      for (const m of other) assert.equal(s.message(m.newMsgId).revoked, false);
      const bystanders = await call('GET', '/chats/wxid_bystander/messages');
      assert.deepEqual([...new Set(bystanders.body.messages.map((x) => x.state))], ['recorded']);
      // Again: nothing left to do, the same answer.
      const again = await call('POST', '/chats/wxid_burst/undo');
      assert.deepEqual(again.body.messages.map((x) => x.state), r.body.messages.map((x) => x.state));
      assert.equal(s.revokeCalls.length, 50);
    });

    await t.test('undo: only those sent in the last N seconds; a scheduled recall racing it still revokes once', async () => {
      const older = await recordFresh(s, call, { toWxid: 'wxid_recent', createTime: nowSec() - 60 });
      const recent = [];
      for (let i = 0; i < 4; i++) recent.push(await recordFresh(s, call, { toWxid: 'wxid_recent', revokeAfterSec: 0 + (i % 2) }));
      const r = await call('POST', '/chats/wxid_recent/undo', { sentWithinSec: 30 });
      assert.deepEqual(r.body.messages.map((x) => [x.newMsgId, x.state]), recent.map((x) => [x.m.newMsgId, 'revoked']));
      assert.equal((await state(call, older.key)).state, 'recorded');
      await sleep(1500);
      for (const x of recent) assert.equal(s.revokesOf(x.m.newMsgId), 1);
      assert.equal(s.revokesOf(older.m.newMsgId), 0);
      for (const bad of [{ sentWithinSec: 0 }, { sentWithinSec: 'x' }, []]) assert.equal((await call('POST', '/chats/wxid_recent/undo', bad)).status, 400);
    });

    await t.test('the Worker\'s promises hold on the ledger routes: key, origins, methods, bodies', async () => {
      for (const [method, path] of [['POST', '/messages'], ['GET', '/messages?newMsgId=1'], ['GET', keyPath(`${s.appId}:1`)], ['PUT', `${keyPath(`${s.appId}:1`)}/schedule`], ['DELETE', `${keyPath(`${s.appId}:1`)}/schedule`], ['POST', `${keyPath(`${s.appId}:1`)}/revoke`], ['GET', '/chats/x/messages'], ['POST', '/chats/x/undo']]) {
        const r = await call(method, path, method === 'GET' || method === 'DELETE' ? undefined : {}, { auth: 'wrong' });
        assert.deepEqual([r.status, r.body.error.code], [401, 'UNAUTHORIZED'], `${method} ${path}`);
      }
      const denied = await call('GET', '/chats/x/messages', undefined, { headers: { Origin: 'https://evil.example' } });
      assert.deepEqual([denied.status, denied.body.error.code], [403, 'ORIGIN_NOT_ALLOWED']);
      const allowed = await call('GET', '/chats/x/messages', undefined, { headers: { Origin: 'https://app.example.com' } });
      assert.deepEqual([allowed.status, allowed.headers.get('Access-Control-Allow-Origin')], [200, 'https://app.example.com']);
      const method = await call('PATCH', `${keyPath(`${s.appId}:1`)}/schedule`);
      assert.deepEqual([method.status, method.body.error.code, method.headers.get('Allow')], [405, 'METHOD_NOT_ALLOWED', 'PUT, DELETE']);
      assert.equal((await call('DELETE', '/messages')).headers.get('Allow'), 'GET, HEAD, POST');
      const big = await call('POST', '/messages', { response: 'x'.repeat(70_000) });
      assert.deepEqual([big.status, big.body.error.code], [413, 'PAYLOAD_TOO_LARGE']);
      const type = await call('POST', '/messages', undefined, { headers: { 'Content-Type': 'text/plain' } });
      assert.equal(type.status, 415);
      assert.equal((await call('GET', '/messages/%E0%A4%A')).body.error.code, 'BAD_REQUEST');
      assert.equal((await call('GET', '/chats//messages')).status, 404);
    });

    await t.test('the GeWe token appears in no response', () => {
      assert.ok(call.texts.length > 200);
      for (const text of call.texts) assert.ok(!text.includes(s.token), text);
    });
  });

  test("an account's revokes run at most LEDGER_REVOKE_CONCURRENCY at once", { timeout: 30_000 }, async (t) => {
    const { s, call } = await setup(t, { LEDGER_REVOKE_CONCURRENCY: '4', LEDGER_REVOKE_INTERVAL_MS: '0' });
    const ids = [];
    for (let i = 0; i < 12; i++) ids.push((await recordFresh(s, call, { toWxid: 'wxid_paced' })).m.newMsgId);
    s.fault('slow', { delayMs: 600, times: 12 });
    const started = Date.now();
    const r = await call('POST', '/chats/wxid_paced/undo');
    assert.deepEqual(r.body.messages.map((x) => x.state), Array(12).fill('revoked'));
    assert.equal(s.stats.maxInflight, 4, 'four at once, never more');
    assert.ok(Date.now() - started >= 3 * 600, 'twelve held 600 ms each, four at a time');
    assert.deepEqual(ids.map((id) => s.revokesOf(id)), Array(12).fill(1));
  });

  test('ledger routes need their binding and valid settings', { timeout: 30_000 }, async (t) => {
    const s = await startStandin();
    const base = { API_KEY, GEWE_TOKEN: s.token, GEWE_BASE_URL: s.baseUrl, GEWE_APP_ID: s.appId };
    const mf = ledgerWorker(DIST, { ...base, LEDGER_MAX_MESSAGES: '12abc' });
    t.after(async () => {
      await mf.dispose();
      await s.close();
    });
    const call = caller(mf);
    const { text } = s.sendRaw();
    const bad = await call('POST', '/messages', { response: text });
    assert.deepEqual(bad.body, { ok: false, error: { code: 'MISCONFIGURED', message: "The Worker's LEDGER_MAX_MESSAGES is not valid." } });
    assert.equal((await call('POST', '/messages', { response: text }, { auth: null })).status, 401);
    await mf.setOptions({ ...workerOptions(DIST, base), cf: false });
    const unbound = await call('POST', '/messages', { response: text });
    assert.deepEqual([unbound.status, unbound.body.error.code], [500, 'NOT_CONFIGURED']);
    assert.match(unbound.body.error.message, /LEDGER/);
    assert.equal((await call('POST', '/revoke', { toWxid: 'x', msgId: '0', newMsgId: '1', createTime: String(nowSec()) })).status, 200, '/revoke needs no ledger');
  });

  test('bounded storage: at the bound the oldest messages past their window make room; then 507 LEDGER_FULL; old ones are pruned', { timeout: 30_000 }, async (t) => {
    const { s, call } = await setup(t, { LEDGER_MAX_MESSAGES: '5' });
    const old = [];
    for (let i = 0; i < 2; i++) old.push(await recordFresh(s, call, { createTime: nowSec() - 300 + i }));
    const fresh = [];
    for (let i = 0; i < 3; i++) fresh.push(await recordFresh(s, call, { revokeAfterSec: 100 }));
    assert.deepEqual([...old, ...fresh].map((x) => x.r.status), [201, 201, 201, 201, 201]);
    const fourth = await recordFresh(s, call);
    assert.equal(fourth.r.status, 201);
    assert.equal((await call('GET', keyPath(old[0].key))).status, 404, 'the oldest expired message made room');
    assert.equal((await call('GET', keyPath(old[1].key))).status, 200);
    assert.equal((await recordFresh(s, call)).r.status, 201);
    const full = await recordFresh(s, call);
    assert.deepEqual([full.r.status, full.r.body.error.code], [507, 'LEDGER_FULL']);
    assert.equal((await call('GET', `/messages?newMsgId=${full.m.newMsgId}`)).status, 404);
    // A duplicate of a stored message is still answered at the bound.
    assert.equal((await call('POST', '/messages', { response: fourth.text })).status, 200);
    for (const x of fresh) assert.equal((await state(call, x.key)).state, 'scheduled', 'no revocable message was evicted');
    // Past the window and the retention margin (an hour), the object prunes a message by itself.
    const { s: s2, call: call2 } = await setup(t);
    const ancient = await recordFresh(s2, call2, { createTime: nowSec() - 3800 });
    assert.equal(ancient.r.status, 201);
    await until('the prune', async () => (await call2('GET', keyPath(ancient.key))).status === 404, 5000);
  });

  test('an alarm run that dies half way is retried: the revoke it had sent is not sent again, the rest are sent once', { timeout: 40_000 }, async (t) => {
    // LEDGER_TEST_FAULT resets the object after GeWe answered the revoke to wxid_crash, before the outcome is stored.
    const { s, call } = await setup(t, { LEDGER_REVOKE_CONCURRENCY: '1', LEDGER_REVOKE_INTERVAL_MS: '0', LEDGER_TEST_FAULT: 'crash-after-revoke:wxid_crash' });
    const createTime = nowSec();
    const a = await recordFresh(s, call, { toWxid: 'wxid_crash', createTime, revokeAfterSec: 2 });
    const b = await recordFresh(s, call, { toWxid: 'wxid_calm', createTime, revokeAfterSec: 2 });
    const c = await recordFresh(s, call, { toWxid: 'wxid_calm', createTime, revokeAfterSec: 2 });
    await until('the retried run', async () => (await state(call, b.key)).state === 'revoked' && (await state(call, c.key)).state === 'revoked', 15_000);
    const crashed = await state(call, a.key);
    assert.equal(crashed.state, 'failed');
    assert.deepEqual(crashed.error, { code: 'INTERRUPTED', message: crashed.error.message, maybeDelivered: true });
    assert.equal(s.message(a.m.newMsgId).revoked, true, 'GeWe did revoke it: resending would be a second revoke');
    const hand = await call('POST', `${keyPath(a.key)}/revoke`);
    assert.deepEqual([hand.status, hand.body.error.code], [409, 'INTERRUPTED']);
    const undo = await call('POST', '/chats/wxid_crash/undo');
    assert.deepEqual(undo.body.messages.map((x) => x.state), ['failed']);
    await sleep(300);
    assert.deepEqual([a, b, c].map((x) => s.revokesOf(x.m.newMsgId)), [1, 1, 1]);
    assert.equal(s.stats.revokeMsg, 3);
  });

  test('restarts on persisted storage: a pending recall still fires once; a revoke cut off mid-request is never resent', { timeout: 60_000 }, async (t) => {
    const persist = `${ROOT}test-output/ledger-persist-${process.pid}`;
    rmSync(persist, { recursive: true, force: true });
    t.after(() => rmSync(persist, { recursive: true, force: true }));
    const s = await startStandin();
    t.after(() => s.close());
    const env = { API_KEY, GEWE_TOKEN: s.token, GEWE_BASE_URL: s.baseUrl, GEWE_APP_ID: s.appId, GEWE_TIMEOUT_MS: '20000', LEDGER_REVOKE_INTERVAL_MS: '0' };

    await t.test('scheduled, the Worker disposed before the alarm, a new one on the same storage: one revoke', async () => {
      const first = ledgerWorker(DIST, env, { persist });
      // Ten seconds of margin: a loaded machine must still dispose of the first Worker before the alarm.
      const x = await recordFresh(s, caller(first), { revokeAfterSec: 10 });
      assert.equal(x.r.status, 201);
      await first.dispose();
      assert.equal(s.stats.revokeMsg, 0, 'disposed before the alarm');
      const second = ledgerWorker(DIST, env, { persist });
      try {
        // Nothing calls the new Worker: its alarm alone must fire.
        await until('the recall after the restart', () => s.revokesOf(x.m.newMsgId) === 1, 20_000);
        assert.ok(Date.now() >= (x.m.createTime + 10) * 1000);
        await sleep(500);
        assert.equal(s.revokesOf(x.m.newMsgId), 1);
        assert.equal((await state(caller(second), x.key)).state, 'revoked');
      } finally {
        await second.dispose();
      }
    });

    await t.test('the Worker dies with the revoke out: the new one marks it INTERRUPTED and sends nothing', async () => {
      s.resetCounters();
      s.fault('hang');
      const first = ledgerWorker(DIST, env, { persist });
      const x = await recordFresh(s, caller(first), { revokeAfterSec: 0 });
      await until('the revoke to reach GeWe', () => s.stats.revokeMsg === 1, 5000);
      await first.dispose();
      const second = ledgerWorker(DIST, env, { persist });
      try {
        const after = await state(caller(second), x.key);
        assert.deepEqual([after.state, after.error.code, after.error.maybeDelivered], ['failed', 'INTERRUPTED', true]);
        assert.equal((await caller(second)('POST', `${keyPath(x.key)}/revoke`)).status, 409);
        await sleep(1000);
        assert.equal(s.stats.revokeMsg, 1, 'never resent');
      } finally {
        await second.dispose();
      }
    });
  });

  test('a recall whose alarm comes too late expires without a request', { timeout: 60_000 }, async (t) => {
    // One account's revokes run one at a time: a revoke held 17 s at GeWe keeps the next one waiting past its window.
    const { s, call } = await setup(t, { LEDGER_REVOKE_CONCURRENCY: '1', LEDGER_REVOKE_INTERVAL_MS: '0', GEWE_TIMEOUT_MS: '30000' });
    s.fault('slow', { delayMs: 17_000 });
    const blocker = await recordFresh(s, call, { revokeAfterSec: 0 });
    await until('the held revoke', () => s.stats.inflight === 1, 5000);
    // Due 5 s from now, its window closing at most 15 s from now.
    const late = await recordFresh(s, call, { createTime: nowSec() - 105, revokeAfterSec: 110 });
    assert.equal(late.r.status, 201, JSON.stringify(late.r.body));
    await until('the held revoke to finish', async () => (await state(call, blocker.key)).state === 'revoked', 25_000);
    await until('the late one to expire', async () => (await state(call, late.key)).state === 'expired', 5000);
    await sleep(500);
    assert.equal(s.revokesOf(late.m.newMsgId), 0);
  });
});
