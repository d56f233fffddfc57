// Matrix: the marked snippets of the README and docs/ are exactly the ones the cells run (none missing, none unrun),
// the package's own README shows the same text, the runtime table names the versions the matrix pins, the README's
// first screen is what a newcomer needs, and its stand-in instructions match the stand-in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT, docPages, freePort, readmeSnippets, startChild, versionOf } from './matrix.js';

/** Every marked snippet and the cell that runs it. */
const RUN_BY = {
  quick: 'node.test.js (Node ESM); runtimes.test.js (Deno, Bun)',
  'node-esm': 'node.test.js (Node ESM); runtimes.test.js (Deno, Bun)',
  'node-cjs': 'node.test.js (Node CommonJS)',
  'deno-run': 'runtimes.test.js (Deno, current and 2.0)',
  'bun-run': 'runtimes.test.js (Bun)',
  'browser-app': 'browser.test.js (every browser cell)',
  'browser-html': 'browser.test.js (Chromium, no bundler)',
  'rollup-config': 'browser.test.js (Rollup)',
  'esbuild-build': 'browser.test.js (esbuild, default format)',
  'worker-toml': 'worker.test.js (every Worker cell)',
  'worker-js': 'worker.test.js (every Worker cell)',
  'worker-vite-config': 'worker.test.js (@cloudflare/vite-plugin, build and dev server)',
  'slim-node': 'node.test.js (slim entry)',
  'slim-html': 'browser.test.js (Chromium, slim entry)',
  'slim-app': 'browser.test.js (Chromium, slim entry)',
  'slim-vite': 'browser.test.js (Vite, slim entry)',
  'ts-usage': 'types.test.js',
  'ts-slim': 'types.test.js',
};

test('every marked snippet of the README and docs/ is one a cell runs, and every snippet a cell runs is marked', () => {
  const { snippets } = readmeSnippets();
  assert.deepEqual([...snippets.keys()].sort(), Object.keys(RUN_BY).sort());
});

test("the package's README shows the tested snippets word for word", () => {
  const root = readmeSnippets().snippets;
  const pkg = readFileSync(join(ROOT, 'pkg', 'README.md'), 'utf8');
  const marked = [...pkg.matchAll(/<!-- matrix: ([a-z0-9.-]+) -->\n```[a-z]*\n([\s\S]*?)\n```/g)];
  assert.ok(marked.length >= 2, 'pkg/README.md shows examples');
  for (const [, id, body] of marked) assert.equal(`${body}\n`, root.get(id), `pkg/README.md ${id}`);
  assert.ok(pkg.split('\n').length <= 120, 'pkg/README.md stays short');
});

test("docs/runtimes.md's table names the versions the matrix pins", () => {
  const page = readFileSync(join(ROOT, 'docs', 'runtimes.md'), 'utf8');
  const table = page.slice(page.indexOf('| runtime or tool |'), page.indexOf('\n\n', page.indexOf('| runtime or tool |')));
  const pins = JSON.parse(readFileSync(join(ROOT, 'tests', 'matrix', 'tools', 'package.json'), 'utf8')).dependencies;
  const pinned = Object.entries(pins).map(([, spec]) => spec.replace(/^npm:(@?[^@]+)@/, ''));
  const root = ['node', 'esbuild', 'typescript', 'wrangler', 'miniflare'].map((name) => versionOf(join(ROOT, 'node_modules', name)));
  // The matrix's own libraries are not rows: a TypeScript cell's @types/node, and the assets plugin the loading
  // benchmark builds the old package's Rollup bundle with.
  const notRows = [pins['@types/node'], pins['@web/rollup-plugin-import-meta-assets']];
  for (const version of [...pinned, ...root]) {
    if (notRows.includes(version)) continue;
    assert.ok(table.includes(version), `docs/runtimes.md's table names ${version}`);
  }
});

test("the README's first screen: what it is, the two commands, one example, where it runs; the rest is linked", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const sections = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
  assert.deepEqual(sections.slice(0, 3), ['One example', 'Where it runs', 'Try it against the stand-in']);
  const firstScreen = readme.slice(0, readme.indexOf('## One example'));
  assert.ok(firstScreen.includes('bash scripts/demo.sh') && firstScreen.includes('bash scripts/test.sh'));
  assert.ok(readme.length < 9000, `the README stays a five-minute read (${readme.length} characters)`);
  // Every relative link of the README and docs/ names a file of the repository (docs/ledger.md is written elsewhere
  // and lands with its own change).
  for (const page of docPages()) {
    const text = readFileSync(join(ROOT, page), 'utf8');
    for (const [, link] of text.matchAll(/\]\(([^)#]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(link)) continue;
      const target = join(ROOT, dirname(page), link);
      if (target === join(ROOT, 'docs', 'ledger.md')) continue;
      assert.ok(existsSync(target), `${page} links ${link}, which does not exist`);
    }
  }
});

test("the README's stand-in instructions are what the stand-in prints: its base URL, token and appId", async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.ok(readme.includes('node standin/standin.js --port 8787\n'));
  // The command as the README gives it, on a free port (8787 may be taken here): its first line, port aside.
  const port = await freePort();
  const standin = startChild(process.execPath, ['standin/standin.js', '--port', String(port)], { cwd: ROOT, ready: /^GeWe stand-in at .*\n/m, timeout: 30_000 });
  try {
    const printed = (await standin.started)[0].trim().replace(`:${port}/`, ':8787/');
    assert.ok(readme.includes(`# ${printed}\n`), `README.md shows what the stand-in prints: ${printed}`);
    const [, baseUrl, token, appId] = /^GeWe stand-in at (\S+)  \(token (\S+), appId (\S+)\)$/.exec(printed);
    assert.ok(readme.includes(`GEWE_BASE_URL=${baseUrl} GEWE_TOKEN=${token} GEWE_APP_ID=${appId} node app.js`));
  } finally {
    await standin.stop();
  }
});
