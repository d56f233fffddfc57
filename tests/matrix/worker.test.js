// Matrix: a Worker made from scratch out of the README's wrangler.toml and Worker snippet, in a fresh project that
// installed the packed tarball, bundled by the project's pinned wrangler (`deploy --dry-run`, on Node 22) and run in
// workerd through Miniflare against the GeWe stand-in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { startStandin } from '../../standin/standin.js';
import { sendText } from '../helpers.js';
import { NODE22, ROOT, assertOk, cell, project, run, snippet, versionOf } from './matrix.js';

const WRANGLER = join(ROOT, 'node_modules', 'wrangler');

/** The ids of a raw send receipt as strings (read from the text: never through JSON.parse). */
function idsOf(raw) {
  const field = (name) => new RegExp(`"${name}":(?:"?)(\\d+)`).exec(raw)?.[1];
  return { toWxid: /"toWxid":"([^"]+)"/.exec(raw)[1], msgId: field('msgId'), newMsgId: field('newMsgId'), createTime: field('createTime') };
}

test('a Worker from the README', { timeout: 180_000 }, (t) =>
  cell(t, { group: 'Cloudflare Workers', tool: 'Worker: wrangler deploy --dry-run, Miniflare', version: `${versionOf(WRANGLER)} / ${versionOf(join(ROOT, 'node_modules', 'miniflare'))}`, config: 'none' }, async () => {
    const toml = snippet('worker-toml');
    const dir = await project('worker', { files: { 'wrangler.toml': toml, 'src/index.js': snippet('worker-js') } });
    const built = await run(NODE22, [join(WRANGLER, 'bin', 'wrangler.js'), 'deploy', '--dry-run', '--outdir', 'dist'], {
      cwd: dir,
      env: { WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CLOUDFLARE_CF_FETCH_ENABLED: 'false', NO_COLOR: '1' },
      timeout: 120_000,
    });
    assertOk(built, 'wrangler deploy --dry-run');
    assert.match(built.stdout, /--dry-run: exiting now/);
    const files = readdirSync(join(dir, 'dist'));
    assert.ok(files.includes('index.js') && files.some((f) => f.endsWith('.wasm')), `the bundle holds the .wasm: ${files.join(', ')}`);

    const compatibilityDate = /^compatibility_date = "([\d-]+)"/m.exec(toml)?.[1];
    const compatibilityFlags = JSON.parse(/^compatibility_flags = (\[[^\]]*\])/m.exec(toml)?.[1] ?? '[]');
    assert.ok(compatibilityDate && compatibilityDate <= '2026-08-06', `compatibility_date ${compatibilityDate}`);
    const s = await startStandin();
    const options = {
      modules: true,
      scriptPath: join(dir, 'dist', 'index.js'),
      modulesRules: [{ type: 'ESModule', include: ['**/*.js'] }, { type: 'CompiledWasm', include: ['**/*.wasm'] }],
      compatibilityDate,
      compatibilityFlags,
      bindings: { GEWE_TOKEN: s.token, GEWE_APP_ID: s.appId, GEWE_BASE_URL: s.baseUrl },
      cf: false,
    };
    const mf = new Miniflare(options);
    t.after(async () => {
      await mf.dispose();
      await s.close();
    });
    const post = async (body) => {
      const res = await mf.dispatchFetch('http://worker.test/', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      assert.match(res.headers.get('Content-Type') ?? '', /^application\/json/);
      return { status: res.status, body: await res.json() };
    };

    // Send, then revoke through the Worker with the ids as strings: the stand-in revokes that exact message.
    const receipt = idsOf(await sendText(s));
    const ok = await post(JSON.stringify(receipt));
    assert.deepEqual(ok, { status: 200, body: { ok: true, ret: 200, msg: '操作成功' } });
    assert.equal(s.message(receipt.newMsgId).revoked, true);
    assert.equal(s.revokesOf(receipt.newMsgId), 1);

    // The id as a JSON number: request.json() rounds it, the library refuses it: a 400 with the code, no stack trace.
    const next = idsOf(await sendText(s));
    const numeric = await post(`{"toWxid":"${next.toWxid}","msgId":"${next.msgId}","newMsgId":${next.newMsgId},"createTime":"${next.createTime}"}`);
    assert.equal(numeric.status, 400);
    assert.equal(numeric.body.ok, false);
    assert.equal(numeric.body.error.code, 'UNSAFE_INTEGER');
    assert.equal(numeric.body.error.field, 'newMsgId');
    assert.doesNotMatch(JSON.stringify(numeric.body), /\bat \S+:\d+|\.js:\d+/);
    assert.equal(s.stats.revokeMsg, 1, 'nothing more reached GeWe');

    // The other statuses the snippet maps: bad JSON, an expired window, GeWe's refusal.
    assert.deepEqual((await post('{"toWxid":')).body.error.code, 'BAD_JSON');
    assert.equal((await post('{"toWxid":')).status, 400);
    const old = s.send({ createTime: Math.floor(Date.now() / 1000) - 900 });
    const expired = await post(JSON.stringify({ toWxid: old.toWxid, msgId: old.msgId, newMsgId: old.newMsgId, createTime: String(old.createTime) }));
    assert.deepEqual([expired.status, expired.body.error.code], [422, 'REVOKE_WINDOW_EXPIRED']);
    s.fault('offline');
    const refused = await post(JSON.stringify(next));
    assert.deepEqual([refused.status, refused.body.error.code, refused.body.error.maybeDelivered], [502, 'API_ERROR', false]);
    assert.ok(!JSON.stringify(refused.body).includes(s.token));

    // The Worker's own settings wrong (a path where GeWe's URL belongs): INVALID_OPTIONS, a 500 that names the option.
    await mf.setOptions({ ...options, bindings: { ...options.bindings, GEWE_BASE_URL: '/gewe/v2/api' } });
    const misconfigured = await post(JSON.stringify(next));
    assert.deepEqual([misconfigured.status, misconfigured.body.error.code, misconfigured.body.error.field], [500, 'INVALID_OPTIONS', 'baseUrl']);
  }),
);
