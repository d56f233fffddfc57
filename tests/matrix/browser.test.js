// Matrix: the browser example of docs/runtimes.md in Chromium (one instance for every cell), served as a plain page
// with an import map and as built by each bundler with no setting at all (Vite 8, 7 and 6, build and dev server,
// webpack 5, Rollup with only its resolver, esbuild in its default format and as ES modules), and the slim entry
// (import map, Vite 8), each from a fresh project that installed the packed tarball, against the stand-in behind a
// same-origin /gewe/v2/api.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startDemoServer } from '../../demo/serve.js';
import { launch } from '../browser/chromium.js';
import { NODE22, ROOT, assertOk, assertScenario, cell, freePort, project, readmeSnippets, run, snippet, startChild, tools, versionOf } from './matrix.js';

const t0 = await tools();
let browser;
before(async () => (browser = await launch()));
after(() => browser?.close());

/** The page of docs/runtimes.md, for a bundler's output: no import map, `script` in place of the module script. */
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

/** The inline commands the cells run must be the ones the README or docs/ show. */
function inReadme(command) {
  assert.ok(readmeSnippets().text.includes(`\`${command}\``), `README.md or docs/*.md shows \`${command}\``);
  return command;
}

/** No .wasm among a build's files: the default entry carries it inlined, so there is nothing to serve. */
function assertNoWasm(dir) {
  const wasm = readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.wasm'));
  assert.deepEqual(wasm, [], `no .wasm emitted in ${dir}`);
}

/** The slim example for the browser: the slim header `id`, then the browser example after its import line. */
function slimApp(id) {
  const [first, ...rest] = snippet('browser-app').split('\n');
  assert.match(first, /^import .* from 'gewe-revoke';$/);
  return `${snippet(id)}${rest.join('\n')}`;
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
  cell(t, { group: 'Browser', tool: 'Chromium, no bundler', version: `Debian chromium ${browser.version()}`, config: 'an import map (a bare name needs one)' }, async () => {
    const dir = await project('browser-importmap', { files: { 'index.html': snippet('browser-html'), 'app.js': snippet('browser-app'), 'bare.html': pageFor('<script type="module" src="./app.js"></script>') } });
    const demo = await serve(t, dir);
    await play(demo.url, demo.standin);
    // The one line it needs: without the import map the browser cannot resolve the bare name, and says so.
    assert.match(await pageErrors(`${demo.url}bare.html`), /Failed to resolve module specifier "gewe-revoke"/);
  }),
);

test('chromium, no bundler, gewe-revoke/slim', { timeout: 120_000 }, (t) =>
  cell(t, { group: 'Browser', tool: 'Chromium, no bundler, slim entry', version: `Debian chromium ${browser.version()}`, config: 'an import map; init(url)' }, async () => {
    const dir = await project('browser-slim', { files: { 'index.html': snippet('slim-html'), 'app.js': slimApp('slim-app') } });
    const demo = await serve(t, dir);
    await play(demo.url, demo.standin);
  }),
);

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

for (const alias of ['vite', 'vite-7', 'vite-6']) {
  const version = t0.version(alias);
  const page = pageFor('<script type="module" src="/src/app.js"></script>');
  const files = { 'index.html': page, 'src/app.js': snippet('browser-app') };

  test(`vite ${version}, build`, { timeout: 120_000 }, (t) =>
    cell(t, { group: 'Browser', tool: 'Vite, build', version, config: 'none' }, async () => {
      const dir = await project(`${alias}-build`, { files, links: { vite: t0.pkg(alias) } });
      const built = await sh(dir, inReadme('npx vite build'));
      assertOk(built, 'vite build');
      assert.match(built.stdout, new RegExp(`vite v${version}`));
      assertNoWasm(join(dir, 'dist'));
      const demo = await serve(t, join(dir, 'dist'));
      await play(demo.url, demo.standin);
    }),
  );

  test(`vite ${version}, dev server`, { timeout: 120_000 }, (t) =>
    cell(t, { group: 'Browser', tool: 'Vite, dev server', version, config: 'none' }, async () => {
      inReadme('npx vite');
      const dir = await project(`${alias}-dev`, { files, links: { vite: t0.pkg(alias) } });
      const demo = await serve(t, dir);
      await play((await viteDev(t, dir, demo)).url, demo.standin);
    }),
  );
}

