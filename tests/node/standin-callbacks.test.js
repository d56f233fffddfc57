// The stand-in's callback sender (standin/callbacks.js) against a plain receiver on 127.0.0.1: what it posts is what
// GeWe posts (the fixtures' shapes, ids above 2^53 as bare JSON numbers, the lower-case envelope), in the scenario's
// order, with its duplicates and its late re-delivery byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { FIXTURES, bigId, createCallbacks, lowerCase, playScenario, rawJson } from '../../standin/callbacks.js';

/** The digits of a bare JSON number field in raw text (JSON.parse would round them). */
const rawField = (text, key) => new RegExp(`"${key}":\\s*(\\d+)`).exec(text)?.[1];

async function receiver(t) {
  const got = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      got.push({ at: Date.now(), method: req.method, path: req.url, type: req.headers['content-type'], text: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('success');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${server.address().port}/callbacks/secret`, got };
}

test('the fixtures are the six of GEWE-CALLBACKS.md: JSON, with their 64-bit ids as bare numbers', () => {
  assert.deepEqual(Object.keys(FIXTURES), ['privateText', 'privateImage', 'groupAt', 'privateRecall', 'privatePat', 'setCallbackTest']);
  for (const text of Object.values(FIXTURES)) JSON.parse(text);
  assert.equal(rawField(FIXTURES.privateText, 'NewMsgId'), '346853901463423953');
  assert.equal(rawField(FIXTURES.privateRecall, 'NewMsgId'), '1968256046');
  assert.match(FIXTURES.privateRecall, /<newmsgid>5576224237104747184<\/newmsgid>/);
  assert.deepEqual(JSON.parse(FIXTURES.setCallbackTest), { testMsg: '验证回调地址是否可用', token: '2ba011b96a48477687692c059c247bf5' });
});

test('bigId and rawJson: ids no double can hold, written as bare numbers', () => {
  for (let i = 0; i < 200; i++) {
    const id = bigId();
    assert.ok(BigInt(id) > 2n ** 60n && BigInt(id) < 2n ** 64n, id);
    assert.notEqual(String(Number(id)), id);
    assert.ok(!id.endsWith('000'));
  }
  assert.equal(rawJson({ a: 18446744073709551615n, b: 'x', c: [1n] }), '{"a":18446744073709551615,"b":"x","c":[1]}');
});

test('lowerCase renames the envelope keys only, never a key inside a string', () => {
  const text = lowerCase(FIXTURES.groupAt);
  const body = JSON.parse(text);
  assert.deepEqual(Object.keys(body).sort(), ['appid', 'data', 'type_name', 'wxid']);
  assert.ok('MsgId' in body.data && 'FromUserName' in body.data);
  assert.equal(lowerCase('{"Content":{"string":"{\\"Data\\": 1}"}}'), '{"Content":{"string":"{\\"Data\\": 1}"}}');
});

test('the scenario posts what GeWe posts, in order, with duplicates and a late re-delivery byte for byte', async (t) => {
  const { url, got } = await receiver(t);
  const cb = createCallbacks({ url, appId: 'wx_app', wxid: 'wxid_bot' });
  const started = Date.now();
  const { friend, group, friendRecall, groupRecall, answers } = await playScenario(cb, { token: 'tok-echo', lateMs: 200 });
  assert.deepEqual(answers.map((a) => a.status), Array(10).fill(200));
  assert.equal(got.length, 10);
  assert.ok(got.every((g) => g.method === 'POST' && g.path === '/callbacks/secret' && /^application\/json/.test(g.type)));
  assert.deepEqual(JSON.parse(got[0].text), { testMsg: '验证回调地址是否可用', token: 'tok-echo' });
  assert.deepEqual(got.slice(1).map((g) => g.text), [friend.text, friend.text, group.text, group.text, friendRecall.text, groupRecall.text, lowerCase(friend.text), friend.text, friendRecall.text]);
  assert.ok(got[8].at - started >= 200, 'the re-delivery came late');

  // A friend's message: F1's shape, the NewMsgId above 2^53 as a bare number that JSON.parse cannot keep.
  const f = JSON.parse(friend.text);
  assert.deepEqual([f.TypeName, f.Appid, f.Wxid, f.Data.FromUserName.string, f.Data.ToUserName.string, f.Data.MsgType], ['AddMsg', 'wx_app', 'wxid_bot', friend.message.from, 'wxid_bot', 1]);
  assert.equal(rawField(friend.text, 'NewMsgId'), friend.message.newMsgId);
  assert.notEqual(String(f.Data.NewMsgId), friend.message.newMsgId);
  assert.equal(rawField(friend.text, 'MsgId'), friend.message.msgId);
  // A group message: F3's `wxid:\n` prefix.
  const g = JSON.parse(group.text);
  assert.equal(g.Data.FromUserName.string, group.message.chat);
  assert.equal(g.Data.Content.string, `${group.message.sender}:\n${group.message.text}`);
  // The recall notices: F4's sysmsg naming the exact ids; the group's with the member's prefix and Status 4.
  const fr = JSON.parse(friendRecall.text).Data;
  assert.equal(fr.MsgType, 10002);
  assert.equal(
    fr.Content.string,
    `<sysmsg type="revokemsg"><revokemsg><session>${friend.message.chat}</session><msgid>${friend.message.msgId}</msgid><newmsgid>${friend.message.newMsgId}</newmsgid><replacemsg><![CDATA["朝夕。" 撤回了一条消息]]></replacemsg></revokemsg></sysmsg>`,
  );
  const gr = JSON.parse(groupRecall.text).Data;
  assert.ok(gr.Content.string.startsWith(`${group.message.sender}:\n<sysmsg type="revokemsg">`));
  assert.ok(gr.Content.string.includes(`<newmsgid>${group.message.newMsgId}</newmsgid>`));
  assert.equal(gr.Status, 4);
  assert.notEqual(rawField(friendRecall.text, 'NewMsgId'), friend.message.newMsgId, 'a notice has its own NewMsgId');
});

test('an image carries its thumbnail inline in ImgBuf, as GeWe does (what a receiver must bound)', () => {
  const cb = createCallbacks({ url: 'http://127.0.0.1:9/unused' });
  const img = cb.imageMessage({ thumbnailBytes: 3000 });
  const d = JSON.parse(img.text).Data;
  assert.equal(d.MsgType, 3);
  assert.equal(d.ImgBuf.iLen, 3000);
  assert.equal(Buffer.from(d.ImgBuf.buffer, 'base64').length, 3000);
});
