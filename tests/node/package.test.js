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
  assert.deepEqual(Object.keys(manifest.exports), ['.', './wasm', './package.json']);
  assert.deepEqual(Object.keys(manifest.exports['.']), ['types', 'workerd', 'deno', 'worker', 'browser', 'node', 'default']);
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
  // Every entry that instantiates the wasm is a side effect a bundler must keep; nothing else is.
  const entries = Object.entries(manifest.exports['.']).filter(([k]) => k !== 'types').map(([, v]) => v);
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
    'LICENSE', 'README.md', 'api.js', 'browser.js', 'deno-source.js', 'deno.js', 'error.js', 'index.d.ts', 'node.js',
    'package.json', 'wasm.d.ts', 'wasm/gewe_revoke.js', 'wasm/gewe_revoke_bg.wasm', 'workerd.js',
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
