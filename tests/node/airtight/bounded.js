// Contract item 3: bounded answers. maxResponseBytes (default 1 MiB) is enforced while the body streams in; past it
// the read is cancelled and the call fails BAD_RESPONSE. apiMsg, body and location excerpts are capped.
import { gzipSync } from 'node:zlib';
import { revokeMsg, buildRevokeRequest, GeweClient } from 'gewe-revoke';
import { assert, standin, fresh, rejects, resolves, counted, until, memory, mb, report, capped, MB, describe } from './lib.js';

const PARAMS = { appId: 'wx_app', toWxid: 'wxid_x', msgId: '1', newMsgId: '2', createTime: '0' };
const BASE = { token: 'bounded-token-123456', baseUrl: 'http://127.0.0.1:9/v2/api' };
const DEFAULT_CAP = 1048576;
/** A valid success answer of exactly `n` bytes (ASCII). */
const okOfBytes = (n) => {
  const head = '{"ret":200,"msg":"';
  const tail = '"}';
  return head + 'a'.repeat(n - head.length - tail.length) + tail;
};

/** The 64 MB answer from a real server, with or without Content-Length; reports memory. */
async function huge(contentLength) {
  const s = await standin();
  const options = { token: s.token, baseUrl: s.baseUrl };
  await revokeMsg(await fresh(s), options); // warm: wasm, fetch, the connection pool
  const before = await memory();
  const p = await fresh(s);
  s.resetCounters();
  s.fault('huge', { bytes: 64 * MB, contentLength });
  const { error, ms } = await rejects(revokeMsg(p, options), { code: 'BAD_RESPONSE', status: 200 }, { label: '64 MB answer', ms: 10_000 });
  assert.match(error.message, new RegExp(`larger than\\b.*\\b${DEFAULT_CAP} bytes`));
  assert.equal(s.stats.revokeMsg, 1, 'not retried');
  const record = s.streams[0];
  const closed = await until(() => record.closedAt !== null, 3000);
  const after = await memory();
  const how = contentLength ? 'with Content-Length' : 'chunked, no Content-Length';
  report(`64 MB answer ${how}: BAD_RESPONSE in ${ms.toFixed(0)} ms; the server wrote ${(record.written / MB).toFixed(1)} MB of 64 MB before the client went away`);
  report(`64 MB answer ${how}: before ${mb(before)}`);
  report(`64 MB answer ${how}: after  ${mb(after)}`);
  assert.ok(ms < 3000, `BAD_RESPONSE took ${ms.toFixed(0)} ms`);
  assert.ok(closed, 'the read was cancelled: the connection closed');
  assert.equal(record.finished, false, 'the 64 MB body was not read to its end');
  assert.ok(record.written < 32 * MB, `the server could write ${(record.written / MB).toFixed(1)} MB`);
  if (after.wasm !== null) assert.ok(after.wasm < 32 * MB, `wasm memory grew to ${(after.wasm / MB).toFixed(1)} MB`);
}

