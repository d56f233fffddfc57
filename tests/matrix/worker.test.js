// Matrix: a Worker made from scratch out of docs/runtimes.md's wrangler.toml and Worker snippet, in a fresh project
// that installed the packed tarball, bundled by the project's pinned wrangler (`deploy --dry-run`, on Node 22) or by
// Vite with @cloudflare/vite-plugin (`vite build`), and run in workerd through Miniflare against the GeWe stand-in;
// and the same Worker served by that plugin's dev server (its own workerd).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { startStandin } from '../../standin/standin.js';
import { sendText } from '../helpers.js';
import { NODE22, ROOT, assertOk, cell, freePort, project, readmeSnippets, run, snippet, startChild, tools, versionOf } from './matrix.js';

const WRANGLER = join(ROOT, 'node_modules', 'wrangler');
const t0 = await tools();
const toolEnv = { PATH: `${dirname(NODE22)}:${process.env.PATH}`, npm_config_yes: 'false', NO_COLOR: '1', WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };

/** The ids of a raw send receipt as strings (read from the text: never through JSON.parse). */
function idsOf(raw) {
  const field = (name) => new RegExp(`"${name}":(?:"?)(\\d+)`).exec(raw)?.[1];
  return { toWxid: /"toWxid":"([^"]+)"/.exec(raw)[1], msgId: field('msgId'), newMsgId: field('newMsgId'), createTime: field('createTime') };
}

test('a Worker, bundled by wrangler', { timeout: 180_000 }, (t) =>
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
    await exercise(t, toml, join(dir, 'dist', 'index.js'));
  }),
);

test('a Worker, built by Vite with @cloudflare/vite-plugin', { timeout: 180_000 }, (t) =>
  cell(t, { group: 'Cloudflare Workers', tool: 'Worker: vite build with @cloudflare/vite-plugin, Miniflare', version: `${t0.version('@cloudflare/vite-plugin')} (Vite ${t0.version('vite')})`, config: 'none' }, async () => {
    const toml = snippet('worker-toml');
    const dir = await workerViteProject('worker-vite-build');
    const built = await run('bash', ['-euo', 'pipefail', '-c', inDocs('npx vite build')], { cwd: dir, env: toolEnv, timeout: 120_000 });
    assertOk(built, 'vite build');
    assert.match(built.stdout, /dist\/revoke\/assets\/gewe_revoke_bg-[\w-]+\.wasm/);
    await exercise(t, toml, join(dir, 'dist', 'revoke', 'index.js'));
  }),
);

test('a Worker, served by the dev server of @cloudflare/vite-plugin', { timeout: 180_000 }, (t) =>
  cell(t, { group: 'Cloudflare Workers', tool: 'Worker: vite dev with @cloudflare/vite-plugin', version: `${t0.version('@cloudflare/vite-plugin')} (Vite ${t0.version('vite')})`, config: 'none' }, async () => {
    const dir = await workerViteProject('worker-vite-dev');
    const s = await startStandin();
    t.after(() => s.close());
    // The vars the Worker reads, as a developer sets them for `vite dev` (.dev.vars, never committed).
    writeFileSync(join(dir, '.dev.vars'), `GEWE_TOKEN=${s.token}\nGEWE_APP_ID=${s.appId}\nGEWE_BASE_URL=${s.baseUrl}\n`);
    const port = await freePort();
    const dev = startChild(NODE22, [join(dir, 'node_modules', 'vite', 'bin', 'vite.js'), '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: dir, env: toolEnv, ready: /Local:\s+(http:\S+)/, timeout: 170_000 });
    t.after(() => dev.stop());
    const url = (await dev.started)[1];
    const post = async (body) => {
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body, signal: AbortSignal.timeout(30_000) });
      return { status: res.status, body: await res.json() };
    };
    const receipt = idsOf(await sendText(s));
    assert.deepEqual(await post(JSON.stringify(receipt)), { status: 200, body: { ok: true, ret: 200, msg: '操作成功' } });
    assert.equal(s.message(receipt.newMsgId).revoked, true);
    const next = idsOf(await sendText(s));
    const numeric = await post(`{"toWxid":"${next.toWxid}","msgId":"${next.msgId}","newMsgId":${next.newMsgId},"createTime":"${next.createTime}"}`);
    assert.deepEqual([numeric.status, numeric.body.error.code], [400, 'UNSAFE_INTEGER']);
    assert.equal(s.stats.revokeMsg, 1, 'the rounded id never reached GeWe');
  }),
);

