// Matrix: the README's browser example in Chromium (one instance for every cell), served as a plain page with an
// import map and as built by each bundler with the README's setup for it (Vite 8 and 7, build and dev server,
// webpack 5, Rollup, esbuild), each from a fresh project that installed the packed tarball, against the stand-in
// behind a same-origin /gewe/v2/api.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startDemoServer } from '../../demo/serve.js';
import { launch } from '../browser/chromium.js';
import { NODE22, ROOT, assertOk, assertScenario, cell, freePort, project, readmeSnippets, run, snippet, startChild, tools, versionOf } from './matrix.js';

const t0 = await tools();
let browser;
before(async () => (browser = await launch()));
after(() => browser?.close());

/** The README's page, for a bundler's output: no import map, `script` in place of the module script. */
function pageFor(script) {
  const html = snippet('browser-html');
  const importMap = /^<script type="importmap">.*<\/script>\n/m;
  const moduleScript = /^<script type="module" src="\.\/app\.js"><\/script>\n/m;
  assert.match(html, importMap);
  assert.match(html, moduleScript);
  return html.replace(importMap, '').replace(moduleScript, `${script}\n`);
}

/** Bundler commands run through the project's own npx (never a download), on Node 22. */
const toolEnv = { PATH: `${dirname(NODE22)}:${process.env.PATH}`, npm_config_yes: 'false', NO_COLOR: '1' };
function sh(dir, command, timeout = 120_000) {
  return run('bash', ['-euo', 'pipefail', '-c', command], { cwd: dir, env: toolEnv, timeout });
}

/** The README's inline commands the cells run must be the README's. */
function inReadme(command) {
  assert.ok(readmeSnippets().text.includes(`\`${command}\``), `README.md shows \`${command}\``);
  return command;
}

/**
 * Opens `url`, plays the example as a user (token and appId typed, the button clicked once the module has enabled
 * it) and returns what it showed and logged; `standin` must then confirm that exact message.
 */
