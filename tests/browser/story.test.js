// The demo's story in Chromium: a fresh page shows no error; two clicks send one test message and revoke it the way a
// typical client does (JSON.parse: the id rounded, 操作成功, nothing revoked) and with gewe-revoke (exact, 操作成功,
// revoked), each checked against what the stand-in really did; screenshots that the test itself reads back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { demoAndBrowser, openDemo } from './chromium.js';
import { keyBoxes, screenshotProblems, dominant, decodePng } from './shots.js';

const SHOTS = new URL('../../test-output/screenshots/', import.meta.url);
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
/** What a screenshot of the story must show: both sides' ids, GeWe's answers and the stand-in's verdicts. */
const KEY = ['#typical-id', '#library-id', '#typical-answer', '#library-answer', '#typical-verdict', '#library-verdict'];

test('the story: the trap and the fix side by side', { timeout: 120_000 }, async (t) => {
  const { demo, browser } = await demoAndBrowser(t);
  const s = demo.standin;
  await mkdir(SHOTS, { recursive: true });

  const ready = (viewport) => openDemo(browser, demo.url, viewport);

  for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    await t.test(`a fresh page shows no error and no invalid field (${name})`, async () => {
      const { page, context, problems } = await ready(viewport);
      await assertQuiet(page);
      // Still quiet once the visitor edits one field validly; an invalid edit shows its error beside that field only.
      await page.fill('#toWxid', 'wxid_someone');
      await assertQuiet(page);
      await page.fill('#newMsgId', '12x');
      assert.match(await page.textContent('#newMsgId-error'), /newMsgId/);
      assert.equal(await page.locator('[aria-invalid=true]').count(), 1);
      assert.equal(await page.locator('.error:not(:empty)').count(), 1);
      assert.deepEqual(problems, []);
      await context.close();
    });
  }

  const shots = {};
  for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    await t.test(`two clicks (${name}): the typical client's revoke gets 操作成功 and revokes nothing; gewe-revoke's revokes that exact message`, async () => {
      const { page, problems } = await ready(viewport);
      const callsBefore = s.revokeCalls.length;
      assert.equal(await page.isDisabled('#both'), true, 'nothing to revoke before a send');

      await page.getByRole('button', { name: 'Send a test message' }).click();
      await page.waitForSelector('#both:not([disabled])');
      const exact = await page.textContent('#raw mark');
      const m = s.message(exact);
      assert.ok(m, `the stand-in issued ${exact}`);
      assert.ok(BigInt(exact) > 2n ** 53n);
      assert.equal(m.revoked, false);
      const rounded = String(Number(exact));
      assert.notEqual(rounded, exact);
      assert.equal(await page.inputValue('#newMsgId'), exact, 'the form is filled from the same response');

      await page.getByRole('button', { name: 'Revoke it both ways' }).click();
      await page.waitForSelector('#story-summary:not(:empty)');

      // The ids on the page: what the stand-in issued, and Number() of it, with the changed digits marked.
      assert.equal(await page.textContent('#library-id'), exact);
      assert.equal(await page.textContent('#typical-id'), rounded);
      const changed = [...rounded].map((d, i) => (d === exact[i] ? '' : d)).join('');
      assert.ok(changed.length > 0);
      assert.equal((await page.locator('#typical-id mark.changed').allTextContents()).join(''), changed);
      assert.equal((await page.locator('#library-id mark.kept').allTextContents()).join(''), [...exact].map((d, i) => (d === rounded[i] ? '' : d)).join(''));

      // Both got 操作成功; the stand-in says what really happened.
      assert.deepEqual(JSON.parse(await page.textContent('#typical-answer')), { ret: 200, msg: '操作成功' });
      assert.deepEqual(JSON.parse(await page.textContent('#library-answer')), { ret: 200, msg: '操作成功' });
      assert.equal(await page.getAttribute('#typical-verdict', 'data-state'), 'kept');
      assert.match(await page.textContent('#typical-verdict'), new RegExp(`^Nothing revoked: the stand-in has no message ${rounded}, and message ${exact} is still there`));
      assert.equal(await page.getAttribute('#library-verdict', 'data-state'), 'revoked');
      assert.match(await page.textContent('#library-verdict'), new RegExp(`^Revoked\\. The stand-in marked message ${exact} revoked`));
      const calls = s.revokeCalls.slice(callsBefore);
      assert.deepEqual(
        calls.map((c) => [c.body.newMsgId, c.outcome]),
        [[rounded, 'unmatched'], [exact, 'revoked']],
        'the typical client first, with the rounded id (matched nothing); then gewe-revoke, exact; the refused number never sent',
      );
      for (const key of ['appId', 'toWxid', 'msgId', 'createTime']) assert.equal(calls[0].body[key], calls[1].body[key], key);
      assert.equal(m.revoked, true);
      assert.match(await page.textContent('#library-refuses'), /refuses it and sends nothing: UNSAFE_INTEGER newMsgId is the JavaScript number/);
      assert.match(await page.textContent('#story-summary'), /only gewe-revoke's revoke recalled the message/);

      // The code on the page is the code that ran.
      const typicalCode = await page.textContent('#typical-code');
      assert.match(typicalCode, /const \{ data \} = JSON\.parse\(text\);/);
      assert.match(typicalCode, /newMsgId: String\(data\.newMsgId\),/);
      assert.match(typicalCode, /'X-GEWE-TOKEN': token,/);
      assert.match(await page.textContent('#library-code'), /parseSendReceipt\(text\)[^]*revokeMsg\(\{ appId, \.\.\.receipt \}/);

      // The token stays out of the page text and storage; the history names both attempts.
      const text = await page.evaluate(() => document.body.innerText + JSON.stringify({ ...localStorage, ...sessionStorage }));
      assert.ok(!text.includes(s.token), 'token not rendered or stored');
      assert.match(await page.textContent('#history'), new RegExp(`typical client \\(JSON\\.parse\\) · newMsgId ${rounded} · ret 200 操作成功, nothing revoked`));
      assert.match(await page.textContent('#history'), new RegExp(`gewe-revoke \\(parseSendReceipt\\) · newMsgId ${exact} · ok \\(操作成功\\)`));

      // Chinese renders with a CJK font, not as boxes.
      const fonts = await fontsOf(page, '#typical-answer');
      assert.ok(fonts.some((f) => /CJK/.test(f.familyName) && f.glyphCount >= 4), JSON.stringify(fonts));

      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `horizontal overflow ${overflow}px`);

      // The screenshot, and what it must show.
      const boxes = await keyBoxes(page, KEY);
      const file = new URL(`story-${name}.png`, SHOTS);
      const png = await page.screenshot({ fullPage: true });
      await writeFile(file, png);
      const image = decodePng(png);
      const docHeight = await page.evaluate(() => document.documentElement.scrollHeight);
      assert.deepEqual([image.width, image.height], [viewport.width, docHeight], 'a full-page shot at the viewport width');
      assert.deepEqual(screenshotProblems(boxes, image), [], `${file.pathname} shows every key element`);
      const left = dominant(image, boxes.find((b) => b.sel === '#typical-verdict'));
      const right = dominant(image, boxes.find((b) => b.sel === '#library-verdict'));
      assert.ok(left.r > left.g + 8, `the typical verdict is reddish: ${JSON.stringify(left)}`);
      assert.ok(right.g > right.r + 8, `the gewe-revoke verdict is greenish: ${JSON.stringify(right)}`);
      const marks = await keyBoxes(page, ['#typical-id mark.changed', '#library-id mark.kept']);
      const [red, green] = marks.map((b) => dominant(image, b));
      assert.ok(red.r > 150 && red.g < 90, `changed digits marked red in the shot: ${JSON.stringify(red)}`);
      assert.ok(green.g > 150 && green.r < 90, `kept digits marked green in the shot: ${JSON.stringify(green)}`);
      shots[name] = { page, boxes, image };
      assert.deepEqual(problems, []);
    });
  }

  await t.test('the screenshot check can fail: a covered verdict, an element outside the shot', async () => {
    const { page } = shots.desktop ?? assert.fail('the desktop run did not finish');
    await page.evaluate(() => {
      const r = document.getElementById('library-verdict').getBoundingClientRect();
      const cover = Object.assign(document.createElement('div'), { id: 'cover' });
      Object.assign(cover.style, { position: 'absolute', left: `${r.left + scrollX}px`, top: `${r.top + scrollY}px`, width: `${r.width}px`, height: `${r.height}px`, background: '#fff' });
      document.body.append(cover);
    });
    const covered = await keyBoxes(page, KEY);
    const found = screenshotProblems(covered, shots.desktop.image);
    assert.deepEqual(found, ['#library-verdict is covered'], 'the overlay is noticed');
    await page.evaluate(() => document.getElementById('cover').remove());
    // A viewport-only shot of a phone ends above the gewe-revoke side.
    const phone = shots.phone ?? assert.fail('the phone run did not finish');
    await phone.page.evaluate(() => scrollTo(0, 0));
    const small = decodePng(await phone.page.screenshot());
    assert.deepEqual([small.width, small.height], [PHONE.width, PHONE.height]);
    const outside = screenshotProblems(phone.boxes, small);
    assert.ok(outside.includes('#library-verdict is outside the screenshot'), outside.join('; '));
  });

  await t.test('a send that GeWe refuses shows why, with the token masked, and offers nothing to revoke', async () => {
    const { page, context, problems } = await ready(DESKTOP);
    await page.fill('#token', 'wrong-token-that-gewe-echoes');
    await page.getByRole('button', { name: 'Send a test message' }).click();
    await page.waitForSelector('#send-status.fail');
    assert.match(await page.textContent('#send-status'), /^Sending failed: API_ERROR: .*不可用或已过期/);
    assert.match(await page.textContent('#raw'), /X-GEWE-TOKEN=\*{8} 不可用或已过期/, 'the raw answer is shown, its echoed token masked');
    assert.equal(await page.isDisabled('#both'), true);
    const text = await page.evaluate(() => document.body.innerText + document.getElementById('paste').value);
    assert.ok(!text.includes('wrong-token-that-gewe-echoes'), 'the token is not on the page');
    assert.deepEqual(problems, []);
    await context.close();
  });

  await t.test('the stand-in issues no id that JSON.parse and String() give back unchanged', () => {
    const ids = Array.from({ length: 3000 }, () => s.send().newMsgId);
    for (const id of ids) s.messages.delete(id);
    const survivors = ids.filter((id) => String(Number(id)) === id);
    assert.deepEqual(survivors, [], "about 8 in 3000 would without the check in the stand-in's send");
  });
});

/** A fresh (or validly edited) page: no error text, no invalid field, nothing marked failed. */
async function assertQuiet(page) {
  assert.equal(await page.locator('.error:not(:empty)').count(), 0, await page.evaluate(() => [...document.querySelectorAll('.error')].map((e) => e.textContent).join('|')));
  assert.equal(await page.locator('[aria-invalid]').count(), 0);
  assert.equal(await page.locator('.fail').count(), 0);
  assert.equal(await page.textContent('#send-status'), '');
  const preview = await page.textContent('#preview');
  assert.doesNotMatch(preview, /not sendable/i);
  assert.match(preview, /^(The request appears here once .+ filled in\.|POST http)/);
  const text = await page.evaluate(() => document.body.innerText);
  assert.doesNotMatch(text, /\b(is empty|invalid|must be|failed|error|not sendable)\b/i);
}

/** The platform fonts Chromium used for an element's text (DevTools protocol). */
async function fontsOf(page, selector) {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument');
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
    const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
    return fonts;
  } finally {
    await cdp.detach();
  }
}
