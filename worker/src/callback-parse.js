// INTERIM: reads a GeWe callback until the library's `parseCallback` (the Rust core, issue 19) is exported; then
// callbacks.js imports the library's and this file goes. Its output mirrors the core's `Callback` (src/core/
// callback.rs on branch issue-19) in camelCase with every id an exact decimal string; `toEvent` in callbacks.js is
// the one place that reads it.
//
// Exactness: JSON.parse's reviver sees each number's source text (V8's JSON.parse source access, in workerd), so
// MsgId, NewMsgId and MsgSeq are kept as the digits GeWe wrote, never a rounded double. The XML of a recall notice is
// read only as far as these payloads need: one `<sysmsg type="...">`, the four `<revokemsg>` children, CDATA and the
// five XML entities plus numeric references.

/** An unsigned 64-bit id as GeWe writes it, in canonical decimal. */
const ID = /^(0|[1-9]\d{0,19})$/;
const U64_MAX = 18446744073709551615n;

/** A callback the Worker cannot read: a code of its own and a sentence naming what is wrong (never the body). */
export class CallbackError extends Error {
  constructor(message) {
    super(message);
    this.code = 'BAD_CALLBACK';
  }
}

/**
 * Reads a callback's raw text. Answers `{ kind: 'test' }` for setCallback's test POST (its token is dropped, never
 * returned); `{ kind: 'message', envelope, message }` for AddMsg, where `message.sysmsg` is
 * `{ kind: 'recall', chat, msgId, newMsgId, text, by }`, `{ kind: 'other', type }` or null; `{ kind: 'event', envelope }`
 * for any other TypeName. `envelope` is `{ typeName, appid, wxid }`.
 */
export function parseCallback(text) {
  if (typeof text !== 'string') throw new CallbackError('The callback body must be text.');
  let body;
  try {
    body = JSON.parse(text, (key, value, context) => {
      if (typeof value !== 'number') return value;
      // Without source access a number would be rounded: refuse rather than join on a wrong id.
      if (typeof context?.source !== 'string') throw new CallbackError('This runtime cannot read JSON numbers exactly.');
      return { number: context.source };
    });
  } catch (e) {
    if (e instanceof CallbackError) throw e;
    throw new CallbackError('The callback is not JSON.');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new CallbackError('The callback is not a JSON object.');
  if (own(body, 'testMsg') !== undefined && own(body, 'token') !== undefined) return { kind: 'test' };
  // One Gewechat release sent the envelope's keys in lower case (Data -> data, TypeName -> type_name).
  const lowerCase = own(body, 'TypeName') === undefined && own(body, 'type_name') !== undefined;
  const typeValue = lowerCase ? own(body, 'type_name') : own(body, 'TypeName');
  if (typeValue === undefined) throw new CallbackError("The callback has no TypeName, nor the testMsg of setCallback's test POST.");
  const typeName = string(typeValue, 'TypeName');
  const appId = string(lowerCase ? own(body, 'appid') : own(body, 'Appid'), 'Appid');
  const wxidValue = own(body, 'Wxid') ?? own(body, 'wxid');
  const wxid = wxidValue === undefined ? null : string(wxidValue, 'Wxid');
  const envelope = { typeName, appid: appId, wxid };
  if (typeName !== 'AddMsg') return { kind: 'event', envelope };
  const data = own(body, 'Data') ?? own(body, 'data');
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new CallbackError('The callback has no Data.');
  const message = addMsg(data, wxid);
  message.sysmsg = null;
  if (message.msgType === 10002) {
    const notice = sysmsg(message.text);
    if (notice) message.sysmsg = notice.type === 'revokemsg' ? { kind: 'recall', ...revokeNotice(notice.body, message) } : { kind: 'other', type: notice.type };
  }
  return { kind: 'message', envelope, message };
}

/** The message of an AddMsg `Data`. */
function addMsg(data, wxid) {
  const from = wrapped(own(data, 'FromUserName'), 'FromUserName');
  const to = wrapped(own(data, 'ToUserName'), 'ToUserName');
  let text = wrapped(own(data, 'Content'), 'Content');
  const msgType = Number(id(own(data, 'MsgType'), 'MsgType'));
  let sender = from;
  // A group message: the member's wxid before the first ":\n" (group system messages carry the chatroom there).
  if (from.endsWith('@chatroom')) {
    const at = text.indexOf(':\n');
    sender = null;
    if (at > 0) {
      const prefix = text.slice(0, at);
      if (!prefix.endsWith('@chatroom')) sender = prefix;
      text = text.slice(at + 2);
    }
  }
  const group = from.endsWith('@chatroom') || to.endsWith('@chatroom');
  const chat = from.endsWith('@chatroom') ? from : to.endsWith('@chatroom') || (wxid !== null && from === wxid) ? to : from;
  const imgBuf = own(data, 'ImgBuf');
  const buffer = imgBuf && typeof imgBuf === 'object' ? own(imgBuf, 'buffer') : undefined;
  const push = own(data, 'PushContent');
  return {
    msgId: id(own(data, 'MsgId'), 'MsgId'),
    newMsgId: id(own(data, 'NewMsgId'), 'NewMsgId'),
    msgSeq: own(data, 'MsgSeq') === undefined ? null : id(own(data, 'MsgSeq'), 'MsgSeq'),
    msgType,
    createTime: own(data, 'CreateTime') === undefined ? null : id(own(data, 'CreateTime'), 'CreateTime'),
    from,
    to,
    chat,
    group,
    sender,
    own: wxid !== null && sender === wxid,
    text,
    pushContent: typeof push === 'string' ? push : null,
    imageBuffer: typeof buffer === 'string' ? buffer : null,
  };
}

/** `{ type, body }` of a `<sysmsg type="...">` document (after any prologue), or null when the text is not one. */
function sysmsg(text) {
  const xml = text.replace(/^\s*<\?xml[^>]*\?>\s*/, '');
  const open = /^\s*<sysmsg\s+type\s*=\s*(?:"([^"]*)"|'([^']*)')[^>]*>/.exec(xml);
  if (!open) return null;
  const end = xml.lastIndexOf('</sysmsg>');
  if (end < open[0].length) throw new CallbackError("The callback's Data.Content is a system message (MsgType 10002) but not XML: no </sysmsg>.");
  return { type: decode(open[1] ?? open[2]), body: xml.slice(open[0].length, end) };
}

