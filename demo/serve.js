// The demo server: one local server on 127.0.0.1 that serves the page (www/), the package (pkg/), and GeWe under
// /gewe/v2/api: the built-in stand-in, or, with --upstream, a forwarding proxy to a real GeWe server so the browser
// meets no CORS or mixed-content wall. It logs method, path, status and time, and why when the upstream could not be
// reached (www/upstream.js): never a token, never a body.
//
//   node demo/serve.js [--port 8080] [--host 127.0.0.1] [--upstream http://api.geweapi.com/gewe/v2/api]
//   (or PORT, HOST, GEWE_UPSTREAM in the environment; demo/cli.js reads them and refuses anything else)
import http from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createStandin, BASE_PATH } from '../standin/standin.js';
import { CAUSES, MARK, causeOf, describe } from '../www/upstream.js';
import { USAGE, UsageError, checkUpstream, parseCli } from './cli.js';
import { createRecalls } from './recalls.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.ts': 'text/plain; charset=utf-8',
};
// Request headers worth forwarding upstream; everything else (cookies, origin, hop-by-hop) stays here.
const FORWARD = ['content-type', 'x-gewe-token', 'accept', 'accept-language'];

/**
 * Starts the demo server. Resolves once listening; `close()` stops it.
 * @param {{ host?: string, port?: number, upstream?: string, mounts?: Record<string, string>, log?: (line: string) => void }} [options]
 *   mounts: extra URL prefix -> folder pairs served as static files (tests use it for bundles).
 */
