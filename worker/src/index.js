// The gewe-revoke Worker: routing, authentication, CORS and error answers. Stateless revokes (/revoke,
// /revoke/batch) call GeWe from here; the ledger of sent messages (record, scheduled recall, undo) is the Ledger
// Durable Object, one per appId (ledger.js). The GeWe token lives only in the GEWE_TOKEN secret; it is sent only to
// GeWe and never appears in a response.
import { buildRevokeRequest, GeweError, parseSendReceipt } from 'gewe-revoke';
import { clientFor, ledgerSettings } from './config.js';
import { errorBody, failure, HttpError, json, readJson, STATUS, unauthorized } from './http.js';
import { CHAT_LIMIT, parseKey } from './ledger.js';
import { callback, isCallback, recalledRoute, receivedRoute } from './callbacks.js';

export { Ledger } from './ledger.js';
export { Inbox } from './inbox.js';

const MAX_BATCH = 100;

/** Every route: its path (`:name` matches one segment) and a handler per method. HEAD goes wherever GET does. */
const ROUTES = [
  ['/health', { GET: () => json(200, { ok: true }) }, { open: true }],
  ['/revoke', { POST: revoke }],
  ['/revoke/batch', { POST: revokeBatch }],
  ['/messages', { GET: findMessage, POST: record }],
  ['/messages/:key', { GET: getMessage }],
  ['/messages/:key/schedule', { PUT: schedule, DELETE: cancel }],
  ['/messages/:key/revoke', { POST: revokeRecorded }],
  ['/chats/:toWxid/messages', { GET: chatMessages }],
  ['/chats/:toWxid/undo', { POST: undo }],
  ['/chats/:toWxid/recalled', { GET: recalledRoute }],
  ['/inbox/:key', { GET: receivedRoute }],
].map(([path, handlers, flags = {}]) => ({
  parts: path.split('/').slice(1),
  handlers,
  methods: Object.keys(handlers).flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])),
  ...flags,
}));

let apiKeyMissingLogged = false;

export default {
  async fetch(request, env, ctx) {
    // GeWe's callbacks answer GeWe (no CORS, no API key: the path's secret); see callbacks.js.
    if (isCallback(new URL(request.url))) return callback(request, env, ctx);
    const origin = request.headers.get('Origin');
    const cors = corsHeaders(origin, env);
    try {
      if (origin !== null && !cors) throw new HttpError(403, 'ORIGIN_NOT_ALLOWED', 'This origin may not call this Worker.');
      const response = await route(request, env, cors);
      for (const [k, v] of Object.entries(cors ?? {})) response.headers.set(k, v);
      return response;
    } catch (e) {
      const { status, body, headers } = answerOf(e);
      return json(status, body, { ...cors, ...headers });
    }
  },
};

/** The answer for a thrown error: the Worker's own, the library's, or INTERNAL for anything else. */
function answerOf(e) {
  if (e instanceof HttpError) return { status: e.status, body: failure(e.code, e.message, e.details), headers: e.headers };
  if (e instanceof GeweError) return { status: STATUS[e.code] ?? 500, body: { ok: false, error: errorBody(e) } };
  return { status: 500, body: failure('INTERNAL', 'The Worker failed unexpectedly.') };
}