/** The recall notice in a `<sysmsg type="revokemsg">` body; `by` is the member a group notice names. */
function revokeNotice(body, message) {
  const field = (name, required = true) => {
    const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(body);
    if (!m && required) throw new CallbackError(`The recall notice in Data.Content has no <${name}>.`);
    return m ? decode(m[1]).trim() : null;
  };
  const newMsgId = field('newmsgid');
  if (!ID.test(newMsgId) || BigInt(newMsgId) > U64_MAX) throw new CallbackError("The recall notice's <newmsgid> is not an integer from 0 to 2^64-1.");
  const msgId = field('msgid', false);
  const text = field('replacemsg', false) ?? '';
  const chat = field('session', false) || message.chat;
  return { chat, msgId: msgId !== null && ID.test(msgId) ? msgId : null, newMsgId, text, by: message.group ? message.sender : null };
}

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML text: CDATA kept verbatim, entities and character references decoded elsewhere. */
function decode(xml) {
  return xml.replace(/<!\[CDATA\[([\s\S]*?)\]\]>|&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (all, cdata, ref) => {
    if (cdata !== undefined) return cdata;
    if (ref[0] !== '#') return ENTITIES[ref] ?? all;
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : all;
  });
}

const own = (o, key) => (Object.hasOwn(o, key) ? o[key] : undefined);

function string(value, name) {
  if (typeof value !== 'string') throw new CallbackError(`The callback's ${name} is not a string.`);
  return value;
}

/** `{"string": "..."}` (an empty wrapper `{}` is ""). */
function wrapped(value, name) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new CallbackError(`The callback's Data.${name} is not a {"string": …} object.`);
  const s = own(value, 'string');
  if (s === undefined) return '';
  return string(s, `Data.${name}.string`);
}

/** An id written as a JSON number (or, tolerated, a decimal string), as exact canonical decimal. */
function id(value, name) {
  const digits = typeof value === 'string' ? value : value?.number;
  if (typeof digits !== 'string' || !ID.test(digits) || BigInt(digits) > U64_MAX) {
    throw new CallbackError(`The callback's Data.${name} is not an integer from 0 to 2^64-1.`);
  }
  return digits;
}
