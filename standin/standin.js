// The GeWe stand-in: enough of GeWe's HTTP API to test and demo gewe-revoke against, behaving like the real
// service where it matters (see shared GEWE-FACTS.md): ids as JSON numbers above 2^53, failures as HTTP 200 with
// ret 500, a rounded id that "succeeds" and revokes nothing, a 120 s revoke window, and fault switches.
// Dependency-free. `node standin/standin.js [--port N]` runs it alone on 127.0.0.1 (see standin/README.md).
import http from 'node:http';
import { randomBytes, randomInt } from 'node:crypto';
import { pathToFileURL } from 'node:url';

export const STANDIN_TOKEN = 'standin-token-0123456789';
export const STANDIN_APP_ID = 'wx_standin_app';
export const BASE_PATH = '/gewe/v2/api';
export const REVOKE_WINDOW_SEC = 120;
const MAX_BODY = 64 * 1024;

const NGINX_PAGE = (status, text) =>
  `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

/** Fault switches: each answers one revokeMsg (or postText, with `route`) the way a failing GeWe or gateway does. */
export const FAULTS = {
  slow: 'answer normally after `delayMs` (default 1000)',
  hang: 'never answer',
  html502: '502 with an nginx HTML page',
  unavailable503: '503 with Retry-After: `retryAfter` (default 1)',
  rateLimited429: '429 with Retry-After: `retryAfter` (default 1)',
  gatewayTimeout504: '504 with an nginx HTML page',
  invalidJson: '200 with a body that is not JSON',
  truncated: 'headers promise more body than arrives, then the connection drops',
  reset: 'the connection is destroyed without an answer',
  badToken: 'ret 500: the token is unusable or expired (echoing it, as GeWe does)',
  offline: 'ret 500 with data { code: "-1", msg: "微信已离线" }',
  redirect: '`status` (default 302) with Location: `location` (default: the request\'s own URL, a loop)',
  huge: '`status` (default 200) with a body of `bytes` (default 64 MiB): `prefix`, then `fill`, then `suffix`, written in chunks as the client reads (backpressure), with Content-Length unless `contentLength: false`; stops when the client goes away',
  endless: '200 headers and `head` (default `{"ret":200,`), then the body never ends',
  echoBody: '`status` (default 200) with the body `body` (string or Buffer) and extra `headers`',
  oneOf: 'one of `kinds` (fault names), picked at random for each request it answers',
};
// Options every fault takes: `times` (default 1; Infinity for all), `route` ('revokeMsg' or 'postText'), `rate` (the
// chance, 0 to 1, that it answers a given request; default 1), `perMessage` (the most requests per newMsgId it
// answers), and for revokeMsg `act: true`: GeWe revokes the message first (a valid request with the right token),
// then the fault plays, so the client cannot know it worked.

/**
 * Creates a stand-in. `handle(req, res)` serves it inside another server (the demo); `listen()` serves it alone.
 * @param {{ token?: string, appId?: string, basePath?: string, now?: () => number }} [options]
 */
export function createStandin({ token = STANDIN_TOKEN, appId = STANDIN_APP_ID, basePath = BASE_PATH, now = Date.now } = {}) {
  /** @type {Map<string, {toWxid: string, msgId: string, newMsgId: string, createTime: number, content: string, revoked: boolean}>} */
  const messages = new Map();
  /** Every revokeMsg the stand-in judged: the body it got (never the token) and what it did. */
  const revokeCalls = [];
  /**
   * Every revokeMsg request that arrived, faults included: `{ newMsgId, at, fault, acted, confirmed }`, where `fault`
   * is the fault kind that answered it (null: none), `acted` whether it revoked the message, and `confirmed` whether
   * the client was sent a complete `ret: 200` answer.
   */
  const revokeRequests = [];
  const faults = [];
  const hanging = new Set();
  /** Every answer that was held open or streamed (hang, endless, huge): when it started and when its connection closed. */
  const streams = [];
  /** Requests that reached each route (faults included), and the most revokeMsg requests open at once. */
  const stats = { postText: 0, revokeMsg: 0, inflight: 0, maxInflight: 0 };
  let server;

  function send({ toWxid = 'wxid_standin_friend', content = 'hello', createTime = Math.floor(now() / 1000) } = {}) {
    // Above 2^60, where doubles are 256 apart, and never one that survives JSON.parse: neither a double itself nor
    // the digits String() prints for the nearest one (the shortest that round-trips, which can equal the id), so a
    // client that parses and prints it always sends another id; never ending in 000 so rounding shows.
    let newMsgId;
    do newMsgId = ((BigInt('0x' + randomBytes(8).toString('hex')) >> 3n) | (1n << 60n)).toString();
    while (
      newMsgId.endsWith('000') ||
      BigInt(Number(newMsgId)) === BigInt(newMsgId) ||
      String(Number(newMsgId)) === newMsgId ||
      messages.has(newMsgId)
    );
    const message = { toWxid, msgId: String(randomInt(100_000_000, 999_999_999)), newMsgId, createTime, content, revoked: false };
    messages.set(newMsgId, message);
    return message;
  }

  function fault(kind, options = {}) {
    if (!(kind in FAULTS)) throw new Error(`unknown fault ${kind}; known: ${Object.keys(FAULTS).join(', ')}`);
    faults.push({ kind, times: options.times ?? 1, route: options.route ?? 'revokeMsg', ...options, hits: new Map() });
  }

  function takeFault(route, newMsgId) {
    const eligible = (f) => f.perMessage === undefined || (f.hits.get(newMsgId) ?? 0) < f.perMessage;
    const at = faults.findIndex((f) => f.route === route && eligible(f) && (f.rate === undefined || Math.random() < f.rate));
    if (at < 0) return undefined;
    const f = faults[at];
    if (f.perMessage !== undefined) f.hits.set(newMsgId, (f.hits.get(newMsgId) ?? 0) + 1);
    if (--f.times <= 0) faults.splice(at, 1);
    return f.kind === 'oneOf' ? { ...f, kind: f.kinds[randomInt(f.kinds.length)] } : f;
  }

  const json = (res, status, text, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };
  const answer = (res, body) => json(res, 200, JSON.stringify(body));
  const html = (res, status, text, headers = {}) => {
    const page = NGINX_PAGE(status, text);
    res.writeHead(status, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(page), ...headers });
    res.end(page);
  };

  /** Plays a fault; true when the request is finished (or deliberately never will be). */
  async function play(f, req, res) {
    switch (f.kind) {
      case 'slow':
        await new Promise((r) => setTimeout(r, f.delayMs ?? 1000));
        return false;
      case 'hang':
        track('hang', res);
        return true;
      case 'endless':
        track('endless', res);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(f.head ?? '{"ret":200,');
        return true;
      case 'huge': return stream(f, res), true;
      case 'redirect': {
        res.writeHead(f.status ?? 302, { location: f.location ?? `http://${req.headers.host}${req.url}`, 'content-length': '0' });
        return res.end(), true;
      }
      case 'echoBody': {
        const body = Buffer.isBuffer(f.body) ? f.body : Buffer.from(String(f.body ?? ''));
        res.writeHead(f.status ?? 200, { 'content-type': 'text/plain;charset=UTF-8', 'content-length': String(body.length), ...f.headers });
        return res.end(body), true;
      }
      case 'html502': return html(res, 502, 'Bad Gateway'), true;
      case 'gatewayTimeout504': return html(res, 504, 'Gateway Time-out'), true;
      case 'unavailable503': return html(res, 503, 'Service Temporarily Unavailable', { 'retry-after': String(f.retryAfter ?? 1) }), true;
      case 'rateLimited429': return json(res, 429, '{"message":"Too Many Requests"}', { 'retry-after': String(f.retryAfter ?? 1) }), true;
      case 'invalidJson': return json(res, 200, '{"ret":200,"msg":"操作成功",'), true;
      case 'truncated':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '64' });
        res.write('{"ret":200,"msg":"操');
        setTimeout(() => req.socket.destroy(), 20);
        return true;
      case 'reset': return req.socket.destroy(), true;
      case 'badToken': return answer(res, { ret: 500, msg: `HTTP HEADER: X-GEWE-TOKEN=${req.headers['x-gewe-token'] ?? ''} 不可用或已过期` }), true;
      case 'offline': return answer(res, { ret: 500, msg: '撤回消息失败', data: { code: '-1', msg: '微信已离线' } }), true;
      default: return false;
    }
  }

  /** Holds `res` open until its connection closes (or `close()`), recording when that happened. */
  function track(kind, res) {
    const record = { kind, startedAt: Date.now(), closedAt: null, written: 0, finished: false };
    streams.push(record);
    hanging.add(res);
    res.on('close', () => {
      record.closedAt = Date.now();
      hanging.delete(res);
    });
    res.on('finish', () => void (record.finished = true));
    res.on('error', () => {});
    return record;
  }

  /** The `huge` fault: a large body written as fast as the client reads it, never past a closed connection. */
  function stream(f, res) {
    const record = track('huge', res);
    const head = Buffer.from(f.prefix ?? '{"ret":200,"msg":"');
    const tail = Buffer.from(f.suffix ?? '"}');
    const total = Math.max(f.bytes ?? 64 * 1024 * 1024, head.length + tail.length);
    const chunk = Buffer.alloc(f.chunkBytes ?? 64 * 1024, f.fill ?? 'a');
    res.writeHead(f.status ?? 200, {
      'content-type': 'application/json;charset=UTF-8',
      ...(f.contentLength === false ? {} : { 'content-length': String(total) }),
      ...f.headers,
    });
    let wake = () => {};
    res.on('drain', () => wake());
    res.on('close', () => wake());
    const write = (buf) => ((record.written += buf.length), res.write(buf));
    (async () => {
      let left = total - head.length - tail.length;
      let flowing = write(head);
      while (left > 0 && record.closedAt === null) {
        if (!flowing) {
          await new Promise((r) => (wake = r));
          if (record.closedAt !== null) return;
        }
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        flowing = write(piece);
      }
      if (record.closedAt === null) {
        write(tail);
        res.end();
      }
    })().catch(() => res.destroy());
  }

  function checkAuth(req, res) {
    const given = req.headers['x-gewe-token'];
    if (!given) return answer(res, { ret: 500, msg: 'header:X-GEWE-TOKEN 不可为空' }), false;
    if (given !== token) return answer(res, { ret: 500, msg: `HTTP HEADER: X-GEWE-TOKEN=${given} 不可用或已过期` }), false;
    return true;
  }

  function postText(body, res) {
    if (body?.appId !== appId) return answer(res, { ret: 500, msg: '发送文字消息失败', data: { code: '-1', msg: '设备不存在' } });
    if (typeof body.toWxid !== 'string' || !body.toWxid) return answer(res, { ret: 500, msg: 'toWxid 不可为空' });
    const m = send({ toWxid: body.toWxid, content: String(body.content ?? '') });
    json(res, 200, receiptText(m));
  }

  /** The raw text postText answers for a sent message. Written by hand: the ids are JSON numbers, exactly as GeWe writes them. */
  function receiptText(m) {
    return `{"ret":200,"msg":"操作成功","data":{"toWxid":${JSON.stringify(m.toWxid)},"createTime":${m.createTime},"msgId":${m.msgId},"newMsgId":${m.newMsgId},"type":1}}`;
  }

  /** Judges a revokeMsg body as GeWe would, revoking the message when it matches; returns the answer. */
  function judge(body) {
    const fields = ['appId', 'toWxid', 'msgId', 'newMsgId', 'createTime'];
    const wrong = fields.find((f) => typeof body?.[f] !== 'string');
    if (wrong) return { ret: 500, msg: `参数错误: ${wrong} 必须是字符串` };
    const call = { body: Object.fromEntries(fields.map((f) => [f, body[f]])), at: now(), outcome: 'unmatched' };
    revokeCalls.push(call);
    if (body.appId !== appId) {
      call.outcome = 'unknown-device';
      return { ret: 500, msg: '撤回消息失败', data: { code: '-1', msg: '设备不存在' } };
    }
    const m = messages.get(body.newMsgId);
    const matches = m && m.toWxid === body.toWxid && m.msgId === body.msgId && String(m.createTime) === body.createTime;
    if (matches && m.createTime !== 0 && now() - m.createTime * 1000 > REVOKE_WINDOW_SEC * 1000) {
      call.outcome = 'too-late';
      return { ret: 500, msg: '消息已超过可撤回时间' };
    }
    if (matches) {
      m.revoked = true;
      call.outcome = 'revoked';
    }
    // Like the real service: an id that matches nothing (a rounded one) still gets 操作成功.
    return { ret: 200, msg: '操作成功' };
  }

  /** The parsed JSON body, or undefined. */
  function parsed(text) {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  }

  function readBody(req) {
    return new Promise((resolve, reject) => {
      const chunks = [];
      let size = 0;
      req.on('data', (c) => {
        size += c.length;
        if (size > MAX_BODY) reject(new Error('body too large'));
        else chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  /** Serves a request under `basePath`; returns false when the path is not the stand-in's. */
  function handle(req, res) {
    const path = new URL(req.url, 'http://standin').pathname;
    if (!path.startsWith(basePath + '/')) return false;
    const route = path.slice(basePath.length + 1);
    (async () => {
      let text;
      try {
        text = await readBody(req);
      } catch {
        return json(res, 413, '{"ret":500,"msg":"请求体过大"}');
      }
      if (req.method === 'GET' && route === '__standin/messages') {
        return answer(res, { ret: 200, msg: 'ok', data: [...messages.values()] });
      }
      if (req.method === 'GET' && route === '__standin/revokes') {
        return answer(res, { ret: 200, msg: 'ok', data: revokeRequests });
      }
      if (req.method !== 'POST' || !['message/postText', 'message/revokeMsg'].includes(route)) {
        return json(res, 404, '{"ret":404,"msg":"Not Found"}');
      }
      const name = route.slice('message/'.length);
      stats[name]++;
      if (name === 'revokeMsg') {
        stats.maxInflight = Math.max(stats.maxInflight, ++stats.inflight);
        res.on('close', () => stats.inflight--);
      }
      const f = takeFault(name, parsed(text)?.newMsgId);
      const seen = name === 'revokeMsg' ? { newMsgId: parsed(text)?.newMsgId ?? null, at: now(), fault: f?.kind ?? null, acted: false, confirmed: false } : null;
      if (seen) revokeRequests.push(seen);
      if (f?.act && seen && req.headers['x-gewe-token'] === token && parsed(text) !== undefined) {
        seen.acted = judge(parsed(text)).ret === 200;
      }
      if (f && (await play(f, req, res))) return;
      if (!checkAuth(req, res)) return;
      const body = parsed(text);
      if (body === undefined) return answer(res, { ret: 500, msg: '请求体不是合法的JSON' });
      if (name === 'postText') return postText(body, res);
      const result = judge(body);
      if (seen) Object.assign(seen, { acted: result.ret === 200, confirmed: result.ret === 200 });
      answer(res, result);
    })().catch((e) => {
      if (!res.headersSent) json(res, 500, JSON.stringify({ ret: 500, msg: String(e?.message ?? e) }));
    });
    return true;
  }

  const standin = {
    token,
    appId,
    basePath,
    messages,
    revokeCalls,
    revokeRequests,
    stats,
    streams,
    send,
    receiptText,
    /** Sends a message without HTTP and returns it with the raw text postText would have answered. */
    sendRaw(options) {
      const message = send(options);
      return { message, text: receiptText(message) };
    },
    /** How many revokeMsg calls named this newMsgId (judged calls only: faults that answered first are not counted). */
    revokesOf: (newMsgId) => revokeCalls.filter((c) => c.body.newMsgId === String(newMsgId)).length,
    fault,
    clearFaults: () => void faults.splice(0),
    /** Every revokeMsg request naming this newMsgId, faults included (see `revokeRequests`). */
    requestsOf: (newMsgId) => revokeRequests.filter((r) => r.newMsgId === String(newMsgId)),
    /** Forgets calls, counters, stream records and faults (messages stay). */
    resetCounters() {
      faults.splice(0);
      revokeCalls.splice(0);
      revokeRequests.splice(0);
      streams.splice(0);
      Object.assign(stats, { postText: 0, revokeMsg: 0, maxInflight: stats.inflight });
    },
    handle,
    /** The message with this exact newMsgId, or undefined. */
    message: (newMsgId) => messages.get(String(newMsgId)),
    /** Serves the stand-in alone on `host:port` (default 127.0.0.1, a free port). */
    listen({ host = '127.0.0.1', port = 0 } = {}) {
      server = http.createServer((req, res) => {
        if (!handle(req, res)) json(res, 404, '{"ret":404,"msg":"Not Found"}');
      });
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const { port: bound } = server.address();
          standin.origin = `http://${host}:${bound}`;
          standin.baseUrl = standin.origin + basePath;
          resolve(standin);
        });
      });
    },
    close() {
      for (const res of hanging) res.destroy();
      if (!server) return Promise.resolve();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
    /** An outage: stops listening (connections are refused) and drops open ones, keeping messages and records. */
    async down() {
      const { port } = new URL(standin.origin);
      standin.downPort = Number(port);
      await standin.close();
    },
    /** Ends an outage: listens again on the same address. */
    up() {
      const { hostname } = new URL(standin.origin);
      return standin.listen({ host: hostname, port: standin.downPort });
    },
  };
  return standin;
}

/** Creates a stand-in and serves it alone on 127.0.0.1 (a free port unless `port` is given). */
export function startStandin(options = {}) {
  const { host, port, ...rest } = options;
  return createStandin(rest).listen({ host, port });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf('--port');
  const port = at > 0 ? Number(process.argv[at + 1]) : 0;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    console.error('usage: node standin/standin.js [--port N]   (N from 0 to 65535; 0 or none: a free port)');
    process.exit(2);
  }
  const s = await startStandin({ port });
  // The first line's form is read by tools (bench/standin-process.js): keep it.
  console.log(`GeWe stand-in at ${s.baseUrl}  (token ${s.token}, appId ${s.appId})`);
  console.log(`  send X-GEWE-TOKEN: ${s.token} and appId ${s.appId}; POST ${s.baseUrl}/message/postText sends, /message/revokeMsg revokes`);
  console.log(`  what it revoked: GET ${s.baseUrl}/__standin/revokes   (its messages: GET ${s.baseUrl}/__standin/messages)`);
}
