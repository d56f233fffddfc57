// The npm package as users get it: resolved by name, entry per runtime, shipped files, size budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as api from 'gewe-revoke';

const PKG = fileURLToPath(new URL('../../pkg/', import.meta.url));
const manifest = JSON.parse(readFileSync(`${PKG}package.json`, 'utf8'));

test('imported by its name in Node (ESM), through the node entry', async () => {
  assert.equal(import.meta.resolve('gewe-revoke'), new URL('../../pkg/node.js', import.meta.url).href);
  assert.deepEqual(Object.keys(api).sort(), ['GeweClient', 'GeweError', 'MAX_TIMEOUT_MS', 'REVOKE_WINDOW_SEC', 'buildRevokeRequest', 'normalizeRevokeParams', 'parseSendReceipt', 'revokeMsg']);
  const receipt = api.parseSendReceipt('{"toWxid":"w","msgId":0,"newMsgId":18446744073709551615}');
  assert.equal(receipt.newMsgId, '18446744073709551615');
});

test('the exports map names every runtime, types come first everywhere, and every file ships', () => {
  assert.equal(manifest.name, 'gewe-revoke');
  assert.equal(manifest.type, 'module');
  assert.equal(manifest.license, 'MIT');
  assert.deepEqual(Object.keys(manifest.exports), ['.', './callbacks', './slim', './wasm', './package.json']);
  assert.deepEqual(Object.keys(manifest.exports['.']), ['types', 'workerd', 'deno', 'worker', 'browser', 'node', 'default']);
  // Everything but Workers (a .wasm module import) and Node (the file read from disk) takes the inlined entry.
  assert.deepEqual(manifest.exports['.'], {
    types: './index.d.ts', workerd: './workerd.js', deno: './browser.js', worker: './browser.js', browser: './browser.js', node: './node.js', default: './browser.js',
  });
  // gewe-revoke/callbacks loads its own .wasm the same way, under the same conditions in the same order.
  assert.deepEqual(manifest.exports['./callbacks'], {
    types: './callbacks.d.ts', workerd: './callbacks-workerd.js', deno: './callbacks.js', worker: './callbacks.js', browser: './callbacks.js', node: './callbacks-node.js', default: './callbacks.js',
  });
  // `types` first in every conditional subpath, so TypeScript finds declarations under any condition it resolves with.
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    if (typeof target === 'string') continue;
    assert.equal(Object.keys(target)[0], 'types', `${subpath}: types comes first`);
    assert.match(target.types, /\.d\.ts$/);
  }
  const targets = Object.values(manifest.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t)));
  for (const file of [...targets, ...manifest.files]) {
    assert.ok(existsSync(`${PKG}${file.replace(/^\.\//, '')}`), `${file} exists`);
  }
  // Every entry that instantiates the wasm at import is a side effect a bundler must keep; nothing else is (the slim
  // entry instantiates in init()).
  const entries = ['.', './callbacks'].flatMap((p) => Object.entries(manifest.exports[p]).filter(([k]) => k !== 'types').map(([, v]) => v));
  assert.deepEqual([...manifest.sideEffects].sort(), [...new Set(entries)].sort());
});

test('the .wasm is exported as gewe-revoke/wasm', () => {
  const wasm = new URL('../../pkg/wasm/gewe_revoke_bg.wasm', import.meta.url);
  assert.equal(import.meta.resolve('gewe-revoke/wasm'), wasm.href);
  assert.equal(createRequire(import.meta.url).resolve('gewe-revoke/wasm'), fileURLToPath(wasm));
});

test('npm pack: exactly the package files, README and LICENSE included, nothing stray', (t) => {
  const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--loglevel=error'], { cwd: PKG, encoding: 'utf8', timeout: 60_000 });
  assert.equal(packed.status, 0, packed.stderr);
  const [info] = JSON.parse(packed.stdout);
  assert.equal(info.name, 'gewe-revoke');
  assert.deepEqual(info.files.map((f) => f.path).sort(), [
    'LICENSE', 'README.md', 'api.js', 'browser.js', 'callbacks-node.js', 'callbacks-workerd.js', 'callbacks.d.ts', 'callbacks.js',
    'error.js', 'index.d.ts', 'node.js', 'package.json', 'slim.d.ts', 'slim.js', 'wasm.d.ts', 'wasm/gewe_revoke.js',
    'wasm/gewe_revoke_base64.js', 'wasm/gewe_revoke_bg.wasm', 'wasm/gewe_revoke_callbacks.js',
    'wasm/gewe_revoke_callbacks_base64.js', 'wasm/gewe_revoke_callbacks_bg.wasm', 'workerd.js',
  ]);
  t.diagnostic(`npm pack: ${info.filename}, ${info.size} bytes packed, ${info.unpackedSize} unpacked, ${info.entryCount} files`);
  assert.equal(readFileSync(`${PKG}LICENSE`, 'utf8'), readFileSync(new URL('../../LICENSE', import.meta.url), 'utf8'), 'pkg/LICENSE is the root LICENSE');
  assert.match(readFileSync(`${PKG}LICENSE`, 'utf8'), /^MIT License\n\nCopyright \(c\) \d{4} gewe-revoke contributors\n/);
});

