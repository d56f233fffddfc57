// The ledger's rule in workerd (Miniflare, the bundle a deploy ships) against the GeWe stand-in: a due recall is
// pursued until GeWe confirms it or the window closes, through outages, faults GeWe may have acted on and restarts,
// never after a confirmation and never twice at once; and the defects of issue 16, each with the test that catches it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { startStandin } from '../../standin/standin.js';
import { API_KEY, ROOT, dryRun, ledgerWorker, sleep, testLedgerWorker, until } from './harness.js';

const { dist: DIST } = dryRun('worker-dist-ledger-rule');
const nowSec = () => Math.floor(Date.now() / 1000);
const keyPath = (key) => `/messages/${encodeURIComponent(key)}`;

/** Calls the Worker with the API key; returns status and parsed body. */
function caller(mf) {
  return async (method, path, body) => {
    const headers = { Authorization: `Bearer ${API_KEY}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await mf.dispatchFetch(`http://worker.test${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
}

const baseEnv = (s, vars = {}) => ({
  API_KEY,
  GEWE_TOKEN: s.token,
  GEWE_BASE_URL: s.baseUrl,
  GEWE_APP_ID: s.appId,
  GEWE_TIMEOUT_MS: '3000',
  LEDGER_REVOKE_INTERVAL_MS: '0',
  LEDGER_RETRY_MS: '300',
  ...vars,
});

/** A stand-in and a ledger Worker on it, both closed after the test. */
async function setup(t, vars = {}, options = {}) {
  const s = await startStandin();
  const mf = ledgerWorker(DIST, baseEnv(s, vars), options);
  t.after(async () => {
    await mf.dispose();
    await s.close();
  });
  return { s, mf, call: caller(mf) };
}

/** A persistence directory for one test, removed after it. */
function persistDir(t, name) {
  const dir = `${ROOT}test-output/ledger-rule-${name}-${process.pid}`;
  rmSync(dir, { recursive: true, force: true });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function recordFresh(s, call, { toWxid = 'wxid_friend', createTime, ...extra } = {}) {
  const { message, text } = s.sendRaw({ toWxid, createTime });
  const r = await call('POST', '/messages', { response: text, ...extra });
  return { m: message, text, r, key: r.body?.message?.key };
}

const state = async (call, key) => (await call('GET', keyPath(key))).body?.message ?? {};

/** Asserts what GeWe saw for a message: its requests end with the one confirmation, at most 5 in all. */
function assertPursuit(s, m, faults) {
  const seen = s.requestsOf(m.newMsgId);
  assert.deepEqual(seen.map((r) => r.fault), [...faults, null], `requests for ${m.newMsgId}`);
  assert.equal(seen.filter((r) => r.confirmed).length, 1);
  assert.equal(seen.at(-1).confirmed, true, 'nothing after the confirmation');
  assert.ok(seen.length <= 5);
  assert.equal(s.message(m.newMsgId).revoked, true);
}

describe('the ledger pursues a due recall', { concurrency: true }, () => {
  test('GeWe unreachable at the due time and for seconds after, then back: revoked inside the window, once', { timeout: 30_000 }, async (t) => {
    // The outage outlasts a whole attempt (the library's own resends included) several times over.
    const { s, call } = await setup(t, { LEDGER_RETRY_MS: '300', GEWE_TIMEOUT_MS: '1000' });
    await s.down();
    const x = await recordFresh(s, call, { revokeAfterSec: 1 });
    assert.equal(x.r.status, 201);
    // Inside workerd a refused connection reads like a broken one: the ledger cannot tell, and tries again.
    const failed = await until('the first attempt to fail', async () => ((await state(call, x.key)).attempts >= 1 ? state(call, x.key) : null), 10_000);
    assert.notEqual(failed.state, 'failed');
    await sleep(2000);
    await s.up();
    await until('the recall after the outage', async () => (await state(call, x.key)).state === 'revoked', 15_000);
    await sleep(500);
    assertPursuit(s, x.m, []);
    const call0 = s.revokeCalls.find((c) => c.body.newMsgId === x.m.newMsgId);
    assert.equal(call0.outcome, 'revoked', 'inside the window');
    assert.ok((await state(call, x.key)).attempts >= 2, 'the ledger tried again');
  });

  test('every fault GeWe may have acted on ends revoked, with nothing sent after the confirmation', { timeout: 40_000 }, async (t) => {
    // A deadline well above a loaded machine's slowest answer: a confirmation read late is a timeout to the ledger.
    const { s, call } = await setup(t, { GEWE_TIMEOUT_MS: '2500' });
    const page = '<html><body><h1>500 Internal Server Error</h1></body></html>';
    const cases = [
      ['hang', { act: true }, 'TIMEOUT'],
      ['echoBody', { act: true, status: 500, body: page, headers: { 'content-type': 'text/html' } }, 'HTTP_STATUS'],
      ['reset', { act: true }, 'NETWORK'],
      ['html502', { act: true }, 'HTTP_STATUS'],
      ['truncated', { act: true }, undefined],
      ['offline', {}, 'API_ERROR'],
    ];
    const sent = [];
    for (const [kind, options, code] of cases) {
      s.fault(kind, options);
      const x = await recordFresh(s, call, { toWxid: `wxid_${kind}` });
      const r = await call('POST', `${keyPath(x.key)}/revoke`);
      assert.deepEqual([r.status, r.body.message.state], [202, 'retrying'], `${kind}: ${JSON.stringify(r.body)}`);
      if (code) assert.equal(r.body.message.error.code, code, kind);
      // What the library says GeWe may have done; the ledger retries either way.
      if (['hang', 'reset', 'truncated', 'offline'].includes(kind)) assert.equal(r.body.message.error.maybeDelivered, kind === 'offline' ? undefined : true, kind);
      sent.push([x, kind]);
      // One at a time: the next fault must meet the next message, not this one's retry.
      await until(`${x.m.toWxid} revoked`, async () => (await state(call, x.key)).state === 'revoked');
    }
    await sleep(800);
    for (const [x, kind] of sent) {
      assertPursuit(s, x.m, [kind === 'echoBody' ? 'echoBody' : kind]);
      assert.equal(s.requestsOf(x.m.newMsgId)[0].acted, kind !== 'offline');
    }
    assert.equal(s.stats.maxInflight, 1, 'never two at once');
  });

  test('tries run out: failed, with maybeDelivered, after exactly 5 requests', { timeout: 30_000 }, async (t) => {
    const { s, call } = await setup(t, { LEDGER_RETRY_MS: '100' });
    s.fault('reset', { times: 5 });
    const x = await recordFresh(s, call, { revokeAfterSec: 0 });
    await until('the pursuit to end', async () => (await state(call, x.key)).state === 'failed');
    await sleep(1000);
    const end = await state(call, x.key);
    assert.deepEqual([end.attempts, end.error.code, end.error.maybeDelivered], [5, 'NETWORK', true]);
    assert.equal(s.requestsOf(x.m.newMsgId).length, 5);
    assert.equal((await call('POST', `${keyPath(x.key)}/revoke`)).status, 502, 'no sixth request by hand');
    assert.equal(s.requestsOf(x.m.newMsgId).length, 5);
  });

  test('a restart during an alarm run in which messages were recorded and undone: every pending recall still fires on time', { timeout: 40_000 }, async (t) => {
    const persist = persistDir(t, 'run');
    const s = await startStandin();
    t.after(() => s.close());
    const env = baseEnv(s, { GEWE_TIMEOUT_MS: '20000', LEDGER_REVOKE_CONCURRENCY: '1' });
    let mf = ledgerWorker(DIST, env, { persist });
    t.after(() => mf.dispose());
    let call = caller(mf);
    s.fault('hang');
    const createTime = nowSec();
    const due = [];
    for (let i = 0; i < 3; i++) due.push(await recordFresh(s, call, { toWxid: 'wxid_run', createTime, revokeAfterSec: 0 }));
    await until('the first revoke to hang at GeWe', () => s.stats.inflight === 1, 5000);
    // While the run waits: a plain record, and a burst undone (its revokes queue behind the hung one).
    const plain = await recordFresh(s, call, { toWxid: 'wxid_plain' });
    const burst = [];
    for (let i = 0; i < 2; i++) burst.push(await recordFresh(s, call, { toWxid: 'wxid_undone' }));
    const undo = call('POST', '/chats/wxid_undone/undo').catch(() => {});
    await sleep(100);
    await mf.dispose();
    await undo;
    const restartedAt = Date.now();
    mf = ledgerWorker(DIST, env, { persist });
    call = caller(mf);
    // Nothing calls the new Worker: its alarm alone must fire every pending recall, the one cut off included.
    // The ones queued behind the hung revoke (by the alarm, and by the undo cut off with the Worker) fire at once,
    // not at the next prune; then the one cut off at GeWe is retried.
    await until('the queued recalls', () => [...due.slice(1), ...burst].every((x) => s.message(x.m.newMsgId).revoked), 15_000);
    assert.ok(Date.now() - restartedAt < 10_000, 'on time, not at the next prune');
    await until('the recall cut off', () => s.message(due[0].m.newMsgId).revoked, 10_000);
    await sleep(500);
    for (const x of [...due, ...burst]) assert.equal(s.requestsOf(x.m.newMsgId).filter((r) => r.confirmed).length, 1);
    assert.deepEqual(s.requestsOf(due[0].m.newMsgId).map((r) => r.fault), ['hang', null], 'the one cut off is retried');
    assert.equal(s.revokesOf(plain.m.newMsgId), 0, 'the plain record is left alone');
    assert.equal((await state(call, plain.key)).state, 'recorded');
  });

  test('a revoked media send (no createTime) that left the ledger and is recorded again stays revoked', { timeout: 30_000 }, async (t) => {
    const persist = persistDir(t, 'tomb');
    const s = await startStandin();
    t.after(() => s.close());
    const env = baseEnv(s);
    let mf = testLedgerWorker(DIST, env, { persist });
    let call = caller(mf);
    const media = s.sendRaw({ toWxid: 'wxid_media', createTime: 0 });
    const r = await call('POST', '/messages', { response: media.text });
    assert.deepEqual([r.status, r.body.message.createTime], [201, '0']);
    const key = r.body.message.key;
    assert.equal((await call('POST', `${keyPath(key)}/revoke`)).status, 200);
    // Two hours later (the ledger's clock): the row has been pruned, its tombstone remains.
    await mf.dispose();
    mf = testLedgerWorker(DIST, { ...env, TEST_CLOCK_OFFSET_MS: String(2 * 3600_000) }, { persist });
    t.after(() => mf.dispose());
    call = caller(mf);
    await until('the prune', async () => (await call('GET', keyPath(key))).status === 404, 8000);
    const again = await call('POST', '/messages', { response: media.text, revokeAfterSec: 0 });
    assert.deepEqual([again.status, again.body.created, again.body.message?.state], [200, false, 'revoked'], JSON.stringify(again.body));
    // Its row stays gone (the answer came from the tombstone): nothing to revoke by hand.
    assert.equal((await call('POST', `${keyPath(key)}/revoke`)).status, 404);
    await sleep(500);
    assert.equal(s.revokesOf(media.message.newMsgId), 1, 'never revoked twice');
  });

  test('messages are pruned an hour after their window', { timeout: 30_000 }, async (t) => {
    const persist = persistDir(t, 'prune');
    const s = await startStandin();
    t.after(() => s.close());
    const env = baseEnv(s);
    let mf = testLedgerWorker(DIST, env, { persist });
    const old = await recordFresh(s, caller(mf), { createTime: nowSec() - 100 });
    assert.equal(old.r.status, 201);
    await mf.dispose();
    mf = testLedgerWorker(DIST, { ...env, TEST_CLOCK_OFFSET_MS: String(3700_000) }, { persist });
    t.after(() => mf.dispose());
    // Nothing but the object's start and its alarm: the prune is armed from the table.
    await sleep(300);
    const call = caller(mf);
    await until('the prune', async () => (await call('GET', keyPath(old.key))).status === 404, 8000);
  });

  test('GEWE_APP_IDS bounds the deployment: an unknown appId is refused before any Durable Object exists', { timeout: 30_000 }, async (t) => {
    const persist = persistDir(t, 'accounts');
    const s = await startStandin();
    t.after(() => s.close());
    const mf = ledgerWorker(DIST, baseEnv(s, { GEWE_APP_ID: '', GEWE_APP_IDS: ` ${s.appId} , wx_second ` }), { persist });
    t.after(() => mf.dispose());
    const call = caller(mf);
    const { text } = s.sendRaw();
    const probes = [
      ['POST', '/messages', { appId: 'wx_made_up', response: text }],
      ['POST', '/messages', [{ appId: 'wx_made_up', response: text }]],
      ['GET', '/messages?newMsgId=1234567890123456789&appId=wx_made_up'],
      ['GET', keyPath('wx_made_up:1234567890123456789')],
      ['PUT', `${keyPath('wx_made_up:1234567890123456789')}/schedule`, { revokeAfterSec: 10 }],
      ['DELETE', `${keyPath('wx_made_up:1234567890123456789')}/schedule`],
      ['POST', `${keyPath('wx_made_up:1234567890123456789')}/revoke`],
      ['GET', '/chats/messages?toWxid=x&appId=wx_made_up'],
      ['POST', '/chats/undo', { toWxid: 'x', appId: 'wx_made_up' }],
      ['GET', '/chats/x/messages?appId=wx_made_up'],
    ];
    for (const [method, path, body] of probes) {
      const r = await call(method, path, body);
      const error = r.body.error ?? r.body.results?.[0]?.error;
      const status = r.body.results ? 403 : r.status;
      assert.deepEqual([status, error.code, error.field], [403, 'UNKNOWN_APP_ID', 'appId'], `${method} ${path}: ${JSON.stringify(r.body)}`);
      assert.match(error.message, /GEWE_APP_IDS/);
    }
    const files = () => (existsSync(persist) ? readdirSync(persist, { recursive: true }).filter((f) => f.endsWith('.sqlite') && !f.endsWith('metadata.sqlite')) : []);
    assert.deepEqual(files(), [], 'no Durable Object storage was created');
    // The served accounts work (trimmed), and only they create storage.
    assert.equal((await call('POST', '/messages', { appId: 'wx_second', response: text })).status, 201);
    assert.equal((await call('GET', `/messages?newMsgId=1&appId=${s.appId}`)).status, 404);
    assert.equal(files().length, 2);
    // No account at all: the ledger routes say what to set.
    const none = ledgerWorker(DIST, baseEnv(s, { GEWE_APP_ID: '' }));
    t.after(() => none.dispose());
    const r = await caller(none)('POST', '/messages', { appId: s.appId, response: text });
    assert.deepEqual([r.status, r.body.error.code], [500, 'NOT_CONFIGURED']);
    assert.match(r.body.error.message, /GEWE_APP_IDS/);
  });

  test('a recall cancelled while its revoke waits in the queue can be rescheduled at once', { timeout: 30_000 }, async (t) => {
    const { s, call } = await setup(t, { LEDGER_REVOKE_CONCURRENCY: '1', GEWE_TIMEOUT_MS: '10000' });
    s.fault('slow', { delayMs: 2500 });
    const createTime = nowSec() - 1;
    const blocker = s.sendRaw({ toWxid: 'wxid_q', createTime });
    const queued = s.sendRaw({ toWxid: 'wxid_q', createTime });
    const r = await call('POST', '/messages', [{ response: blocker.text, revokeAfterSec: 0 }, { response: queued.text, revokeAfterSec: 1 }]);
    const key = r.body.results[1].message.key;
    await until('the blocker at GeWe', () => s.stats.inflight === 1, 5000);
    const cancelled = await call('DELETE', `${keyPath(key)}/schedule`);
    assert.deepEqual([cancelled.status, cancelled.body.message.state], [200, 'cancelled']);
    const moved = await call('PUT', `${keyPath(key)}/schedule`, { revokeAfterSec: 3 });
    assert.deepEqual([moved.status, moved.body.message?.state], [200, 'scheduled'], JSON.stringify(moved.body));
    await until('the rescheduled recall', async () => (await state(call, key)).state === 'revoked', 10_000);
    const at = s.revokeCalls.find((c) => c.body.newMsgId === queued.message.newMsgId).at;
    assert.ok(at >= (createTime + 3) * 1000, 'at its new time');
    assert.equal(s.revokesOf(queued.message.newMsgId), 1);
  });

  test('chats named "." and ".." (and other path-hostile ids) are listed and undone; a cursor reaches a whole chat', { timeout: 30_000 }, async (t) => {
    const { s, call } = await setup(t);
    for (const toWxid of ['.', '..', 'a/b', 'x?y#z', '%2e%2e']) {
      const x = await recordFresh(s, call, { toWxid });
      assert.equal(x.r.status, 201);
      const q = encodeURIComponent(toWxid);
      const listed = await call('GET', `/chats/messages?toWxid=${q}`);
      assert.deepEqual(listed.body.messages.map((m) => m.newMsgId), [x.m.newMsgId], toWxid);
      const undone = await call('POST', '/chats/undo', { toWxid });
      assert.deepEqual(undone.body.messages.map((m) => [m.newMsgId, m.state]), [[x.m.newMsgId, 'revoked']], toWxid);
    }
    assert.deepEqual((await call('GET', '/chats/messages')).body.error.field, 'toWxid');
    // Seven messages, three a page: newest first by page, each page in send order.
    const seven = [];
    for (let i = 0; i < 7; i++) seven.push((await recordFresh(s, call, { toWxid: 'wxid_paged' })).m.newMsgId);
    const pages = [];
    let cursor;
    for (let i = 0; i < 5; i++) {
      const r = await call('GET', `/chats/wxid_paged/messages?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(r.body.messages.map((m) => m.newMsgId));
      assert.equal(r.body.more, r.body.cursor ? true : undefined);
      cursor = r.body.cursor;
      if (!cursor) break;
    }
    assert.deepEqual(pages, [seven.slice(4), seven.slice(1, 4), seven.slice(0, 1)]);
    assert.equal((await call('GET', '/chats/wxid_paged/messages?cursor=nope')).body.error.field, 'cursor');
    // Undo follows the same cursor, at most `limit` per request.
    const states = [];
    cursor = undefined;
    for (let i = 0; i < 5; i++) {
      const r = await call('POST', '/chats/undo', { toWxid: 'wxid_paged', limit: 3, ...(cursor ? { cursor } : {}) });
      assert.ok(r.body.messages.length <= 3);
      states.push(...r.body.messages.map((m) => m.state));
      cursor = r.body.cursor;
      if (!cursor) break;
    }
    assert.deepEqual(states, Array(7).fill('revoked'));
    for (const id of seven) assert.equal(s.revokesOf(id), 1);
  });

  test('errors tell HTTP callers what to send, not what JavaScript to call', { timeout: 30_000 }, async (t) => {
    const { s, call } = await setup(t);
    const m = s.send();
    const jsWords = /BigInt|parseSendReceipt|revokeWindowSec|JavaScript|Number\.MAX_SAFE_INTEGER/;
    const unsafe = await call('POST', '/revoke', { toWxid: m.toWxid, msgId: m.msgId, newMsgId: Number(m.newMsgId), createTime: String(m.createTime) });
    assert.deepEqual([unsafe.status, unsafe.body.error.code], [400, 'UNSAFE_INTEGER']);
    assert.doesNotMatch(unsafe.body.error.message, jsWords);
    assert.match(unsafe.body.error.message, /JSON string of digits/);
    const late = s.send({ createTime: nowSec() - 900 });
    const expired = await call('POST', '/revoke', { ...late, createTime: String(late.createTime) });
    assert.deepEqual([expired.status, expired.body.error.code], [422, 'REVOKE_WINDOW_EXPIRED']);
    assert.doesNotMatch(expired.body.error.message, jsWords);
    const bool = await call('POST', '/revoke', { toWxid: m.toWxid, msgId: m.msgId, newMsgId: true, createTime: String(m.createTime) });
    assert.deepEqual([bool.status, bool.body.error.code], [400, 'INVALID_PARAMS']);
    assert.doesNotMatch(bool.body.error.message, jsWords);
    assert.equal(s.stats.revokeMsg, 0);
  });
});
