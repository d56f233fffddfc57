// The demo page in Chromium against the demo server and its GeWe stand-in (and, upstream mode, a second stand-in).
// One Chromium for the whole file. The story at the top of the page (two ways to revoke) is tests/browser/story.test.js.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { startDemoServer } from '../../demo/serve.js';
import { startStandin } from '../../standin/standin.js';
import { launch, openPage, openDemo } from './chromium.js';

const SHOTS = new URL('../../test-output/screenshots/', import.meta.url);
let browser;
before(async () => {
  browser = await launch();
});
after(() => browser?.close());

test('demo page', { timeout: 120_000 }, async (t) => {
  const logs = [];
  const demo = await startDemoServer({ port: 0, log: (l) => logs.push(l) });
  t.after(() => demo.close());
  const s = demo.standin;
  await mkdir(SHOTS, { recursive: true });

  const ready = (viewport) => openDemo(browser, demo.url, viewport);

  await t.test('send a test message and revoke it in two clicks; the stand-in confirms that exact message', async () => {
    const { page, problems } = await ready();
    await page.getByRole('button', { name: 'Send a test message' }).click();
    await page.waitForFunction(() => document.getElementById('newMsgId').value.length > 15);
    const newMsgId = await page.inputValue('#newMsgId');
    assert.ok(BigInt(newMsgId) > 2n ** 53n);
    assert.equal(s.message(newMsgId).revoked, false);
    assert.match(await page.textContent('#preview'), new RegExp(`"newMsgId":"${newMsgId}"`));
    assert.match(await page.textContent('#preview'), /X-GEWE-TOKEN: \*{8}/);
    assert.match(await page.textContent('#window'), /Revoke window: [12]:\d\d left/);
    await page.getByRole('button', { name: 'Revoke', exact: true }).click();
    await page.waitForSelector('#result.ok');
    assert.match(await page.textContent('#result'), /Revoked: ret 200 操作成功/);
    assert.match(await page.textContent('#result'), /stand-in confirms/);
    assert.equal(s.message(newMsgId).revoked, true, 'the stand-in revoked that exact message');
    assert.match(await page.textContent('#history'), new RegExp(`newMsgId ${newMsgId} · ret 200 操作成功, revoked`));
    assert.equal(await page.getAttribute('#history li', 'data-state'), 'ok');
    assert.ok(!(await page.evaluate(() => document.body.innerText)).includes(s.token), 'token not rendered');
    await page.screenshot({ path: new URL('desktop.png', SHOTS).pathname, fullPage: true });
    assert.deepEqual(problems, []);
  });

  await t.test('an invalid id shows its field error and sends nothing', async () => {
    const { page } = await ready();
    await page.getByRole('button', { name: 'Send a test message' }).click();
    await page.waitForFunction(() => document.getElementById('newMsgId').value.length > 15);
    const before = s.stats.revokeMsg;
    await page.fill('#newMsgId', '12345abc');
    assert.match(await page.textContent('#newMsgId-error'), /newMsgId must be a decimal integer/);
    assert.equal(await page.getAttribute('#newMsgId', 'aria-invalid'), 'true');
    assert.match(await page.textContent('#preview'), /^Not sendable yet/);
    await page.getByRole('button', { name: 'Revoke', exact: true }).click();
    await page.waitForSelector('#result.fail');
    assert.match(await page.textContent('#result'), /INVALID_PARAMS/);
    assert.equal(s.stats.revokeMsg, before, 'nothing was sent');
  });

  await t.test('an expired createTime shows the window warning and the error', async () => {
    const { page } = await ready();
    const m = s.send({ createTime: Math.floor(Date.now() / 1000) - 300 });
    for (const id of ['toWxid', 'msgId', 'newMsgId', 'createTime']) await page.fill(`#${id}`, String(m[id]));
    await page.waitForSelector('#window.closed');
    assert.match(await page.textContent('#window'), /^The 2-minute revoke window closed 3 minutes ago: /);
    await page.getByRole('button', { name: 'Revoke', exact: true }).click();
    await page.waitForSelector('#result.fail');
    assert.match(await page.textContent('#result'), /REVOKE_WINDOW_EXPIRED/);
    assert.equal(m.revoked, false);
  });

  await t.test('copy as curl: the exact request, the token as $GEWE_TOKEN', async () => {
    const { page, context } = await ready();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(demo.url).origin });
    await page.getByRole('button', { name: 'Send a test message' }).click();
    await page.waitForFunction(() => document.getElementById('newMsgId').value.length > 15);
    const newMsgId = await page.inputValue('#newMsgId');
    await page.getByRole('button', { name: 'Copy as curl' }).click();
    await page.getByRole('button', { name: /Copied/ }).waitFor();
    const curl = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(curl, /^curl -X POST 'http:\/\/127\.0\.0\.1:\d+\/gewe\/v2\/api\/message\/revokeMsg' -H 'Content-Type: application\/json' -H "X-GEWE-TOKEN: \$GEWE_TOKEN" --data-raw '\{"appId":"wx_standin_app"/);
    assert.ok(curl.includes(`"newMsgId":"${newMsgId}"`));
    assert.ok(!curl.includes(s.token));
  });

  await t.test('pasting a send response fills exact ids', async () => {
    const { page } = await ready();
    await page.click('#paste-box summary');
    await page.fill('#paste', '{"ret":200,"msg":"操作成功","data":{"toWxid":"wxid_x","createTime":0,"msgId":0,"newMsgId":3768973957878705021,"type":1}}');
    assert.equal(await page.inputValue('#newMsgId'), '3768973957878705021');
    assert.match(await page.textContent('#paste-note'), /JSON\.parse would read newMsgId as 3768973957878705000: a revoke with that id gets 操作成功 and revokes nothing\. Kept exact here: 3768973957878705021\./);
    assert.match(await page.textContent('#window'), /createTime 0/);
    await page.fill('#paste', '{"ret":500,"msg":"发送失败"}');
    assert.match(await page.textContent('#paste-error'), /API_ERROR/);
  });

  await t.test('the token is in neither localStorage nor sessionStorage by default; only when asked, and only for the tab', async () => {
    const { page } = await ready();
    const storage = () => page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }));
    await page.fill('#token', 'my-real-token-value-42');
    assert.ok(!(await storage()).includes('my-real-token-value-42'));
    await page.check('#remember');
    const remembered = JSON.parse(await storage());
    assert.ok(Object.values(remembered.session).includes('my-real-token-value-42'), 'remember writes sessionStorage');
    assert.deepEqual(remembered.local, {});
    await page.uncheck('#remember');
    assert.ok(!(await storage()).includes('my-real-token-value-42'));
  });

  await t.test('phone width: the page stays usable, no horizontal scroll', async () => {
    const { page, context } = await ready({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Send a test message' }).click();
    await page.waitForFunction(() => document.getElementById('newMsgId').value.length > 15);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `horizontal overflow ${overflow}px`);
    await page.keyboard.press('Tab');
    await page.focus('#createTime');
    await page.keyboard.press('Enter'); // submits the form: keyboard-only revoke
    await page.waitForSelector('#result.ok');
    await page.screenshot({ path: new URL('phone.png', SHOTS).pathname, fullPage: true });
    await context.close();
  });

  await t.test('the server logs no token and no body', () => {
    assert.ok(logs.some((l) => l.startsWith('POST /gewe/v2/api/message/revokeMsg -> 200')), logs.join('\n'));
    const all = logs.join('\n');
    assert.ok(!all.includes(s.token) && !all.includes('my-real-token-value-42') && !all.includes('newMsgId'));
  });
});

