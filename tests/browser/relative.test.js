// A same-origin path as baseUrl ('/gewe/v2/api', what a page behind a proxy uses) resolves against the page's
// location, in a page and in a module worker, and the stand-in behind that path revokes the exact messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startDemoServer } from '../../demo/serve.js';
import { launch, openPage } from './chromium.js';

test('a path baseUrl in Chromium: page and worker', { timeout: 60_000 }, async (t) => {
  const demo = await startDemoServer({ port: 0, mounts: { '/relative/': fileURLToPath(new URL('pages/', import.meta.url)) } });
  const browser = await launch();
  t.after(async () => {
    await browser.close();
    await demo.close();
  });
  const { page, problems } = await openPage(browser, `${demo.url}relative/relative.html`);
  const got = await page.waitForFunction(() => window.__relative).then((h) => h.jsonValue());
  for (const where of ['page', 'worker']) {
    assert.equal(got[where].error, undefined, `${where}: ${got[where].error}`);
    assert.deepEqual(got[where].results, [{ ret: 200, msg: '操作成功' }, { ret: 200, msg: '操作成功' }], where);
    for (const id of got[where].ids) assert.equal(demo.standin.message(id).revoked, true, `${where}: ${id}`);
  }
  assert.deepEqual(problems, []);
});
