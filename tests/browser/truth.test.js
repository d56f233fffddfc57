// The demo tells the truth everywhere (issue 17), in Chromium against the demo server: the form's result follows the
// stand-in's verdict (a rounded id gets 操作成功 and is shown as nothing revoked, in red), with a real upstream the page
// says what it cannot know, a failure to reach the upstream names its cause and the whole URL (never "GeWe answered
// HTTP 502", never the token), every invalid field is marked at once, durations read as people say them, and on a
// 390 px phone the story's revokeMsg(...) call shows whole.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { startDemoServer } from '../../demo/serve.js';
import { startStandin } from '../../standin/standin.js';
import { ago } from '../../www/page.js';
import { CAUSES, causeOf, describe } from '../../www/upstream.js';
import { launch, openDemo } from './chromium.js';
import { decodePng, dominant, keyBoxes } from './shots.js';

const SHOTS = new URL('../../test-output/screenshots/', import.meta.url);
const PHONE = { width: 390, height: 844 };
const IDS = ['toWxid', 'msgId', 'newMsgId', 'createTime'];
let browser;
before(async () => {
  browser = await launch();
  await mkdir(SHOTS, { recursive: true });
});
after(() => browser?.close());

/** Clicks Revoke and waits until the attempt is in the history (the result is shown just before). */
async function revoke(page) {
  const count = await page.locator('#history li').count();
  await page.getByRole('button', { name: 'Revoke', exact: true }).click();
  await page.waitForFunction((n) => document.querySelectorAll('#history li').length > n, count);
}
/** The text colour of an element, as [r, g, b]. */
const colour = (page, selector) =>
  page.$eval(selector, (el) => getComputedStyle(el).color.match(/\d+/g).slice(0, 3).map(Number));
const reddish = ([r, g, b]) => r > 150 && g < 90 && b < 90;
const greenish = ([r, g, b]) => g > 100 && r < 60 && b < 120;