/** The inline commands the cells run must be the ones the README or docs/ show. */
function inDocs(command) {
  assert.ok(readmeSnippets().text.includes(`\`${command}\``), `README.md or docs/*.md shows \`${command}\``);
  return command;
}

/** A fresh project for the Vite plugin: the same wrangler.toml and Worker, and docs/runtimes.md's vite.config.js. */
function workerViteProject(name) {
  return project(name, {
    files: { 'wrangler.toml': snippet('worker-toml'), 'src/index.js': snippet('worker-js'), 'vite.config.js': snippet('worker-vite-config') },
    links: { vite: t0.pkg('vite'), '@cloudflare/vite-plugin': t0.pkg('@cloudflare/vite-plugin') },
  });
}

/** Runs the bundled Worker `script` in Miniflare with `toml`'s compatibility settings and checks every answer it maps. */
async function exercise(t, toml, script) {
  const compatibilityDate = /^compatibility_date = "([\d-]+)"/m.exec(toml)?.[1];
  const compatibilityFlags = JSON.parse(/^compatibility_flags = (\[[^\]]*\])/m.exec(toml)?.[1] ?? '[]');
  assert.ok(compatibilityDate && compatibilityDate <= '2026-08-06', `compatibility_date ${compatibilityDate}`);
  const s = await startStandin();
  const options = {
    modules: true,
    scriptPath: script,
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
}

test('a Worker using gewe-revoke/callbacks, bundled by wrangler', { timeout: 180_000 }, (t) =>
  cell(t, { group: 'Cloudflare Workers', tool: 'Worker: gewe-revoke/callbacks, wrangler deploy --dry-run, Miniflare', version: `${versionOf(WRANGLER)} / ${versionOf(join(ROOT, 'node_modules', 'miniflare'))}`, config: 'none' }, async () => {
    const toml = snippet('worker-toml');
    const worker = [
      "import { GeweError, parseCallback } from 'gewe-revoke/callbacks';",
      'export default {',
      '  async fetch(request) {',
      '    try {',
      '      const parsed = parseCallback(await request.text());',
      "      return Response.json({ ok: true, newMsgId: parsed.message?.sysmsg?.newMsgId ?? null });",
      '    } catch (e) {',
      '      return Response.json({ ok: false, geweError: e instanceof GeweError, code: e.code }, { status: 400 });',
      '    }',
      '  },',
      '};',
    ].join('\n');
    const dir = await project('worker-callbacks', { files: { 'wrangler.toml': toml, 'src/index.js': worker } });
    const built = await run(NODE22, [join(WRANGLER, 'bin', 'wrangler.js'), 'deploy', '--dry-run', '--outdir', 'dist'], {
      cwd: dir,
      env: { WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CLOUDFLARE_CF_FETCH_ENABLED: 'false', NO_COLOR: '1' },
      timeout: 120_000,
    });
    assertOk(built, 'wrangler deploy --dry-run');
    const files = readdirSync(join(dir, 'dist'));
    // Only the callbacks module: a Worker that never imports gewe-revoke bundles one .wasm.
    assert.equal(files.filter((f) => f.endsWith('.wasm')).length, 1, `one .wasm in the bundle: ${files.join(', ')}`);
    const mf = new Miniflare({
      modules: true,
      scriptPath: join(dir, 'dist', 'index.js'),
      modulesRules: [{ type: 'ESModule', include: ['**/*.js'] }, { type: 'CompiledWasm', include: ['**/*.wasm'] }],
      compatibilityDate: /^compatibility_date = "([\d-]+)"/m.exec(toml)?.[1],
      cf: false,
    });
    t.after(() => mf.dispose());
    const post = async (body) => {
      const res = await mf.dispatchFetch('http://worker.test/', { method: 'POST', body });
      return { status: res.status, body: await res.json() };
    };
    const recall = readFileSync(join(ROOT, 'tests', 'fixtures', 'callbacks', 'f4-private-recall.json'), 'utf8');
    assert.deepEqual(await post(recall), { status: 200, body: { ok: true, newMsgId: '5576224237104747184' } });
    assert.deepEqual(await post('{'), { status: 400, body: { ok: false, geweError: true, code: 'BAD_RESPONSE' } });
  }),
);
