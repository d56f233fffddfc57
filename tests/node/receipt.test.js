// parseSendReceipt: ids exact from the raw text, whatever the JSON holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSendReceipt, GeweError } from 'gewe-revoke';

const ENVELOPE =
  '{"ret":200,"msg":"操作成功","data":{"toWxid":"34757816141@chatroom","createTime":1703841160,"msgId":0,"newMsgId":3768973957878705021,"type":1}}';

test('reads the whole envelope with ids as exact strings', () => {
  assert.equal(JSON.parse(ENVELOPE).data.newMsgId, 3768973957878705000, 'what JSON.parse does');
  assert.deepEqual(parseSendReceipt(ENVELOPE), {
    toWxid: '34757816141@chatroom',
    msgId: '0',
    newMsgId: '3768973957878705021',
    createTime: '1703841160',
    type: 1,
  });
});

test('reads data alone, string ids, and a missing createTime as "0"', () => {
  assert.deepEqual(parseSendReceipt('{"toWxid":"wxid_a","msgId":"769533801","newMsgId":"18446744073709551615"}'), {
    toWxid: 'wxid_a',
    msgId: '769533801',
    newMsgId: '18446744073709551615',
    createTime: '0',
  });
});

test('a failed send is an API_ERROR with ret, apiMsg and data', () => {
  assert.throws(
    () => parseSendReceipt('{"ret":500,"msg":"发送失败","data":{"code":"-1","msg":"微信已离线"}}'),
    (e) => e instanceof GeweError && e.code === 'API_ERROR' && e.ret === 500 && e.apiMsg === '发送失败' && e.data.msg === '微信已离线',
  );
});

test('malformed receipts are BAD_RESPONSE naming the field', () => {
  for (const [text, field] of [
    ['<html>', undefined],
    ['{"ret":200,"msg":"ok"}', undefined],
    ['{"toWxid":"w","msgId":1,"newMsgId":3.768973957878705e18}', 'newMsgId'],
    ['{"toWxid":"w","newMsgId":1}', 'msgId'],
    ['{"msgId":1,"newMsgId":1}', 'toWxid'],
  ]) {
    assert.throws(() => parseSendReceipt(text), (e) => e.code === 'BAD_RESPONSE' && e.field === field, text);
  }
});

test('an already-parsed object is refused with a hint to pass the raw text', () => {
  assert.throws(() => parseSendReceipt(JSON.parse(ENVELOPE)), (e) => e.code === 'INVALID_PARAMS' && /response\.text\(\)/.test(e.message));
});
