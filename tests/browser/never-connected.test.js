// Connections that were never made, in Chromium: a fetch to one of the fetch standard's blocked ports fails before
// connecting, so the library calls it NETWORK with maybeDelivered false and may retry it; a refused connection reads
// in Chromium exactly like a reset ("Failed to fetch"), so there it stays maybe delivered and is not resent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closedPort } from '../helpers.js';
import { demoAndBrowser, openPage } from './chromium.js';

test('never connected in Chromium: a blocked port is not maybe delivered and is retried; a refused one stays maybe delivered', { timeout: 60_000 }, async (t) => {
  const { demo, browser } = await demoAndBrowser(t);
  const { page } = await openPage(browser, demo.url);
  const refused = await closedPort();
  const got = await page.evaluate(async (ports) => {
    const { revokeMsg } = await import('/pkg/browser.js');
    const params = { appId: 'wx', toWxid: 'w', msgId: '0', newMsgId: '1', createTime: '0' };
    const out = {};
    for (const [kind, port] of Object.entries(ports)) {
      const options = { token: 'tok-browser-1234', baseUrl: `http://127.0.0.1:${port}/gewe/v2/api`, retries: 1, retryDelayMs: 10, timeoutMs: 10_000 };
      const e = await revokeMsg(params, options).catch((e) => e);
      out[kind] = { code: e.code, maybeDelivered: e.maybeDelivered, message: e.message };
    }
    return out;
  }, { blockedPort: 6000, refused });
  assert.equal(got.blockedPort.code, 'NETWORK', got.blockedPort.message);
  assert.equal(got.blockedPort.maybeDelivered, false, got.blockedPort.message);
  assert.match(got.blockedPort.message, /\(2 attempts\)/);
  assert.equal(got.refused.code, 'NETWORK', got.refused.message);
  assert.equal(got.refused.maybeDelivered, true, got.refused.message);
  assert.doesNotMatch(got.refused.message, /\(2 attempts\)/);
  for (const { message } of Object.values(got)) assert.doesNotMatch(message, /tok-browser-1234/);
});
