// The compatibility matrix's shared parts: the pinned tools (installed once into a cache keyed by their lock), the
// packed tarball, fresh throwaway projects that install it, child processes with timeouts, the README's marked
// snippets, and the results table. A cell that cannot run fails; nothing here skips.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const OUT = join(ROOT, 'test-output', 'matrix');
const TOOLS_SPEC = join(ROOT, 'tests', 'matrix', 'tools');
/** Node 22 (the root's pinned `node` package): runs wrangler, the bundlers and the Node 22 cells. */
export const NODE22 = join(ROOT, 'node_modules', 'node', 'bin', 'node');
const NPM_FLAGS = ['--no-audit', '--no-fund', '--loglevel=error'];

/** Reads a package.json's version. */
export const versionOf = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;

/** The pages whose marked snippets the matrix runs: the README and every page under docs/. */
export function docPages() {
  const docs = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

/**
 * The README and docs/ pages (`text`: all of them, one after the other), and the snippet after each
 * `<!-- matrix: id -->` marker: the fenced block right after it, verbatim (inside a list item, less the item's
 * indentation), with the page it is on (`pages`). An id is marked once across all pages.
 */
export function readmeSnippets() {
  const snippets = new Map();
  const pages = new Map();
  let all = '';
  for (const page of docPages()) {
    const text = readFileSync(join(ROOT, page), 'utf8');
    all += `${text}\n`;
    const markers = [...text.matchAll(/<!-- matrix: ([^ ]+) -->/g)].map((m) => m[1]);
    const marker = /^([ \t]*)<!-- matrix: ([a-z0-9.-]+) -->\n\1```[a-z]*\n([\s\S]*?)\n\1```$/gm;
    for (const [, indent, id, body] of text.matchAll(marker)) {
      assert.ok(!snippets.has(id), `${page}: the matrix marker ${id} appears twice (also in ${pages.get(id)})`);
      const lines = body.split('\n').map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line.trim() === '' ? '' : assert.fail(`${page}: ${id} is not indented like its marker: ${line}`)));
      snippets.set(id, `${lines.join('\n')}\n`);
      pages.set(id, page);
    }
    for (const id of markers) assert.ok(snippets.has(id), `${page}: the marker <!-- matrix: ${id} --> is not directly followed by a fenced code block`);
  }
  return { text: all, snippets, pages };
}

/** The snippet marked `id` in the README or docs/; fails when the marker or its fenced block is missing. */
export function snippet(id) {
  const found = readmeSnippets().snippets.get(id);
  assert.ok(found, `neither README.md nor docs/*.md has a \`<!-- matrix: ${id} -->\` marker followed by a fenced code block`);
  return found;
}

/**
 * Runs a command to completion with a timeout (never longer); resolves { code, signal, stdout, stderr, ms }.
 * `env` is added to the process environment; a killed child shows as code null with its signal.
 */
export function run(command, args, { cwd = ROOT, env = {}, timeout = 120_000, input } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    if (input !== undefined) child.stdin.end(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Math.round(performance.now() - started), timedOut: signal === 'SIGKILL' });
    });
  });
}

