// The Worker in workerd (through Miniflare), built by `wrangler deploy --dry-run` exactly as a deploy would package it,
// against the GeWe stand-in on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { parseSendReceipt } from 'gewe-revoke';
import { startStandin } from '../../standin/standin.js';
import { sendText } from '../helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = `${ROOT}test-output/worker-dist`;
const API_KEY = 'worker-api-key-5f3a9c';
const ORIGIN = 'https://app.example.com';
const nowSec = () => Math.floor(Date.now() / 1000);

/** Bundles worker/ with wrangler (on Node 22), as `wrangler deploy` would. */
function dryRun() {
  rmSync(DIST, { recursive: true, force: true });
  const run = spawnSync('bash', ['scripts/wrangler.sh', 'deploy', '--dry-run', '--outdir', DIST], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, `wrangler deploy --dry-run failed:\n${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /--dry-run: exiting now/);
  const files = readdirSync(DIST);
  assert.ok(files.includes('index.js') && files.some((f) => f.endsWith('.wasm')), files.join(', '));
}

function worker(bindings) {
  return new Miniflare({
    modules: true,
    scriptPath: `${DIST}/index.js`,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2026-07-01',
    cf: false,
    bindings,
  });
}

test('the Worker in workerd', async (t) => {
  dryRun();
  const s = await startStandin();
  const config = { API_KEY, GEWE_TOKEN: s.token, GEWE_BASE_URL: s.baseUrl, GEWE_APP_ID: s.appId, GEWE_TIMEOUT_MS: '1500', ALLOWED_ORIGINS: `${ORIGIN}, https://other.example.com` };
  const mf = worker(config);
  t.after(async () => {
    await mf.dispose();
    await s.close();
  });
  const texts = [];
  /** Calls the Worker; returns status, headers and parsed body, keeping every body for the token check. */
  const call = async (path, { method = 'POST', body, json = body !== undefined, auth = API_KEY, headers = {} } = {}) => {
    const h = { ...headers };
    if (auth) h.Authorization = `Bearer ${auth}`;
    if (json) h['Content-Type'] = 'application/json';
    const res = await mf.dispatchFetch(`http://worker.test${path}`, { method, headers: h, body: typeof body === 'string' || body === undefined ? body : JSON.stringify(body) });
    const text = await res.text();
    texts.push(text);
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  };
  const fresh = async () => parseSendReceipt(await sendText(s));
  t.beforeEach(() => s.resetCounters());

  await t.test('GET /health', async () => {
    const r = await call('/health', { method: 'GET', auth: null });
    assert.deepEqual([r.status, r.body], [200, { ok: true }]);
  });

  await t.test('POST /revoke: full round trip, the stand-in revoked that exact 64-bit message', async () => {
    const receipt = await fresh();
    const r = await call('/revoke', { body: receipt });
    assert.deepEqual([r.status, r.body], [200, { ok: true, ret: 200, msg: '操作成功' }]);
    assert.equal(s.message(receipt.newMsgId).revoked, true);
    assert.equal(s.revokeCalls[0].body.newMsgId, receipt.newMsgId);
  });

  await t.test('a JSON number id is rounded by JSON.parse and refused as UNSAFE_INTEGER (400), nothing sent', async () => {
    const receipt = await fresh();
    const raw = JSON.stringify(receipt).replace(`"newMsgId":"${receipt.newMsgId}"`, `"newMsgId":${receipt.newMsgId}`);
    const r = await call('/revoke', { body: raw });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'UNSAFE_INTEGER');
    assert.equal(r.body.error.field, 'newMsgId');
    assert.equal(s.stats.revokeMsg, 0);
  });

  await t.test('library errors map to statuses with code, message and what GeWe said', async () => {
    const p = await fresh();
    const cases = [
      [{ ...p, toWxid: '' }, null, 400, 'INVALID_PARAMS', 'toWxid'],
      [{ ...p, appId: '{{appid}}' }, null, 400, 'PLACEHOLDER', 'appId'],
      [{ appId: s.appId, ...s.send({ createTime: nowSec() - 900 }) }, null, 422, 'REVOKE_WINDOW_EXPIRED', 'createTime'],
      [p, ['offline', 1], 502, 'API_ERROR'],
      [p, ['html502', 2], 502, 'HTTP_STATUS'],
      [p, ['reset', 2], 502, 'NETWORK'],
      [p, ['invalidJson', 1], 502, 'BAD_RESPONSE'],
      [p, ['hang', 1], 504, 'TIMEOUT'],
    ];
    for (const [params, fault, status, code, field] of cases) {
      if (fault) s.fault(fault[0], { times: fault[1] });
      const r = await call('/revoke', { body: params });
      assert.deepEqual([r.status, r.body.ok, r.body.error.code], [status, false, code], JSON.stringify(r.body));
      assert.equal(typeof r.body.error.message, 'string');
      if (field) assert.equal(r.body.error.field, field);
      s.clearFaults();
    }
    s.fault('offline');
    const api = await call('/revoke', { body: p });
    assert.deepEqual(api.body.error, { code: 'API_ERROR', message: 'GeWe refused the call with ret 500: 撤回消息失败 (微信已离线).', ret: 500, apiMsg: '撤回消息失败', status: 200 });
    s.fault('html502', { times: 2 });
    const http = await call('/revoke', { body: p });
    assert.equal(http.body.error.status, 502);
  });

  await t.test('POST /revoke/batch: results in order with mixed outcomes', async () => {
    const a = await fresh();
    const b = await fresh();
    const r = await call('/revoke/batch', { body: { items: [a, { ...b, msgId: 'x' }, { appId: s.appId, ...s.send({ createTime: nowSec() - 900 }) }, b], concurrency: 2 } });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.results.map((x) => (x.ok ? 'ok' : x.error.code)), ['ok', 'INVALID_PARAMS', 'REVOKE_WINDOW_EXPIRED', 'ok']);
    assert.deepEqual(r.body.results[0], { ok: true, ret: 200, msg: '操作成功' });
    assert.equal(s.message(a.newMsgId).revoked && s.message(b.newMsgId).revoked, true);
    const many = await call('/revoke/batch', { body: { items: Array(101).fill(a) } });
    assert.deepEqual([many.status, many.body.error.code], [400, 'BAD_REQUEST']);
    const shapeless = await call('/revoke/batch', { body: { item: a } });
    assert.deepEqual([shapeless.status, shapeless.body.error.code], [400, 'BAD_REQUEST']);
    const badConcurrency = await call('/revoke/batch', { body: { items: [a], concurrency: 0 } });
    assert.deepEqual([badConcurrency.status, badConcurrency.body.error.field], [400, 'concurrency']);
  });

  await t.test('auth: missing, wrong or another scheme is 401', async () => {
    for (const auth of [null, 'wrong-key', `${API_KEY}x`, API_KEY.slice(0, -1)]) {
      const r = await call('/revoke', { body: {}, auth });
      assert.deepEqual([r.status, r.body.error.code], [401, 'UNAUTHORIZED']);
      assert.equal(r.headers.get('WWW-Authenticate'), 'Bearer');
    }
    const basic = await call('/revoke', { body: {}, auth: null, headers: { Authorization: `Basic ${API_KEY}` } });
    assert.equal(basic.status, 401);
    assert.equal(s.stats.revokeMsg, 0);
  });

  await t.test('bad requests: 413, 415, 400, 404, 405', async () => {
    const big = await call('/revoke', { body: JSON.stringify({ pad: 'x'.repeat(70_000) }) });
    assert.deepEqual([big.status, big.body.error.code], [413, 'PAYLOAD_TOO_LARGE']);
    const type = await call('/revoke', { body: 'appId=x', json: false, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.deepEqual([type.status, type.body.error.code], [415, 'UNSUPPORTED_MEDIA_TYPE']);
    const notJson = await call('/revoke', { body: '{"appId":' });
    assert.deepEqual([notJson.status, notJson.body.error.code], [400, 'BAD_JSON']);
    const missing = await call('/nope', { method: 'GET' });
    assert.deepEqual([missing.status, missing.body.error.code], [404, 'NOT_FOUND']);
    const method = await call('/revoke', { method: 'GET' });
    assert.deepEqual([method.status, method.body.error.code, method.headers.get('Allow')], [405, 'METHOD_NOT_ALLOWED', 'POST']);
    assert.equal(s.stats.revokeMsg, 0);
  });

  await t.test('CORS: allowed origins get headers and preflight; others are refused', async () => {
    const pre = await mf.dispatchFetch('http://worker.test/revoke', { method: 'OPTIONS', headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('Access-Control-Allow-Origin'), ORIGIN);
    assert.match(pre.headers.get('Access-Control-Allow-Headers'), /Authorization/);
    const ok = await call('/revoke', { body: await fresh(), headers: { Origin: ORIGIN } });
    assert.deepEqual([ok.status, ok.headers.get('Access-Control-Allow-Origin'), ok.headers.get('Vary')], [200, ORIGIN, 'Origin']);
    const deniedPre = await mf.dispatchFetch('http://worker.test/revoke', { method: 'OPTIONS', headers: { Origin: 'https://evil.example' } });
    assert.equal(deniedPre.status, 403);
    assert.equal(deniedPre.headers.get('Access-Control-Allow-Origin'), null);
    const denied = await call('/revoke', { body: await fresh(), headers: { Origin: 'https://evil.example' } });
    assert.deepEqual([denied.status, denied.body.error.code], [403, 'ORIGIN_NOT_ALLOWED']);
    assert.equal(s.stats.revokeMsg, 1, 'the refused origin sent nothing');
  });

  await t.test('50 concurrent clients send 200 revokes in all with zero errors', async () => {
    const receipts = await Promise.all(Array.from({ length: 200 }, fresh));
    const statuses = [];
    await Promise.all(
      Array.from({ length: 50 }, async (_, client) => {
        for (let i = client; i < 200; i += 50) statuses.push((await call('/revoke', { body: receipts[i] })).status);
      }),
    );
    assert.equal(statuses.length, 200);
    assert.deepEqual([...new Set(statuses)], [200]);
    assert.equal(receipts.filter((r) => s.message(r.newMsgId).revoked).length, 200);
    assert.equal(s.stats.revokeMsg, 200);
  });

  await t.test('the GeWe token appears in no response', () => {
    assert.ok(texts.length > 200);
    for (const text of texts) assert.ok(!text.includes(s.token), text);
  });
});

test('not configured: every route but /health answers 500, never an open proxy', async (t) => {
  const s = await startStandin();
  t.after(() => s.close());
  for (const bindings of [{ GEWE_BASE_URL: s.baseUrl, GEWE_TOKEN: s.token }, { GEWE_BASE_URL: s.baseUrl, API_KEY }]) {
    const mf = worker(bindings);
    try {
      assert.equal((await mf.dispatchFetch('http://worker.test/health')).status, 200);
      for (const path of ['/revoke', '/revoke/batch']) {
        const res = await mf.dispatchFetch(`http://worker.test${path}`, { method: 'POST', headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' }, body: '{}' });
        assert.equal(res.status, 500);
        assert.equal((await res.json()).error.code, 'NOT_CONFIGURED');
      }
    } finally {
      await mf.dispose();
    }
  }
  assert.equal(s.stats.revokeMsg, 0);
});

test('a wrong GEWE_TOKEN comes back as API_ERROR 502 with the token redacted', async (t) => {
  const s = await startStandin();
  const wrong = 'configured-but-wrong-token-31337';
  const mf = worker({ API_KEY, GEWE_TOKEN: wrong, GEWE_BASE_URL: s.baseUrl, GEWE_APP_ID: s.appId });
  t.after(async () => {
    await mf.dispose();
    await s.close();
  });
  const res = await mf.dispatchFetch('http://worker.test/revoke', {
    method: 'POST',
    headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(parseSendReceipt(await sendText(s))),
  });
  const text = await res.text();
  assert.equal(res.status, 502);
  assert.equal(JSON.parse(text).error.field, 'token');
  assert.ok(!text.includes(wrong), text);
  assert.match(text, /\[redacted\]/);
});
