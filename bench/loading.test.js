// bench/loading.js in smoke mode (one round, esbuild only), so the loading benchmark cannot rot. Not a performance test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('bench/loading.js --smoke measures every entry before and after, in Node, Chromium and a bundle', () => {
  const run = spawnSync(process.execPath, ['bench/loading.js', '--smoke'], { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', timeout: 300_000 });
  assert.equal(run.status, 0, run.stderr);
  const out = run.stdout;
  for (const heading of ['## Loading', '### Bytes an entry brings', '### Cold start in Node', '### Cold start in Chromium', '### The browser example, bundled']) {
    assert.ok(out.includes(heading), `${heading} missing`);
  }
  const B = '[\\d,]+ B';
  // The inlined entry brings no .wasm file, only its base64; the old one fetched the file.
  assert.match(out, new RegExp(`^\\| browsers, bundlers \\(\`browser\\.js\`\\) \\| ${B} \\| ${B} \\| ${B} \\| ${B} \\| ${B} \\| ${B} \\| \\+\\d+\\.\\d KB \\|$`, 'm'));
  assert.match(out, /browsers, bundlers \(`browser\.js`\): api\.js, browser\.js, error\.js, wasm\/gewe_revoke\.js, wasm\/gewe_revoke_base64\.js;/);
  assert.match(out, /^\| slim \(`slim\.js`\) \| — \| — \| — \| [\d,]+ B \|/m);
  assert.match(out, /^\| `node\.js` \(Node's entry\) \| \d+\.\d ms \| \d+\.\d ms \|$/m);
  assert.match(out, /^\| `slim\.js` with `initSync\(bytes\)` \| — \| \d+\.\d ms \|$/m);
  assert.match(out, /^\| `browser\.js` \| \d+\.\d ms \| \d+\.\d ms \| \d+\.\d ms \| \d+\.\d ms \|$/m);
  assert.match(out, /^\| `slim\.js` with `init\(url\)` \(streaming compile\) \| — \| — \| \d+\.\d ms \| \d+\.\d ms \|$/m);
  assert.match(out, new RegExp(`^\\| esbuild [\\d.]+ \\| ${B} \\| ${B} \\| ${B} \\| ${B} \\| ${B} \\| ${B} \\| [+-]\\d+\\.\\d KB \\|$`, 'm'));
});
