// GeWe's message callbacks: `POST /callbacks/{secret}`, the address given to GeWe's setCallback, and the routes that
// read what the account's Inbox (inbox.js) caught. GeWe signs nothing, so the path's secret (CALLBACK_SECRET) is the
// only proof a callback came from GeWe; it is compared in constant time and a wrong or missing one gets the same 404
// as a path that names no route. GeWe gives the receiver 3 seconds: the work goes to the account's Durable Object and
// the answer never waits for it longer than ANSWER_BUDGET_MS.
import { GeweError, parseCallback } from 'gewe-revoke/callbacks';
import { HttpError, json, readBytes } from './http.js';
import { checkAccount, servedAccounts } from './config.js';
import { inboxSettings } from './inbox-config.js';
import { parseKey } from './schema.js';

const PREFIX = '/callbacks/';
/** The most bytes of a callback body read (thumbnails ride inline as base64; the samples are a few KB). */
export const MAX_CALLBACK_BYTES = 256 * 1024;
/**
 * How long an answer waits for the Inbox to store the callback. Stored within it, GeWe hears 200 after the store;
 * past it, GeWe hears 200 at once and the store finishes under ctx.waitUntil, well inside GeWe's 3 s.
 */
export const ANSWER_BUDGET_MS = 1500;
/** The most recalled messages one listing answers. */
export const RECALLED_LIMIT = 200;

/** What GeWe hears when a callback is taken (any 2xx will do; `success` is what GeWe clients answer). */
const taken = () => new Response('success', { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });

/** Whether a request is for the callback route (which answers GeWe, not API callers). */
export const isCallback = (url) => url.pathname.startsWith(PREFIX);

/** Answers a callback; never throws (GeWe only ever sees a status and a short body). */
export async function callback(request, env, ctx) {
  const url = new URL(request.url);
  try {
    return await take(request, env, ctx, url);
  } catch (e) {
    if (e instanceof HttpError) return json(e.status, { ok: false, error: { code: e.code, message: e.message } }, e.headers);
    console.error('gewe-revoke Worker: a callback failed unexpectedly:', e?.name ?? 'Error');
    return json(500, { ok: false, error: { code: 'INTERNAL', message: 'The Worker failed unexpectedly.' } });
  }
}

async function take(request, env, ctx, url) {
  // The same answer as a path with no route: nothing tells a prober that a secret exists or how close a guess was.
  const secret = url.pathname.slice(PREFIX.length);
  if (!env.CALLBACK_SECRET || !(await sameSecret(secret, env.CALLBACK_SECRET))) {
    throw new HttpError(404, 'NOT_FOUND', `No route ${url.pathname}.`);
  }
  if (request.method !== 'POST') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'Callbacks are POSTed.', { Allow: 'POST' });
  // Checked here, so a misconfiguration is answered (500 naming the variable) before anything is taken.
  inboxSettings(env);
  const text = new TextDecoder().decode(await readBytes(request, MAX_CALLBACK_BYTES, 'A callback'));
  let event;
  try {
    event = parseCallback(text);
  } catch (e) {
    if (e instanceof GeweError) throw new HttpError(400, 'BAD_CALLBACK', e.message);
    throw e;
  }
  // setCallback's test POST: it echoes the token setCallback was given, so nothing of it is kept or logged.
  if (event.kind === 'test') return taken();
  if (!servedAccounts(env).has(event.envelope.appid)) {
    throw new HttpError(403, 'UNKNOWN_APP_ID', 'This callback is for an account this Worker does not serve: add its Appid to GEWE_APP_IDS.');
  }
  // Only messages are kept; contact changes and Offline are acknowledged and dropped.
  if (event.kind !== 'message' || event.message.msgType === STATUS_SYNC) return taken();
  const work = inbox(env, event.envelope.appid).ingest(toEvent(event));
  ctx.waitUntil(work.catch(() => {}));
  let timer;
  const late = new Promise((resolve) => (timer = setTimeout(resolve, ANSWER_BUDGET_MS, 'late')));
  const first = await Promise.race([work.then(() => 'stored', () => 'failed'), late]).finally(() => clearTimeout(timer));
  // A store that failed in time is answered 503, so a GeWe that retries sends it again (de-duplication makes that safe).
  if (first === 'failed') throw new HttpError(503, 'UNAVAILABLE', 'The callback could not be stored; send it again.');
  return taken();
}