export const bounded = {
  /** maxResponseBytes: a whole number 1..=67108864, in revokeMsg options, client options and request options. */
  async 'bounded-options'() {
    const f = counted(async () => new Response(okOfBytes(64)));
    for (const bad of [0, -1, 1.5, 67108865, 2 ** 53, '1024', NaN, Infinity, true, {}]) {
      const label = `maxResponseBytes ${typeof bad === 'string' ? `'${bad}'` : String(bad)}`;
      await rejects(revokeMsg(PARAMS, { ...BASE, fetch: f, maxResponseBytes: bad }), { code: 'INVALID_OPTIONS', field: 'maxResponseBytes' }, { label: `revokeMsg ${label}` });
      await rejects(() => new GeweClient({ ...BASE, maxResponseBytes: bad }), { code: 'INVALID_OPTIONS', field: 'maxResponseBytes' }, { label: `new GeweClient ${label}` });
      await rejects(() => buildRevokeRequest(PARAMS, { ...BASE, maxResponseBytes: bad }), { code: 'INVALID_OPTIONS', field: 'maxResponseBytes' }, { label: `buildRevokeRequest ${label}` });
    }
    assert.equal(f.calls.length, 0, 'bad options send nothing');
    for (const good of [64, 1024, 67108864, undefined]) {
      await resolves(revokeMsg(PARAMS, { ...BASE, fetch: f, maxResponseBytes: good }), { label: `maxResponseBytes ${good}` });
      await resolves(new GeweClient({ ...BASE, fetch: f, maxResponseBytes: good }).revokeMsg(PARAMS), { label: `client maxResponseBytes ${good}` });
    }
    await rejects(revokeMsg(PARAMS, { ...BASE, fetch: f, maxResponseBytes: 1 }), { code: 'BAD_RESPONSE' }, { label: 'maxResponseBytes 1' });
  },

  async 'bounded-64mb-length'() {
    await huge(true);
  },

  async 'bounded-64mb-chunked'() {
    await huge(false);
  },

  /** The cap counts bytes, exactly; per client too; decompressed bytes; an endless injected stream is cancelled. */
  async 'bounded-edges'() {
    const s = await standin();
    const options = { token: s.token, baseUrl: s.baseUrl };
    const p = await fresh(s);
    const echo = (body, extra = {}) => s.fault('echoBody', { body, headers: { 'content-type': 'application/json' }, ...extra });

    echo(okOfBytes(1000));
    await resolves(revokeMsg(p, { ...options, maxResponseBytes: 1000 }), { label: 'an answer of exactly maxResponseBytes' });
    echo(okOfBytes(1001));
    const over = await rejects(revokeMsg(p, { ...options, maxResponseBytes: 1000 }), { code: 'BAD_RESPONSE' }, { label: 'one byte over' });
    assert.match(over.error.message, /larger than\b.*\b1000 bytes/);
    // Same, without Content-Length: the cap is enforced while reading, not from the header.
    s.fault('huge', { bytes: 1001, contentLength: false });
    await rejects(revokeMsg(p, { ...options, maxResponseBytes: 1000 }), { code: 'BAD_RESPONSE' }, { label: 'one byte over, chunked' });
    s.fault('huge', { bytes: 1000, contentLength: false });
    await resolves(revokeMsg(p, { ...options, maxResponseBytes: 1000 }), { label: 'exactly the cap, chunked' });

    // Bytes, not characters: 600 three-byte characters are 1800 bytes.
    echo(`{"ret":200,"msg":"${'撤'.repeat(600)}"}`);
    await rejects(revokeMsg(p, { ...options, maxResponseBytes: 1024 }), { code: 'BAD_RESPONSE' }, { label: '600 CJK characters, 1024 bytes' });

    // The client's own cap.
    const client = new GeweClient({ ...options, appId: s.appId, maxResponseBytes: 1024 });
    echo(okOfBytes(4096));
    await rejects(client.revokeMsg(p), { code: 'BAD_RESPONSE' }, { label: 'client maxResponseBytes 1024, 4 KB answer' });
    echo(okOfBytes(4096));
    const [item] = (await resolves(client.revokeMany([p]), { label: 'revokeMany, 4 KB answer' })).value;
    assert.equal(item.error?.code, 'BAD_RESPONSE', describe(item.error));
    echo(okOfBytes(1024));
    const [small] = (await resolves(client.revokeMany([p]), { label: 'revokeMany, 1 KB answer' })).value;
    assert.ok(small.ok, `an answer of exactly the client's cap passes: ${describe(small.error)}`);

    // gzip: 24 KB on the wire, 8 MB once decompressed (a valid success, were it read whole).
    const bomb = gzipSync(okOfBytes(8 * MB));
    assert.ok(bomb.length < 64 * 1024);
    echo(bomb, { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    const gz = await rejects(revokeMsg(p, options), { code: 'BAD_RESPONSE' }, { label: 'gzip: small compressed, 8 MB decompressed' });
    assert.match(gz.error.message, new RegExp(`larger than\\b.*\\b${DEFAULT_CAP} bytes`));
    echo(gzipSync(okOfBytes(2048)), { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    await resolves(revokeMsg(p, options), { label: 'a small gzip answer' });

    // An injected fetch whose body streams 32 MB: the reader is cancelled near the cap.
    let pulled = 0;
    let cancelled = false;
    const chunk = new Uint8Array(64 * 1024).fill(97);
    const streaming = async () => new Response(new ReadableStream({
      start(c) { c.enqueue(new TextEncoder().encode('{"ret":200,"msg":"')); },
      pull(c) {
        if (pulled >= 32 * MB) return c.close();
        pulled += chunk.length;
        c.enqueue(chunk);
      },
      cancel() { cancelled = true; },
    }, { highWaterMark: 0 }));
    await rejects(revokeMsg(PARAMS, { ...BASE, fetch: streaming }), { code: 'BAD_RESPONSE' }, { label: 'an injected 32 MB stream' });
    assert.ok(pulled < 8 * MB, `the library pulled ${(pulled / MB).toFixed(1)} MB past a 1 MiB cap`);
    assert.ok(cancelled, 'the body stream was cancelled');
  },

  /** Excerpts are capped: apiMsg 1000 characters, body 200, location 200. */
  async 'bounded-caps'() {
    const s = await standin();
    const options = { token: s.token, baseUrl: s.baseUrl };
    const p = await fresh(s);
    s.fault('echoBody', { body: JSON.stringify({ ret: 500, msg: `撤回失败${'长'.repeat(5000)}` }), headers: { 'content-type': 'application/json' } });
    const api = (await rejects(revokeMsg(p, options), { code: 'API_ERROR', ret: 500 }, { label: 'a 5000-character msg' })).error;
    assert.ok(capped(api.apiMsg, 1000), `apiMsg is ${[...api.apiMsg].length} characters`);
    assert.ok(api.apiMsg.startsWith('撤回失败长'));
    s.fault('echoBody', { status: 500, body: `<html><body>${'x'.repeat(5000)}</body></html>`, headers: { 'content-type': 'text/html' } });
    const page = (await rejects(revokeMsg(p, options), { code: 'HTTP_STATUS', status: 500 }, { label: 'a long page' })).error;
    assert.ok(capped(page.body, 200), `body is ${page.body.length} characters`);
    const location = `http://127.0.0.1:9/${'l'.repeat(1000)}`;
    s.fault('redirect', { status: 302, location });
    const moved = (await rejects(revokeMsg(p, options), { code: 'HTTP_STATUS', status: 302 }, { label: 'a long Location' })).error;
    assert.equal(typeof moved.location, 'string', 'location is given');
    assert.ok(capped(moved.location, 200), `location is ${moved.location.length} characters`);
    assert.ok(moved.location.startsWith('http://127.0.0.1:9/lll'), moved.location);
  },
};

/** 10,000 oversized answers leave no trace: heap after GC compared between 1,000 and 10,000 calls. */
export async function oversizedLoop() {
  const s = await standin();
  s.fault('echoBody', { times: Infinity, body: okOfBytes(4096), headers: { 'content-type': 'application/json' } });
  const options = { token: s.token, baseUrl: s.baseUrl, maxResponseBytes: 1024, retries: 0 };
  const codes = new Map();
  let done = 0;
  const run = async (n, concurrency = 8) => {
    let next = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        try {
          await revokeMsg(PARAMS, options);
          codes.set('ok', (codes.get('ok') ?? 0) + 1);
        } catch (e) {
          codes.set(e?.code, (codes.get(e?.code) ?? 0) + 1);
        }
        done++;
      }
    }));
    assert.deepEqual([...codes.keys()], ['BAD_RESPONSE'], `outcomes so far: ${JSON.stringify([...codes])}`);
  };
  const t0 = performance.now();
  await run(100);
  await run(900);
  const at1k = await memory();
  await run(9000);
  const at10k = await memory();
  const secs = (performance.now() - t0) / 1000;
  assert.equal(done, 10_000);
  assert.equal(s.stats.revokeMsg, 10_000);
  const growth = at10k.heapUsed - at1k.heapUsed;
  report(`10,000 answers of 4 KB with maxResponseBytes 1024, all BAD_RESPONSE, in ${secs.toFixed(1)} s`);
  report(`after 1,000:  ${mb(at1k)}`);
  report(`after 10,000: ${mb(at10k)}`);
  report(`heapUsed growth 1,000 -> 10,000 after GC: ${(growth / MB).toFixed(2)} MB; wasm memory growth: ${at1k.wasm === null ? 'n/a' : `${((at10k.wasm - at1k.wasm) / MB).toFixed(2)} MB`}`);
  assert.ok(growth < 8 * MB, `heapUsed grew ${(growth / MB).toFixed(1)} MB between 1,000 and 10,000 calls`);
  if (at1k.wasm !== null) assert.ok(at10k.wasm - at1k.wasm < 8 * MB, `wasm memory grew ${((at10k.wasm - at1k.wasm) / MB).toFixed(1)} MB`);
}

bounded['bounded-10k'] = oversizedLoop;
