// The Worker in workerd (through Miniflare), built by `wrangler deploy --dry-run` exactly as a deploy would package it,
// against the GeWe stand-in on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Miniflare } from 'miniflare';
import { parseSendReceipt } from 'gewe-revoke';
import { startStandin } from '../../standin/standin.js';
import { sendText } from '../helpers.js';
import { API_KEY, COMPAT, dryRun, workerOptions as bundleOptions } from './harness.js';

const DIST = dryRun('worker-dist').dist;
const ORIGIN = 'https://app.example.com';
const nowSec = () => Math.floor(Date.now() / 1000);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Miniflare options for the bundled Worker with these bindings. */
const workerOptions = (bindings) => bundleOptions(DIST, bindings);

function worker(bindings, options = {}) {
  return new Miniflare({ ...workerOptions(bindings), cf: false, ...options });
}

/** A plain HTTP server on 127.0.0.1, closed after the test; returns its base URL. */
async function serve(t, handler) {
  const server = http.createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${server.address().port}`;
}

/** POSTs JSON to the Worker with `Authorization: Bearer <auth>` (none when auth is null). */
function post(mf, path, body, auth = API_KEY) {
  const headers = { 'Content-Type': 'application/json' };
  if (auth !== null) headers.Authorization = `Bearer ${auth}`;
  return mf.dispatchFetch(`http://worker.test${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
}