test(`vite ${t0.version('vite')}, build, gewe-revoke/slim`, { timeout: 120_000 }, (t) =>
  cell(t, { group: 'Browser', tool: 'Vite, build, slim entry', version: t0.version('vite'), config: "init(url) from 'gewe-revoke/wasm?url'" }, async () => {
    const dir = await project('vite-slim-build', { files: { 'index.html': pageFor('<script type="module" src="/src/app.js"></script>'), 'src/app.js': slimApp('slim-vite') }, links: { vite: t0.pkg('vite') } });
    const built = await sh(dir, 'npx vite build');
    assertOk(built, 'vite build');
    // The .wasm is a file of its own here, and the bundle carries no copy of it.
    assert.match(built.stdout, /dist\/assets\/gewe_revoke_bg-[\w-]+\.wasm/);
    const js = readdirSync(join(dir, 'dist', 'assets')).filter((f) => f.endsWith('.js'));
    for (const f of js) assert.doesNotMatch(readFileSync(join(dir, 'dist', 'assets', f), 'utf8'), /AGFzbQ/, `${f} holds no inlined .wasm`);
    const demo = await serve(t, join(dir, 'dist'));
    await play(demo.url, demo.standin);
  }),
);

test('webpack', { timeout: 120_000 }, (t) => {
  const version = t0.version('webpack');
  return cell(t, { group: 'Browser', tool: 'webpack', version: `${version} (webpack-cli ${t0.version('webpack-cli')})`, config: 'none' }, async () => {
    const dir = await project('webpack', { files: { 'src/index.js': snippet('browser-app') }, links: { webpack: t0.pkg('webpack'), 'webpack-cli': t0.pkg('webpack-cli') } });
    const built = await sh(dir, inReadme('npx webpack --mode production'));
    assertOk(built, 'webpack');
    assert.match(built.stdout, new RegExp(`webpack ${version} compiled successfully`));
    assertNoWasm(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'index.html'), pageFor(`${inReadme('<script defer src="main.js">')}</script>`));
    const demo = await serve(t, join(dir, 'dist'));
    await play(demo.url, demo.standin);
  });
});

test('rollup', { timeout: 120_000 }, (t) => {
  const version = t0.version('rollup');
  return cell(t, { group: 'Browser', tool: 'Rollup', version: `${version} (@rollup/plugin-node-resolve ${t0.version('@rollup/plugin-node-resolve')})`, config: 'none (only its resolver)' }, async () => {
    const config = snippet('rollup-config');
    assert.deepEqual([...config.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]), ['@rollup/plugin-node-resolve']);
    const dir = await project('rollup', {
      files: { 'src/app.js': snippet('browser-app'), 'rollup.config.js': config },
      links: { rollup: t0.pkg('rollup'), '@rollup/plugin-node-resolve': t0.pkg('@rollup/plugin-node-resolve') },
    });
    const built = await sh(dir, inReadme('npx rollup -c'));
    assertOk(built, 'rollup');
    assert.match(built.stderr, /created dist/);
    assertNoWasm(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'index.html'), pageFor('<script type="module" src="./app.js"></script>'));
    const demo = await serve(t, join(dir, 'dist'));
    await play(demo.url, demo.standin);
  });
});

const ESBUILDS = [
  { format: 'iife (the default)', command: () => snippet('esbuild-build'), script: '<script defer src="./app.js"></script>' },
  { format: 'esm', command: () => inReadme('npx esbuild src/app.js --bundle --format=esm --outdir=dist'), script: '<script type="module" src="./app.js"></script>' },
];
for (const esbuild of ESBUILDS) {
  test(`esbuild, ${esbuild.format}`, { timeout: 120_000 }, (t) => {
    const version = versionOf(join(ROOT, 'node_modules', 'esbuild'));
    return cell(t, { group: 'Browser', tool: `esbuild, format ${esbuild.format}`, version, config: 'none' }, async () => {
      const dir = await project(`esbuild-${esbuild.format.split(' ')[0]}`, { files: { 'src/app.js': snippet('browser-app') }, links: { esbuild: join(ROOT, 'node_modules', 'esbuild') } });
      const command = esbuild.command();
      assert.doesNotMatch(command, /--loader|cp |--external/);
      const built = await sh(dir, command);
      assertOk(built, command);
      assert.equal((await sh(dir, 'npx esbuild --version')).stdout.trim(), version);
      assertNoWasm(join(dir, 'dist'));
      writeFileSync(join(dir, 'dist', 'index.html'), pageFor(esbuild.script));
      const demo = await serve(t, join(dir, 'dist'));
      await play(demo.url, demo.standin);
    });
  });
}

test('docs/runtimes.md shows the exact HTML of the page these cells serve, and the README its import map line', () => {
  assert.ok(readFileSync(join(ROOT, 'docs', 'runtimes.md'), 'utf8').includes(snippet('browser-html')));
  const importMap = /^<script type="importmap">.*<\/script>$/m.exec(snippet('browser-html'))[0];
  assert.ok(readFileSync(join(ROOT, 'README.md'), 'utf8').includes(`\`${importMap}\``), `README.md shows ${importMap}`);
});
