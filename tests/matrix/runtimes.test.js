// Matrix: Deno (current, and 2.0.0, the oldest Deno 2) and Bun, from the npm registry, each running the README's
// Node example with the README's own command line, in a fresh project that installed the packed tarball. Deno needs
// no file permission for the package (its entry carries the .wasm inlined): only what the example itself does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStandin } from '../../standin/standin.js';
import { closedPort } from '../helpers.js';
import { assertOk, assertScenario, cell, project, run, snippet, tools } from './matrix.js';

const t0 = await tools();

/**
 * Connections that were never made, through the runtime's own fetch (loopback only; the DNS case is a name under
 * `.invalid`, which never resolves): prints one `[kind, code, maybeDelivered, retried]` per kind.
 */
const NEVER_CONNECTED = `import { revokeMsg } from 'gewe-revoke';
const [refused, plain] = process.argv.slice(2);
const params = { appId: 'wx', toWxid: 'w', msgId: '0', newMsgId: '1', createTime: '0' };
const kinds = { refused: 'http://127.0.0.1:' + refused, blockedPort: 'http://127.0.0.1:6000', dns: 'http://gewe-revoke-test.invalid', tls: 'https://127.0.0.1:' + plain };
const out = [];
for (const [kind, base] of Object.entries(kinds)) {
  const e = await revokeMsg(params, { token: 'tok-matrix-1234', baseUrl: base + '/gewe/v2/api', retries: 1, timeoutMs: 10000 }).catch((e) => e);
  out.push([kind, e.code, e.maybeDelivered, /\\(2 attempts\\)/.test(e.message), e.message]);
}
console.log(JSON.stringify(out));
`;
const RUNTIMES = [
  { name: 'deno', label: 'Deno', version: t0.version('deno'), binary: join(t0.pkg('deno'), 'deno'), command: 'deno-run', config: '--allow-net --allow-env' },
  { name: 'deno', label: 'Deno', version: t0.version('deno-2.0'), binary: join(t0.pkg('deno-2.0'), 'deno'), command: 'deno-run', config: '--allow-net --allow-env' },
  { name: 'bun', label: 'Bun', version: t0.version('bun'), binary: join(t0.pkg('bun'), 'bin', 'bun.exe'), command: 'bun-run', config: 'none' },
];

for (const rt of RUNTIMES) {
  test(`${rt.name} ${rt.version}`, { timeout: 120_000 }, (t) =>
    cell(t, { group: rt.label, tool: rt.label, version: rt.version, config: rt.config }, async () => {
      const dir = await project(`${rt.name}-${rt.version}`, { files: { 'app.js': snippet('node-esm') } });
      // The runtime under its own name first on PATH, as an install puts it there.
      mkdirSync(join(dir, 'bin'));
      symlinkSync(rt.binary, join(dir, 'bin', rt.name));
      const env = { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
      const version = await run(rt.name, ['--version'], { cwd: dir, env });
      assert.match(version.stdout, new RegExp(`^(deno )?${rt.version.replaceAll('.', '\\.')}\\b`));

      const standin = await startStandin();
      t.after(() => standin.close());
      const command = snippet(rt.command);
      const result = await run('bash', ['-euo', 'pipefail', '-c', command], {
        cwd: dir,
        env: { ...env, GEWE_BASE_URL: standin.baseUrl, GEWE_TOKEN: standin.token, GEWE_APP_ID: standin.appId },
        timeout: 60_000,
      });
      assertOk(result, `${command.trim()} (README)`);
      assertScenario(standin, result.stdout);

      // The README's short example, with the same command line.
      writeFileSync(join(dir, 'app.js'), snippet('quick'));
      const s2 = await startStandin();
      t.after(() => s2.close());
      const quick = await run('bash', ['-euo', 'pipefail', '-c', command], {
        cwd: dir,
        env: { ...env, GEWE_BASE_URL: s2.baseUrl, GEWE_TOKEN: s2.token, GEWE_APP_ID: s2.appId },
        timeout: 60_000,
      });
      assertOk(quick, `${command.trim()} with the README's short example`);
      const id = /^revoked (\d{16,20}) 操作成功$/.exec(quick.stdout.trim())?.[1];
      assert.ok(id, quick.stdout);
      assert.equal(s2.message(id)?.revoked, true);

      // Never-connected failures are classified as such here too: NETWORK, not maybe delivered, retried.
      writeFileSync(join(dir, 'never.js'), NEVER_CONNECTED);
      const args = rt.name === 'deno' ? ['run', '--allow-net', '--allow-env', '--allow-read', 'never.js'] : ['never.js'];
      const plainPort = new URL(standin.baseUrl).port;
      const never = await run(rt.name, [...args, String(await closedPort()), plainPort], { cwd: dir, env, timeout: 60_000 });
      assertOk(never, 'never-connected failures');
      for (const [kind, code, maybeDelivered, retried, message] of JSON.parse(never.stdout.trim().split('\n').pop())) {
        assert.deepEqual([kind, code, maybeDelivered, retried], [kind, 'NETWORK', false, true], message);
      }

      if (rt.name === 'deno') {
        // The example's own permissions only: no --allow-read for the package, on 2.0 as on the current Deno.
        assert.doesNotMatch(command, /--allow-read|--allow-all|-A\b/);
        // And they are needed: without --allow-net the example stops at its first fetch, saying so.
        const denied = await run('deno', ['run', '--allow-env', 'app.js'], { cwd: dir, env: { ...env, GEWE_BASE_URL: standin.baseUrl }, timeout: 60_000 });
        assert.notEqual(denied.code, 0);
        assert.match(denied.stderr, /Requires net access to "127\.0\.0\.1:\d+"/);
      }
    }),
  );
}
