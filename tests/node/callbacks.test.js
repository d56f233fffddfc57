// gewe-revoke/callbacks as users get it: imported by name (Node's node condition), the fixtures of
// ../shared/GEWE-CALLBACKS.md read exactly, malformed input answered with the package's GeweError, and a module of its
// own that `import 'gewe-revoke'` never loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as main from 'gewe-revoke';
import { GeweError, parseCallback } from 'gewe-revoke/callbacks';
import * as callbacks from 'gewe-revoke/callbacks';

const fixture = (name) => readFileSync(new URL(`../fixtures/callbacks/${name}.json`, import.meta.url), 'utf8');
const ROOT = new URL('../../', import.meta.url);

test('resolved by name through the node entry, exporting parseCallback and the one GeweError', () => {
  assert.equal(import.meta.resolve('gewe-revoke/callbacks'), new URL('pkg/callbacks-node.js', ROOT).href);
  assert.deepEqual(Object.keys(callbacks).sort(), ['GeweError', 'parseCallback']);
  assert.equal(GeweError, main.GeweError, 'one class across both entries');
});

test('F1 private text: the envelope, exact ids, sender and chat', () => {
  assert.deepEqual(parseCallback(fixture('f1-private-text')), {
    kind: 'message',
    envelope: { typeName: 'AddMsg', appid: 'wx_anAIaxXZGeuwhKeiGan_n', wxid: 'wxid_upf0exaush5322' },
    message: {
      msgId: '1646391156', newMsgId: '346853901463423953', msgSeq: '852214713', msgType: 1, createTime: '1740026948',
      from: 'wxid_14up8o14zvhv22', to: 'wxid_upf0exaush5322', chat: 'wxid_14up8o14zvhv22', group: false,
      sender: 'wxid_14up8o14zvhv22', own: false, text: 'test私信消息', pushContent: 'A ME : test私信消息', imageBuffer: null,
      sysmsg: null,
    },
  });
});

test('F2 private image: the XML as text and the inline thumbnail', () => {
  const { message } = parseCallback(fixture('f2-private-image'));
  assert.equal(message.newMsgId, '6906713067183447582');
  assert.equal(message.msgType, 3);
  assert.match(message.text, /^<\?xml version="1\.0"\?>\n<msg>\n\t<img aeskey="9b7011c38d1af088f579eda23e3b9cad"/);
  assert.equal(message.imageBuffer, '/9j/4AAQSkZJRgABAQAASABIAAD/4QBM...');
  // The document's Wxid is the sender's (its error, GEWE-CALLBACKS.md §1), so the parser, trusting the envelope, says own.
  assert.equal(message.own, true);
});

test('F3 group text with @: the group sender split from its wxid:\\n prefix', () => {
  const { message } = parseCallback(fixture('f3-group-text-at'));
  assert.deepEqual(
    { chat: message.chat, group: message.group, sender: message.sender, text: message.text, newMsgId: message.newMsgId },
    { chat: 'xxx@chatroom', group: true, sender: 'wxid_xxx', text: '@name msg_content', newMsgId: '8449132831264840264' },
  );
});

test('F4 private recall: a typed notice naming the recalled message by its exact newMsgId', () => {
  const { message } = parseCallback(fixture('f4-private-recall'));
  assert.equal(message.msgType, 10002);
  assert.equal(message.newMsgId, '1968256046');
  assert.deepEqual(message.sysmsg, {
    kind: 'recall', chat: 'wxid_phyyedw9xap22', msgId: '1040356115', newMsgId: '5576224237104747184', text: '"朝夕。" 撤回了一条消息', by: null,
  });
  // What a JSON.parse client joins on instead: the rounded id, which names no message.
  assert.notEqual(String(JSON.parse('5576224237104747184')), message.sysmsg.newMsgId);
});

test('F5 private pat: a 10002 that is not a recall is never mistaken for one', () => {
  const { message } = parseCallback(fixture('f5-private-pat'));
  assert.deepEqual(message.sysmsg, { kind: 'other', type: 'pat' });
  assert.equal(message.newMsgId, '5709690173850254331');
});

test('F6 setCallback test POST: only its kind, never the token it echoes', () => {
  const parsed = parseCallback(fixture('f6-setcallback-test'));
  assert.deepEqual(parsed, { kind: 'test' });
  assert.doesNotMatch(JSON.stringify(parsed), /2ba011b96a48477687692c059c247bf5/);
});

test('ids above 2^53 stay exact, up to 2^64 - 1, where JSON.parse rounds them', () => {
  const body = (id) => fixture('f1-private-text').replace('346853901463423953', id);
  for (const id of ['9007199254740993', '12345678901234567891', '18446744073709551615']) {
    assert.notEqual(String(BigInt(JSON.parse(id))), id, `${id} is one a double cannot hold`);
    assert.equal(parseCallback(body(id)).message.newMsgId, id);
  }
});

test('malformed input: a GeweError of the package naming what is wrong', () => {
  const fails = (input, code, field, message) => {
    assert.throws(() => parseCallback(input), (e) => {
      assert.ok(e instanceof main.GeweError && e instanceof GeweError, 'instanceof GeweError from either entry');
      assert.equal(e.name, 'GeweError');
      assert.deepEqual({ code: e.code, field: e.field }, { code, field });
      assert.match(e.message, message);
      return true;
    });
  };
  fails('{', 'BAD_RESPONSE', 'rawText', /^The callback is not JSON\.$/);
  fails('[]', 'BAD_RESPONSE', 'rawText', /^The callback is not a JSON object\.$/);
  fails(fixture('f1-private-text').replace('"NewMsgId": 346853901463423953,', ''), 'BAD_RESPONSE', 'Data.NewMsgId', /NewMsgId/);
  // A parsed object is refused: JSON.parse has already rounded NewMsgId.
  fails(JSON.parse(fixture('f1-private-text')), 'INVALID_PARAMS', 'rawText', /raw body text/);
});

/** Runs `code` in a fresh Node that records every file fs.readFileSync reads (how the node entries load a .wasm). */
function wasmReads(code) {
  const watch =
    "import fs from 'node:fs'; import { syncBuiltinESMExports } from 'node:module';" +
    "const read = fs.readFileSync; globalThis.reads = [];" +
    'fs.readFileSync = (path, ...rest) => (globalThis.reads.push(String(path)), read(path, ...rest)); syncBuiltinESMExports();';
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', `${watch}\n${code}\nconsole.log(JSON.stringify(globalThis.reads.filter((p) => p.endsWith('.wasm'))));`], {
    cwd: ROOT, encoding: 'utf8', timeout: 30_000,
  });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout).map((p) => p.slice(p.lastIndexOf('/') + 1));
}

test("importing 'gewe-revoke' alone never loads the callbacks .wasm; importing gewe-revoke/callbacks does", () => {
  assert.deepEqual(wasmReads("await import('gewe-revoke');"), ['gewe_revoke_bg.wasm']);
  assert.deepEqual(wasmReads("await import('gewe-revoke/callbacks');"), ['gewe_revoke_callbacks_bg.wasm']);
});
