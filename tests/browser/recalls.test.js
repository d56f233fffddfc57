// The demo's third part in Chromium: the stand-in POSTs a friend's message (NewMsgId above 2^53, a bare JSON number)
// and then its recall notice to the demo server's callback receiver; the page reads each raw body with gewe-revoke's
// parseCallback (the wasm) and with JSON.parse, and shows the exact id and the recalled text on one side and no join
// on the other. Desktop and phone, screenshots read back; the receiver's and the scenario route's refusals in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { startDemoServer } from '../../demo/serve.js';
import { SAID } from '../../demo/recalls.js';
import { createCallbacks, playScenario } from '../../standin/callbacks.js';
import { demoAndBrowser, openDemo } from './chromium.js';
import { keyBoxes, screenshotProblems, dominant, decodePng } from './shots.js';

const SHOTS = new URL('../../test-output/screenshots/', import.meta.url);
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
/** What a screenshot of the third part must show. */
const KEY = ['#rc-json-kept', '#rc-lib-kept', '#rc-json-named', '#rc-lib-named', '#rc-json-found', '#rc-lib-found', '#rc-json-verdict', '#rc-lib-verdict'];

/** A page of the demo whose third part is listening for callbacks. */
async function listening(browser, demo, viewport) {
  const opened = await openDemo(browser, demo.url, viewport);
  await opened.page.waitForSelector('#recalls[data-listening=true]');
  return opened;
}

test('the third part: a friend recalls a message; parseCallback joins the notice to it, JSON.parse joins nothing', { timeout: 120_000 }, async (t) => {
  const { demo, browser } = await demoAndBrowser(t);
  await mkdir(SHOTS, { recursive: true });

  for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    await t.test(`two clicks (${name}): the message arrives, is recalled, and only the exact id finds it`, async () => {
      const { page, context, problems } = await listening(browser, demo, viewport);
      assert.equal(await page.isDisabled('#friend-recalls'), true, 'nothing to recall before a message');
      assert.equal(await page.isHidden('#rc-message-box'), true);

      // The library's parseCallback, from its own entry (gewe-revoke/callbacks), is what the page runs.
      assert.equal(await page.evaluate(async () => typeof (await import('/pkg/callbacks.js')).parseCallback), 'function');
      assert.equal(await page.getAttribute('#recalls', 'data-parser'), 'gewe-revoke');
      assert.equal(await page.$('#rc-parser'), null);

      await page.getByRole('button', { name: 'A friend sends a message' }).click();
      await page.waitForSelector('#friend-recalls:not([disabled])');
      const raw = await page.textContent('#rc-message-raw');
      const exact = await page.textContent('#rc-message-raw mark');
      assert.ok(BigInt(exact) > 2n ** 53n, `NewMsgId ${exact} is above 2^53`);
      assert.ok(raw.includes(`"NewMsgId":${exact},`), 'the raw text holds it as a bare JSON number');
      // What JSON.parse makes of the same raw text, here in Node: the page's left side must show just that.
      const rounded = String(JSON.parse(raw).Data.NewMsgId);
      assert.notEqual(rounded, exact);
      assert.equal(await page.textContent('#rc-lib-kept'), exact);
      assert.equal(await page.textContent('#rc-json-kept'), rounded);
      const changed = [...rounded].map((d, i) => (d === exact[i] ? '' : d)).join('');
      assert.equal((await page.locator('#rc-json-kept mark.changed').allTextContents()).join(''), changed);
      assert.equal(await page.getAttribute('#rc-lib-verdict', 'data-state'), 'waiting');

      await page.getByRole('button', { name: 'The friend recalls it' }).click();
      await page.waitForSelector('#rc-summary:not(:empty)');
      const notice = await page.textContent('#rc-notice-raw');
      assert.ok(notice.includes(`<newmsgid>${exact}</newmsgid>`), 'the notice names the exact id in its XML');
      assert.equal(await page.textContent('#rc-notice-raw mark'), exact);
      assert.equal(JSON.parse(notice).Data.MsgType, 10002);

      // gewe-revoke: the exact id, the join, the recalled text, WeChat's replacement line.
      assert.equal(await page.textContent('#rc-lib-named'), exact);
      assert.equal(await page.textContent('#rc-lib-found'), SAID);
      assert.equal(await page.getAttribute('#rc-lib-verdict', 'data-state'), 'caught');
      assert.equal(await page.textContent('#rc-lib-verdict'), `Caught: the notice names message ${exact}, the one it kept.`);
      assert.match(await page.textContent('#rc-lib-aside'), /^WeChat shows "朝夕。" 撤回了一条消息 in its place, in the chat with wxid_standin_friend\.$/);
      // JSON.parse: the same notice, no join.
      assert.equal(await page.textContent('#rc-json-named'), exact);
      assert.equal(await page.textContent('#rc-json-found'), 'nothing');
      assert.equal(await page.getAttribute('#rc-json-verdict', 'data-state'), 'missed');
      assert.equal(
        await page.textContent('#rc-json-verdict'),
        `Nothing joined: it kept no message ${exact} (it kept the friend's as ${rounded}, rounded by JSON.parse). What the friend said is lost.`,
      );
      assert.equal(await page.textContent('#rc-summary'), "Same two callbacks: only gewe-revoke's join finds what the friend recalled.");
      assert.match(await page.textContent('#rc-answer'), /^The receiver answered the stand-in HTTP 200 "success" in \d+ ms/);
      assert.equal(await page.isDisabled('#friend-recalls'), true, 'recalled once');

      // The code on the page is the code that ran.
      assert.match(await page.textContent('#rc-json-code'), /const \{ Data \} = JSON\.parse\(text\);[^]*inbox\.set\(id, Data\.Content\.string\)/);
      assert.match(await page.textContent('#rc-lib-code'), /import \{ parseCallback \} from 'gewe-revoke\/callbacks';[^]*parseCallback\(text\)[^]*inbox\.get\(notice\.newMsgId\)/);

      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `horizontal overflow ${overflow}px`);

      // The screenshot, and what it must show.
      await page.evaluate(() => document.fonts.ready);
      const boxes = await keyBoxes(page, KEY);
      const file = new URL(`recalls-${name}.png`, SHOTS);
      const png = await page.screenshot({ fullPage: true });
      await writeFile(file, png);
      const image = decodePng(png);
      assert.deepEqual(screenshotProblems(boxes, image), [], `${file.pathname} shows every key element`);
      const left = dominant(image, boxes.find((b) => b.sel === '#rc-json-verdict'));
      const right = dominant(image, boxes.find((b) => b.sel === '#rc-lib-verdict'));
      assert.ok(left.r > left.g + 8, `the JSON.parse verdict is reddish: ${JSON.stringify(left)}`);
      assert.ok(right.g > right.r + 8, `the gewe-revoke verdict is greenish: ${JSON.stringify(right)}`);
      assert.deepEqual(problems, []);
      await context.close();
    });
  }

  await t.test("the stand-in's whole scenario at the receiver (test POST, group, duplicates, lower case, late re-delivery): the page keeps up", async () => {
    const { page, context, problems } = await listening(browser, demo, DESKTOP);
    const callbacks = createCallbacks({ url: demo.recalls.receiverUrl() });
    const played = await playScenario(callbacks);
    assert.ok(played.answers.every((a) => a.status === 200 && a.body === 'success'), JSON.stringify(played.answers));
    // The last callback is the friend's recall notice, re-delivered late: parseCallback's side still joins it.
    const exact = played.friend.message.newMsgId;
    await page.waitForSelector(`#recalls[data-received="${played.answers.length}"]`);
    assert.equal(await page.textContent('#rc-lib-named'), exact);
    assert.equal(await page.textContent('#rc-lib-found'), played.friend.message.text);
    assert.equal(await page.textContent('#rc-json-found'), 'nothing');
    const text = await page.evaluate(() => document.body.innerText);
    assert.ok(!text.includes('standin-token-0123456789'), "setCallback's test POST carries a token: the page never shows it");
    assert.deepEqual(problems, []);
    await context.close();
  });

});

