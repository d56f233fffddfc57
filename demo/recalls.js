// The demo server's part in the page's third part (www/recalls.js): a callback receiver that GeWe's stand-in POSTs
// to, as GeWe POSTs to the URL set with setCallback, a stream that hands each raw body to the open pages as it
// arrives, and the route the page drives the stand-in with (a friend's message, then its recall notice). The
// receiver parses nothing but setCallback's test POST (to keep its token from the page): every page reads the raw
// text itself, with the library and with JSON.parse.
//
//   POST /demo-callbacks/receive/{secret}  the receiver: answers "success" at once (GeWe gives 3 s), refuses others
//   GET  /demo-callbacks/events            text/event-stream: one `callback` event per body received, {"text": raw};
//                                          a `test` event, without the body, for setCallback's test POST (its token)
//   POST /demo-callbacks/play              {"step":"message"} or {"step":"recall","newMsgId":"…"}: the stand-in sends it
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createCallbacks } from '../standin/callbacks.js';

export const PREFIX = '/demo-callbacks/';
/** The largest callback body the receiver takes: the library's own bound (MAX_CALLBACK_BYTES in the core). */
const MAX_BODY = 1024 * 1024;
/** The messages the stand-in sent that the page may still have recalled, newest last. */
const KEEP = 32;
/** What the friend says in the demo: text worth keeping once recalled. */
export const SAID = '明天下午三点，老地方见。别告诉别人';

/**
 * The routes, for a demo server whose `address()` (known once it listens) the stand-in's callbacks go to.
 * `handle` answers a request under PREFIX and resolves true, or resolves false for any other path.
 */
export function createRecalls(address) {
  const origin = () => loopbackOrigin(address());
  const secret = randomBytes(16).toString('hex');
  const streams = new Set();
  const sent = new Map();
  let callbacks;
  const stand = () => (callbacks ??= createCallbacks({ url: `${origin()}${PREFIX}receive/${secret}` }));

  /** Hands a body to every open page; setCallback's test POST carries the account's token, so only its arrival. */
  function broadcast(text) {
    const event = isTestPost(text) ? 'event: test\ndata: {}\n\n' : `event: callback\ndata: ${JSON.stringify({ text })}\n\n`;
    for (const res of streams) res.write(event);
  }

  async function receive(req, res, given) {
    if (req.method !== 'POST' || !sameSecret(given, secret)) return sendText(res, 404, 'not found');
    const text = await readText(req, MAX_BODY);
    if (text === undefined) return sendText(res, 413, `callback larger than ${MAX_BODY} bytes`);
    sendText(res, 200, 'success');
    broadcast(text);
  }

  function events(req, res) {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': the raw text of every callback the demo receiver gets\n\n');
    streams.add(res);
    res.on('close', () => streams.delete(res));
  }

  async function play(req, res) {
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST {"step":"message"} or {"step":"recall","newMsgId":"…"}' });
    let step;
    try {
      step = JSON.parse((await readText(req, 4096)) ?? '');
    } catch {
      return sendJson(res, 400, { error: 'the body must be JSON: {"step":"message"} or {"step":"recall","newMsgId":"…"}' });
    }
    let callback;
    if (step?.step === 'message') {
      callback = stand().friendMessage({ text: SAID });
      sent.set(callback.message.newMsgId, callback.message);
      if (sent.size > KEEP) sent.delete(sent.keys().next().value);
    } else if (step?.step === 'recall') {
      const message = sent.get(String(step.newMsgId));
      if (!message) return sendJson(res, 404, { error: `the stand-in sent no message ${String(step.newMsgId).slice(0, 24)} here (it keeps the last ${KEEP})` });
      sent.delete(message.newMsgId);
      callback = stand().recall(message);
    } else {
      return sendJson(res, 400, { error: 'step must be "message" or "recall"' });
    }
    const answer = await stand().post(callback);
    // The message sent, or the one the notice recalls.
    const newMsgId = callback.message.recalls?.newMsgId ?? callback.message.newMsgId;
    sendJson(res, 200, { step: step.step, newMsgId, answer: { status: answer.status, body: answer.body, ms: Math.round(answer.ms) } });
  }

  return {
    async handle(req, res, path) {
      if (!path.startsWith(PREFIX)) return false;
      const rest = path.slice(PREFIX.length);
      if (rest.startsWith('receive/')) await receive(req, res, rest.slice('receive/'.length));
      else if (rest === 'events' && req.method === 'GET') events(req, res);
      else if (rest === 'play') await play(req, res);
      else sendText(res, 404, 'not found');
      return true;
    },
    /** A log line with the receiver's secret masked. */
    redact: (line) => line.replaceAll(secret, '********'),
    /** The receiver's URL, secret included (for `node standin/callbacks.js <url>`). */
    receiverUrl: () => `${origin()}${PREFIX}receive/${secret}`,
    close() {
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}

/** Whether a body is setCallback's test POST (`{"testMsg": …, "token": …}`), which carries the GeWe token. */
function isTestPost(text) {
  if (!text.includes('"testMsg"')) return false;
  try {
    const body = JSON.parse(text);
    return Object.hasOwn(body, 'testMsg') && Object.hasOwn(body, 'token');
  } catch {
    return false;
  }
}

/** Where this server is reached from itself: a wildcard address (0.0.0.0, ::) through loopback. */
function loopbackOrigin({ address, family, port }) {
  const v6 = family === 'IPv6' || family === 6;
  const host = address === '0.0.0.0' || address === '::' ? (v6 ? '[::1]' : '127.0.0.1') : v6 ? `[${address}]` : address;
  return `http://${host}:${port}`;
}

/** The secret in the path against ours, in constant time (GeWe signs nothing: the URL is the only credential). */
function sameSecret(given, secret) {
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The request body as text, or undefined past `cap` bytes (the rest is not read). */
async function readText(req, cap) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > cap) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendText(res, status, text) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
