// What loading the package costs, entry by entry, beside the loading it replaced: the bytes each entry brings (raw,
// gzip -9, brotli 11), cold start in Node and in Chromium, and what each bundler makes of the browser example.
// "Before" is the package as main shipped it when issue 17 began (commit BEFORE: browser.js fetched the .wasm with
// top-level await, deno.js imported it as a module source), rebuilt here from that commit's hand-written files around
// this build's wasm/ glue and .wasm, so only the loading differs. Its bundles use the setup its README asked for.
//   node bench/loading.js            the full run, printed as Markdown
//   node bench/loading.js --write    ... and written into BENCHMARKS.md (its "Loading" section only)
//   node bench/loading.js --smoke    one round each, esbuild only: checks the harness, measures nothing
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { SENT } from './fixture.js';
import { writeSection } from './sections.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out', 'loading');
/** main's commit when issue 17 began: the loading this run compares against. */
export const BEFORE = '486709b';
const SMOKE = process.argv.includes('--smoke');
const ROUNDS = SMOKE ? 1 : 15;

const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const br = (buf) => brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (n) => (n / 1024).toFixed(1);

/** The package as it was at BEFORE: that commit's hand-written files, this build's generated wasm/. */
function buildBefore() {
  const dir = join(OUT, 'before');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'wasm'), { recursive: true });
  const files = execFileSync('git', ['ls-tree', '--name-only', `${BEFORE}:pkg`], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n');
  for (const file of files) {
    if (file === 'wasm') continue;
    writeFileSync(join(dir, file), execFileSync('git', ['show', `${BEFORE}:pkg/${file}`], { cwd: ROOT }));
  }
  for (const file of ['gewe_revoke.js', 'gewe_revoke_bg.wasm']) copyFileSync(join(ROOT, 'pkg', 'wasm', file), join(dir, 'wasm', file));
  return dir;
}

/**
 * The files an entry brings: its static (and dynamic) import graph, and the .wasm when it loads the file itself
 * (`new URL('./….wasm', import.meta.url)`, a .wasm import) or, for the slim entry, when init() is handed it.
 */
function graph(dir, entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    if (file.endsWith('.wasm')) return;
    const text = readFileSync(join(dir, file), 'utf8');
    const specs = [
      ...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gm),
      ...text.matchAll(/new URL\('(\.[^']+\.wasm)', import\.meta\.url\)/g),
      ...text.matchAll(/await import\('(\.[^']+)'\)/g),
    ];
    for (const [, spec] of specs) visit(join(dirname(file), spec));
  };
  visit(entry);
  if (entry === 'slim.js') seen.add(join('wasm', 'gewe_revoke_bg.wasm'));
  return [...seen].filter((f) => existsSync(join(dir, f))).sort();
}

/** Bytes of an entry: JS and .wasm apart, each compressed as served (one response per file). */
function bytes(dir, entry, { wasm = true } = {}) {
  const files = graph(dir, entry).filter((f) => wasm || !f.endsWith('.wasm'));
  const sum = { raw: 0, gzip: 0, brotli: 0 };
  for (const f of files) {
    const buf = readFileSync(join(dir, f));
    sum.raw += buf.length;
    sum.gzip += gz(buf);
    sum.brotli += br(buf);
  }
  return { files, ...sum };
}

/**
 * Median ms from a fresh Node's start of `import(entry)` to every export usable (one receipt parsed); `load` is how
 * the slim entry is handed its bytes (`init` or `initSync`).
 */
function nodeColdStart(dir, entry, load = null) {
  const wasm = JSON.stringify(join(dir, 'wasm', 'gewe_revoke_bg.wasm'));
  const code = `import { readFileSync } from 'node:fs';\nconst t = performance.now(); const m = await import(${JSON.stringify(join(dir, entry))});` +
    `${load === 'init' ? `await m.init(readFileSync(${wasm}));` : load === 'initSync' ? `m.initSync(readFileSync(${wasm}));` : ''}` +
    `m.parseSendReceipt(${JSON.stringify(SENT)}); console.log(performance.now() - t);`;
  const times = [];
  for (let i = 0; i < ROUNDS; i++) {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 30_000 });
    if (run.status !== 0) throw new Error(`cold start of ${entry} in ${dir}:\n${run.stderr}`);
    times.push(Number(run.stdout));
  }
  return median(times);
}

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html; charset=utf-8' };