test('upstream mode forwards /gewe/v2/api/* to another GeWe (a second stand-in)', { timeout: 60_000 }, async (t) => {
  const upstream = await startStandin({ token: 'upstream-secret-token-77' });
  const logs = [];
  const demo = await startDemoServer({ port: 0, upstream: upstream.baseUrl, log: (l) => logs.push(l) });
  t.after(async () => {
    await demo.close();
    await upstream.close();
  });
  assert.equal(demo.standin, undefined);
  const { page, problems } = await openPage(browser, demo.url);
  await page.waitForSelector('body[data-ready=true]');
  assert.equal(await page.textContent('#mode'), `Upstream mode: this server forwards /gewe/v2/api/* to ${upstream.baseUrl}. Your token goes there and nowhere else.`, 'the whole upstream URL');
  assert.equal(await page.isHidden('#story'), true, 'the side-by-side story is for the stand-in only');
  // No token, no appId yet, and still no error on a fresh page.
  assert.equal(await page.locator('.error:not(:empty), [aria-invalid], .fail').count(), 0);
  assert.match(await page.textContent('#preview'), /^The request appears here once token, appId, toWxid, msgId, newMsgId and createTime are filled in\.$/);
  const m = upstream.send({ toWxid: 'wxid_upstream' });
  await page.fill('#token', upstream.token);
  await page.fill('#appId', upstream.appId);
  for (const id of ['toWxid', 'msgId', 'newMsgId', 'createTime']) await page.fill(`#${id}`, String(m[id]));
  await page.getByRole('button', { name: 'Revoke', exact: true }).click();
  // A real GeWe answers 操作成功 whether or not the ids matched: the page says it cannot know, in amber, not "Revoked".
  await page.waitForSelector('#result.unknown');
  assert.match(await page.textContent('#result'), /^GeWe answered ret 200 操作成功: whether anything was recalled is unknown/);
  assert.doesNotMatch(await page.textContent('#result'), /Revoked/);
  assert.match(await page.textContent('#history li'), /ret 200 操作成功, outcome unknown/);
  assert.equal(await page.getAttribute('#history li', 'data-state'), 'unknown');
  assert.equal(upstream.message(m.newMsgId).revoked, true, 'the upstream stand-in revoked it');
  assert.equal(upstream.stats.revokeMsg, 1);
  // A wrong token reaches the upstream and comes back as its API_ERROR, redacted.
  await page.fill('#token', 'wrong-token-passes-through');
  await page.getByRole('button', { name: 'Revoke', exact: true }).click();
  await page.waitForSelector('#result.fail');
  assert.match(await page.textContent('#result'), /API_ERROR/);
  assert.ok(!(await page.textContent('#result')).includes('wrong-token-passes-through'));
  const all = logs.join('\n');
  assert.ok(!all.includes(upstream.token) && !all.includes('wrong-token-passes-through'), all);
  assert.deepEqual(problems, []);
});

test('demo/serve.js prints its URL, refuses a taken port clearly, and stops cleanly on Ctrl-C', { timeout: 30_000 }, async (t) => {
  const { spawn } = await import('node:child_process');
  const root = new URL('../../', import.meta.url);
  const start = (port) => {
    const child = spawn(process.execPath, ['demo/serve.js', '--port', String(port)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, exited, output: () => out };
  };
  const first = start(0);
  t.after(() => first.child.kill('SIGKILL'));
  const deadline = Date.now() + 10_000;
  while (!/open (http:\/\/127\.0\.0\.1:\d+\/)/.test(first.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const url = /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(first.output())?.[1];
  assert.ok(url, first.output());
  assert.equal((await fetch(url)).status, 200);
  const second = start(new URL(url).port);
  assert.equal(await second.exited, 1);
  assert.match(second.output(), /Port \d+ on 127\.0\.0\.1 is already in use: pass --port N/);
  first.child.kill('SIGINT');
  assert.equal(await first.exited, 0);
  assert.match(first.output(), /stopping/);
});
