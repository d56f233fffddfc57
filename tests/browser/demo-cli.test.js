// The demo's command line: demo/serve.js and scripts/demo.sh refuse what they do not know (a mistyped flag, a flag
// without its value, a stray argument, a bad port or upstream), say why, exit 2 and start nothing: scripts/demo.sh
// checks before it builds. Each run is a child process with a timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCli, UsageError } from '../../demo/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = (command, args, env = {}) => {
  const r = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', timeout: 20_000, env: { ...process.env, PORT: '', HOST: '', GEWE_UPSTREAM: '', ...env } });
  assert.equal(r.error, undefined, `${command} ${args.join(' ')} did not finish: ${r.error}`);
  return { status: r.status, out: r.stdout, err: r.stderr };
};

const REFUSED = [
  [['--prot', '8000'], {}, /^demo: unknown option --prot: the options are --port, --host, --upstream and --help\./],
  [['-p', '8000'], {}, /^demo: unknown option -p: /],
  [['--port'], {}, /^demo: --port needs a value, as in --port 8080\./],
  [['--upstream'], {}, /^demo: --upstream needs a value, as in --upstream http:\/\/api\.geweapi\.com\/gewe\/v2\/api\./],
  [['8000'], {}, /^demo: unexpected argument "8000": every option is named \(--port 8000, not 8000\)/],
  [['--port', 'abc'], {}, /^demo: --port must be a number from 0 to 65535, got "abc"\./],
  [['--port', '70000'], {}, /^demo: --port must be a number from 0 to 65535, got "70000"\./],
  [[], { PORT: '80a' }, /^demo: --port must be a number from 0 to 65535, got "80a"\./],
  [['--upstream', 'api.geweapi.com'], {}, /^demo: --upstream must be a URL such as http:\/\/api\.geweapi\.com\/gewe\/v2\/api, got "api\.geweapi\.com"\./],
  [['--upstream', 'ftp://127.0.0.1/'], {}, /^demo: --upstream must be an http:\/\/ or https:\/\/ URL\./],
  [['--upstream', 'http://user:secret@127.0.0.1/gewe/v2/api'], {}, /^demo: --upstream must not carry a user name or password/],
];

test('demo/serve.js refuses an unknown flag, a missing value, a stray argument, a bad port or upstream: exit 2, nothing started', () => {
  for (const [args, env, why] of REFUSED) {
    const { status, out, err } = run(process.execPath, ['demo/serve.js', ...args], env);
    assert.equal(status, 2, `${args.join(' ')}: ${err}`);
    assert.match(err, why, args.join(' '));
    assert.doesNotMatch(out, /open http/, `${args.join(' ')} started a server`);
    assert.ok(!err.includes('secret'), 'a password in --upstream is not echoed');
  }
});

test('scripts/demo.sh --prot 8000 says why and exits 2 before building or starting anything', () => {
  const wasm = () => statSync(`${ROOT}pkg/wasm/gewe_revoke_bg.wasm`, { bigint: true });
  const before = wasm();
  for (const [args, env, why] of REFUSED) {
    const { status, out, err } = run('bash', ['scripts/demo.sh', ...args], env);
    assert.equal(status, 2, `${args.join(' ')}: ${err}`);
    assert.match(err, why, args.join(' '));
    assert.doesNotMatch(out + err, /\[build\]|\[setup\]|open http/, `${args.join(' ')} built or started`);
  }
  const after = wasm();
  assert.deepEqual([after.ino, after.mtimeNs], [before.ino, before.mtimeNs], 'build.sh did not run (it rewrites pkg/wasm)');
});

test('--help prints the options and exits 0, from demo/serve.js and from scripts/demo.sh (without building)', () => {
  for (const [command, args] of [[process.execPath, ['demo/serve.js', '--help']], ['bash', ['scripts/demo.sh', '--help']], ['bash', ['scripts/demo.sh', '-h']]]) {
    const { status, out, err } = run(command, args);
    assert.equal(status, 0, err);
    assert.match(out, /^usage: node demo\/serve\.js \[--port 8080\] \[--host 127\.0\.0\.1\] \[--upstream URL\]/);
    assert.doesNotMatch(out + err, /\[build\]/);
  }
});

test('parseCli: flags win over the environment; the defaults; UsageError for the rest', () => {
  assert.deepEqual(parseCli([]), { port: 8080, host: '127.0.0.1', upstream: undefined });
  assert.deepEqual(parseCli(['--port=0', '--host', '127.0.0.2']), { port: 0, host: '127.0.0.2', upstream: undefined });
  assert.deepEqual(parseCli(['--port', '9000'], { PORT: '9001', GEWE_UPSTREAM: 'http://127.0.0.1:1/gewe/v2/api' }), {
    port: 9000,
    host: '127.0.0.1',
    upstream: 'http://127.0.0.1:1/gewe/v2/api',
  });
  assert.deepEqual(parseCli(['--help', '--port', 'x']), { help: true });
  for (const [args, env] of REFUSED) assert.throws(() => parseCli(args, env), UsageError, args.join(' '));
});

test('demo/serve.js --upstream prints the whole upstream URL it forwards to', { timeout: 20_000 }, async (t) => {
  const { spawn } = await import('node:child_process');
  const upstream = 'http://127.0.0.1:9/gewe/v2/api'; // never contacted: nothing is requested here
  const child = spawn(process.execPath, ['demo/serve.js', '--port', '0', '--upstream', `${upstream}/`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const deadline = Date.now() + 10_000;
  while (!/Ctrl-C/.test(out) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.match(out, /gewe-revoke demo: open http:\/\/127\.0\.0\.1:\d+\/\n {2}forwarding \/gewe\/v2\/api\/\* to http:\/\/127\.0\.0\.1:9\/gewe\/v2\/api \(the token passes through, never logged\)/);
});