export async function startDemoServer({ host = '127.0.0.1', port = 8080, upstream, mounts = {}, log = () => {} } = {}) {
  const upstreamBase = upstream ? checkUpstream(upstream) : undefined;
  const standin = upstreamBase ? undefined : createStandin();
  // The page's third part (stand-in mode): the stand-in's callbacks to a receiver here, relayed to the page.
  const recalls = standin ? createRecalls(() => server.address()) : undefined;
  const statics = [...Object.entries(mounts), ['/pkg/', join(ROOT, 'pkg')], ['/', join(ROOT, 'www')]];

  const server = http.createServer(async (req, res) => {
    const started = performance.now();
    res.on('close', () => {
      const took = `${req.method} ${req.url.split('?')[0]} -> ${res.statusCode} (${Math.round(performance.now() - started)} ms)`;
      const line = redactFrom(req, res.demoNote ? `${took}: ${res.demoNote}` : took);
      log(recalls ? recalls.redact(line) : line);
    });
    try {
      const path = new URL(req.url, 'http://demo').pathname;
      if (path === '/demo-config.json') return sendJson(res, 200, config(standin, upstreamBase));
      if (recalls && (await recalls.handle(req, res, path))) return;
      if (path === '/demo-standin/revoke' && standin) return sendJson(res, 200, verdict(standin, new URL(req.url, 'http://demo').searchParams.get('newMsgId')));
      if (path.startsWith(BASE_PATH + '/')) {
        if (standin) return void standin.handle(req, res);
        return await forward(req, res, upstreamBase, upstreamBase + path.slice(BASE_PATH.length));
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' });
      for (const [prefix, dir] of statics) {
        if (path.startsWith(prefix)) return await serveFile(res, dir, path.slice(prefix.length), req.method === 'HEAD');
      }
    } catch (e) {
      if (!res.headersSent) sendJson(res, 502, { error: `demo server: ${e?.message ?? e}` });
      else res.destroy();
    }
  });

  await new Promise((resolveListen, reject) => {
    server.once('error', (e) =>
      reject(e.code === 'EADDRINUSE' ? new Error(`Port ${port} on ${host} is already in use: pass --port N (or PORT=N) to use another.`) : e),
    );
    server.listen(port, host, resolveListen);
  });
  const url = `http://${host}:${server.address().port}/`;
  return {
    url,
    upstream: upstreamBase,
    standin,
    recalls,
    server,
    close: () => {
      recalls?.close();
      server.closeAllConnections();
      return Promise.all([new Promise((r) => server.close(r)), standin?.close()]);
    },
  };
}

/** What the page needs to know: where GeWe is and, in stand-in mode, the stand-in's own test credentials. */
function config(standin, upstreamBase) {
  return standin
    ? { mode: 'standin', basePath: BASE_PATH, standin: { token: standin.token, appId: standin.appId } }
    : { mode: 'upstream', basePath: BASE_PATH, upstream: upstreamBase };
}

/**
 * The stand-in's verdict on the last revoke it judged for this exact newMsgId: what the call carried (never the
 * token) and what it did, the message with that id, and, when there is none, the message JSON.parse rounds to it.
 */
function verdict(standin, newMsgId) {
  const call = standin.revokeCalls.findLast((c) => c.body.newMsgId === newMsgId) ?? null;
  const message = standin.message(newMsgId) ?? null;
  const rounded = (id) => String(Number(id)) === newMsgId || BigInt(Number(id)).toString() === newMsgId;
  const roundedFrom = message ? null : ([...standin.messages.keys()].find(rounded) ?? null);
  return { call: call && { body: call.body, outcome: call.outcome }, message, roundedFrom };
}

/** Forwards one request to the real GeWe API and streams its answer back; a failure to reach it names the cause. */
async function forward(req, res, upstreamBase, target) {
  const headers = {};
  for (const name of FORWARD) if (req.headers[name]) headers[name] = req.headers[name];
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  let answer;
  try {
    answer = await fetch(target + (req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : ''), {
      method: req.method,
      headers,
      body: hasBody ? req : undefined,
      duplex: hasBody ? 'half' : undefined,
      redirect: 'manual',
      signal: AbortSignal.timeout(60_000),
    });
  } catch (e) {
    const cause = causeOf(e);
    res.demoNote = describe(cause, upstreamBase);
    return sendJson(res, CAUSES[cause].reached ? 504 : 502, { error: MARK, cause });
  }
  const out = {};
  for (const name of ['content-type', 'retry-after']) if (answer.headers.has(name)) out[name] = answer.headers.get(name);
  res.writeHead(answer.status, out);
  try {
    if (answer.body) for await (const chunk of answer.body) res.write(chunk);
  } catch (e) {
    res.demoNote = `the answer from ${upstreamBase} broke off (${causeOf(e)}): the revoke may have reached GeWe.`;
    return void res.destroy();
  }
  res.end();
}

/** A log line without the token the request carried. */
function redactFrom(req, line) {
  const token = req.headers['x-gewe-token'];
  return token ? line.replaceAll(token, '********') : line;
}

async function serveFile(res, dir, rel, headOnly) {
  const base = resolve(dir);
  let file = normalize(join(base, decodeURIComponent(rel)));
  if (file !== base && !file.startsWith(base + sep)) return sendJson(res, 403, { error: 'forbidden' });
  let info = await stat(file).catch(() => undefined);
  if (info?.isDirectory()) {
    file = join(file, 'index.html');
    info = await stat(file).catch(() => undefined);
  }
  if (!info?.isFile()) return sendJson(res, 404, { error: 'not found' });
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  if (headOnly) return res.end();
  createReadStream(file).pipe(res);
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const options = parseCli(process.argv.slice(2), process.env);
    if (options.help) {
      console.log(USAGE);
      process.exit(0);
    }
    const demo = await startDemoServer({ ...options, log: (line) => console.log(line) });
    const mode = options.upstream
      ? `forwarding ${BASE_PATH}/* to ${demo.upstream} (the token passes through, never logged)`
      : `with the built-in GeWe stand-in at ${BASE_PATH}`;
    const more = demo.recalls ? `\n  GeWe's callbacks for the page's third part: node standin/callbacks.js ${demo.recalls.receiverUrl()}` : '';
    console.log(`\ngewe-revoke demo: open ${demo.url}\n  ${mode}${more}\n  Ctrl-C to stop\n`);
    const stop = async () => {
      console.log('\nstopping');
      await demo.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (e) {
    console.error(`demo: ${e.message}`);
    process.exit(e instanceof UsageError ? 2 : 1);
  }
}
