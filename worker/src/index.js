// The gewe-revoke Worker: POST /revoke, POST /revoke/batch, GET|HEAD /health, behind a Bearer API key.
// The GeWe token lives only in the GEWE_TOKEN secret; it is sent only to GeWe and never appears in a response.
import { GeweClient, GeweError } from 'gewe-revoke';

const MAX_BODY_BYTES = 64 * 1024;
const MAX_BATCH = 100;
// HEAD goes wherever GET does; the runtime drops the body of a HEAD answer.
const ROUTES = { '/health': ['GET', 'HEAD'], '/revoke': ['POST'], '/revoke/batch': ['POST'] };
/** HTTP status for each library error code. */
const STATUS = {
  INVALID_PARAMS: 400,
  INVALID_OPTIONS: 400,
  UNSAFE_INTEGER: 400,
  PLACEHOLDER: 400,
  REVOKE_WINDOW_EXPIRED: 422,
  API_ERROR: 502,
  HTTP_STATUS: 502,
  NETWORK: 502,
  BAD_RESPONSE: 502,
  TIMEOUT: 504,
  ABORTED: 503,
};
/** The variable behind each client option the library may refuse. */
const VARIABLES = { token: 'GEWE_TOKEN', baseUrl: 'GEWE_BASE_URL', appId: 'GEWE_APP_ID', timeoutMs: 'GEWE_TIMEOUT_MS' };

