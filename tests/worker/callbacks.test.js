// GeWe's message callbacks in workerd (through Miniflare), bundled as a deploy bundles the Worker, posted over HTTP
// by the stand-in's callback sender: the path secret, setCallback's test POST, every fixture of GEWE-CALLBACKS.md,
// the exact join from a recall notice to its message, duplicates, restarts and late re-deliveries, unknown
// accounts, oversized bodies, the 3-second answer under a slow Durable Object, retention and the storage bound, the
// ledger record of phone-sent messages, and the webhook forward's retries against a real server on 127.0.0.1.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { FIXTURES, createCallbacks, lowerCase, playScenario, rawJson } from '../../standin/callbacks.js';
import { API_KEY, ROOT, dryRun, until, workerOptions } from './harness.js';

const { dist: DIST, stdout: DRY_RUN } = dryRun('worker-dist-callbacks');
const SECRET = 'cb-secret-7d41e09a2f6b';
const GEWE_TOKEN = 'gewe-token-never-forwarded-93b1';
const APP_ID = 'wx_standin_app';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const DAY_MS = 86_400_000;

/** The Worker with its ledger and inbox (SQLite Durable Objects, persisted in `persist` when given), on HTTP. */
async function start(t, vars = {}, { persist } = {}) {
  const env = { API_KEY, GEWE_TOKEN, GEWE_BASE_URL: 'http://127.0.0.1:9/gewe/v2/api', GEWE_APP_ID: APP_ID, CALLBACK_SECRET: SECRET, ...vars };
  const mf = new Miniflare({
    ...workerOptions(DIST, env),
    durableObjects: { LEDGER: { className: 'Ledger', useSQLite: true }, INBOX: { className: 'Inbox', useSQLite: true } },
    ...(persist ? { durableObjectsPersist: persist } : {}),
    cf: false,
  });
  const base = new URL(await mf.ready).origin;
  let disposed = false;
  const dispose = async () => {
    if (!disposed) await mf.dispose();
    disposed = true;
  };
  t.after(dispose);
  const cb = createCallbacks({ url: `${base}/callbacks/${SECRET}` });
  /** Calls an API route with the API key; answers status and parsed body. */
  const api = async (path, { auth = API_KEY } = {}) => {
    const res = await fetch(`${base}${path}`, { headers: auth ? { Authorization: `Bearer ${auth}` } : {} });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, text };
  };
  const received = async (appId, newMsgId) => (await api(`/inbox/${encodeURIComponent(`${appId}:${newMsgId}`)}`)).body;
  const recalled = async (chat, query = '') => (await api(`/chats/${encodeURIComponent(chat)}/recalled${query}`)).body;
  return { mf, base, cb, api, received, recalled, dispose, env };
}

/**
 * POSTs `bytes` as the start of a chunked body (no Content-Length) that never ends, and answers the status and body
 * of the answer: a receiver that waits for the end of the body never answers (bounded by `ms`).
 */
function openEndedPost(url, bytes, ms = 10_000) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode, body: Buffer.concat(parts).toString('utf8') });
        req.destroy();
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within ${ms} ms while the body was still open`));
    }, ms);
    req.on('error', (e) => (clearTimeout(timer), reject(e)));
    req.write(bytes);
  });
}

/** A plain HTTP server on 127.0.0.1 answering each request with `statusFor(n)` (n from 1); keeps what it received. */
async function webhook(t, statusFor) {
  const got = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      got.push({ at: Date.now(), headers: req.headers, text: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(statusFor(got.length), { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${server.address().port}/recalls`, got };
}

test('wrangler deploy --dry-run bundles the inbox: the INBOX Durable Object binding and its own migration tag', () => {
  assert.match(DRY_RUN, /env\.INBOX \(Inbox\)\s+Durable Object/);
  const toml = readFileSync(`${ROOT}worker/wrangler.toml`, 'utf8');
  assert.match(toml, /\[\[durable_objects\.bindings\]\]\s*\nname = "INBOX"\s*\nclass_name = "Inbox"/);
  assert.match(toml, /\[\[migrations\]\]\s*\ntag = "v2"\s*\nnew_sqlite_classes = \["Inbox"\]/);
});