test('stand-in mode: the result and the history follow the stand-in verdict', { timeout: 90_000 }, async (t) => {
  const demo = await startDemoServer({ port: 0 });
  t.after(() => demo.close());
  const s = demo.standin;

  await t.test('a rounded id typed in: GeWe answers 操作成功, the page says nothing was revoked, in red', async () => {
    const { page, context, problems } = await openDemo(browser, demo.url);
    const m = s.send({ toWxid: 'wxid_demo_friend' });
    const rounded = String(Number(m.newMsgId));
    assert.notEqual(rounded, m.newMsgId);
    for (const id of IDS) await page.fill(`#${id}`, String(m[id]));
    await page.fill('#newMsgId', rounded);
    await revoke(page);
    await page.waitForSelector('#result[data-state=fail]');
    const result = await page.textContent('#result');
    assert.match(result, /^Nothing revoked: GeWe answered ret 200 操作成功/);
    assert.ok(result.includes(`The stand-in holds no message with newMsgId ${rounded}, so nothing was recalled.`), result);
    assert.ok(result.includes(`This is message ${m.newMsgId} rounded, as JSON.parse reads it: that message is still there.`), result);
    assert.doesNotMatch(result, /\bRevoked\b/);
    assert.deepEqual(s.revokeCalls.at(-1), { body: { appId: s.appId, toWxid: m.toWxid, msgId: m.msgId, newMsgId: rounded, createTime: String(m.createTime) }, at: s.revokeCalls.at(-1).at, outcome: 'unmatched' });
    assert.equal(m.revoked, false);
    const li = page.locator('#history li').first();
    assert.equal(await li.getAttribute('data-state'), 'fail');
    assert.match(await li.textContent(), new RegExp(`newMsgId ${rounded} · ret 200 操作成功, nothing revoked · \\d+ ms$`));
    assert.ok(reddish(await colour(page, '#result .code')), 'the headline is red');
    assert.ok(reddish(await colour(page, '#history li')), 'the history line is red');

    // The screenshot shows it: the result box is reddish (not the green of a revoke).
    const [box] = await keyBoxes(page, ['#result']);
    const png = await page.screenshot({ fullPage: true });
    await writeFile(new URL('form-nothing-revoked.png', SHOTS), png);
    const bg = dominant(decodePng(png), box);
    assert.ok(bg.r > bg.g + 8 && bg.r > bg.b + 8, `the result box is reddish in the shot: ${JSON.stringify(bg)}`);

    // The exact id then revokes it: green, and the history keeps the red line below the green one.
    await page.fill('#newMsgId', m.newMsgId);
    await revoke(page);
    await page.waitForSelector('#result[data-state=ok]');
    assert.match(await page.textContent('#result'), new RegExp(`^Revoked: ret 200 操作成功The stand-in confirms: it recalled message ${m.newMsgId}\\.`));
    assert.equal(m.revoked, true);
    assert.deepEqual(await page.locator('#history li').evaluateAll((els) => els.map((e) => e.dataset.state)), ['ok', 'fail']);
    assert.ok(greenish(await colour(page, '#history li')), 'the revoked line is green');
    const [okBox] = await keyBoxes(page, ['#result']);
    const okBg = dominant(decodePng(await page.screenshot({ fullPage: true })), okBox);
    assert.ok(okBg.g > okBg.r + 8, `the revoked result is greenish: ${JSON.stringify(okBg)}`);
    assert.deepEqual(problems, []);
    await context.close();
  });

  await t.test('the exact id with another toWxid: 操作成功, nothing revoked, and which id differs', async () => {
    const { page, context } = await openDemo(browser, demo.url);
    const m = s.send();
    for (const id of IDS) await page.fill(`#${id}`, String(m[id]));
    await page.fill('#toWxid', 'wxid_someone_else');
    await revoke(page);
    await page.waitForSelector('#result[data-state=fail]');
    const result = await page.textContent('#result');
    assert.match(result, /^Nothing revoked: GeWe answered ret 200 操作成功/);
    assert.ok(result.includes(`The stand-in has message ${m.newMsgId}, but its toWxid is "${m.toWxid}", not "wxid_someone_else", so the revoke matched nothing`), result);
    assert.equal(m.revoked, false);
    await context.close();
  });

  await t.test('every invalid field is marked at once, and a revoke then sends nothing', async () => {
    const { page, context, problems } = await openDemo(browser, demo.url);
    await page.fill('#baseUrl', 'ftp://127.0.0.1/gewe');
    await page.fill('#appId', '');
    await page.fill('#msgId', 'abc');
    await page.fill('#newMsgId', '12x');
    await page.fill('#createTime', '-5');
    const invalid = () => page.locator('[aria-invalid=true]').evaluateAll((els) => els.map((e) => e.id));
    assert.deepEqual(await invalid(), ['baseUrl', 'appId', 'msgId', 'newMsgId', 'createTime']);
    for (const id of await invalid()) assert.match(await page.textContent(`#${id}-error`), new RegExp(id), id);
    assert.match(await page.textContent('#preview'), /^Not sendable yet: baseUrl .*appId .*msgId .*newMsgId .*createTime /);
    const sent = s.stats.revokeMsg;
    await revoke(page);
    await page.waitForSelector('#result[data-state=fail]');
    assert.deepEqual(await invalid(), ['baseUrl', 'appId', 'msgId', 'newMsgId', 'createTime']);
    assert.match(await page.textContent('#result'), /^INVALID_OPTIONS, INVALID_PARAMS/);
    assert.equal(await page.locator('#result p').count(), 1 + 5, 'the headline and one line per invalid field');
    assert.match(await page.textContent('#history li'), /INVALID_OPTIONS, INVALID_PARAMS, nothing sent/);
    assert.equal(s.stats.revokeMsg, sent, 'nothing was sent');
    // Fixing one leaves the others marked.
    await page.fill('#msgId', '0');
    assert.deepEqual(await invalid(), ['baseUrl', 'appId', 'newMsgId', 'createTime']);
    assert.deepEqual(problems, []);
    await context.close();
  });

  await t.test('the revoke window reads as people say it', async () => {
    const { page, context } = await openDemo(browser, demo.url);
    const now = Math.floor(Date.now() / 1000);
    for (const [createTime, text] of [
      [now - 3 * 86400 - 3600, /^The 2-minute revoke window closed 3 days ago: WeChat no longer recalls this message\.$/],
      [now - 25642 * 3600, /^The 2-minute revoke window closed 3 years ago: /],
      [now - 2 * 3600 - 200, /^The 2-minute revoke window closed 2 hours ago: /],
      [now - 150, /^The 2-minute revoke window closed 3\d seconds ago: /],
      [now - 30, /^Revoke window: 1:[0-3]\d left\.$/],
      [now + 3 * 86400, /^createTime is in 3 days, later than this computer's clock: check the value \(unix seconds, not milliseconds\) or the clock\.$/],
    ]) {
      await page.fill('#createTime', String(createTime));
      assert.match(await page.textContent('#window'), text, String(now - createTime));
    }
    await context.close();
  });
});

test('ago: durations as people say them', () => {
  for (const [seconds, said] of [
    [0, '0 seconds ago'],
    [0.4, '0 seconds ago'],
    [1, '1 second ago'],
    [59, '59 seconds ago'],
    [60, '1 minute ago'],
    [185, '3 minutes ago'],
    [3600, '1 hour ago'],
    [25 * 3600, '1 day ago'],
    [3 * 86400 + 7200, '3 days ago'],
    [89, '1 minute ago'],
    [90, '2 minutes ago'],
    [3599, '1 hour ago'],
    [25642 * 3600, '3 years ago'],
    [45 * 86400, '2 months ago'],
    [-3 * 86400, 'in 3 days'],
  ]) assert.equal(ago(seconds), said, String(seconds));
});

/** A loopback port nothing listens on: bound by the system, then released. */
async function closedPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('upstream mode: a failure to reach the upstream names its cause and the whole URL, never the token', { timeout: 90_000 }, async (t) => {
  const token = 'upstream-token-never-shown-31';
  const reset = await startStandin();
  reset.fault('reset', { times: 10 });
  t.after(() => reset.close());
  const cases = [
    ['refused', `http://127.0.0.1:${await closedPort()}/gewe/v2/api`, (u) => `nothing accepts connections at ${new URL(u).host} (connection refused). Nothing reached GeWe.`, 502],
    // Port 10080 is on the fetch standard's list of blocked ports: Node's fetch refuses it without connecting.
    ['badPort', 'http://127.0.0.1:10080/gewe/v2/api', () => 'fetch will not connect to port 10080: it is one of the ports browsers and Node block ("bad port"). Nothing reached GeWe.', 502],
    ['reset', reset.baseUrl, (u) => `the connection to ${new URL(u).host} broke before an answer came. The revoke may have reached GeWe: check the chat before sending it again.`, 504],
  ];
  for (const [cause, upstream, says, status] of cases) {
    await t.test(cause, async () => {
      const logs = [];
      const demo = await startDemoServer({ port: 0, upstream, log: (l) => logs.push(l) });
      const { page, context, problems } = await openDemo(browser, demo.url);
      try {
        assert.equal(await page.textContent('#mode'), `Upstream mode: this server forwards /gewe/v2/api/* to ${upstream}. Your token goes there and nowhere else.`);
        if (cause === 'refused') {
          // A revoke on the fresh page marks every empty field at once.
          await revoke(page);
          const marked = await page.locator('[aria-invalid=true]').evaluateAll((els) => els.map((e) => e.id));
          assert.deepEqual(marked, ['token', 'appId', 'toWxid', 'msgId', 'newMsgId', 'createTime']);
        }
        await page.fill('#token', token);
        await page.fill('#appId', 'wx_app');
        for (const [id, v] of [['toWxid', 'wxid_x'], ['msgId', '1'], ['newMsgId', '3768973957878705021'], ['createTime', '0']]) await page.fill(`#${id}`, v);
        await revoke(page);
        const result = await page.textContent('#result');
        const reached = CAUSES[cause].reached;
        assert.match(result, reached ? /^The upstream broke off: the revoke may have reached GeWe/ : /^GeWe not reached: nothing was sent to it/);
        assert.ok(result.includes(`The demo server could not get an answer from ${upstream}: ${says(upstream)}`), result);
        assert.doesNotMatch(result, /GeWe answered/);
        assert.ok(result.includes(`maybeDelivered${reached}`), result);
        assert.match(await page.textContent('#history li'), new RegExp(`upstream ${cause}, ${reached ? 'may have reached GeWe' : 'nothing sent'}`));
        const text = await page.evaluate(() => document.body.innerText);
        assert.ok(!text.includes(token), 'the token is not on the page');
        const logged = logs.filter((l) => l.startsWith('POST /gewe/v2/api/message/revokeMsg'));
        assert.ok(logged.length >= 1, logs.join('\n'));
        for (const l of logged) assert.equal(l.replace(/\(\d+ ms\)/, '(N ms)'), `POST /gewe/v2/api/message/revokeMsg -> ${status} (N ms): ${describe(cause, upstream)}`);
        assert.ok(!logs.join('\n').includes(token), 'the token is not in the log');
        assert.deepEqual(problems.filter((p) => !/Failed to load resource/.test(p)), []);
      } finally {
        await context.close();
        await demo.close();
      }
    });
  }
  assert.equal(reset.stats.revokeMsg, 1, 'a reset (maybe delivered) is not sent again');
});

test('causeOf: what Node says when fetch fails, as a cause', () => {
  const failed = (cause) => Object.assign(new TypeError('fetch failed'), { cause });
  const coded = (code, message = code) => Object.assign(new Error(message), { code });
  for (const [error, cause] of [
    [failed(coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1')), 'refused'],
    [failed(new Error('bad port')), 'badPort'],
    [failed(coded('ENOTFOUND', 'getaddrinfo ENOTFOUND gewe.invalid')), 'dns'],
    [failed(coded('EAI_AGAIN')), 'dns'],
    [failed(coded('EHOSTUNREACH')), 'unreachable'],
    [failed(coded('UND_ERR_CONNECT_TIMEOUT')), 'connectTimeout'],
    [failed(coded('UND_ERR_SOCKET')), 'reset'],
    [failed(coded('ECONNRESET')), 'reset'],
    [failed(coded('UNABLE_TO_VERIFY_LEAF_SIGNATURE')), 'tls'],
    [failed(coded('ERR_TLS_CERT_ALTNAME_INVALID')), 'tls'],
    [Object.assign(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), 'timeout'],
    [failed(coded('toString')), 'other'],
    [failed(undefined), 'other'],
    [undefined, 'other'],
  ]) assert.equal(causeOf(error), cause, String(error?.cause?.code ?? error?.cause?.message ?? error?.name));
  assert.equal(
    describe('dns', 'http://gewe.invalid/gewe/v2/api'),
    'The demo server could not get an answer from http://gewe.invalid/gewe/v2/api: the host name gewe.invalid does not resolve (DNS). Nothing reached GeWe.',
  );
  assert.equal(describe('no-such-cause', 'http://127.0.0.1:1/'), describe('other', 'http://127.0.0.1:1/'));
});

test('a 390 px phone shows the story\'s revokeMsg(...) call whole, with no sideways scroll', { timeout: 60_000 }, async (t) => {
  const demo = await startDemoServer({ port: 0 });
  t.after(() => demo.close());
  const { page, context, problems } = await openDemo(browser, demo.url, PHONE);
  t.after(() => context.close());
  const CALL = 'revokeMsg({ appId, ...receipt }, { baseUrl, token })';
  const seen = await page.evaluate((call) => {
    const pre = document.getElementById('library-code');
    pre.scrollIntoView({ block: 'center' });
    const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode()) && !node.data.includes(call));
    if (!node) return { found: false, text: pre.textContent };
    const range = document.createRange();
    range.setStart(node, node.data.indexOf(call));
    range.setEnd(node, node.data.indexOf(call) + call.length);
    const box = pre.getBoundingClientRect();
    const rects = [...range.getClientRects()].map((r) => ({ left: r.left, right: r.right }));
    return {
      found: true,
      rects,
      box: { left: box.left, right: box.right },
      scroll: [pre.scrollWidth, pre.clientWidth],
      page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
      typical: (() => {
        const other = document.getElementById('typical-code');
        return [other.scrollWidth, other.clientWidth];
      })(),
    };
  }, CALL);
  assert.ok(seen.found, `the call is in the sample: ${seen.text}`);
  assert.ok(seen.rects.length >= 1);
  for (const r of seen.rects) {
    assert.ok(r.left >= seen.box.left && r.right <= seen.box.right, `the call lies inside its box: ${JSON.stringify(seen)}`);
    assert.ok(r.left >= 0 && r.right <= PHONE.width, `the call lies inside the screen: ${JSON.stringify(seen)}`);
  }
  assert.ok(seen.scroll[0] <= seen.scroll[1], `the gewe-revoke sample does not scroll sideways: ${seen.scroll}`);
  assert.ok(seen.typical[0] <= seen.typical[1], `the typical sample does not scroll sideways: ${seen.typical}`);
  assert.ok(seen.page[0] <= seen.page[1], `the page does not scroll sideways: ${seen.page}`);
  await page.locator('#library').screenshot({ path: new URL('phone-library-code.png', SHOTS).pathname });
  // The sample is still the source, line for line.
  assert.match(await page.textContent('#library-code'), /\n  return revokeMsg\(\{ appId, \.\.\.receipt \}, \{ baseUrl, token \}\);\n\}$/);
  assert.deepEqual(problems, []);
});