/** An HTTP failure the Worker answers itself. */
class HttpError extends Error {
  constructor(status, code, message, headers = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

const unauthorized = () => new HttpError(401, 'UNAUTHORIZED', 'Send Authorization: Bearer <API_KEY>.', { 'WWW-Authenticate': 'Bearer' });
// Names the variable, never its value: a secret pasted into the wrong variable must not come back in a response.
const misconfigured = (name) => new HttpError(500, 'MISCONFIGURED', `The Worker's ${name} is not valid.`);

// One client per isolate (rebuilt only if the configuration changes); the wasm was instantiated at module scope.
let cached;
function clientFor(env) {
  const key = JSON.stringify([env.GEWE_BASE_URL, env.GEWE_APP_ID, env.GEWE_TIMEOUT_MS, env.GEWE_TOKEN]);
  if (cached?.key === key) return cached.client;
  const ms = String(env.GEWE_TIMEOUT_MS ?? '');
  // Digits only: Number() would read " " as 0 (no deadline at all) and "0x10" as 16.
  if (ms && !/^\d+$/.test(ms)) throw misconfigured('GEWE_TIMEOUT_MS');
  let client;
  try {
    client = new GeweClient({
      token: env.GEWE_TOKEN,
      baseUrl: env.GEWE_BASE_URL || undefined,
      appId: env.GEWE_APP_ID || undefined,
      timeoutMs: ms ? Number(ms) : undefined,
    });
  } catch (e) {
    // The library's message may quote the refused value; answer with the variable's name only.
    throw misconfigured(VARIABLES[e?.field] ?? 'configuration');
  }
  cached = { key, client };
  return client;
}

let apiKeyMissingLogged = false;

export default {
  async fetch(request, env) {
    const origin = request.headers.get('Origin');
    const cors = corsHeaders(origin, env);
    try {
      if (origin !== null && !cors) throw new HttpError(403, 'ORIGIN_NOT_ALLOWED', 'This origin may not call this Worker.');
      const response = await route(request, env, cors);
      for (const [k, v] of Object.entries(cors ?? {})) response.headers.set(k, v);
      return response;
    } catch (e) {
      if (e instanceof HttpError) return json(e.status, { ok: false, error: { code: e.code, message: e.message } }, { ...cors, ...e.headers });
      if (e instanceof GeweError) return json(STATUS[e.code] ?? 500, { ok: false, error: errorBody(e) }, cors);
      return json(500, { ok: false, error: { code: 'INTERNAL', message: 'The Worker failed unexpectedly.' } }, cors);
    }
  },
};

async function route(request, env, cors) {
  const { pathname } = new URL(request.url);
  const methods = ROUTES[pathname];
  if (!methods) throw new HttpError(404, 'NOT_FOUND', `No route ${pathname}.`);
  if (request.method === 'OPTIONS' && cors) return new Response(null, { status: 204 });
  if (!methods.includes(request.method)) {
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${pathname} takes ${methods.join(', ')}.`, { Allow: methods.join(', ') });
  }
  if (pathname === '/health') return json(200, { ok: true });
  // Without API_KEY nobody can authenticate: refuse like a wrong key (never an open proxy), tell the operator once.
  if (!env.API_KEY) {
    if (!apiKeyMissingLogged) console.error('gewe-revoke Worker: the API_KEY secret is not set, so every call is refused with 401.');
    apiKeyMissingLogged = true;
    throw unauthorized();
  }
  await authorize(request, env.API_KEY);
  if (!env.GEWE_TOKEN) throw new HttpError(500, 'NOT_CONFIGURED', 'The Worker is not configured: set the GEWE_TOKEN secret.');
  const client = clientFor(env);
  const body = await readJson(request);
  if (pathname === '/revoke') {
    const result = await client.revokeMsg(body, { signal: request.signal });
    return json(200, { ok: true, ret: result.ret, msg: result.msg });
  }
  const { items, concurrency } = body ?? {};
  if (!Array.isArray(items)) throw new HttpError(400, 'BAD_REQUEST', 'The body must be { items: [...], concurrency? }.');
  if (items.length > MAX_BATCH) throw new HttpError(400, 'BAD_REQUEST', `A batch holds at most ${MAX_BATCH} items, got ${items.length}.`);
  // null is "not given" in JSON: the library's default then applies.
  const outcomes = await client.revokeMany(items, { concurrency: concurrency ?? undefined, signal: request.signal });
  const results = outcomes.map((o) => (o.ok ? { ok: true, ret: o.result.ret, msg: o.result.msg } : { ok: false, error: errorBody(o.error) }));
  return json(200, { results });
}

/** Checks `Authorization: Bearer <API_KEY>` in constant time (both sides hashed, so lengths leak nothing). */
async function authorize(request, apiKey) {
  const header = request.headers.get('Authorization') ?? '';
  const given = header.startsWith('Bearer ') ? header.slice(7) : '';
  const [a, b] = await Promise.all([given, apiKey].map((s) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(s))));
  if (!given || !crypto.subtle.timingSafeEqual(a, b)) throw unauthorized();
}

/** Reads a JSON body of at most 64 KB, whatever the Content-Length claims. */
async function readJson(request) {
  const type = request.headers.get('Content-Type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send Content-Type: application/json.');
  const declared = Number(request.headers.get('Content-Length'));
  const tooLarge = () => new HttpError(413, 'PAYLOAD_TOO_LARGE', `The body may hold at most ${MAX_BODY_BYTES} bytes.`);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks = [];
  let size = 0;
  if (request.body) {
    for await (const chunk of request.body) {
      size += chunk.byteLength;
      if (size > MAX_BODY_BYTES) throw tooLarge();
      chunks.push(chunk);
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) bytes.set(c, (at += c.byteLength) - c.byteLength);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new HttpError(400, 'BAD_JSON', 'The body is not valid JSON.');
  }
}

/** The public face of a library error: code, message and what GeWe said; never a cause, data or a token. */
function errorBody(e) {
  const out = { code: e.code, message: e.message };
  for (const k of ['field', 'ret', 'apiMsg', 'status', 'location']) if (e[k] !== undefined) out[k] = e[k];
  // Only when GeWe may have acted on the request although the call failed: check before revoking again.
  if (e.maybeDelivered === true) out.maybeDelivered = true;
  return out;
}

function corsHeaders(origin, env) {
  if (origin === null) return undefined;
  const allowed = (env.ALLOWED_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!allowed.includes('*') && !allowed.includes(origin)) return undefined;
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Methods': 'GET, HEAD, POST, OPTIONS',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type',
    'Access-Control-Max-Age': '86400',
    Vary: 'Origin',
  };
}

function json(status, body, headers = {}) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers } });
}