describe('GeWe callbacks in workerd', { concurrency: true }, () => {
  test('the path secret: missing, wrong or unset answers exactly as a path with no route; only POST is taken', { timeout: 60_000 }, async (t) => {
    const { base, cb } = await start(t);
    const { text } = cb.friendMessage();
    const post = async (path) => {
      const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: text });
      return { status: res.status, body: await res.json() };
    };
    const noRoute = await post('/callbacks-none/x');
    assert.equal(noRoute.status, 404);
    for (const path of ['/callbacks/', '/callbacks/wrong', `/callbacks/${SECRET}x`, `/callbacks/${SECRET.slice(0, -1)}`, `/callbacks/${SECRET}/`]) {
      const r = await post(path);
      assert.equal(r.status, 404, path);
      assert.deepEqual(r.body, { ok: false, error: { code: 'NOT_FOUND', message: `No route ${path}.` } }, path);
    }
    const get = await fetch(`${base}/callbacks/${SECRET}`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    await get.body.cancel();

    // Without CALLBACK_SECRET nothing is taken, not even with an empty or a guessed secret.
    const bare = await start(t, { CALLBACK_SECRET: '' });
    for (const path of ['/callbacks/', `/callbacks/${SECRET}`, '/callbacks/undefined']) {
      const res = await fetch(`${bare.base}${path}`, { method: 'POST', body: text });
      assert.equal(res.status, 404, path);
      assert.equal((await res.json()).error.message, `No route ${path}.`);
    }
  });

  test('every fixture of GEWE-CALLBACKS.md, the lower-case envelope, and the join from F4 to the message it recalls', { timeout: 60_000 }, async (t) => {
    const { cb, received, recalled } = await start(t, {
      GEWE_APP_IDS: 'wx_anAIaxXZGeuwhKeiGan_n, wx_wR_U4zPj2M_OTS3BCyoE4,wx_xxx',
      CALLBACK_STORE_CONTENT: '1',
    });
    const take = async (text) => {
      const r = await cb.post(text);
      assert.deepEqual([r.status, r.body], [200, 'success'], text.slice(0, 80));
    };

    // F6: setCallback's test POST is answered and stores nothing; its token appears in no answer.
    const test6 = await cb.post(FIXTURES.setCallbackTest);
    assert.deepEqual([test6.status, test6.body], [200, 'success']);

    // F1: the 64-bit NewMsgId exactly as written (JSON.parse would round it).
    await take(FIXTURES.privateText);
    assert.notEqual(String(Number('346853901463423953')), '346853901463423953');
    const f1 = (await received('wx_anAIaxXZGeuwhKeiGan_n', '346853901463423953')).message;
    assert.deepEqual(
      { newMsgId: f1.newMsgId, msgId: f1.msgId, msgSeq: f1.msgSeq, chat: f1.chat, from: f1.from, own: f1.own, type: f1.type, content: f1.content, createTime: f1.createTime },
      { newMsgId: '346853901463423953', msgId: '1646391156', msgSeq: '852214713', chat: 'wxid_14up8o14zvhv22', from: 'wxid_14up8o14zvhv22', own: false, type: 1, content: 'test私信消息', createTime: '1740026948' },
    );

    // F2: an image keeps the XML the payload carries and how big its thumbnail was, never the thumbnail.
    await take(FIXTURES.privateImage);
    const f2 = (await received('wx_wR_U4zPj2M_OTS3BCyoE4', '6906713067183447582')).message;
    assert.equal(f2.type, 3);
    // The document cuts the thumbnail short ("/9j/4AAQ…BM..."): its size is what the payload carries.
    assert.ok(f2.mediaBytes > 0);
    assert.match(f2.content, /^<\?xml version="1.0"\?>\n<msg>\n\t<img aeskey="9b7011c38d1af088f579eda23e3b9cad"/);
    assert.ok(!JSON.stringify(f2).includes('/9j/4AAQ'), 'the ImgBuf thumbnail is not kept');

    // F3: a group message: the member split from the `wxid:\n` prefix, the chat is the group.
    await take(FIXTURES.groupAt);
    const f3 = (await received('wx_xxx', '8449132831264840264')).message;
    assert.deepEqual([f3.chat, f3.sender, f3.content, f3.msgSeq], ['xxx@chatroom', 'wxid_xxx', '@name msg_content', '773900177']);

    // F4 recalls the 视频号 message MsgId 1040356115 / NewMsgId 5576224237104747184 of the same document; that message
    // is not among the fixtures, so it arrives here in F1's shape with the document's ids and the peer's wxid.
    const original = FIXTURES.privateText.replace('"wx_anAIaxXZGeuwhKeiGan_n"', '"wx_wR_U4zPj2M_OTS3BCyoE4"').replace('1646391156', '1040356115').replace('346853901463423953', '5576224237104747184').replaceAll('wxid_14up8o14zvhv22', 'wxid_phyyedw9xap22').replaceAll('wxid_upf0exaush5322', 'wxid_0xsqb3o0tsvz22');
    await take(original);
    await take(FIXTURES.privateRecall);
    const f4 = (await received('wx_wR_U4zPj2M_OTS3BCyoE4', '5576224237104747184')).message;
    assert.equal(f4.msgId, '1040356115');
    assert.equal(f4.content, 'test私信消息');
    assert.equal(f4.recalled.by, 'wxid_phyyedw9xap22');
    assert.equal(f4.recalled.noticeNewMsgId, '1968256046');
    assert.equal(f4.recalled.text, '"朝夕。" 撤回了一条消息');
    assert.ok(f4.keptUntil - f4.recalled.at === 3 * DAY_MS, 'kept for the default retention of 3 days');
    const list = await recalled('wxid_phyyedw9xap22', '?appId=wx_wR_U4zPj2M_OTS3BCyoE4');
    assert.deepEqual(list.messages.map((m) => m.newMsgId), ['5576224237104747184']);

    // F5: a pat is a 10002 sysmsg too, never a recall: nothing is marked and the pat itself is not kept.
    await take(FIXTURES.privatePat);
    assert.equal((await received('wx_wR_U4zPj2M_OTS3BCyoE4', '5709690173850254331')).error.code, 'UNKNOWN_MESSAGE');
    assert.equal((await recalled('wxid_0xsqb3o0tsvz22', '?appId=wx_wR_U4zPj2M_OTS3BCyoE4')).messages.length, 0);
    assert.equal((await recalled('wxid_phyyedw9xap22', '?appId=wx_wR_U4zPj2M_OTS3BCyoE4')).messages.length, 1);

    // The lower-case envelope (data/appid/type_name) reads the same: F3 under a new id.
    await take(lowerCase(FIXTURES.groupAt.replace('8449132831264840264', '8449132831264840265')));
    const lower = (await received('wx_xxx', '8449132831264840265')).message;
    assert.deepEqual([lower.chat, lower.sender, lower.content], ['xxx@chatroom', 'wxid_xxx', '@name msg_content']);

    // ModContacts and Offline are acknowledged and dropped.
    await take('{"TypeName":"Offline","Appid":"wx_xxx","Wxid":"wxid_gewechat_bot"}');
    await take('{"TypeName":"ModContacts","Appid":"wx_xxx","Data":{"UserName":{"string":"wxid_a"},"SnsBgobjectId":14216284872728580667,"Remark":{}}}');
  });

  test('a friend and a group: ids above 2^53 exact through the join, where JSON.parse would have joined nothing', { timeout: 60_000 }, async (t) => {
    const { cb, received, recalled } = await start(t, { CALLBACK_STORE_CONTENT: '1' });
    const friend = cb.friendMessage({ text: '这条会被撤回' });
    const group = cb.groupMessage({ room: '20000000001@chatroom', sender: 'wxid_member_a', text: '群里的话' });
    for (const c of [friend, group]) assert.equal((await cb.post(c)).status, 200);
    for (const m of [friend.message, group.message]) {
      assert.ok(BigInt(m.newMsgId) > 2n ** 53n);
      // What a JSON.parse client would have as the id: another number, so its join finds nothing.
      assert.notEqual(String(JSON.parse(friend.text.replace(/.*"NewMsgId":(\d+).*/s, '$1'))), friend.message.newMsgId);
      assert.equal((await cb.post(cb.recall(m))).status, 200);
    }
    const f = (await received(APP_ID, friend.message.newMsgId)).message;
    assert.deepEqual([f.newMsgId, f.msgId, f.content, f.recalled.by], [friend.message.newMsgId, friend.message.msgId, '这条会被撤回', 'wxid_standin_friend']);
    const g = (await recalled('20000000001@chatroom')).messages;
    assert.equal(g.length, 1);
    assert.deepEqual([g[0].newMsgId, g[0].sender, g[0].content, g[0].recalled.by], [group.message.newMsgId, 'wxid_member_a', '群里的话', 'wxid_member_a']);

    // A notice before its message (no ordering is promised): the notice is kept, the message joins it when it comes.
    const late = cb.friendMessage({ from: 'wxid_friend_b', text: '后到的' });
    await cb.post(cb.recall(late.message));
    const early = (await received(APP_ID, late.message.newMsgId)).message;
    assert.equal(early.received, false);
    assert.equal(early.recalled.by, 'wxid_friend_b');
    await cb.post(late);
    const joined = (await received(APP_ID, late.message.newMsgId)).message;
    assert.deepEqual([joined.content, joined.recalled.by, joined.keptUntil], ['后到的', 'wxid_friend_b', early.keptUntil]);
  });

  test("the stand-in's scenario end to end: test POST, duplicates, both recalls, the lower-case envelope, a late re-delivery", { timeout: 60_000 }, async (t) => {
    const { cb, received, recalled } = await start(t, { CALLBACK_STORE_CONTENT: '1' });
    const { friend, group, answers } = await playScenario(cb, { lateMs: 300 });
    assert.deepEqual(answers.map((a) => [a.name, a.status, a.body]).filter((a) => a[1] !== 200 || a[2] !== 'success'), []);
    assert.equal(answers.length, 10);
    const f = (await received(APP_ID, friend.message.newMsgId)).message;
    assert.deepEqual([f.content, f.recalled.by], [friend.message.text, friend.message.sender]);
    const [g] = (await recalled(group.message.chat)).messages;
    assert.deepEqual([g.newMsgId, g.sender, g.recalled.by], [group.message.newMsgId, group.message.sender, group.message.sender]);
    assert.equal((await recalled(friend.message.chat)).messages.length, 1);

    // The account's own recall ("你撤回了一条消息", no prefix): recalled by the account itself.
    const mine = cb.ownMessage({ to: 'wxid_standin_friend' });
    await cb.post(mine);
    await cb.post(cb.recall(mine.message, { by: cb.wxid, name: '你' }).text.replace('\\"你\\" 撤回了一条消息', '你撤回了一条消息'));
    const own = (await received(APP_ID, mine.message.newMsgId)).message;
    assert.deepEqual([own.own, own.recalled.by, own.recalled.text], [true, cb.wxid, '你撤回了一条消息']);
  });

  test('a recall notice pretty-printed, with a prologue, entities and character references, reads the same', { timeout: 60_000 }, async (t) => {
    const { cb, received } = await start(t, { CALLBACK_STORE_CONTENT: '1' });
    const m = cb.friendMessage({ from: 'wxid_pretty' });
    await cb.post(m);
    const xml = `<?xml version="1.0"?>\n<sysmsg type='revokemsg'>\n\t<revokemsg>\n\t\t<session>wxid_pretty</session>\n\t\t<msgid>${m.message.msgId}</msgid>\n\t\t<newmsgid>\n\t\t\t${m.message.newMsgId}\n\t\t</newmsgid>\n\t\t<replacemsg>&quot;A&amp;B&#x2605;&#26397;&quot; 撤回了一条消息 &lt;3</replacemsg>\n\t</revokemsg>\n</sysmsg>\n`;
    const notice = cb.recall(m.message);
    const text = notice.text.replace(/"Content":\{"string":"(?:[^"\\]|\\.)*"\}/, `"Content":{"string":${JSON.stringify(xml)}}`);
    assert.notEqual(text, notice.text);
    assert.equal((await cb.post(text)).status, 200);
    const v = (await received(APP_ID, m.message.newMsgId)).message;
    assert.deepEqual([v.recalled.by, v.recalled.text], ['wxid_pretty', '"A&B★朝" 撤回了一条消息 <3']);
  });

  test('content is kept only with CALLBACK_STORE_CONTENT=1: by default ids and metadata only', { timeout: 60_000 }, async (t) => {
    const { cb, received } = await start(t);
    const m = cb.friendMessage({ text: '不该被保存的内容' });
    await cb.post(m);
    await cb.post(cb.recall(m.message));
    const kept = (await received(APP_ID, m.message.newMsgId)).message;
    assert.equal(kept.content, undefined);
    assert.equal(kept.recalled.text, undefined);
    assert.equal(kept.recalled.by, 'wxid_standin_friend');
    assert.ok(!JSON.stringify(kept).includes('不该被保存') && !JSON.stringify(kept).includes('撤回了'));
  });

  test('duplicates, a restart and late re-deliveries change nothing; retention and forgetting follow the clock', { timeout: 90_000 }, async (t) => {
    const persist = mkdtempSync(join(tmpdir(), 'gewe-inbox-'));
    t.after(() => rmSync(persist, { recursive: true, force: true }));
    const first = await start(t, { CALLBACK_STORE_CONTENT: '1' }, { persist });
    const kept = first.cb.friendMessage({ text: '留着' });
    const gone = first.cb.friendMessage({ text: '被撤回' });
    const notice = first.cb.recall(gone.message);
    for (const c of [kept, kept, gone, notice, notice, gone]) assert.equal((await first.cb.post(c)).status, 200);
    const before = (await first.received(APP_ID, gone.message.newMsgId)).message;
    const keptBefore = (await first.received(APP_ID, kept.message.newMsgId)).message;
    await first.dispose();

    // After a restart on the same storage, the same callbacks again (GeWe re-delivers hours later) are known.
    const second = await start(t, { CALLBACK_STORE_CONTENT: '1' }, { persist });
    for (const c of [gone, notice, kept]) assert.equal((await second.cb.post(c)).status, 200);
    assert.deepEqual((await second.received(APP_ID, gone.message.newMsgId)).message, before);
    assert.deepEqual((await second.received(APP_ID, kept.message.newMsgId)).message, keptBefore);
    await second.dispose();

    // 20 minutes on (past INBOX_KEEP_SEC's 600 s): the message nobody recalled is gone, the recalled one is kept, and a
    // re-delivery of either is still known, so nothing comes back.
    const later = await start(t, { CALLBACK_STORE_CONTENT: '1', INBOX_TEST_CLOCK_SKEW_MS: String(20 * 60_000) }, { persist });
    assert.equal((await later.received(APP_ID, kept.message.newMsgId)).error.code, 'UNKNOWN_MESSAGE');
    for (const c of [kept, gone, notice]) assert.equal((await later.cb.post(c)).status, 200);
    assert.equal((await later.received(APP_ID, kept.message.newMsgId)).error.code, 'UNKNOWN_MESSAGE');
    assert.deepEqual((await later.received(APP_ID, gone.message.newMsgId)).message, before);
    await later.dispose();

    // 3 days and a minute on: the recalled message is past its retention; its ids are forgotten with it.
    const after = await start(t, { CALLBACK_STORE_CONTENT: '1', INBOX_TEST_CLOCK_SKEW_MS: String(3 * DAY_MS + 60_000) }, { persist });
    assert.equal((await after.received(APP_ID, gone.message.newMsgId)).error.code, 'UNKNOWN_MESSAGE');
    assert.deepEqual((await after.recalled('wxid_standin_friend')).messages, []);
  });

  test('only configured accounts; malformed and oversized bodies are refused; misconfiguration names the variable', { timeout: 60_000 }, async (t) => {
    const { cb, received } = await start(t, { GEWE_APP_IDS: `${APP_ID},wx_second` });
    const other = createCallbacks({ url: cb.url, appId: 'wx_someone_else' });
    const m = other.friendMessage();
    const r = await other.post(m);
    assert.equal(r.status, 403);
    assert.equal(JSON.parse(r.body).error.code, 'UNKNOWN_ACCOUNT');
    assert.equal((await received('wx_someone_else', m.message.newMsgId)).error.code, 'UNKNOWN_ACCOUNT');
    // GEWE_APP_IDS lists the second account: its callbacks are taken into its own inbox.
    const second = createCallbacks({ url: cb.url, appId: 'wx_second' });
    const s2 = second.friendMessage();
    assert.equal((await second.post(s2)).status, 200);
    assert.equal((await received('wx_second', s2.message.newMsgId)).message.newMsgId, s2.message.newMsgId);
    assert.equal((await received(APP_ID, s2.message.newMsgId)).error.code, 'UNKNOWN_MESSAGE');

    for (const [body, why] of [
      ['not json', 'not JSON'],
      ['[1]', 'not a JSON object'],
      ['{"TypeName":"AddMsg","Appid":"wx_standin_app"}', 'no Data'],
      [rawJson({ TypeName: 'AddMsg', Appid: APP_ID, Data: { MsgId: 1, NewMsgId: -5, MsgType: 1, CreateTime: 1, FromUserName: { string: 'a' }, ToUserName: { string: 'b' }, Content: { string: '' } } }), 'Data.NewMsgId is not an integer from 0 to 2^64-1'],
      [rawJson({ TypeName: 'AddMsg', Appid: APP_ID, Data: { MsgId: 1, NewMsgId: 18446744073709551616n, MsgType: 1, CreateTime: 1, FromUserName: { string: 'a' }, ToUserName: { string: 'b' }, Content: { string: '' } } }), 'Data.NewMsgId is not an integer from 0 to 2^64-1'],
      [rawJson({ TypeName: 'AddMsg', Appid: APP_ID, Data: { MsgId: 1, NewMsgId: 2, MsgType: 1, CreateTime: 1, FromUserName: 'a', ToUserName: { string: 'b' }, Content: { string: '' } } }), 'Data.FromUserName is not a'],
      [rawJson({ TypeName: 'AddMsg', Appid: APP_ID, Data: { MsgId: 1, NewMsgId: 2, MsgType: 10002, CreateTime: 1, FromUserName: { string: 'a' }, ToUserName: { string: 'b' }, Content: { string: '<sysmsg type="revokemsg"><revokemsg><newmsgid>12x</newmsgid></revokemsg></sysmsg>' } } }), '<newmsgid> is not an integer from 0 to 2^64-1'],
      [rawJson({ TypeName: 'AddMsg', Appid: APP_ID, Data: { MsgId: 1, NewMsgId: 2, MsgType: 10002, CreateTime: 1, FromUserName: { string: 'a' }, ToUserName: { string: 'b' }, Content: { string: '<sysmsg type="revokemsg"><revokemsg></revokemsg></sysmsg>' } } }), 'has no <newmsgid>'],
      ['{"Appid":"wx_standin_app"}', 'no TypeName'],
      ['{"TypeName":"AddMsg","Appid":7}', 'Appid is not a string'],
      ['{"TypeName":"AddMsg","Appid":"wx_standin_app","Wxid":1,"Data":{}}', 'Wxid is not a string'],
      [rawJson({ TypeName: 'AddMsg', Appid: APP_ID, Data: { MsgId: 1, NewMsgId: 2, MsgType: 1, CreateTime: 1, FromUserName: { string: 'a' }, ToUserName: { string: 'b' }, Content: { string: 5 } } }), 'Data.Content.string is not a string'],
      [rawJson({ TypeName: 'AddMsg', Appid: APP_ID, Data: { MsgId: 1, NewMsgId: 2, MsgType: 1, CreateTime: 'soon', FromUserName: { string: 'a' }, ToUserName: { string: 'b' }, Content: { string: '' } } }), 'Data.CreateTime is not an integer'],
      [rawJson({ TypeName: 'AddMsg', Appid: APP_ID, Data: { MsgId: 1.5, NewMsgId: 2, MsgType: 1, CreateTime: 1, FromUserName: { string: 'a' }, ToUserName: { string: 'b' }, Content: { string: '' } } }), 'Data.MsgId is not an integer'],
      [rawJson({ TypeName: 'AddMsg', Appid: APP_ID, Data: { MsgId: 1, NewMsgId: 2, MsgType: 10002, CreateTime: 1, FromUserName: { string: 'a' }, ToUserName: { string: 'b' }, Content: { string: '<sysmsg type="revokemsg"><revokemsg>' } } }), 'Data.Content'],
    ]) {
      const bad = await cb.post(body);
      assert.equal(bad.status, 400, body);
      const error = JSON.parse(bad.body).error;
      assert.equal(error.code, 'BAD_CALLBACK', body);
      assert.ok(error.message.includes(why), `${error.message} / ${why}`);
    }

    // Over the byte cap: refused whether Content-Length says so or a chunked body only shows it as it streams.
    const big = cb.imageMessage({ thumbnailBytes: 200 * 1024 });
    assert.ok(big.text.length > 256 * 1024);
    const declared = await cb.post(big);
    assert.equal(declared.status, 413);
    // One byte past the cap of a body that never ends: refused as it streams, without waiting for the end.
    const streamed = await openEndedPost(cb.url, Buffer.from(big.text.slice(0, 256 * 1024 + 1)));
    assert.equal(streamed.status, 413);
    assert.equal(JSON.parse(streamed.body).error.code, 'PAYLOAD_TOO_LARGE');
    // A thumbnail well under the cap is taken; its size is kept, never its bytes.
    const image = cb.imageMessage({ thumbnailBytes: 4096 });
    assert.equal((await cb.post(image)).status, 200);
    const kept = (await received(APP_ID, image.message.newMsgId)).message;
    assert.equal(kept.mediaBytes, 4096);
    assert.equal(kept.type, 3);

    for (const [name, value] of [['INBOX_KEEP_SEC', '60'], ['INBOX_RECALLED_KEEP_DAYS', '0'], ['INBOX_MAX_MESSAGES', 'x'], ['CALLBACK_STORE_CONTENT', 'yes'], ['CALLBACK_RECORD_OWN', 'true'], ['RECALL_WEBHOOK_URL', 'ftp://example.test/x']]) {
      const w = await start(t, { [name]: value });
      const res = await w.cb.post(w.cb.friendMessage());
      assert.equal(res.status, 500, name);
      assert.deepEqual(JSON.parse(res.body).error, { code: 'MISCONFIGURED', message: `The Worker's ${name} is not valid.` });
      await w.dispose();
    }
  });

  test('a slow Durable Object still gets GeWe its answer within 3 seconds, and the message is stored after', { timeout: 60_000 }, async (t) => {
    const { cb, received } = await start(t, { INBOX_TEST_FAULT: 'slow-ingest:4000' });
    const m = cb.friendMessage();
    const r = await cb.post(m);
    assert.deepEqual([r.status, r.body], [200, 'success']);
    assert.ok(r.ms < 3000, `answered in ${Math.round(r.ms)} ms`);
    assert.ok(r.ms >= 1400, `waited for the store first (${Math.round(r.ms)} ms)`);
    await until('the slow store', async () => (await received(APP_ID, m.message.newMsgId)).message, 15_000);
  });

  test('a store that fails half way is answered 503 and leaves nothing, so the resend is taken, not called a duplicate', { timeout: 60_000 }, async (t) => {
    const { cb, received } = await start(t, { INBOX_TEST_FAULT: 'fail-store:wxid_flaky', CALLBACK_STORE_CONTENT: '1' });
    const m = cb.friendMessage({ from: 'wxid_flaky', text: '第二次才存下' });
    const first = await cb.post(m);
    assert.equal(first.status, 503);
    assert.equal(JSON.parse(first.body).error.code, 'UNAVAILABLE');
    assert.equal((await received(APP_ID, m.message.newMsgId)).error.code, 'UNKNOWN_MESSAGE');
    assert.deepEqual([(await cb.post(m)).status, (await received(APP_ID, m.message.newMsgId)).message.content], [200, '第二次才存下']);
  });

  test('the storage bound: past INBOX_MAX_MESSAGES the oldest unrecalled messages go first; remembered ids are bounded', { timeout: 60_000 }, async (t) => {
    const { cb, received } = await start(t, { INBOX_MAX_MESSAGES: '3' });
    const recalledOne = cb.friendMessage();
    await cb.post(recalledOne);
    await cb.post(cb.recall(recalledOne.message));
    const rest = [];
    for (let i = 0; i < 4; i++) {
      rest.push(cb.friendMessage());
      await cb.post(rest.at(-1));
    }
    const present = [];
    for (const m of [recalledOne, ...rest]) if ((await received(APP_ID, m.message.newMsgId)).ok) present.push(m.message.newMsgId);
    assert.deepEqual(present, [recalledOne.message.newMsgId, rest[2].message.newMsgId, rest[3].message.newMsgId]);

    // The remembered ids are bounded too (4 per message of the bound): with room for 1 message, 6 later callbacks
    // push out the first one's id, so its re-delivery is taken as new; the last one's is still known.
    const tiny = await start(t, { INBOX_MAX_MESSAGES: '1' });
    const all = Array.from({ length: 6 }, () => tiny.cb.friendMessage());
    for (const m of all) await tiny.cb.post(m);
    assert.equal((await tiny.received(APP_ID, all[0].message.newMsgId)).error.code, 'UNKNOWN_MESSAGE');
    await tiny.cb.post(all[0]);
    assert.equal((await tiny.received(APP_ID, all[0].message.newMsgId)).message.newMsgId, all[0].message.newMsgId);
    await tiny.cb.post(all[5]);
    assert.equal((await tiny.received(APP_ID, all[5].message.newMsgId)).error.code, 'UNKNOWN_MESSAGE', 'a known id is not stored again');
  });

  test('reading: API key, paging with a cursor, and every refused parameter', { timeout: 60_000 }, async (t) => {
    const { cb, api } = await start(t);
    const chat = 'wxid_paged_friend';
    const ids = [];
    for (let i = 0; i < 5; i++) {
      const m = cb.friendMessage({ from: chat });
      await cb.post(m);
      await cb.post(cb.recall(m.message));
      ids.push(m.message.newMsgId);
    }
    const seen = [];
    let cursor = null;
    for (let page = 0; page < 5; page++) {
      const r = await api(`/chats/${chat}/recalled?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(r.status, 200);
      seen.push(...r.body.messages.map((m) => m.newMsgId));
      cursor = r.body.cursor;
      if (!cursor) break;
    }
    assert.deepEqual(seen, [...ids].reverse());

    assert.equal((await api(`/chats/${chat}/recalled`, { auth: null })).status, 401);
    assert.equal((await api(`/chats/${chat}/recalled`, { auth: 'wrong' })).status, 401);
    for (const [path, code, field] of [
      [`/chats/${chat}/recalled?limit=0`, 'INVALID_PARAMS', 'limit'],
      [`/chats/${chat}/recalled?limit=201`, 'INVALID_PARAMS', 'limit'],
      [`/chats/${chat}/recalled?cursor=abc`, 'INVALID_PARAMS', 'cursor'],
      [`/chats/${chat}/recalled?appId=wx_unknown`, 'UNKNOWN_ACCOUNT', 'appId'],
      ['/inbox/not-a-key', 'INVALID_PARAMS', 'key'],
      ['/inbox/wx_unknown:123', 'UNKNOWN_ACCOUNT', 'appId'],
      [`/inbox/${APP_ID}:123`, 'UNKNOWN_MESSAGE', undefined],
    ]) {
      const r = await api(path);
      assert.equal(r.body.error.code, code, path);
      assert.equal(r.body.error.field, field, path);
    }
  });

  test("a phone-sent message goes into the ledger with CALLBACK_RECORD_OWN=1, so undo covers it", { timeout: 60_000 }, async (t) => {
    const { cb, api, received } = await start(t, { CALLBACK_RECORD_OWN: '1' });
    const own = cb.ownMessage({ to: 'wxid_burst_friend' });
    await cb.post(own);
    const inInbox = (await received(APP_ID, own.message.newMsgId)).message;
    assert.deepEqual([inInbox.own, inInbox.chat], [true, 'wxid_burst_friend']);
    const listed = await until('the ledger record', async () => (await api('/chats/wxid_burst_friend/messages')).body.messages?.[0]);
    assert.deepEqual(
      { toWxid: listed.toWxid, msgId: listed.msgId, newMsgId: listed.newMsgId, createTime: listed.createTime, state: listed.state },
      { toWxid: 'wxid_burst_friend', msgId: own.message.msgId, newMsgId: own.message.newMsgId, createTime: own.message.createTime, state: 'recorded' },
    );
    // A friend's message is never the account's to revoke: not recorded.
    const theirs = cb.friendMessage({ from: 'wxid_burst_friend' });
    await cb.post(theirs);
    assert.equal((await api(`/messages/${APP_ID}:${theirs.message.newMsgId}`)).body.error.code, 'UNKNOWN_MESSAGE');

    // Off (the default): the phone-sent message is in the inbox only.
    const off = await start(t);
    const quiet = off.cb.ownMessage({ to: 'wxid_burst_friend' });
    await off.cb.post(quiet);
    assert.equal((await off.received(APP_ID, quiet.message.newMsgId)).message.own, true);
    assert.deepEqual((await off.api('/chats/wxid_burst_friend/messages')).body.messages, []);
  });

  test('the webhook forward: retried with backoff until it succeeds, once per recall, never carrying a token', { timeout: 60_000 }, async (t) => {
    const hook = await webhook(t, (n) => (n <= 2 ? 500 : 200));
    const { cb, received } = await start(t, { RECALL_WEBHOOK_URL: hook.url, CALLBACK_STORE_CONTENT: '1' });
    assert.equal((await cb.post(cb.setCallbackTest(GEWE_TOKEN))).status, 200);
    const m = cb.friendMessage({ text: '转发我' });
    await cb.post(m);
    const notice = cb.recall(m.message);
    await cb.post(notice);
    await cb.post(notice);
    const done = await until('the forward delivered', async () => {
      const v = (await received(APP_ID, m.message.newMsgId)).message;
      return v.forward?.state === 'delivered' && v;
    }, 20_000);
    assert.equal(done.forward.tries, 3);
    await sleep(1500);
    assert.equal(hook.got.length, 3, 'one recall, three tries, no more');
    // Backoff: the second try about 1 s after the first, the third about 2 s after the second.
    const gaps = hook.got.slice(1).map((g, i) => g.at - hook.got[i].at);
    assert.ok(gaps[0] >= 900 && gaps[1] >= 1900, `gaps ${gaps}`);
    for (const g of hook.got) {
      const body = JSON.parse(g.text);
      assert.equal(body.event, 'recalled');
      assert.equal(body.message.newMsgId, m.message.newMsgId);
      assert.equal(body.message.content, '转发我');
      assert.ok(!g.text.includes(GEWE_TOKEN) && !JSON.stringify(g.headers).includes(GEWE_TOKEN), 'no token in what the webhook receives');
      assert.equal(g.headers['x-gewe-token'], undefined);
    }
  });

  test('the webhook forward gives up after 6 tries and says so', { timeout: 90_000 }, async (t) => {
    const hook = await webhook(t, () => 503);
    const { cb, received } = await start(t, { RECALL_WEBHOOK_URL: hook.url });
    const m = cb.friendMessage();
    await cb.post(m);
    await cb.post(cb.recall(m.message));
    const failed = await until('the forward given up', async () => {
      const v = (await received(APP_ID, m.message.newMsgId)).message;
      return v.forward?.state === 'failed' && v;
    }, 60_000);
    assert.equal(failed.forward.tries, 6);
    await sleep(2000);
    assert.equal(hook.got.length, 6);
  });
});
