// Load on one account's ledger in workerd: 50 clients each record 200 sends with a recall 5 s after sending.
// Reports record throughput and latency, and checks that GeWe (the stand-in) saw every message revoked exactly once,
// inside its window, with the account's concurrency bound held.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { startStandin } from '../../standin/standin.js';
import { API_KEY, dryRun, ledgerWorker } from './harness.js';

const CLIENTS = 50;
const PER_CLIENT = 200;
const CONCURRENCY = 16;
const REVOKE_AFTER_SEC = 5;

const { dist: DIST } = dryRun('worker-dist-ledger-load');
// The object's SQLite on tmpfs where there is one: on a disk every commit waits for an fsync (about 3 ms on the 2-core
// test VM), which would measure the disk rather than the ledger. Cloudflare commits to replicated storage instead.
const PERSIST = existsSync('/dev/shm') ? `/dev/shm/gewe-revoke-ledger-load-${process.pid}` : undefined;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

test(`load: ${CLIENTS} clients record and schedule ${PER_CLIENT} messages each; every one is revoked exactly once`, { timeout: 120_000 }, async (t) => {
  const s = await startStandin();
  const env = { API_KEY, GEWE_TOKEN: s.token, GEWE_BASE_URL: s.baseUrl, GEWE_APP_ID: s.appId, LEDGER_REVOKE_CONCURRENCY: String(CONCURRENCY), LEDGER_REVOKE_INTERVAL_MS: '0' };
  const mf = ledgerWorker(DIST, env, { persist: PERSIST });
  t.after(async () => {
    await mf.dispose();
    await s.close();
    if (PERSIST) rmSync(PERSIST, { recursive: true, force: true });
  });
  // Clients call the Worker's own HTTP address with the global fetch, as any HTTP client would.
  const base = await mf.ready;
  const headers = { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' };
  assert.equal((await fetch(new URL('/health', base))).status, 200);

  const latencies = [];
  const sent = [];
  const failures = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = 0; i < PER_CLIENT; i++) {
        const { message, text } = s.sendRaw({ toWxid: `wxid_load_${c}` });
        sent.push(message);
        const begin = performance.now();
        const res = await fetch(new URL('/messages', base), { method: 'POST', headers, body: JSON.stringify({ response: text, revokeAfterSec: REVOKE_AFTER_SEC }) });
        const body = await res.json();
        latencies.push(performance.now() - begin);
        if (res.status !== 201 || body.message.state !== 'scheduled') failures.push(`${res.status} ${JSON.stringify(body)}`);
      }
    }),
  );
  const recordMs = performance.now() - started;
  assert.deepEqual(failures.slice(0, 3), []);
  const total = CLIENTS * PER_CLIENT;
  assert.equal(sent.length, total);

  // Every recall falls due within 5 s of its send; wait for GeWe to have seen them all, then a little longer.
  const deadline = Date.now() + 60_000;
  while (s.revokeCalls.length < total && Date.now() < deadline) await sleep(100);
  const revokedMs = performance.now() - started;
  await sleep(1000);

  const calls = new Map();
  for (const c of s.revokeCalls) calls.set(c.body.newMsgId, (calls.get(c.body.newMsgId) ?? 0) + 1);
  const once = sent.filter((m) => calls.get(m.newMsgId) === 1).length;
  const outcomes = new Set(s.revokeCalls.map((c) => c.outcome));
  const early = s.revokeCalls.filter((c) => c.at < (s.message(c.body.newMsgId).createTime + REVOKE_AFTER_SEC) * 1000).length;

  // The ledger agrees: each chat lists its 200 messages as revoked.
  let ledgerRevoked = 0;
  for (let c = 0; c < CLIENTS; c++) {
    const res = await fetch(new URL(`/chats/wxid_load_${c}/messages?limit=${PER_CLIENT}`, base), { headers });
    ledgerRevoked += (await res.json()).messages.filter((m) => m.state === 'revoked').length;
  }

  latencies.sort((a, b) => a - b);
  t.diagnostic(`storage: ${PERSIST ? 'tmpfs' : 'Miniflare default (disk)'}; machine load average ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} cores`);
  t.diagnostic(`records: ${total} from ${CLIENTS} clients in ${(recordMs / 1000).toFixed(1)} s = ${Math.round(total / (recordMs / 1000))} records/s`);
  t.diagnostic(`record latency: p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1).toFixed(1)} ms`);
  t.diagnostic(`revokes: ${s.revokeCalls.length} calls for ${total} messages, ${once} revoked exactly once, all revoked ${(revokedMs / 1000).toFixed(1)} s after the first record; GeWe saw at most ${s.stats.maxInflight} at once (bound ${CONCURRENCY})`);
  if (PERSIST) {
    // The account's SQLite files (database and write-ahead log) over its 10,000 rows: what one message costs.
    const bytes = readdirSync(PERSIST, { recursive: true }).reduce((sum, f) => sum + (statSync(`${PERSIST}/${f}`).isFile() ? statSync(`${PERSIST}/${f}`).size : 0), 0);
    t.diagnostic(`size: ${(bytes / 1e6).toFixed(1)} MB on disk for ${total} messages, ${Math.round(bytes / total)} bytes each`);
  }
  assert.equal(once, total, 'every message revoked exactly once');
  assert.equal(s.revokeCalls.length, total, 'no other revoke');
  assert.deepEqual([...outcomes], ['revoked'], 'each inside its window');
  assert.equal(early, 0, 'none before its time');
  assert.ok(s.stats.maxInflight <= CONCURRENCY, `at most ${CONCURRENCY} at once, saw ${s.stats.maxInflight}`);
  assert.equal(ledgerRevoked, total);
});
