// The baselines: what a careful user would write by hand in plain JavaScript, doing the same work as gewe-revoke.

const MAX_U64 = 2n ** 64n - 1n;
const fail = (field, message) => {
  const e = new Error(message);
  e.field = field;
  throw e;
};
const holdsPlaceholder = (s) => {
  const at = s.indexOf('{{');
  return at >= 0 && s.indexOf('}}', at + 2) >= 0;
};

function name(field, v) {
  if (typeof v !== 'string') fail(field, `${field} must be a string.`);
  if (holdsPlaceholder(v)) fail(field, `${field} still holds a template placeholder.`);
  const t = v.trim();
  if (!t) fail(field, `${field} is empty.`);
  if ([...t].length > 256) fail(field, `${field} is longer than 256 characters.`);
  if (/\p{Cc}/u.test(t)) fail(field, `${field} holds a control character.`);
  return t;
}

function id(field, v) {
  if (typeof v === 'string') {
    if (holdsPlaceholder(v)) fail(field, `${field} still holds a template placeholder.`);
    const t = v.trim();
    if (!/^\d+$/.test(t)) fail(field, `${field} must be a decimal integer.`);
    const n = BigInt(t);
    if (n > MAX_U64) fail(field, `${field} is above 2^64-1.`);
    return n.toString();
  }
  if (typeof v === 'bigint') {
    if (v < 0n || v > MAX_U64) fail(field, `${field} is out of range.`);
    return v.toString();
  }
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) fail(field, `${field} must be a whole non-negative number.`);
    if (v > Number.MAX_SAFE_INTEGER) fail(field, `${field} has already lost digits.`);
    return String(v);
  }
  return fail(field, `${field} must be a decimal string, a BigInt or a safe integer.`);
}

function token(v) {
  if (typeof v !== 'string') fail('token', 'token must be a string.');
  if (holdsPlaceholder(v)) fail('token', 'token still holds a template placeholder.');
  const t = v.trim();
  if (!t || t.length > 4096 || !/^[\x20-\x7e]+$/.test(t)) fail('token', 'token is not a valid header value.');
  return t;
}

function endpoint(base = 'http://api.geweapi.com/gewe/v2/api') {
  const url = base.trim();
  const m = /^https?:\/\/([^/]*)/i.exec(url);
  if (!m || !m[1] || m[1].includes('@') || /[?#\s]/.test(url)) fail('baseUrl', 'baseUrl is not a usable http(s) API base.');
  const trimmed = url.replace(/\/+$/, '');
  if (trimmed.endsWith('/message/revokeMsg')) fail('baseUrl', 'baseUrl is the endpoint itself.');
  return `${trimmed}/message/revokeMsg`;
}

/** Hand-written equivalent of buildRevokeRequest: the same validation, the same Request. */
export function buildPlain(p, o) {
  const url = endpoint(o.baseUrl);
  const tok = token(o.token);
  const body = JSON.stringify({
    appId: name('appId', p.appId ?? o.appId),
    toWxid: name('toWxid', p.toWxid),
    msgId: id('msgId', p.msgId),
    newMsgId: id('newMsgId', p.newMsgId),
    createTime: id('createTime', p.createTime),
  });
  return new Request(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-GEWE-TOKEN': tok }, body, redirect: 'manual' });
}

/** Hand-written equivalent of parseSendReceipt: quote the ids before JSON.parse so none is rounded, then check. */
export function parsePlain(text) {
  const quoted = text.replace(/("(?:msgId|newMsgId|createTime)"\s*:\s*)(-?\d+)/g, '$1"$2"');
  const root = JSON.parse(quoted);
  const data = root.ret === undefined ? root : root.ret === 200 ? root.data : fail('ret', `The send failed: ${root.msg}`);
  if (!data || typeof data !== 'object') fail('data', 'The send response has no data.');
  if (typeof data.toWxid !== 'string' || !data.toWxid.trim()) fail('toWxid', 'The send response has no toWxid.');
  const out = {
    toWxid: data.toWxid.trim(),
    msgId: id('msgId', data.msgId),
    newMsgId: id('newMsgId', data.newMsgId),
    createTime: data.createTime == null ? '0' : id('createTime', data.createTime),
  };
  if (typeof data.type === 'number') out.type = data.type;
  return out;
}

/**
 * Hand-written revoke over fetch, as a careful user would write it: the same validation as `buildPlain`, the same
 * request, a deadline, and HTTP 200 + ret 200 as the only success.
 */
export async function plainRevoke(p, o, fetchImpl = fetch) {
  const res = await fetchImpl(endpoint(o.baseUrl), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-GEWE-TOKEN': token(o.token) },
    body: JSON.stringify({
      appId: name('appId', p.appId ?? o.appId),
      toWxid: name('toWxid', p.toWxid),
      msgId: id('msgId', p.msgId),
      newMsgId: id('newMsgId', p.newMsgId),
      createTime: id('createTime', p.createTime),
    }),
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const answer = JSON.parse(text);
  if (answer.ret !== 200) throw new Error(`ret ${answer.ret}: ${answer.msg}`);
  return answer;
}

const STOPPED = Symbol('stopped');
const MAX_RESPONSE_BYTES = 1 << 20;
/** Reads an own property only, with a throwing getter or Proxy trap caught. */
function own(object, key) {
  try {
    const value = object[key];
    return value !== undefined && Object.hasOwn(object, key) ? value : undefined;
  } catch {
    fail(key, `${key} could not be read.`);
  }
}

/**
 * The same call held to the library's hostile-world rules, written by hand: own properties only, one deadline raced
 * against the fetch and the body read (not trusted to `fetch`), the request aborted when it wins, `instanceof
 * Response` checked, and the body read only when its Content-Length is within the cap. What the rules cost in plain
 * JavaScript, so the library can be compared with like.
 */
export async function airtightRevoke(p, o, fetchImpl = fetch) {
  const ms = own(o, 'timeoutMs') ?? 10_000;
  const controller = new AbortController();
  let timer;
  const stop = new Promise((resolve) => {
    timer = setTimeout(resolve, ms, STOPPED);
  });
  try {
    const body = JSON.stringify({
      appId: name('appId', own(p, 'appId') ?? own(o, 'appId')),
      toWxid: name('toWxid', own(p, 'toWxid')),
      msgId: id('msgId', own(p, 'msgId')),
      newMsgId: id('newMsgId', own(p, 'newMsgId')),
      createTime: id('createTime', own(p, 'createTime')),
    });
    const init = {
      method: 'POST',
      headers: [['Content-Type', 'application/json'], ['X-GEWE-TOKEN', token(own(o, 'token'))]],
      body,
      redirect: 'manual',
      signal: controller.signal,
    };
    const res = await Promise.race([fetchImpl(endpoint(own(o, 'baseUrl')), init), stop]);
    if (res === STOPPED) throw new Error('timed out');
    if (!(res instanceof Response)) throw new Error('not a Response');
    const length = Number(res.headers.get('content-length'));
    if (res.headers.get('content-encoding') !== null || !(length <= MAX_RESPONSE_BYTES)) throw new Error('stream it');
    const text = await Promise.race([res.text(), stop]);
    if (text === STOPPED) throw new Error('timed out');
    if (text.length > MAX_RESPONSE_BYTES) throw new Error('too large');
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const answer = JSON.parse(text);
    if (answer.ret !== 200) throw new Error(`ret ${answer.ret}: ${answer.msg}`);
    return answer;
  } catch (e) {
    controller.abort();
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
