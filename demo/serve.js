// The demo server: one local server on 127.0.0.1 that serves the page (www/), the package (pkg/), and GeWe under
// /gewe/v2/api: the built-in stand-in, or, with --upstream, a forwarding proxy to a real GeWe server so the browser
// meets no CORS or mixed-content wall. It logs method, path, status and time: never a token, never a body.
//
//   node demo/serve.js [--port 8080] [--host 127.0.0.1] [--upstream http://api.geweapi.com/gewe/v2/api]
//   (or PORT, HOST, GEWE_UPSTREAM in the environment)
import http from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createStandin, BASE_PATH } from '../standin/standin.js';

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
  const statics = [...Object.entries(mounts), ['/pkg/', join(ROOT, 'pkg')], ['/', join(ROOT, 'www')]];

  const server = http.createServer(async (req, res) => {
    const started = performance.now();
    res.on('finish', () => log(`${req.method} ${req.url.split('?')[0]} -> ${res.statusCode} (${Math.round(performance.now() - started)} ms)`));
    try {
      const path = new URL(req.url, 'http://demo').pathname;
      if (path === '/demo-config.json') return sendJson(res, 200, config(standin, upstreamBase));
      if (path.startsWith(BASE_PATH + '/')) {
        if (standin) return void standin.handle(req, res);
        return await forward(req, res, upstreamBase + path.slice(BASE_PATH.length));
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
    standin,
    server,
    close: () => {
      server.closeAllConnections();
      return Promise.all([new Promise((r) => server.close(r)), standin?.close()]);
    },
  };
}

/** What the page needs to know: where GeWe is and, in stand-in mode, the stand-in's own test credentials. */
function config(standin, upstreamBase) {
  return standin
    ? { mode: 'standin', basePath: BASE_PATH, standin: { token: standin.token, appId: standin.appId } }
    : { mode: 'upstream', basePath: BASE_PATH, upstream: new URL(upstreamBase).origin };
}

function checkUpstream(upstream) {
  let url;
  try {
    url = new URL(upstream);
  } catch {
    throw new Error(`--upstream must be a URL such as http://api.geweapi.com/gewe/v2/api, got ${JSON.stringify(upstream)}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('--upstream must be an http:// or https:// URL.');
  return url.href.replace(/\/+$/, '');
}

/** Forwards one request to the real GeWe API and streams its answer back. */
async function forward(req, res, target) {
  const headers = {};
  for (const name of FORWARD) if (req.headers[name]) headers[name] = req.headers[name];
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const answer = await fetch(target + (req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : ''), {
    method: req.method,
    headers,
    body: hasBody ? req : undefined,
    duplex: hasBody ? 'half' : undefined,
    redirect: 'manual',
    signal: AbortSignal.timeout(60_000),
  });
  const out = {};
  for (const name of ['content-type', 'retry-after']) if (answer.headers.has(name)) out[name] = answer.headers.get(name);
  res.writeHead(answer.status, out);
  if (answer.body) for await (const chunk of answer.body) res.write(chunk);
  res.end();
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

function cli(argv, env) {
  const flag = (name) => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  if (argv.includes('--help')) {
    console.log('usage: node demo/serve.js [--port 8080] [--host 127.0.0.1] [--upstream URL]');
    process.exit(0);
  }
  const port = Number(flag('port') ?? env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a number from 0 to 65535.`);
  return { port, host: flag('host') ?? env.HOST ?? '127.0.0.1', upstream: flag('upstream') ?? env.GEWE_UPSTREAM };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const options = cli(process.argv.slice(2), process.env);
    const demo = await startDemoServer({ ...options, log: (line) => console.log(line) });
    const mode = options.upstream
      ? `forwarding ${BASE_PATH}/* to ${new URL(options.upstream).origin} (the token passes through, never logged)`
      : `with the built-in GeWe stand-in at ${BASE_PATH}`;
    console.log(`\ngewe-revoke demo: open ${demo.url}\n  ${mode}\n  Ctrl-C to stop\n`);
    const stop = async () => {
      console.log('\nstopping');
      await demo.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (e) {
    console.error(`demo: ${e.message}`);
    process.exit(1);
  }
}
