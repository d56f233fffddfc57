// Connections that were never made, through Node's own fetch: each kind is NETWORK with maybeDelivered false, and
// retried as the caller's retries allow. Only loopback is used; the DNS case is a name under `.invalid`, which never
// resolves (RFC 6761).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { revokeMsg } from 'gewe-revoke';
import { standinFor, closedPort, failure, assertNoToken } from '../helpers.js';

const params = () => ({ toWxid: 'wxid_friend_1', msgId: '0', newMsgId: '5271007655758710001', createTime: '0' });

test('never-connected failures in Node', async (t) => {
  const s = await standinFor(t);
  const options = { token: s.token, appId: s.appId, timeoutMs: 5000 };
  const { port } = new URL(s.baseUrl);
  const kinds = [
    ['refused (ECONNREFUSED)', async () => `http://127.0.0.1:${await closedPort()}/gewe/v2/api`, /ECONNREFUSED/],
    ['a blocked port (the fetch standard refuses it before connecting: bad port)', async () => 'http://127.0.0.1:6000/gewe/v2/api', /bad port/],
    ['DNS (a name under .invalid: ENOTFOUND or EAI_AGAIN)', async () => 'http://gewe-revoke-test.invalid/gewe/v2/api', /ENOTFOUND|EAI_AGAIN/],
    ['a TLS handshake failure (https at a plain-HTTP server: ERR_SSL_WRONG_VERSION_NUMBER)', async () => `https://127.0.0.1:${port}/gewe/v2/api`, /ERR_SSL_|SSL/],
  ];
  for (const [kind, baseUrl, says] of kinds) {
    await t.test(`${kind}: NETWORK, not maybe delivered, retried`, async () => {
      s.resetCounters();
      const url = await baseUrl();
      const once = await failure(revokeMsg(params(), { ...options, baseUrl: url, retries: 0 }));
      assert.equal(once.code, 'NETWORK');
      assert.equal(once.maybeDelivered, false, once.message);
      assert.match(once.message, says);
      assert.doesNotMatch(once.message, /may have happened/);
      assert.ok(once.cause instanceof Error);
      assertNoToken(once, s.token);
      const twice = await failure(revokeMsg(params(), { ...options, baseUrl: url, retries: 1 }));
      assert.equal(twice.maybeDelivered, false);
      assert.match(twice.message, /\(2 attempts\)/, 'a connection never made is retried');
      assert.equal(s.stats.revokeMsg, 0, 'nothing reached the stand-in');
    });
  }

  await t.test('a reset after the request arrived stays maybe delivered (the contrast)', async () => {
    s.resetCounters();
    s.fault('reset');
    const e = await failure(revokeMsg(params(), { ...options, baseUrl: s.baseUrl, retries: 3 }));
    assert.equal(e.code, 'NETWORK');
    assert.equal(e.maybeDelivered, true);
    assert.equal(s.stats.revokeMsg, 1);
    s.clearFaults();
  });
});
