// The benchmark harness in smoke mode (a few hundred calls), so it cannot rot. Not a performance test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs `node ...args` in the repository's root, its output as text; `timeout` in ms. */
const node = (args, timeout) => spawnSync(process.execPath, args, { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', timeout });

test('bench/run.js --smoke measures every section and reports ratios', () => {
  const run = node(['--expose-gc', 'bench/run.js', '--smoke'], 300_000);
  assert.equal(run.status, 0, run.stderr);
  for (const heading of ['## 1. Size', '## 2. Cold start', '## 3. Request building', '## 4. Cost per call without the network', '## 5. End to end in Node', '## 6. End to end inside workerd', '## 7. Memory', '## Targets']) {
    assert.ok(run.stdout.includes(heading), `${heading} missing`);
  }
  assert.match(run.stdout, /\| ratio \(target ≤ 1\.5\) \| \d+\.\d{3} \|/);
  assert.match(run.stdout, /\| `parseSendReceipt` at most 1\.5× hand-written JS \| \d+\.\d\d× \| (met|\*\*missed\*\*) \|/);
  // Crossings are counted (a wrapper that no longer sees the instance would count none).
  assert.match(run.stdout, /\| `client\.revokeMsg\(params\)` \| [1-9]\d* \| [1-9]\d* \| \d+\.\d\d \|/);
  assert.match(run.stdout, /A bare crossing \(.*\) took \d+\.\d ns in this run/);
  assert.match(run.stdout, /\| 16 \| throughput \(calls\/s\) \| [\d,.]+ \| [\d,.]+ \| \d+\.\d{3} \|/);
});

test('bench/profile.js profiles both variants and prints CPU per call by place', () => {
  const run = node(['bench/profile.js', '4', '300'], 120_000);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /CPU per call at concurrency 4, 300 calls: gewe-revoke \d+ µs, hand-written \d+ µs/);
  assert.match(run.stdout, /\| gewe-revoke glue \(JS\) \| \d+\.\d \| 0\.0 \|/);
  assert.match(run.stdout, /\| undici \(fetch\) \| \d+\.\d \| \d+\.\d \|/);
});

test('bench/profile-call.js profiles one call by Rust module and times its stages on the loopback', () => {
  const run = node(['bench/profile-call.js', '--smoke'], 120_000);
  assert.equal(run.status, 0, run.stderr);
  // The named .wasm is what splits wasm time by module: without names every row would be `wasm: other`.
  assert.match(run.stdout, /\| wasm: (core|wasm)::\w+ \| \d+\.\d \| 0\.0 \| /);
  assert.match(run.stdout, /\| JS glue \(wasm-bindgen\) \| \d+\.\d \| 0\.0 \| /);
  for (const stage of ['before fetch', 'fetch', 'Response to text\\(\\)', 'text\\(\\)', 'after text\\(\\)', 'whole']) {
    assert.match(run.stdout, new RegExp(`^\\| ${stage} \\| \\d+\\.\\d \\| \\d+\\.\\d \\| -?\\d+\\.\\d \\|$`, 'm'), stage);
  }
});

test('bench/ab.js times two builds against each other and the hand-written calls', () => {
  const run = node(['bench/ab.js', 'pkg', 'pkg', '1'], 120_000);
  assert.equal(run.status, 0, run.stderr);
  for (const name of ['A pkg', 'B pkg', 'hand-written ', 'hand-written, airtight']) {
    assert.match(run.stdout, new RegExp(`^${name}.* \\d+\\.\\d µs  \\d+\\.\\d\\d×`, 'm'), `${name} missing`);
  }
});