test('errors raised inside wasm are instances of the exported GeweError', () => {
  let caught;
  try {
    api.parseSendReceipt('nope');
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof api.GeweError);
  assert.equal(Object.getPrototypeOf(caught), api.GeweError.prototype);
  assert.match(caught.stack, /^GeweError: The send response is not JSON\./);
});

test('the .wasm stays within its 40 KB gzip budget', () => {
  const wasm = readFileSync(`${PKG}wasm/gewe_revoke_bg.wasm`);
  const gzip = gzipSync(wasm, { level: 9 }).length;
  console.log(`# wasm: ${wasm.length} bytes raw, ${gzip} bytes gzip`);
  assert.ok(gzip <= 40 * 1024, `${gzip} bytes gzip`);
});

test('the callbacks .wasm (gewe-revoke/callbacks) stays within its 18 KB gzip budget', () => {
  const wasm = readFileSync(`${PKG}wasm/gewe_revoke_callbacks_bg.wasm`);
  const gzip = gzipSync(wasm, { level: 9 }).length;
  console.log(`# callbacks wasm: ${wasm.length} bytes raw, ${gzip} bytes gzip`);
  assert.ok(gzip <= 18 * 1024, `${gzip} bytes gzip`);
});

test('ready to publish: the registry page metadata, and `npm publish --dry-run` without a warning', () => {
  const repo = 'https://github.com/gewe-revoke/gewe-revoke';
  assert.deepEqual(manifest.repository, { type: 'git', url: `git+${repo}.git`, directory: 'pkg' });
  assert.equal(manifest.homepage, `${repo}#readme`);
  assert.deepEqual(manifest.bugs, { url: `${repo}/issues` });
  assert.ok(manifest.keywords.includes('gewe') && manifest.keywords.includes('wechat'), 'keywords');
  assert.match(manifest.description, /^Recall \(撤回\) WeChat messages/);
  // --offline: nothing leaves this machine (a dry run needs no registry).
  const published = spawnSync('npm', ['publish', '--dry-run', '--json', '--loglevel=warn', '--offline'], { cwd: PKG, encoding: 'utf8', timeout: 60_000 });
  assert.equal(published.status, 0, published.stderr);
  // npm warns about anything it would fix up or drop (a bin path, a bad field, a missing file): none of that here.
  // The one warning left is that a real publish needs a login, which this machine never has.
  const warnings = published.stderr.split('\n').filter((line) => /npm (warn|error)/i.test(line));
  assert.deepEqual(warnings, ['npm warn publish This command requires you to be logged in to https://registry.npmjs.org/ (dry-run)']);
  const info = JSON.parse(published.stdout)['gewe-revoke'];
  assert.equal(info.id, `gewe-revoke@${manifest.version}`);
  assert.ok(info.files.some((f) => f.path === 'README.md'));
});