/** Asserts a run exited 0, showing its output when it did not. */
export function assertOk(result, what) {
  const why = result.timedOut ? 'timed out' : `exited ${result.code}${result.signal ? ` (${result.signal})` : ''}`;
  assert.equal(result.code, 0, `${what} ${why}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
}

/**
 * A long-running child (a dev server): resolves once `ready` matches its output, with the match; `stop()` ends it.
 * Killed after `timeout` ms whatever happens.
 */
export function startChild(command, args, { cwd, env = {}, ready, timeout = 120_000 }) {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
  exited.then(() => clearTimeout(timer));
  const started = new Promise((resolve, reject) => {
    const check = () => {
      const match = ready.exec(output);
      if (match) resolve(match);
    };
    child.stdout.setEncoding('utf8').on('data', (d) => ((output += d), check()));
    child.stderr.setEncoding('utf8').on('data', (d) => ((output += d), check()));
    exited.then(({ code, signal }) => reject(new Error(`${command} ${args.join(' ')} exited ${code ?? signal} before it was ready:\n${output}`)));
  });
  return {
    started,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const stopped = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 5000))]);
      if (stopped === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A free port on 127.0.0.1 (bound, then released): the shared helper that also gives a port nothing listens on. */
export { closedPort as freePort } from '../helpers.js';

/** Where the pinned tools are installed: a cache directory keyed by tests/matrix/tools/package{,-lock}.json. */
export function toolsDir() {
  const hash = createHash('sha256');
  for (const file of ['package.json', 'package-lock.json']) hash.update(readFileSync(join(TOOLS_SPEC, file)));
  hash.update(`${process.platform}-${process.arch}`);
  const base = process.env.GEWE_MATRIX_CACHE ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'gewe-revoke', 'matrix');
  return { base, dir: join(base, hash.digest('hex').slice(0, 16)) };
}

/**
 * The pinned tools, installed with npm into the cache once (a lock directory keeps two processes from doing it
 * at once); older installs beside it are removed. Returns helpers for the installed tools.
 */
export async function tools() {
  const { base, dir } = toolsDir();
  const stamp = join(dir, '.installed');
  if (!existsSync(stamp)) {
    mkdirSync(base, { recursive: true });
    const lock = `${dir}.lock`;
    const deadline = Date.now() + 600_000;
    for (;;) {
      try {
        mkdirSync(lock);
        break;
      } catch (e) {
        if (e.code !== 'EEXIST') throw e;
        // A lock older than 15 minutes belongs to an install that died.
        if (Date.now() - statSync(lock).mtimeMs > 900_000) rmSync(lock, { recursive: true, force: true });
        assert.ok(Date.now() < deadline, `waited 10 minutes for ${lock}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    try {
      if (!existsSync(stamp)) {
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        for (const file of ['package.json', 'package-lock.json']) writeFileSync(join(dir, file), readFileSync(join(TOOLS_SPEC, file)));
        const started = performance.now();
        // npm install, not npm ci: npm leaves the other platforms' binaries of an aliased package (deno-2.0) out of
        // the lock, and npm ci then refuses it; install still takes every version the lock holds.
        const result = await run('npm', ['install', ...NPM_FLAGS], { cwd: dir, timeout: 900_000 });
        assertOk(result, `npm install of the matrix tools in ${dir}`);
        writeFileSync(stamp, `${Math.round(performance.now() - started)} ms\n`);
        for (const old of readdirSync(base)) {
          if (join(base, old) !== dir && join(base, old) !== lock && /^[0-9a-f]{16}$/.test(old)) rmSync(join(base, old), { recursive: true, force: true });
        }
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  const modules = join(dir, 'node_modules');
  return {
    dir,
    modules,
    /** A package's directory in the cache. */
    pkg: (name) => join(modules, name),
    version: (name) => versionOf(join(modules, name)),
    /** An executable from the cache's node_modules/.bin. */
    bin: (name) => {
      const path = join(modules, '.bin', name);
      assert.ok(existsSync(path), `${path} is missing: the matrix tools are not fully installed`);
      return path;
    },
    node: (alias) => {
      const path = join(modules, alias, 'bin', 'node');
      assert.ok(existsSync(path), `${path} is missing: the node package's install script did not run`);
      return path;
    },
  };
}

/**
 * The packed tarball of pkg/: $GEWE_MATRIX_TARBALL (scripts/matrix.sh packs once for every test file), otherwise
 * packed here for this process.
 */
let packed;
export function tarball() {
  if (process.env.GEWE_MATRIX_TARBALL) {
    assert.ok(existsSync(process.env.GEWE_MATRIX_TARBALL), `GEWE_MATRIX_TARBALL=${process.env.GEWE_MATRIX_TARBALL} does not exist`);
    return process.env.GEWE_MATRIX_TARBALL;
  }
  if (packed) return packed;
  const dest = join(OUT, `pack-${process.pid}`);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  const result = spawnSync('npm', ['pack', './pkg', '--pack-destination', dest, '--json', '--loglevel=error'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, `npm pack failed:\n${result.stdout}\n${result.stderr}`);
  packed = join(dest, JSON.parse(result.stdout)[0].filename);
  return packed;
}

/**
 * A fresh throwaway project test-output/matrix/<name>/ with `files` written and the packed tarball (or `tarball`) installed by npm
 * (`--prefer-offline`); `links` are symlinks node_modules/<name> -> a pinned tool (with its node_modules/.bin
 * entries), so the project's own `npx <tool>` and config files that import a plugin find it, as after an install.
 * Returns its directory.
 */
export async function project(name, { type = 'module', files = {}, links = {}, tarball: tgz = tarball() } = {}) {
  const dir = join(OUT, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: `matrix-${name}`, private: true, type }, null, 2)}\n`);
  const result = await run('npm', ['install', ...NPM_FLAGS, '--prefer-offline', tgz], { cwd: dir, timeout: 120_000 });
  assertOk(result, `npm install of the tarball in ${dir}`);
  assert.ok(existsSync(join(dir, 'node_modules', 'gewe-revoke', 'package.json')), 'the tarball is installed');
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  for (const [pkgName, target] of Object.entries(links)) {
    const at = join(dir, 'node_modules', pkgName);
    mkdirSync(join(at, '..'), { recursive: true });
    symlinkSync(target, at);
    const manifest = JSON.parse(readFileSync(join(at, 'package.json'), 'utf8'));
    const bins = typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {});
    mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
    for (const [bin, file] of Object.entries(bins)) symlinkSync(join('..', pkgName, file), join(dir, 'node_modules', '.bin', bin));
  }
  return dir;
}

/**
 * Records a cell's outcome for the table scripts/matrix.sh prints: `meta` is { group, tool, version, config }, and
 * the cell's own work runs in `fn`. The result is written whether it passes or fails.
 */
export async function cell(t, meta, fn) {
  const started = performance.now();
  let result = 'FAIL';
  try {
    const value = await fn();
    result = 'pass';
    return value;
  } finally {
    mkdirSync(join(OUT, 'results'), { recursive: true });
    const row = { ...meta, cell: t.name, result, ms: Math.round(performance.now() - started) };
    appendFileSync(join(OUT, 'results', `${process.pid}.jsonl`), `${JSON.stringify(row)}\n`);
    t.diagnostic(`${meta.tool} ${meta.version}: ${result} in ${row.ms} ms`);
  }
}


/**
 * Checks what a run of the README's scenario printed against what its stand-in saw: one message sent, that exact
 * newMsgId revoked by the one revokeMsg call that reached GeWe (the rounded one was refused before sending), and
 * the refusal was a GeweError with UNSAFE_INTEGER. `out` is the scenario's output; returns the newMsgId.
 */
export function assertScenario(standin, out, { revoked = /revoked:? (\d+: )?操作成功/ } = {}) {
  const id = /sent:? (\d{16,20})/.exec(out)?.[1] ?? /revoked (\d{16,20}):/.exec(out)?.[1];
  assert.ok(id, `no newMsgId in the output:\n${out}`);
  assert.match(out, revoked, out);
  assert.match(out, /refused: UNSAFE_INTEGER/, out);
  assert.equal(standin.stats.postText, 1, 'one message sent');
  assert.equal(standin.message(id)?.revoked, true, `the stand-in revoked ${id}`);
  assert.equal(standin.stats.revokeMsg, 1, 'one revokeMsg reached the stand-in: the rounded id was never sent');
  assert.equal(standin.revokesOf(id), 1);
  return id;
}
