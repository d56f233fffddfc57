// The npm package as users get it: resolved by name, entry per runtime, shipped files, size budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as api from 'gewe-revoke';

const PKG = fileURLToPath(new URL('../../pkg/', import.meta.url));
const manifest = JSON.parse(readFileSync(`${PKG}package.json`, 'utf8'));

test('imported by its name in Node (ESM), through the node entry', async () => {
  assert.equal(import.meta.resolve('gewe-revoke'), new URL('../../pkg/node.js', import.meta.url).href);
  assert.deepEqual(Object.keys(api).sort(), ['GeweClient', 'GeweError', 'buildRevokeRequest', 'parseSendReceipt', 'revokeMsg']);
  const receipt = api.parseSendReceipt('{"toWxid":"w","msgId":0,"newMsgId":18446744073709551615}');
  assert.equal(receipt.newMsgId, '18446744073709551615');
});

test('the exports map names every runtime and every file ships', () => {
  assert.equal(manifest.name, 'gewe-revoke');
  assert.equal(manifest.type, 'module');
  assert.deepEqual(Object.keys(manifest.exports['.']), ['types', 'workerd', 'worker', 'browser', 'node', 'default']);
  for (const file of [...Object.values(manifest.exports['.']), ...manifest.files]) {
    assert.ok(existsSync(`${PKG}${file.replace(/^\.\//, '')}`), `${file} exists`);
  }
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
