// Matrix: the README's marked snippets are exactly the ones the cells run (none missing, none unrun), the package's
// own README shows the same text, and the README's table names the versions the matrix pins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, readmeSnippets, versionOf } from './matrix.js';

/** Every marked snippet and the cell that runs it. */
const RUN_BY = {
  'node-esm': 'node.test.js (Node ESM); runtimes.test.js (Deno, Bun)',
  'node-cjs': 'node.test.js (Node CommonJS)',
  'deno-run': 'runtimes.test.js (Deno)',
  'deno-run-2.0': 'runtimes.test.js (Deno 2.0)',
  'bun-run': 'runtimes.test.js (Bun)',
  'browser-app': 'browser.test.js (every browser cell)',
  'browser-html': 'browser.test.js (every browser cell)',
  'vite7-config': 'browser.test.js (Vite 7 dev server)',
  'vite6-config': 'browser.test.js (Vite 6 build and dev server)',
  'rollup-config': 'browser.test.js (Rollup)',
  'esbuild-build': 'browser.test.js (esbuild)',
  'worker-toml': 'worker.test.js',
  'worker-js': 'worker.test.js',
  'ts-usage': 'types.test.js',
};

test('every marked README snippet is one a cell runs, and every snippet a cell runs is marked', () => {
  const { snippets } = readmeSnippets();
  assert.deepEqual([...snippets.keys()].sort(), Object.keys(RUN_BY).sort());
});

test("the package's README shows the tested snippets word for word", () => {
  const root = readmeSnippets().snippets;
  const pkg = readFileSync(join(ROOT, 'pkg', 'README.md'), 'utf8');
  const marked = [...pkg.matchAll(/<!-- matrix: ([a-z0-9.-]+) -->\n```[a-z]*\n([\s\S]*?)\n```/g)];
  assert.ok(marked.length >= 3, 'pkg/README.md shows examples');
  for (const [, id, body] of marked) assert.equal(`${body}\n`, root.get(id), `pkg/README.md ${id}`);
  assert.ok(pkg.split('\n').length <= 120, 'pkg/README.md stays short');
});

test("the README's table names the versions the matrix pins", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('| runtime or tool |'), readme.indexOf('\n\n', readme.indexOf('| runtime or tool |')));
  const pins = JSON.parse(readFileSync(join(ROOT, 'tests', 'matrix', 'tools', 'package.json'), 'utf8')).dependencies;
  const pinned = Object.values(pins).map((spec) => spec.replace(/^npm:(@?[^@]+)@/, ''));
  const root = ['node', 'esbuild', 'typescript', 'wrangler', 'miniflare'].map((name) => versionOf(join(ROOT, 'node_modules', name)));
  for (const version of [...pinned, ...root]) {
    if (version === pins['@types/node']) continue; // a TypeScript cell's library, not a row
    assert.ok(table.includes(version), `the README's table names ${version}`);
  }
});
