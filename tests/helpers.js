// Shared test helpers: a stand-in per test file, raw sends, error capture, and the token-leak check.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { startStandin } from '../standin/standin.js';

/** Starts a stand-in for the test file; closed after it. */
export async function standinFor(t) {
  const standin = await startStandin();
  t.after(() => standin.close());
  return standin;
}

/** Sends a text through the stand-in's postText and returns the raw response text (ids as JSON numbers). */
export async function sendText(standin, toWxid = 'wxid_friend_1') {
  const res = await fetch(`${standin.baseUrl}/message/postText`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-gewe-token': standin.token },
    body: JSON.stringify({ appId: standin.appId, toWxid, content: 'to be revoked' }),
  });
  return res.text();
}

/** The rejection of `promise` (or the throw of a function), asserting there is one. */
export async function failure(promiseOrFn) {
  try {
    await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn);
  } catch (e) {
    return e;
  }
  assert.fail('expected a failure, got success');
}

/** Every string reachable from an error: message, stack, own properties, cause chain. */
export function errorText(e, seen = new Set()) {
  if (e === null || e === undefined || seen.has(e)) return '';
  if (typeof e !== 'object') return String(e);
  seen.add(e);
  const parts = [e.message, e.stack, JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? String(v) : v))];
  for (const key of Object.getOwnPropertyNames(e)) parts.push(errorText(e[key], seen));
  return parts.join('\n');
}

/** Asserts that no string reachable from `e` holds `token`. */
export function assertNoToken(e, token) {
  assert.ok(token.length >= 8, 'use a distinctive token');
  assert.ok(!errorText(e).includes(token), `the token leaked into ${e?.code}: ${errorText(e)}`);
}

/** A 127.0.0.1 port that nothing listens on (bound, then closed). */
export async function closedPort() {
  const server = net.createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** Milliseconds taken by `fn`, with its result or error. */
export async function timed(fn) {
  const start = performance.now();
  try {
    return { value: await fn(), ms: performance.now() - start };
  } catch (error) {
    return { error, ms: performance.now() - start };
  }
}

/**
 * A server on 127.0.0.1 that answers every request with GeWe's success and records it (method, url, headers, body):
 * the place a followed redirect or a polluted baseUrl would end up. `close()` stops it.
 */
export async function startRecorder() {
  const requests = [];
  const server = http.createServer((req, res) => {
    const seen = { method: req.method, url: req.url, headers: { ...req.headers }, body: '' };
    requests.push(seen);
    req.setEncoding('utf8');
    req.on('data', (c) => (seen.body += c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
      res.end('{"ret":200,"msg":"操作成功"}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    requests,
    close() {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** The forms in which an echo of `token` can show: raw, JSON-escaped (also `\/` and `\u00XX`), percent-encoded. */
export function tokenForms(token) {
  const json = JSON.stringify(token).slice(1, -1);
  const unicode = [...token].map((c) => (/[A-Za-z0-9]/.test(c) ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)).join('');
  const percent = encodeURIComponent(token);
  return [...new Set([token, json, json.replaceAll('/', '\\/'), unicode, percent, percent.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())])];
}

/**
 * Asserts that no string reachable from `e` holds `token` in any of its echoed forms, nor any of `fragments`
 * (distinctive pieces of the token: what is left of it when markup is stripped or spaces folded).
 */
export function assertNoLeak(e, token, fragments = []) {
  const text = errorText(e);
  for (const form of [...tokenForms(token), ...fragments]) {
    assert.ok(!text.includes(form), `the token leaked as ${JSON.stringify(form)} into ${e?.code}: ${text}`);
  }
}