test("pkg/README.md stands alone on the registry page: install, an example, and only absolute links that exist", () => {
  const readme = readFileSync(`${PKG}README.md`, 'utf8');
  assert.match(readme, /```sh\nnpm install gewe-revoke\n```/);
  const links = [...readme.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]);
  assert.ok(links.length >= 3, `links: ${links}`);
  const blob = 'https://github.com/gewe-revoke/gewe-revoke/blob/main/';
  for (const link of links) {
    assert.match(link, /^https:\/\//, `${link} is absolute (a relative link breaks on the registry page)`);
    if (link.startsWith(blob)) {
      const path = link.slice(blob.length).replace(/#.*$/, '');
      assert.ok(existsSync(new URL(`../../${path}`, import.meta.url)), `${link} names a file of the repository`);
    }
  }
});

/** Runs `code` (an ES module) in a fresh Node with the slim entry, so no earlier import has instantiated the wasm. */
function slim(code) {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', `import * as slim from 'gewe-revoke/slim';\n${code}`], {
    cwd: fileURLToPath(new URL('./', import.meta.url)),
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(result.status, 0, `${code}\n--- stderr\n${result.stderr}`);
  return result.stdout.trim();
}
const SLIM_WASM = "const bytes = (await import('node:fs')).readFileSync(new URL(import.meta.resolve('gewe-revoke/wasm')));\n";
const SLIM_USE = "console.log(slim.parseSendReceipt('{\"toWxid\":\"w\",\"msgId\":0,\"newMsgId\":18446744073709551615}').newMsgId);";

test('gewe-revoke/slim: nothing instantiated at import, then init() from bytes, a Module, a Response or a URL', async () => {
  assert.deepEqual(Object.keys(await import('gewe-revoke/slim')).sort(), ['GeweClient', 'GeweError', 'MAX_TIMEOUT_MS', 'REVOKE_WINDOW_SEC', 'buildRevokeRequest', 'init', 'initSync', 'normalizeRevokeParams', 'parseSendReceipt', 'revokeMsg']);
  // Before init the wasm is not there: a call fails (this is what the README tells users to avoid).
  assert.equal(slim(`try { ${SLIM_USE} } catch (e) { console.log('before init:', e.name); }`), 'before init: TypeError');
  const ID = '18446744073709551615';
  assert.equal(slim(`${SLIM_WASM}await slim.init(bytes);\n${SLIM_USE}`), ID);
  assert.equal(slim(`${SLIM_WASM}await slim.init(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));\n${SLIM_USE}`), ID);
  assert.equal(slim(`${SLIM_WASM}await slim.init(await WebAssembly.compile(bytes));\n${SLIM_USE}`), ID);
  assert.equal(slim(`${SLIM_WASM}await slim.init(new Response(bytes, { headers: { 'Content-Type': 'application/wasm' } }));\n${SLIM_USE}`), ID);
  assert.equal(slim(`${SLIM_WASM}slim.initSync(new WebAssembly.Module(bytes));\n${SLIM_USE}`), ID);
  assert.equal(slim(`${SLIM_WASM}slim.initSync(bytes); slim.initSync(bytes); await slim.init(bytes);\n${SLIM_USE}`), ID, 'later calls are no-ops');
  // A URL and a promise of a Response, from a real server on 127.0.0.1.
  const serve = `${SLIM_WASM}const { createServer } = await import('node:http');
const server = createServer((req, res) => req.url === '/g.wasm' ? res.writeHead(200, { 'Content-Type': 'application/wasm' }).end(bytes) : res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html>'));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = 'http://127.0.0.1:' + server.address().port;\n`;
  assert.equal(slim(`${serve}await slim.init(new URL('/g.wasm', base));\n${SLIM_USE}\nserver.close();`), ID);
  assert.equal(slim(`${serve}await slim.init(fetch(base + '/g.wasm'));\n${SLIM_USE}\nserver.close();`), ID);
  assert.equal(slim(`${serve}await slim.init(base + '/g.wasm');\n${SLIM_USE}\nserver.close();`), ID);
  // A server that answers with its HTML page: an Error that says so.
  assert.match(
    slim(`${serve}const e = await slim.init(base + '/missing.wasm').catch((e) => e);\nconsole.log(e.constructor.name, e.message);\nserver.close();`),
    /^Error gewe-revoke\/slim could not load its WebAssembly: http:\/\/127\.0\.0\.1:\d+\/missing\.wasm answered 200 \(text\/html\), not the \.wasm\. Serve gewe-revoke\/wasm/,
  );
});

test('gewe-revoke/slim: init() and initSync() refuse anything else with a TypeError that says what they take', () => {
  const cases = { 'undefined': 'undefined', 'null': 'null', '42': 'number', '{}': 'Object', "[1, 2]": 'Array', 'Promise.resolve(7)': 'number' };
  for (const [value, named] of Object.entries(cases)) {
    const out = slim(`const e = await slim.init(${value}).catch((e) => e);\nconsole.log(e.constructor.name + ': ' + e.message);`);
    assert.equal(out, `TypeError: gewe-revoke/slim: init() takes a URL, a Request, a Response, the bytes or a WebAssembly.Module of gewe-revoke/wasm; got ${named}.`);
  }
  for (const value of ["'https://x.test/g.wasm'", 'new URL("https://x.test/g.wasm")', 'null']) {
    const out = slim(`try { slim.initSync(${value}); } catch (e) { console.log(e.constructor.name + ': ' + e.message); }`);
    assert.match(out, /^TypeError: gewe-revoke\/slim: initSync\(\) takes the bytes or a WebAssembly\.Module of gewe-revoke\/wasm; got (string|URL|null)\.$/);
  }
});