test("the demo's callback receiver and scenario route refuse what they should", { timeout: 30_000 }, async (t) => {
  const demo = await startDemoServer({ port: 0 });
  t.after(() => demo.close());
  const url = demo.recalls.receiverUrl();
  const post = (to, body) => fetch(to, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  // What the page is handed: each body raw, but of setCallback's test POST only that it came (it carries the token).
  const stream = await fetch(`${demo.url}demo-callbacks/events`);
  const reader = stream.body.pipeThrough(new TextDecoderStream()).getReader();
  let seen = '';
  const until = async (pattern) => {
    while (!pattern.test(seen)) {
      const { value, done } = await reader.read();
      assert.ok(!done, `the stream ended before ${pattern}`);
      seen += value;
    }
  };
  const right = await post(url, '{"testMsg":"验证回调地址是否可用","token":"tok-0123456789abcdef"}');
  assert.deepEqual([right.status, await right.text()], [200, 'success']);
  const friend = createCallbacks({ url }).friendMessage();
  assert.equal((await post(url, friend.text)).status, 200);
  await until(/event: callback\ndata: .*\n\n/);
  assert.match(seen, /event: test\ndata: \{\}\n\n/);
  assert.ok(!seen.includes('tok-0123456789abcdef'), 'the token is not relayed');
  const relayed = /event: callback\ndata: (.*)\n\n/.exec(seen)[1];
  assert.equal(JSON.parse(relayed).text, friend.text, 'the body byte for byte');
  await reader.cancel();
  const wrong = url.slice(0, -1) + (url.endsWith('0') ? '1' : '0');
  const refused = await post(wrong, '{}');
  assert.equal(refused.status, 404, 'a wrong secret');
  assert.equal((await post(url.slice(0, url.lastIndexOf('/') + 1), '{}')).status, 404, 'no secret');
  assert.equal((await fetch(url)).status, 404, 'GET');
  assert.equal((await post(url, 'x'.repeat(1024 * 1024 + 1))).status, 413, 'a body past the bound');

  const play = (body) => post(`${demo.url}demo-callbacks/play`, body);
  assert.equal((await play('{"step":"dance"}')).status, 400);
  assert.equal((await play('not json')).status, 400);
  const unknown = await play('{"step":"recall","newMsgId":"1234567890123456789"}');
  assert.equal(unknown.status, 404);
  assert.match((await unknown.json()).error, /sent no message 1234567890123456789/);
  const sent = await (await play('{"step":"message"}')).json();
  assert.equal(sent.answer.status, 200);
  const recalled = await (await play(JSON.stringify({ step: 'recall', newMsgId: sent.newMsgId }))).json();
  assert.equal(recalled.newMsgId, sent.newMsgId, 'the notice recalls the message sent');
  assert.equal((await play(JSON.stringify({ step: 'recall', newMsgId: sent.newMsgId }))).status, 404, 'recalled once');
});