test('the Worker in workerd', async (t) => {
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

  await t.test('GET /health, and HEAD: the same status and headers, no body', async () => {
    const r = await call('/health', { method: 'GET', auth: null });
    assert.deepEqual([r.status, r.body], [200, { ok: true }]);
    const head = await mf.dispatchFetch('http://worker.test/health', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    const framing = new Set(['content-length', 'transfer-encoding']);
    const list = (h) => [...h].filter(([k]) => !framing.has(k));
    assert.deepEqual(list(head.headers), list(r.headers));
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
      for (const hidden of ['cause', 'data', 'body']) assert.ok(!(hidden in r.body.error), `${code} shows ${hidden}`);
      s.clearFaults();
    }
    s.fault('offline');
    const api = await call('/revoke', { body: p });
    assert.deepEqual(api.body.error, { code: 'API_ERROR', message: 'GeWe refused the call with ret 500: 撤回消息失败 (微信已离线).', ret: 500, apiMsg: '撤回消息失败', status: 200 });
    s.fault('html502', { times: 2 });
    const http = await call('/revoke', { body: p });
    assert.equal(http.body.error.status, 502);
  });

  await t.test('maybeDelivered: true when GeWe may have acted on a failed call, absent otherwise', async () => {
    const p = await fresh();
    for (const [fault, code, maybe] of [['hang', 'TIMEOUT', true], ['reset', 'NETWORK', true], ['offline', 'API_ERROR', false]]) {
      s.fault(fault);
      const r = await call('/revoke', { body: p });
      assert.equal(r.body.error.code, code, JSON.stringify(r.body));
      assert.equal(r.body.error.maybeDelivered, maybe ? true : undefined, `${code}: ${JSON.stringify(r.body)}`);
      s.clearFaults();
    }
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

  await t.test('POST /revoke/batch: concurrency null means the default', async () => {
    const r = await call('/revoke/batch', { body: { items: [await fresh(), await fresh()], concurrency: null } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.results, [{ ok: true, ret: 200, msg: '操作成功' }, { ok: true, ret: 200, msg: '操作成功' }]);
    assert.equal(s.stats.revokeMsg, 2);
  });

  await t.test('POST /revoke/batch: duplicates, identical or after normalisation, are revoked once and share the result', async () => {
    const a = await fresh();
    const same = { ...a, msgId: Number(a.msgId), newMsgId: `00${a.newMsgId}`, createTime: Number(a.createTime) };
    const r = await call('/revoke/batch', { body: { items: [a, a, same] } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(s.stats.revokeMsg, 1, 'the stand-in saw one revoke');
    assert.deepEqual(r.body.results, Array(3).fill({ ok: true, ret: 200, msg: '操作成功' }));
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
    const head = await mf.dispatchFetch('http://worker.test/revoke/batch', { method: 'HEAD' });
    assert.deepEqual([head.status, head.headers.get('Allow'), await head.text()], [405, 'POST', '']);
    const healthPost = await call('/health', { body: {} });
    assert.deepEqual([healthPost.status, healthPost.headers.get('Allow')], [405, 'GET, HEAD']);
    assert.equal(s.stats.revokeMsg, 0);
  });

  await t.test('CORS: allowed origins get headers and preflight; others are refused', async () => {
    const pre = await mf.dispatchFetch('http://worker.test/revoke', { method: 'OPTIONS', headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('Access-Control-Allow-Origin'), ORIGIN);
    assert.match(pre.headers.get('Access-Control-Allow-Headers'), /Authorization/);
    assert.equal(pre.headers.get('Access-Control-Allow-Methods'), 'GET, HEAD, POST, PUT, DELETE, OPTIONS');
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

test('without API_KEY nobody gets in: every protected route answers 401, and the operator is told once', async (t) => {
  const s = await startStandin();
  const logs = [];
  const mf = worker({ GEWE_BASE_URL: s.baseUrl, GEWE_TOKEN: s.token, GEWE_APP_ID: s.appId }, { handleStructuredLogs: (log) => void logs.push(log) });
  t.after(async () => {
    await mf.dispose();
    await s.close();
  });
  assert.equal((await mf.dispatchFetch('http://worker.test/health')).status, 200);
  const receipt = parseSendReceipt(await sendText(s));
  for (const path of ['/revoke', '/revoke/batch']) {
    for (const auth of [null, '', 'undefined', API_KEY]) {
      const res = await post(mf, path, path === '/revoke' ? receipt : { items: [receipt] }, auth);
      assert.deepEqual([res.status, (await res.json()).error.code], [401, 'UNAUTHORIZED'], `${path} with ${auth}`);
      assert.equal(res.headers.get('WWW-Authenticate'), 'Bearer');
    }
  }
  assert.equal(s.stats.revokeMsg, 0);
  await sleep(100);
  const errors = logs.filter((l) => l.level === 'error');
  assert.equal(errors.length, 1, JSON.stringify(logs));
  assert.match(errors[0].message, /API_KEY/);
  for (const value of [s.token, s.baseUrl, s.appId]) assert.ok(!errors[0].message.includes(value), errors[0].message);
});

test('without GEWE_TOKEN: 401 before authentication, 500 NOT_CONFIGURED after', async (t) => {
  const s = await startStandin();
  const mf = worker({ GEWE_BASE_URL: s.baseUrl, API_KEY });
  t.after(async () => {
    await mf.dispose();
    await s.close();
  });
  assert.equal((await mf.dispatchFetch('http://worker.test/health')).status, 200);
  for (const path of ['/revoke', '/revoke/batch']) {
    const anonymous = await post(mf, path, {}, null);
    assert.deepEqual([anonymous.status, (await anonymous.json()).error.code], [401, 'UNAUTHORIZED']);
    const res = await post(mf, path, {});
    assert.deepEqual([res.status, (await res.json()).error.code], [500, 'NOT_CONFIGURED']);
  }
  assert.equal(s.stats.revokeMsg, 0);
});

test('a bad setting answers 500 MISCONFIGURED naming only the variable, and only to authenticated callers', async (t) => {
  const s = await startStandin();
  const good = { API_KEY, GEWE_TOKEN: s.token, GEWE_BASE_URL: s.baseUrl, GEWE_APP_ID: s.appId };
  const mf = worker(good);
  t.after(async () => {
    await mf.dispose();
    await s.close();
  });
  const receipt = parseSendReceipt(await sendText(s));
  const cases = [
    ['GEWE_TIMEOUT_MS', 'soon'],
    ['GEWE_TIMEOUT_MS', '-5'],
    ['GEWE_TIMEOUT_MS', ' '],
    ['GEWE_TIMEOUT_MS', '2147483648'],
    ['GEWE_BASE_URL', 'ftp://x'],
    ['GEWE_BASE_URL', 'http://999.1.1.1/x'],
    ['GEWE_TOKEN', 'bad-token-7Q\nsecond-line-4Z'],
    ['GEWE_TOKEN', '{{gewe-token}}'],
    ['GEWE_APP_ID', '{{appid}}'],
  ];
  for (const [name, value] of cases) {
    await t.test(`${name} = ${JSON.stringify(value)}`, async () => {
      await mf.setOptions({ ...workerOptions({ ...good, [name]: value }), cf: false });
      const anonymous = await post(mf, '/revoke', receipt, null);
      assert.deepEqual([anonymous.status, (await anonymous.json()).error.code], [401, 'UNAUTHORIZED']);
      for (const path of ['/revoke', '/revoke/batch']) {
        const res = await post(mf, path, path === '/revoke' ? receipt : { items: [receipt] });
        const text = await res.text();
        assert.equal(res.status, 500, text);
        assert.deepEqual(JSON.parse(text), { ok: false, error: { code: 'MISCONFIGURED', message: `The Worker's ${name} is not valid.` } });
        for (const part of [value, ...value.split('\n')].filter((v) => v.trim().length > 3)) assert.ok(!text.includes(part), text);
      }
      assert.equal(s.stats.revokeMsg, 0);
    });
  }
});

test('redirects are not followed: a 302 from GeWe answers 502 HTTP_STATUS with its location; the target gets nothing', async (t) => {
  const landed = [];
  const target = await serve(t, (req, res) => {
    landed.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ret":200,"msg":"操作成功"}');
  });
  const location = `${target}/gewe/v2/api/message/revokeMsg`;
  const gewe = await serve(t, (req, res) => {
    req.resume();
    res.writeHead(302, { location, 'content-length': '0' });
    res.end();
  });
  const mf = worker({ API_KEY, GEWE_TOKEN: 'redirect-test-token-77', GEWE_BASE_URL: `${gewe}/gewe/v2/api`, GEWE_APP_ID: 'wx_app' });
  t.after(() => mf.dispose());
  const res = await post(mf, '/revoke', { toWxid: 'wxid_friend', msgId: '0', newMsgId: '3768973957878705021', createTime: String(nowSec()) });
  const body = await res.json();
  assert.equal(res.status, 502, JSON.stringify(body));
  assert.deepEqual(body.error, { code: 'HTTP_STATUS', message: body.error.message, status: 302, location });
  assert.deepEqual(landed, []);
});

test('a client that hangs up aborts the GeWe call: request.signal fires and the upstream connection closes', async (t) => {
  // A GeWe that takes revokeMsg and never answers, noting when each request's connection closes.
  const upstream = [];
  const gewe = await serve(t, (req) => {
    const seen = { url: req.url, closedAt: null };
    upstream.push(seen);
    req.socket.on('close', () => (seen.closedAt = Date.now()));
  });
  // workerd cancels a request when its caller abandons it, but does not notice an HTTP client that hangs up before
  // any answer (neither dispatchFetch's abort nor a destroyed socket). So a client Worker calls through a service
  // binding and gives up after x-give-up-ms, as Cloudflare's edge does when the visitor goes away.
  const client = `export default { async fetch(request, env) {
    const ms = Number(request.headers.get('x-give-up-ms'));
    try { return await env.WORKER.fetch(request, ms ? { signal: AbortSignal.timeout(ms) } : {}); }
    catch (e) { return new Response(e.name, { status: 499 }); }
  } };`;
  // The bundled Worker as is, wrapped to count the aborts of the request.signal it is handed.
  const probe = `import worker from './index.js';
    let aborts = 0;
    export default { fetch(request, env, ctx) {
      if (new URL(request.url).pathname === '/__aborts') return Response.json(aborts);
      request.signal.addEventListener('abort', () => aborts++);
      return worker.fetch(request, env, ctx);
    } };`;
  const bindings = { API_KEY, GEWE_TOKEN: 'disconnect-test-token-5', GEWE_BASE_URL: `${gewe}/gewe/v2/api`, GEWE_APP_ID: 'wx_app', GEWE_TIMEOUT_MS: '20000' };
  const mf = new Miniflare({
    cf: false,
    workers: [
      { name: 'client', modules: true, script: client, compatibilityDate: COMPAT.compatibilityDate, serviceBindings: { WORKER: 'gewe-revoke' } },
      { ...workerOptions(bindings), name: 'gewe-revoke', script: probe, scriptPath: `${DIST}/probe.js` },
    ],
  });
  t.after(() => mf.dispose());
  assert.equal((await mf.dispatchFetch('http://worker.test/health')).status, 200);
  const res = await mf.dispatchFetch('http://worker.test/revoke', {
    method: 'POST',
    headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json', 'x-give-up-ms': '200' },
    body: JSON.stringify({ toWxid: 'wxid_friend', msgId: '0', newMsgId: '3768973957878705021', createTime: String(nowSec()) }),
  });
  assert.deepEqual([res.status, await res.text()], [499, 'TimeoutError']);
  const gaveUp = Date.now();
  while (upstream[0]?.closedAt == null && Date.now() - gaveUp < 2000) await sleep(20);
  assert.equal(upstream.length, 1, 'the revoke reached GeWe before the client hung up');
  assert.ok(upstream[0].closedAt !== null && upstream[0].closedAt - gaveUp < 2000, 'the upstream connection closed within 2 s');
  const aborts = await (await mf.getWorker('gewe-revoke')).fetch('http://worker.test/__aborts');
  assert.equal(await aborts.json(), 1, 'request.signal fired (compatibility flag enable_request_signal)');
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
