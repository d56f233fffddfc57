// Matrix: Node 20.3.0 (pkg/package.json's engines minimum), the newest 20, 22, 24 and 26, each running the README's ES
// module and CommonJS examples from a fresh project that installed the packed tarball, against the GeWe stand-in; and
// Node 20.2.0, just below the minimum, to show what happens there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStandin } from '../../standin/standin.js';
import { NODE22, ROOT, assertOk, assertScenario, cell, project, run, snippet, tools } from './matrix.js';

const engines = JSON.parse(readFileSync(join(ROOT, 'pkg', 'package.json'), 'utf8')).engines.node;
const t0 = await tools();
const NODES = [
  { version: t0.version('node-20.3'), bin: t0.node('node-20.3'), requireEsm: false },
  { version: t0.version('node-20.20'), bin: t0.node('node-20.20'), requireEsm: true },
  { version: JSON.parse(readFileSync(join(ROOT, 'node_modules', 'node', 'package.json'), 'utf8')).version, bin: NODE22, requireEsm: true },
  { version: t0.version('node-24'), bin: t0.node('node-24'), requireEsm: true },
  { version: t0.version('node-26'), bin: t0.node('node-26'), requireEsm: true },
];
const BELOW = { version: t0.version('node-20.2'), bin: t0.node('node-20.2') };

test('the oldest Node tested is the engines minimum', () => {
  const minimum = /^>=(\d+)\.(\d+)(?:\.(\d+))?$/.exec(engines);
  assert.ok(minimum, `engines.node is a plain minimum: ${engines}`);
  assert.equal(`${minimum[1]}.${minimum[2]}.${minimum[3] ?? 0}`, NODES[0].version);
  assert.deepEqual(NODES.map((n) => Number(n.version.split('.')[0])), [20, 20, 22, 24, 26]);
});

/** Runs `file` of `dir` on `node` against a fresh stand-in; returns { result, standin }. */
async function scenario(t, node, dir, file) {
  const standin = await startStandin();
  t.after(() => standin.close());
  const result = await run(node.bin, [file], {
    cwd: dir,
    env: { GEWE_BASE_URL: standin.baseUrl, GEWE_TOKEN: standin.token, GEWE_APP_ID: standin.appId },
    timeout: 30_000,
  });
  return { result, standin };
}

/** The README's short example: that exact message revoked, once. */
async function assertQuick(t, node, dir) {
  const { result, standin } = await scenario(t, node, dir, 'quick.js');
  assertOk(result, "the README's short example");
  const id = /^revoked (\d{16,20}) 操作成功$/.exec(result.stdout.trim())?.[1];
  assert.ok(id, result.stdout);
  assert.equal(standin.message(id)?.revoked, true);
  assert.equal(standin.revokesOf(id), 1);
}

for (const node of NODES) {
  test(`node ${node.version}, ESM`, { timeout: 120_000 }, (t) =>
    cell(t, { group: 'Node', tool: 'Node, ESM', version: node.version, config: 'none' }, async () => {
      const version = await run(node.bin, ['--version']);
      assert.equal(version.stdout.trim(), `v${node.version}`);
      const dir = await project(`node-${node.version}-esm`, { files: { 'app.js': snippet('node-esm'), 'quick.js': snippet('quick') } });
      const { result, standin } = await scenario(t, node, dir, 'app.js');
      assertOk(result, 'the example');
      assertScenario(standin, result.stdout);
      await assertQuick(t, node, dir);
    }),
  );

  test(`node ${node.version}, CommonJS`, { timeout: 120_000 }, (t) =>
    cell(t, { group: 'Node', tool: 'Node, CommonJS', version: node.version, config: node.requireEsm ? 'none' : "await import() for require()" }, async () => {
      const example = snippet('node-cjs');
      assert.ok(example.includes("require('gewe-revoke')"));
      const dir = await project(`node-${node.version}-cjs`, { type: 'commonjs', files: { 'app.js': example } });
      if (node.requireEsm) {
        const { result, standin } = await scenario(t, node, dir, 'app.js');
        assertOk(result, 'the README example');
        assertScenario(standin, result.stdout);
        return;
      }
      // What the README says of Node before 20.19: require() fails with ERR_REQUIRE_ESM, and import() works.
      const refused = await scenario(t, node, dir, 'app.js');
      assert.equal(refused.result.code, 1, refused.result.stdout + refused.result.stderr);
      assert.match(refused.result.stderr, /ERR_REQUIRE_ESM/);
      const dir2 = await project(`node-${node.version}-cjs-import`, {
        type: 'commonjs',
        files: { 'app.js': example.replace("require('gewe-revoke')", "await import('gewe-revoke')") },
      });
      const { result, standin } = await scenario(t, node, dir2, 'app.js');
      assertOk(result, 'the README example with await import()');
      assertScenario(standin, result.stdout);
    }),
  );
}

// Below the minimum nothing is promised or tested beyond this: the package does not check the Node version itself
// (npm warns EBADENGINE at install, and refuses with --engine-strict), and today the example still runs.
test(`node ${BELOW.version}, below the engines minimum`, { timeout: 120_000 }, (t) =>
  cell(t, { group: 'Node', tool: 'Node, ESM, below the minimum', version: BELOW.version, config: `unsupported (engines ${engines}); runs today` }, async () => {
    assert.ok(BELOW.version.localeCompare(NODES[0].version, 'en', { numeric: true }) < 0, `${BELOW.version} is below ${engines}`);
    const dir = await project(`node-${BELOW.version}-esm`, { files: { 'app.js': snippet('node-esm') } });
    const { result, standin } = await scenario(t, BELOW, dir, 'app.js');
    assertOk(result, 'the README example');
    assertScenario(standin, result.stdout);
  }),
);

test('node, gewe-revoke/slim', { timeout: 120_000 }, (t) => {
  const node = NODES.find((n) => n.bin === NODE22);
  return cell(t, { group: 'Node', tool: 'Node, slim entry', version: node.version, config: 'initSync(bytes)' }, async () => {
    const dir = await project(`node-${node.version}-slim`, { files: { 'app.js': snippet('slim-node') } });
    const result = await run(node.bin, ['app.js'], { cwd: dir, timeout: 30_000 });
    assertOk(result, 'the slim example');
    assert.equal(result.stdout, 'exact: 3768973957878705021\n');
  });
});

test('node, gewe-revoke/callbacks', { timeout: 120_000 }, (t) => {
  const node = NODES.find((n) => n.bin === NODE22);
  return cell(t, { group: 'Node', tool: 'Node, callbacks entry', version: node.version, config: 'none' }, async () => {
    const recall = readFileSync(join(ROOT, 'tests', 'fixtures', 'callbacks', 'f4-private-recall.json'), 'utf8');
    const app = [
      "import { GeweError, parseCallback } from 'gewe-revoke/callbacks';",
      "import { GeweError as Main } from 'gewe-revoke';",
      `const { message } = parseCallback(${JSON.stringify(recall)});`,
      "console.log(`recalled: ${message.sysmsg.newMsgId}`);",
      "try { parseCallback('{'); } catch (e) { console.log(e instanceof GeweError && e instanceof Main, e.code); }",
    ].join('\n');
    const dir = await project(`node-${node.version}-callbacks`, { files: { 'app.js': app } });
    const result = await run(node.bin, ['app.js'], { cwd: dir, timeout: 30_000 });
    assertOk(result, 'the callbacks example');
    assert.equal(result.stdout, 'recalled: 5576224237104747184\ntrue BAD_RESPONSE\n');
  });
});
