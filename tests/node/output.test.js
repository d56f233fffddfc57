// What leaves Rust: GeWe's `data` of every shape comes back as JSON.parse would give it (integers beyond 2^53 as
// exact strings), in results, errors and revokeMany items; receipts keep their exact shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { revokeMsg, GeweClient, GeweError, parseSendReceipt } from 'gewe-revoke';

const PARAMS = { appId: 'wx_app', toWxid: 'wxid_x', msgId: '1', newMsgId: '2', createTime: '0' };
const answering = (text) => async () => new Response(text, { headers: { 'content-type': 'application/json' } });
const options = (text) => ({ token: 'output-token-123456', baseUrl: 'http://127.0.0.1:9/v2/api', fetch: answering(text) });

/** JSON.parse, except that integer literals beyond 2^53 become their exact digits (what the library promises). */
function expected(dataText) {
  let out = '';
  for (let i = 0; i < dataText.length; ) {
    if (dataText[i] === '"') {
      const end = /"(?:[^"\\]|\\.)*"/y;
      end.lastIndex = i;
      const [literal] = end.exec(dataText);
      out += literal;
      i += literal.length;
      continue;
    }
    const number = /-?\d+(\.\d+)?([eE][-+]?\d+)?/y;
    number.lastIndex = i;
    const m = number.exec(dataText);
    if (m) {
      const integer = !m[1] && !m[2];
      out += integer && !Number.isSafeInteger(Number(m[0])) ? `"${m[0]}"` : m[0];
      i += m[0].length;
    } else {
      out += dataText[i++];
    }
  }
  return JSON.parse(out);
}

// `data` texts: every JSON kind, nesting, edge numbers, unicode, escapes, duplicate and odd keys.
const SHAPES = [
  'null', 'true', 'false', '0', '-0', '7', '-7', '9007199254740991', '-9007199254740991', '9007199254740992',
  '18446744073709551615', '-9223372036854775808', '123456789012345678901234567890', '1.5', '-0.0001', '1e3', '2E-2',
  '1.7976931348623157e308', '5e-324', '0.1', '""', '"操作成功"', '"\\u0000\\u001f\\"\\\\\\/\\b\\f\\n\\r\\t"', '"😀 \\ud83d\\ude00"',
  '[]', '{}', '[[],{},[[]]]', '[1,"a",null,true,{"k":[2]}]', '{"code":"-1","msg":"微信已离线"}',
  '{"newMsgId":3768973957878705021,"msgId":0,"createTime":1703841160}', '{"a":1,"a":2,"b":{"a":3}}',
  '{"":"empty key","0":"zero","constructor":1,"toString":"x","hasOwnProperty":null}',
  '{"__proto__":{"polluted":true},"x":1}', '{"nested":{"__proto__":[1,2]}}', '{"__proto__":5}',
  '{"k":' + '['.repeat(60) + '1' + ']'.repeat(60) + '}',
  '{"list":[' + Array.from({ length: 200 }, (_, i) => i * 1e15).join(',') + ']}',
];

/** Compares deeply, own properties and prototypes included (`__proto__` must be an own key, not a prototype). */
function same(actual, wanted, path = 'data') {
  if (wanted === null || typeof wanted !== 'object') return assert.deepStrictEqual(actual, wanted, path);
  assert.equal(Array.isArray(actual), Array.isArray(wanted), `${path}: array or not`);
  assert.equal(Object.getPrototypeOf(actual), Object.getPrototypeOf(wanted), `${path}: prototype`);
  assert.deepEqual(Reflect.ownKeys(actual), Reflect.ownKeys(wanted), `${path}: keys in order`);
  for (const key of Reflect.ownKeys(wanted)) same(actual[key], wanted[key], `${path}.${String(key)}`);
}

test('ret 200: data of every shape comes back as JSON.parse gives it, big integers exact', async () => {
  for (const shape of SHAPES) {
    const result = await revokeMsg(PARAMS, options(`{"ret":200,"msg":"操作成功","data":${shape}}`));
    assert.deepEqual(Object.keys(result), ['ret', 'msg', 'data'], shape);
    assert.equal(result.ret, 200);
    assert.equal(result.msg, '操作成功');
    same(result.data, expected(shape), shape);
  }
  const bare = await revokeMsg(PARAMS, options('{"ret":200,"msg":"操作成功"}'));
  assert.deepEqual(Object.keys(bare), ['ret', 'msg'], 'no data: no data key at all');
  assert.equal(Object.getPrototypeOf(bare), Object.prototype);
});

test('API_ERROR carries data the same way; revokeMany items hold results and errors', async () => {
  for (const shape of SHAPES) {
    const e = await revokeMsg(PARAMS, options(`{"ret":500,"msg":"失败","data":${shape}}`)).catch((x) => x);
    assert.ok(e instanceof GeweError, shape);
    assert.equal(e.code, 'API_ERROR');
    same(e.data, expected(shape), shape);
    assert.equal(e.maybeDelivered, false);
  }
  const client = new GeweClient(options('{"ret":200,"msg":"ok","data":{"id":18446744073709551615}}'));
  const [item] = await client.revokeMany([PARAMS]);
  assert.deepEqual(Object.keys(item), ['ok', 'result']);
  assert.deepEqual(item, { ok: true, result: { ret: 200, msg: 'ok', data: { id: '18446744073709551615' } } });
  const [bad] = await client.revokeMany([{ ...PARAMS, toWxid: '' }]);
  assert.deepEqual(Object.keys(bad), ['ok', 'error']);
  assert.equal(bad.ok, false);
  assert.ok(bad.error instanceof GeweError);
});

test('receipts: exact decimal strings, type only when given, keys in order', () => {
  const r = parseSendReceipt('{"ret":200,"msg":"操作成功","data":{"toWxid":"wxid_a","createTime":1703841160,"msgId":0,"newMsgId":3768973957878705021,"type":1}}');
  assert.deepEqual(Object.keys(r), ['toWxid', 'msgId', 'newMsgId', 'createTime', 'type']);
  assert.deepEqual(r, { toWxid: 'wxid_a', msgId: '0', newMsgId: '3768973957878705021', createTime: '1703841160', type: 1 });
  const noType = parseSendReceipt('{"toWxid":"w","msgId":"18446744073709551615","newMsgId":1}');
  assert.deepEqual(noType, { toWxid: 'w', msgId: '18446744073709551615', newMsgId: '1', createTime: '0' });
  assert.equal(Object.getPrototypeOf(noType), Object.prototype);
});

test('error details are own properties with the documented names only', async () => {
  const e = await revokeMsg(PARAMS, options('<html>oops</html>')).catch((x) => x);
  assert.deepEqual(
    Object.keys(e).sort(),
    ['body', 'code', 'maybeDelivered', 'status'].sort(),
  );
  const invalid = await revokeMsg({ ...PARAMS, msgId: -1 }, options('{}')).catch((x) => x);
  assert.deepEqual(Object.keys(invalid).sort(), ['code', 'field', 'maybeDelivered']);
});