async function play(url, standin) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const problems = [];
  const logs = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    logs.push(m.text());
    if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  try {
    await page.goto(url);
    await page.fill('#token', standin.token);
    await page.fill('#appId', standin.appId);
    await page.click('#send');
    await page.waitForFunction(() => /revoked|:/.test(document.getElementById('out').textContent));
    const out = await page.textContent('#out');
    const deadline = Date.now() + 10_000;
    while (!logs.some((l) => l.startsWith('refused:')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(problems, []);
    assertScenario(standin, `${out}\n${logs.join('\n')}`, { revoked: /^revoked \d+: 操作成功$/m });
    return { out, logs };
  } finally {
    await context.close();
  }
}

/** A demo server (its own stand-in behind /gewe/v2/api) serving `dir` at /; closed after the test. */
async function serve(t, dir) {
  const demo = await startDemoServer({ port: 0, mounts: { '/': dir } });
  t.after(() => demo.close());
  return demo;
}

/** Starts `vite` (the project's, on Node 22) as a dev server proxying /gewe to `demo`; stopped after the test. */
async function viteDev(t, dir, demo) {
  const port = await freePort();
  writeFileSync(
    join(dir, 'matrix-dev.mjs'),
    // The dev server as the CLI starts it, plus the proxy a page behind /gewe/v2/api needs in development.
    `import { createServer } from 'vite';\n` +
      `const server = await createServer({ server: { host: '127.0.0.1', port: ${port}, strictPort: true, proxy: { '/gewe': ${JSON.stringify(demo.url.slice(0, -1))} } } });\n` +
      `await server.listen();\nconsole.log('ready at', server.resolvedUrls.local[0]);\n`,
  );
  const dev = startChild(NODE22, ['matrix-dev.mjs'], { cwd: dir, env: toolEnv, ready: /ready at (http:\S+)/, timeout: 120_000 });
  t.after(() => dev.stop());
  return { url: (await dev.started)[1], dev };
}

test('chromium, no bundler (import map)', { timeout: 120_000 }, (t) =>
  cell(t, { group: 'Browser', tool: 'Chromium, no bundler', version: `Debian chromium ${browser.version()}`, config: 'import map' }, async () => {
    const dir = await project('browser-importmap', { files: { 'index.html': snippet('browser-html'), 'app.js': snippet('browser-app') } });
    const demo = await serve(t, dir);
    await play(demo.url, demo.standin);
  }),
);

/** Each Vite's README setup: `build` and `dev` name the README snippet for vite.config.js, or null for none. */
const VITES = [
  { alias: 'vite-8', build: null, dev: null },
  { alias: 'vite-7', build: null, dev: 'vite7-config' },
  { alias: 'vite-6', build: 'vite6-config', dev: 'vite6-config' },
];
const configName = (id) => (id ? /build:|optimizeDeps/.test(snippet(id)) && [/build:/.test(snippet(id)) && "build.target: 'es2022'", /optimizeDeps/.test(snippet(id)) && 'optimizeDeps.exclude'].filter(Boolean).join(', ') : 'none');

/** Opens `url` and returns the page errors it raised within 20 s (at least one expected). */
async function pageErrors(url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  const deadline = Date.now() + 20_000;
  while (errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await context.close();
  return errors.join('\n');
}

for (const vite of VITES) {
  const version = t0.version(vite.alias);
  const page = pageFor('<script type="module" src="/src/app.js"></script>');

  test(`vite ${version}, build`, { timeout: 120_000 }, (t) =>
    cell(t, { group: 'Browser', tool: 'Vite, build', version, config: configName(vite.build) }, async () => {
      const files = { 'index.html': page, 'src/app.js': snippet('browser-app') };
      if (vite.build) {
        // Without the README's line the build stops: Vite 6's default targets have no top-level await.
        const bare = await project(`${vite.alias}-build-bare`, { files, links: { vite: t0.pkg(vite.alias) } });
        const refused = await sh(bare, 'npx vite build');
        assert.notEqual(refused.code, 0);
        assert.match(refused.stdout + refused.stderr, /Top-level await is not available in the configured target environment/);
        files['vite.config.js'] = snippet(vite.build);
      }
      const dir = await project(`${vite.alias}-build`, { files, links: { vite: t0.pkg(vite.alias) } });
      const built = await sh(dir, inReadme('npx vite build'));
      assertOk(built, 'vite build');
      assert.match(built.stdout, new RegExp(`vite v${version}`));
      assert.match(built.stdout, /dist\/assets\/gewe_revoke_bg-[\w-]+\.wasm/);
      const demo = await serve(t, join(dir, 'dist'));
      await play(demo.url, demo.standin);
    }),
  );

  test(`vite ${version}, dev server`, { timeout: 120_000 }, (t) =>
    cell(t, { group: 'Browser', tool: 'Vite, dev server', version, config: configName(vite.dev) }, async () => {
      const files = { 'index.html': page, 'src/app.js': snippet('browser-app') };
      inReadme('npx vite');
      if (vite.dev) {
        // Without the README's line the dev server's pre-bundle loses the .wasm and answers with its HTML page: the
        // import fails, saying so (Vite 6 fails earlier, pre-bundling top-level await for its old targets).
        const bare = await project(`${vite.alias}-dev-bare`, { files, links: { vite: t0.pkg(vite.alias) } });
        const demo = await serve(t, bare);
        const { url, dev } = await viteDev(t, bare, demo);
        if (vite.build) {
          // Vite 6's dev server dies pre-bundling the package for its default targets.
          const deadline = Date.now() + 20_000;
          while (!/Top-level await is not available/.test(dev.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
          assert.match(dev.output(), /Top-level await is not available in the configured target environment/);
        } else {
          assert.match(await pageErrors(url), /gewe-revoke could not load its WebAssembly: \S+\.wasm answered 200 \(text\/html\)/);
        }
        await dev.stop();
        files['vite.config.js'] = snippet(vite.dev);
      }
      const dir = await project(`${vite.alias}-dev`, { files, links: { vite: t0.pkg(vite.alias) } });
      const demo = await serve(t, dir);
      await play((await viteDev(t, dir, demo)).url, demo.standin);
    }),
  );
}

test('webpack', { timeout: 120_000 }, (t) => {
  const version = t0.version('webpack');
  return cell(t, { group: 'Browser', tool: 'webpack', version: `${version} (webpack-cli ${t0.version('webpack-cli')})`, config: 'none' }, async () => {
    const dir = await project('webpack', { files: { 'src/index.js': snippet('browser-app') }, links: { webpack: t0.pkg('webpack'), 'webpack-cli': t0.pkg('webpack-cli') } });
    const built = await sh(dir, inReadme('npx webpack --mode production'));
    assertOk(built, 'webpack');
    assert.match(built.stdout, new RegExp(`webpack ${version} compiled successfully`));
    assert.match(built.stdout, /asset \w+\.wasm/);
    writeFileSync(join(dir, 'dist', 'index.html'), pageFor(`${inReadme('<script defer src="main.js">')}</script>`));
    const demo = await serve(t, join(dir, 'dist'));
    await play(demo.url, demo.standin);
  });
});

test('rollup', { timeout: 120_000 }, (t) => {
  const version = t0.version('rollup');
  const plugin = `@web/rollup-plugin-import-meta-assets ${t0.version('@web/rollup-plugin-import-meta-assets')}`;
  return cell(t, { group: 'Browser', tool: 'Rollup', version: `${version} (@rollup/plugin-node-resolve ${t0.version('@rollup/plugin-node-resolve')})`, config: plugin }, async () => {
    const dir = await project('rollup', {
      files: { 'src/app.js': snippet('browser-app'), 'rollup.config.js': snippet('rollup-config') },
      links: {
        rollup: t0.pkg('rollup'),
        '@rollup/plugin-node-resolve': t0.pkg('@rollup/plugin-node-resolve'),
        '@web/rollup-plugin-import-meta-assets': t0.pkg('@web/rollup-plugin-import-meta-assets'),
      },
    });
    const built = await sh(dir, inReadme('npx rollup -c'));
    assertOk(built, 'rollup');
    assert.match(built.stderr, /created dist/);
    writeFileSync(join(dir, 'dist', 'index.html'), pageFor('<script type="module" src="./app.js"></script>'));
    const demo = await serve(t, join(dir, 'dist'));
    await play(demo.url, demo.standin);
  });
});

test('esbuild', { timeout: 120_000 }, (t) => {
  const version = versionOf(join(ROOT, 'node_modules', 'esbuild'));
  return cell(t, { group: 'Browser', tool: 'esbuild', version, config: '--format=esm, copy the .wasm' }, async () => {
    const dir = await project('esbuild', { files: { 'src/app.js': snippet('browser-app') }, links: { esbuild: join(ROOT, 'node_modules', 'esbuild') } });
    const command = snippet('esbuild-build');
    const built = await sh(dir, command);
    assertOk(built, command);
    assert.equal((await sh(dir, 'npx esbuild --version')).stdout.trim(), version);
    writeFileSync(join(dir, 'dist', 'index.html'), pageFor('<script type="module" src="./app.js"></script>'));
    const demo = await serve(t, join(dir, 'dist'));
    await play(demo.url, demo.standin);
    // And why the README says --format=esm: esbuild's default for the browser cannot hold top-level await.
    const iife = await sh(dir, 'npx esbuild src/app.js --bundle --outdir=iife');
    assert.notEqual(iife.code, 0);
    assert.match(iife.stderr, /Top-level await is currently not supported with the "iife" output format/);
  });
});

test('the README shows the exact HTML of the page these cells serve', () => {
  assert.ok(readFileSync(join(ROOT, 'README.md'), 'utf8').includes(snippet('browser-html')));
});