/** MsgType of a status sync (a chat window opened or closed on another device): not a message. */
const STATUS_SYNC = 51;

/**
 * What the Inbox stores of a parsed AddMsg: the one place that reads the parser's shape. A recall's `by` is the
 * member a group notice names; in a private chat the account itself when the notice says 你撤回 ("you recalled"),
 * else the peer, the only other person there.
 */
function toEvent({ envelope, message: m }) {
  const recall = m.sysmsg?.kind === 'recall' ? m.sysmsg : null;
  const kind = recall ? 'recall' : m.msgType === 10000 || m.msgType === 10002 ? 'notice' : 'message';
  const message = {
    msgId: m.msgId,
    newMsgId: m.newMsgId,
    msgSeq: m.msgSeq,
    createTime: m.createTime,
    type: m.msgType,
    from: m.from,
    chat: m.chat,
    sender: m.sender,
    own: m.own,
    text: m.text,
    // The size of the inline thumbnail or voice clip, never its bytes.
    mediaBytes: m.imageBuffer ? Math.floor((m.imageBuffer.replace(/=+$/, '').length * 3) / 4) : 0,
  };
  if (!recall) return { appId: envelope.appid, kind, message };
  const by = recall.by ?? (recall.chat.endsWith('@chatroom') ? null : recall.text.startsWith('你撤回') ? envelope.wxid : recall.chat);
  return { appId: envelope.appid, kind, message, recall: { chat: recall.chat, msgId: recall.msgId, newMsgId: recall.newMsgId, text: recall.text, by } };
}

/** The account's Inbox (one Durable Object per appId). */
function inbox(env, appId) {
  if (!env.INBOX) throw new HttpError(500, 'NOT_CONFIGURED', 'The Worker is not configured: bind the INBOX Durable Object (see wrangler.toml).');
  return env.INBOX.get(env.INBOX.idFromName(appId));
}

/** Constant-time equality of the path's secret and CALLBACK_SECRET (both hashed, so lengths leak nothing). */
async function sameSecret(given, expected) {
  const [a, b] = await Promise.all([given, expected].map((s) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(s))));
  return given.length > 0 && crypto.subtle.timingSafeEqual(a, b);
}

// ---- The reading routes (behind API_KEY, called from index.js's router). ----

/** The account a read names (?appId=, else the only or default configured one); refused unless configured. */
function account(env, given) {
  const accounts = [...servedAccounts(env)];
  const appId = given ?? (accounts.length === 1 ? accounts[0] : String(env.GEWE_APP_ID ?? '') || undefined);
  if (appId === undefined) throw new HttpError(400, 'INVALID_PARAMS', 'Give ?appId= (several accounts are configured).', {}, { field: 'appId' });
  checkAccount(env, appId);
  return appId;
}

/** GET /chats/:toWxid/recalled?appId=&limit=&cursor= : the chat's recalled messages, most recently recalled first. */
export async function recalledRoute({ url, params, env }) {
  const appId = account(env, url.searchParams.get('appId') ?? undefined);
  const text = url.searchParams.get('limit') ?? '50';
  const limit = /^\d{1,4}$/.test(text) ? Number(text) : 0;
  if (limit < 1 || limit > RECALLED_LIMIT) throw new HttpError(400, 'INVALID_PARAMS', `limit must be 1 to ${RECALLED_LIMIT}.`, {}, { field: 'limit' });
  const cursor = url.searchParams.get('cursor');
  if (cursor !== null && !/^\d{1,16}\.\d{1,16}$/.test(cursor)) {
    throw new HttpError(400, 'INVALID_PARAMS', 'cursor must be the cursor a previous page answered.', {}, { field: 'cursor' });
  }
  const { status, body } = await inbox(env, appId).recalled(params.toWxid, limit, cursor);
  return json(status, body);
}

/** GET /inbox/:key : one received message by its key (`appId:newMsgId`). */
export async function receivedRoute({ params, env }) {
  const parts = parseKey(params.key);
  if (!parts) throw new HttpError(400, 'INVALID_PARAMS', 'Not a message key (appId:newMsgId, as the inbox answers it).', {}, { field: 'key' });
  const appId = account(env, parts.appId);
  const newMsgId = parts.newMsgId.replace(/^0+(?=\d)/, '');
  const { status, body } = await inbox(env, appId).message(newMsgId);
  return json(status, body);
}