async function route(request, env, cors) {
  const url = new URL(request.url);
  const found = match(url.pathname);
  if (!found) throw new HttpError(404, 'NOT_FOUND', `No route ${url.pathname}.`);
  const { route: r, params } = found;
  if (request.method === 'OPTIONS' && cors) return new Response(null, { status: 204 });
  if (!r.methods.includes(request.method)) {
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${url.pathname} takes ${r.methods.join(', ')}.`, { Allow: r.methods.join(', ') });
  }
  const handler = r.handlers[request.method === 'HEAD' ? 'GET' : request.method];
  if (r.open) return handler();
  // Without API_KEY nobody can authenticate: refuse like a wrong key (never an open proxy), tell the operator once.
  if (!env.API_KEY) {
    if (!apiKeyMissingLogged) console.error('gewe-revoke Worker: the API_KEY secret is not set, so every call is refused with 401.');
    apiKeyMissingLogged = true;
    throw unauthorized();
  }
  await authorize(request, env.API_KEY);
  if (!env.GEWE_TOKEN) throw new HttpError(500, 'NOT_CONFIGURED', 'The Worker is not configured: set the GEWE_TOKEN secret.');
  const client = clientFor(env);
  return handler({ request, env, url, params, client });
}

/** The route for a path and its decoded parameters, or undefined. */
function match(pathname) {
  const parts = pathname.split('/').slice(1);
  for (const r of ROUTES) {
    if (r.parts.length !== parts.length) continue;
    const params = {};
    const fits = r.parts.every((p, i) => {
      if (!p.startsWith(':')) return p === parts[i];
      if (parts[i] === '') return false;
      try {
        params[p.slice(1)] = decodeURIComponent(parts[i]);
      } catch {
        throw new HttpError(400, 'BAD_REQUEST', `The path segment ${p.slice(1)} is not valid percent-encoding.`);
      }
      return true;
    });
    if (fits) return { route: r, params };
  }
  return undefined;
}

async function revoke({ request, client }) {
  const result = await client.revokeMsg(await readJson(request), { signal: request.signal });
  return json(200, { ok: true, ret: result.ret, msg: result.msg });
}

async function revokeBatch({ request, client }) {
  const { items, concurrency } = (await readJson(request)) ?? {};
  if (!Array.isArray(items)) throw new HttpError(400, 'BAD_REQUEST', 'The body must be { items: [...], concurrency? }.');
  if (items.length > MAX_BATCH) throw new HttpError(400, 'BAD_REQUEST', `A batch holds at most ${MAX_BATCH} items, got ${items.length}.`);
  // null is "not given" in JSON: the library's default then applies.
  const outcomes = await client.revokeMany(items, { concurrency: concurrency ?? undefined, signal: request.signal });
  const results = outcomes.map((o) => (o.ok ? { ok: true, ret: o.result.ret, msg: o.result.msg } : { ok: false, error: errorBody(o.error) }));
  return json(200, { results });
}

// ---- The ledger routes: checked here, answered by the account's Durable Object. ----

/** POST /messages: records one send response `{ appId?, response, revokeAfterSec? }`, or an array of them. */
async function record({ request, env }) {
  const body = await readJson(request);
  const single = !Array.isArray(body);
  const list = single ? [body] : body;
  if (list.length === 0 || list.length > MAX_BATCH) {
    throw new HttpError(400, 'BAD_REQUEST', `Record 1 to ${MAX_BATCH} messages at a time, got ${list.length}.`);
  }
  const results = new Array(list.length);
  const accounts = new Map();
  for (const [i, item] of list.entries()) {
    try {
      const entry = await recordEntry(item, env);
      if (!accounts.has(entry.appId)) accounts.set(entry.appId, []);
      accounts.get(entry.appId).push([i, entry]);
    } catch (e) {
      if (single || !(e instanceof HttpError || e instanceof GeweError)) throw e;
      results[i] = answerOf(e);
    }
  }
  await Promise.all(
    [...accounts].map(async ([appId, entries]) => {
      const answers = await ledger(env, appId).record(entries.map(([, entry]) => entry));
      entries.forEach(([i], k) => (results[i] = answers[k]));
    }),
  );
  return single ? json(results[0].status, results[0].body) : json(200, { results: results.map((r) => r.body) });
}

/** One record's receipt, read exactly from the raw send response and checked as the revoke will send it. */
async function recordEntry(item, env) {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    throw new HttpError(400, 'BAD_REQUEST', 'A record is { appId?, response, revokeAfterSec? }.');
  }
  if (typeof item.response !== 'string') {
    throw new HttpError(400, 'INVALID_PARAMS', "response must be the send call's raw response text, as a JSON string (JSON.parse rounds 64-bit ids).", {}, { field: 'response' });
  }
  let receipt;
  try {
    receipt = parseSendReceipt(item.response);
  } catch (e) {
    // The caller's input, not GeWe's answer to us: a 400 whatever the library calls it.
    if (e instanceof GeweError) throw new HttpError(400, e.code, e.message, {}, { ...errorBody(e), field: 'response' });
    throw e;
  }
  const params = await canonical({ ...receipt, appId: item.appId ?? (env.GEWE_APP_ID || undefined) });
  if (params.newMsgId === '0') throw new HttpError(400, 'INVALID_PARAMS', 'newMsgId 0 names no message.', {}, { field: 'newMsgId' });
  return { ...params, type: receipt.type, revokeAfterSec: item.revokeAfterSec ?? null };
}

/** GET /messages?newMsgId=&appId= */
async function findMessage({ url, env }) {
  const given = url.searchParams.get('newMsgId');
  if (given === null) throw new HttpError(400, 'BAD_REQUEST', 'Give ?newMsgId= (and ?appId= unless GEWE_APP_ID is set), or use /messages/{key}.');
  const { appId, newMsgId } = await canonical(target(url.searchParams.get('appId'), env, { newMsgId: given }));
  return answer(await ledger(env, appId).message(newMsgId));
}

/** GET /messages/:key */
async function getMessage({ params, env }) {
  const { appId, newMsgId } = await keyed(params.key);
  return answer(await ledger(env, appId).message(newMsgId));
}

/** PUT /messages/:key/schedule `{ revokeAfterSec }` */
async function schedule({ request, params, env }) {
  const { appId, newMsgId } = await keyed(params.key);
  const body = await readJson(request);
  return answer(await ledger(env, appId).schedule(newMsgId, body?.revokeAfterSec ?? null));
}

/** DELETE /messages/:key/schedule */
async function cancel({ params, env }) {
  const { appId, newMsgId } = await keyed(params.key);
  return answer(await ledger(env, appId).cancel(newMsgId));
}

/** POST /messages/:key/revoke */
async function revokeRecorded({ params, env }) {
  const { appId, newMsgId } = await keyed(params.key);
  return answer(await ledger(env, appId).revoke(newMsgId));
}

/** GET /chats/:toWxid/messages?appId=&limit= */
async function chatMessages({ url, params, env }) {
  const { appId, toWxid } = await canonical(target(url.searchParams.get('appId'), env, { toWxid: params.toWxid }));
  const text = url.searchParams.get('limit') ?? '100';
  const limit = /^\d{1,4}$/.test(text) ? Number(text) : 0;
  if (limit < 1 || limit > CHAT_LIMIT) throw new HttpError(400, 'INVALID_PARAMS', `limit must be 1 to ${CHAT_LIMIT}.`, {}, { field: 'limit' });
  return answer(await ledger(env, appId).chat(toWxid, limit));
}

/** POST /chats/:toWxid/undo `{ appId?, sentWithinSec? }` (an empty body is `{}`) */
async function undo({ request, url, params, env }) {
  const body = await readJson(request, { empty: {} });
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'BAD_REQUEST', 'The body must be { appId?, sentWithinSec? }.');
  const { appId, toWxid } = await canonical(target(body.appId ?? url.searchParams.get('appId'), env, { toWxid: params.toWxid }));
  return answer(await ledger(env, appId).undo(toWxid, body.sentWithinSec ?? null));
}

/** Params for `canonical` naming an account (the given appId or GEWE_APP_ID) and the parts a route knows. */
function target(appId, env, known) {
  return { appId: appId ?? (env.GEWE_APP_ID || undefined), toWxid: 'wxid_', msgId: '0', newMsgId: '0', createTime: '0', ...known };
}

/** The account and message a key names. */
async function keyed(key) {
  const parts = parseKey(key);
  if (!parts) throw new HttpError(400, 'INVALID_PARAMS', 'Not a message key (appId:newMsgId, as recording answered it).', {}, { field: 'key' });
  return canonical(target(parts.appId, {}, { newMsgId: parts.newMsgId }));
}

/**
 * The params exactly as the library would send them (trimmed, ids in canonical decimal), read back from the request
 * it builds: the ledger stores and looks up what a revoke will carry. Throws the library's GeweError (400) when it
 * refuses them; no window check and no token are involved.
 */
async function canonical(params) {
  const request = buildRevokeRequest(params, { token: 'unused', revokeWindowSec: null });
  return request.json();
}

/** The account's ledger (one Durable Object per appId); its settings are checked before anything is stored. */
function ledger(env, appId) {
  if (!env.LEDGER) throw new HttpError(500, 'NOT_CONFIGURED', 'The Worker is not configured: bind the LEDGER Durable Object (see wrangler.toml).');
  ledgerSettings(env);
  return env.LEDGER.get(env.LEDGER.idFromName(appId));
}

const answer = ({ status, body }) => json(status, body);

/** Checks `Authorization: Bearer <API_KEY>` in constant time (both sides hashed, so lengths leak nothing). */
async function authorize(request, apiKey) {
  const header = request.headers.get('Authorization') ?? '';
  const given = header.startsWith('Bearer ') ? header.slice(7) : '';
  const [a, b] = await Promise.all([given, apiKey].map((s) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(s))));
  if (!given || !crypto.subtle.timingSafeEqual(a, b)) throw unauthorized();
}

function corsHeaders(origin, env) {
  if (origin === null) return undefined;
  const allowed = (env.ALLOWED_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!allowed.includes('*') && !allowed.includes(origin)) return undefined;
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, DELETE, OPTIONS',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type',
    'Access-Control-Max-Age': '86400',
    Vary: 'Origin',
  };
}