/** A static server on 127.0.0.1 for `root`; resolves { url, close }. */
async function serve(root) {
  const server = createServer((req, res) => {
    const path = join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (!path.startsWith(root) || !existsSync(path) || !statSync(path).isFile()) return res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' }).end(readFileSync(path));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) };
}

/** Writes a page that imports `entry` of `dir` (the slim one with init(url)) and marks when a receipt is parsed. */
function chromiumPage(dir, entry) {
  const name = `page-${entry.replace(/\W/g, '_')}`;
  const load = entry.startsWith('slim') ? `await m.init(new URL('./wasm/gewe_revoke_bg.wasm', import.meta.url));\n` : '';
  writeFileSync(join(dir, `${name}.js`), `const t = performance.now();\nconst m = await import('./${entry}');\n${load}m.parseSendReceipt(${JSON.stringify(SENT)});\nwindow.loaded = [t, performance.now()];\n`);
  writeFileSync(join(dir, `${name}.html`), `<!doctype html><meta charset="utf-8"><script type="module" src="./${name}.js"></script>\n`);
  return `${relative(OUT, dir)}/${name}.html`;
}

/**
 * Median ms in Chromium for each page's module to import its entry (and, for the slim entry, run init with the
 * .wasm's URL) and parse a receipt: `load` from the module's first line, `page` from navigation start. Each visit a
 * fresh context, so nothing is cached; the pages take turns, round after round, so a busy moment hits all alike.
 */
async function chromiumColdStarts(browser, base, pages) {
  const times = pages.map(() => []);
  // One round more than measured: the first pages of a fresh browser pay for starting its renderer.
  for (let i = 0; i <= ROUNDS; i++) {
    for (const [k, path] of pages.entries()) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${base}${path}`);
      const [start, end] = await page.waitForFunction(() => window.loaded).then((h) => h.jsonValue());
      if (i > 0) times[k].push([end - start, end]);
      await context.close();
    }
  }
  return times.map((ts) => ({ load: median(ts.map(([load]) => load)), page: median(ts.map(([, page]) => page)) }));
}

/** Total bytes of a build's output files (.js, .wasm; maps left out), raw, gzip and brotli. */
function outputBytes(dir) {
  const sum = { raw: 0, gzip: 0, brotli: 0, files: 0 };
  for (const f of readdirSync(dir, { recursive: true })) {
    if (!/\.(m?js|wasm)$/.test(f)) continue;
    const buf = readFileSync(join(dir, f));
    sum.raw += buf.length;
    sum.gzip += gz(buf);
    sum.brotli += br(buf);
    sum.files++;
  }
  return sum;
}

/** Each bundler's build of the browser example for a packed package; `before` uses the old README's setup. */
async function bundles(tarballs) {
  const m = await import('../tests/matrix/matrix.js');
  const t0 = SMOKE ? null : await m.tools();
  const app = m.snippet('browser-app');
  const env = { PATH: `${dirname(m.NODE22)}:${process.env.PATH}`, npm_config_yes: 'false', NO_COLOR: '1' };
  const sh = (dir, command) => m.run('bash', ['-euo', 'pipefail', '-c', command], { cwd: dir, env, timeout: 120_000 });
  const esbuild = join(ROOT, 'node_modules', 'esbuild');
  const BUNDLERS = [
    {
      name: `esbuild ${m.versionOf(esbuild)}`,
      links: () => ({ esbuild }),
      src: 'src/app.js',
      after: 'npx esbuild src/app.js --bundle --minify --outdir=dist',
      before: 'npx esbuild src/app.js --bundle --minify --format=esm --outdir=dist && mkdir -p dist/wasm && cp node_modules/gewe-revoke/wasm/gewe_revoke_bg.wasm dist/wasm/',
    },
    ...(SMOKE ? [] : [
      { name: `Vite ${t0.version('vite')}`, links: () => ({ vite: t0.pkg('vite') }), src: 'src/app.js', html: true, after: 'npx vite build', before: 'npx vite build' },
      { name: `webpack ${t0.version('webpack')}`, links: () => ({ webpack: t0.pkg('webpack'), 'webpack-cli': t0.pkg('webpack-cli') }), src: 'src/index.js', after: 'npx webpack --mode production', before: 'npx webpack --mode production' },
      {
        name: `Rollup ${t0.version('rollup')}`,
        links: () => ({ rollup: t0.pkg('rollup'), '@rollup/plugin-node-resolve': t0.pkg('@rollup/plugin-node-resolve'), '@web/rollup-plugin-import-meta-assets': t0.pkg('@web/rollup-plugin-import-meta-assets') }),
        src: 'src/app.js',
        // Minified like the others' production builds: the output is measured with esbuild's minifier run over it.
        after: "npx rollup -c && npx esbuild dist/app.js --minify --allow-overwrite --outfile=dist/app.js",
        before: "npx rollup -c && npx esbuild dist/app.js --minify --allow-overwrite --outfile=dist/app.js",
        config: {
          after: "import { nodeResolve } from '@rollup/plugin-node-resolve';\nexport default { input: 'src/app.js', output: { dir: 'dist', format: 'es' }, plugins: [nodeResolve()] };\n",
          before: "import { nodeResolve } from '@rollup/plugin-node-resolve';\nimport { importMetaAssets } from '@web/rollup-plugin-import-meta-assets';\nexport default { input: 'src/app.js', output: { dir: 'dist', format: 'es' }, plugins: [nodeResolve(), importMetaAssets()] };\n",
        },
      },
    ]),
  ];
  const rows = [];
  for (const b of BUNDLERS) {
    const row = { name: b.name };
    for (const which of ['before', 'after']) {
      const files = { [b.src]: app };
      if (b.html) files['index.html'] = '<!doctype html><script type="module" src="/src/app.js"></script>\n';
      if (b.config) files['rollup.config.js'] = b.config[which];
      const links = b.links();
      if (which === 'after') delete links['@web/rollup-plugin-import-meta-assets'];
      const dir = await m.project(`loading-${which}-${b.name.split(' ')[0].toLowerCase()}`, { files, links, tarball: tarballs[which] });
      const built = await sh(dir, b[which]);
      if (built.code !== 0) throw new Error(`${b.name} (${which}): ${b[which]}\n${built.stdout}\n${built.stderr}`);
      row[which] = outputBytes(join(dir, 'dist'));
    }
    rows.push(row);
  }
  return rows;
}

/** `npm pack` of `dir` into OUT; returns the tarball's path. */
function pack(dir, name) {
  const dest = join(OUT, `pack-${name}`);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  const result = spawnSync('npm', ['pack', dir, '--pack-destination', dest, '--json', '--loglevel=error'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`npm pack ${dir}: ${result.stderr}`);
  return join(dest, JSON.parse(result.stdout)[0].filename);
}

export async function main() {
  mkdirSync(OUT, { recursive: true });
  const before = buildBefore();
  const after = join(OUT, 'after');
  rmSync(after, { recursive: true, force: true });
  cpSync(join(ROOT, 'pkg'), after, { recursive: true });

  const ENTRIES = [
    { label: 'browsers, bundlers (`browser.js`)', before: 'browser.js', after: 'browser.js' },
    { label: 'Node, Bun (`node.js`)', before: 'node.js', after: 'node.js' },
    { label: 'Deno', before: 'deno.js', after: 'browser.js' },
    { label: 'Workers (`workerd.js`)', before: 'workerd.js', after: 'workerd.js' },
    { label: 'slim (`slim.js`)', before: null, after: 'slim.js' },
  ];
  const lines = [];
  const say = (s = '') => lines.push(s);
  say('<!-- loading: begin (written by `node bench/loading.js --write`; bench/run.js leaves it alone only if it keeps it) -->');
  say('## Loading');
  say();
  say('What each entry costs, beside the loading it replaced (`node bench/loading.js`).');
  say();
  say(`On a 2-core VM shared with other work: the Chromium figures in particular move by tens of ms between runs. "Before" is the package of commit \`${BEFORE}\` (main when issue 17 began: \`browser.js\` fetched the \`.wasm\` with top-level await, \`deno.js\` imported it as a module source) rebuilt around this build's \`.wasm\`, so only the loading differs. ${SMOKE ? '**Smoke run: one round, figures meaningless.**' : `Medians of ${ROUNDS} fresh starts each.`}`);
  say();
  say('### Bytes an entry brings (its JS import graph, and the `.wasm` when it loads the file; each file compressed on its own, as served)');
  say();
  say('| entry | before: raw | gzip | brotli | after: raw | gzip | brotli | gzip after − before |');
  say('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const e of ENTRIES) {
    const b = e.before ? bytes(before, e.before) : null;
    const a = bytes(after, e.after);
    const cell = (x) => (x ? `${x.raw.toLocaleString('en')} B | ${x.gzip.toLocaleString('en')} B | ${x.brotli.toLocaleString('en')} B` : '— | — | —');
    say(`| ${e.label} | ${cell(b)} | ${cell(a)} | ${b ? `${a.gzip - b.gzip >= 0 ? '+' : ''}${kb(a.gzip - b.gzip)} KB` : '—'} |`);
  }
  say();
  say('Files: ' + ENTRIES.map((e) => `${e.label}: ${graph(after, e.after).join(', ')}`).join('; ') + '.');
  say();

  say(`### Cold start in Node ${process.version} (a fresh process: \`import()\` until a receipt is parsed)`);
  say();
  say('| entry | before | after |');
  say('| --- | ---: | ---: |');
  say(`| \`node.js\` (Node's entry) | ${nodeColdStart(before, 'node.js').toFixed(1)} ms | ${nodeColdStart(after, 'node.js').toFixed(1)} ms |`);
  say(`| \`browser.js\` run in Node (the inlined entry: base64 decoded, compiled synchronously) | cannot run (fetch of a file: URL) | ${nodeColdStart(after, 'browser.js').toFixed(1)} ms |`);
  say(`| \`slim.js\` with \`await init(bytes)\` (compiled asynchronously) | — | ${nodeColdStart(after, 'slim.js', 'init').toFixed(1)} ms |`);
  say(`| \`slim.js\` with \`initSync(bytes)\` | — | ${nodeColdStart(after, 'slim.js', 'initSync').toFixed(1)} ms |`);
  say();

  const { launch } = await import('../tests/browser/chromium.js');
  const browser = await launch();
  const server = await serve(OUT);
  try {
    say(`### Cold start in Chromium ${browser.version()} (nothing cached; loopback server)`);
    say();
    say('"import": from the page module\'s first line until the entry is imported (for the slim entry, `init(url)` resolved) and a receipt parsed; "page": from navigation start.');
    say();
    say('| entry | before: import | page | after: import | page |');
    say('| --- | ---: | ---: | ---: | ---: |');
    const ms = (x) => `${x.load.toFixed(1)} ms | ${x.page.toFixed(1)} ms`;
    const [b, a, slim] = await chromiumColdStarts(browser, server.url, [chromiumPage(before, 'browser.js'), chromiumPage(after, 'browser.js'), chromiumPage(after, 'slim.js')]);
    say(`| \`browser.js\` | ${ms(b)} | ${ms(a)} |`);
    say(`| \`slim.js\` with \`init(url)\` (streaming compile) | — | — | ${ms(slim)} |`);
    say();
  } finally {
    await server.close();
    await browser.close();
  }

  const tarballs = { before: pack(before, 'before'), after: pack(after, 'after') };
  const rows = await bundles(tarballs);
  say('### The browser example, bundled for production (every `.js` and `.wasm` the build writes)');
  say();
  say('Before: with the setup the old README asked for (esbuild `--format=esm` and the `.wasm` copied; Rollup with `importMetaAssets()`); after: none. Rollup\'s output minified by esbuild, as the others minify theirs.');
  say();
  say('| bundler | before: raw | gzip | brotli | after: raw | gzip | brotli | gzip after − before |');
  say('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const cell = (x) => `${x.raw.toLocaleString('en')} B | ${x.gzip.toLocaleString('en')} B | ${x.brotli.toLocaleString('en')} B`;
    say(`| ${r.name} | ${cell(r.before)} | ${cell(r.after)} | ${r.after.gzip >= r.before.gzip ? '+' : ''}${kb(r.after.gzip - r.before.gzip)} KB |`);
  }
  say('<!-- loading: end -->');
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const md = await main();
  console.log(md);
  if (process.argv.includes('--write')) {
    writeSection('loading', md);
    console.error('wrote the Loading section of BENCHMARKS.md');
  }
}
