// The package bundled for the browser by esbuild (resolving `gewe-revoke` by name, browser conditions), run once in Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { startDemoServer } from '../../demo/serve.js';
import { launch, openPage } from './chromium.js';

const OUT = fileURLToPath(new URL('../../test-output/bundle/', import.meta.url));

test('esbuild bundle for the browser', async (t) => {
  await rm(OUT, { recursive: true, force: true });
  await mkdir(`${OUT}wasm`, { recursive: true });
  const result = await build({
    entryPoints: [fileURLToPath(new URL('bundle-entry.js', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: `${OUT}app.js`,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.some((i) => i.endsWith('pkg/browser.js')), `browser entry chosen: ${inputs.join(', ')}`);
  assert.ok(!inputs.some((i) => i.endsWith('pkg/node.js')));
  // esbuild leaves `new URL('./wasm/…', import.meta.url)` alone: the .wasm goes beside the bundle.
  await copyFile(fileURLToPath(new URL('../../pkg/wasm/gewe_revoke_bg.wasm', import.meta.url)), `${OUT}wasm/gewe_revoke_bg.wasm`);
  await writeFile(`${OUT}index.html`, '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>bundle</title><script type="module" src="app.js"></script>');

  const demo = await startDemoServer({ port: 0, mounts: { '/bundle/': OUT } });
  const browser = await launch();
  t.after(async () => {
    await browser.close();
    await demo.close();
  });
  const { page, problems } = await openPage(browser, `${demo.url}bundle/`);
  const got = await page.waitForFunction(() => window.__bundleResult).then((h) => h.jsonValue());
  assert.deepEqual(got.result, { ret: 200, msg: '操作成功' });
  assert.equal(got.refused, 'UNSAFE_INTEGER');
  assert.equal(demo.standin.message(got.newMsgId).revoked, true);
  assert.deepEqual(problems, []);
});
