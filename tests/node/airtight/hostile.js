// Contract item 1: every call settles with a GeweError whatever fetch, the peer or the caller do.
import { revokeMsg, GeweClient, GeweError } from 'gewe-revoke';
import { assert, standin, fresh, rejects, resolves, settle, counted, describe } from './lib.js';
import { poison } from './poison.js';

const OK_JSON = '{"ret":200,"msg":"操作成功"}';
const bytes = (s) => new TextEncoder().encode(s);

/** fetch results that are not a usable Response: each must end in BAD_RESPONSE after exactly one call. */
function badAnswers() {
  return {
    'an empty object': () => ({}),
    'a Response look-alike { status: 200, text() }': () => ({ status: 200, ok: true, headers: new Headers(), text: () => OK_JSON, json: async () => JSON.parse(OK_JSON) }),
    'the number 42': () => 42,
    'null': () => null,
    'Object.create(Response.prototype)': () => Object.create(Response.prototype),
    // Not a thenable (`then` reads as undefined, else it would be the NETWORK case below); every other trap throws.
    'a Proxy of a Response whose traps throw': () =>
      new Proxy(new Response(OK_JSON), {
        ...Object.fromEntries(['has', 'getPrototypeOf', 'getOwnPropertyDescriptor', 'ownKeys'].map((t) => [t, () => { throw new Error(`trap ${t}`); }])),
        get(_t, key) {
          if (key === 'then') return undefined;
          throw new Error(`trap get ${String(key)}`);
        },
      }),
    'a real Response whose status getter throws': () => poison(new Response(OK_JSON), ['status']),
    'a real 503 Response whose headers getter throws': () => poison(new Response('busy', { status: 503, headers: { 'retry-after': '0' } }), ['headers']),
    'a real 200 Response whose body getter and readers throw': () =>
      poison(new Response(OK_JSON, { headers: { 'content-type': 'application/json' } }), ['body', 'bodyUsed', 'text', 'arrayBuffer', 'json', 'blob', 'bytes', 'clone']),
  };
}

/** fetch behaviours that never yield a Response: thrown or rejected oddities. Each must end in NETWORK, one call. */
function badThrows() {
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  const neverWithBadCtor = new Promise(() => {});
  Object.defineProperty(neverWithBadCtor, 'constructor', { get() { throw new Error('constructor getter'); } });
  return {
    'a thenable whose then throws': () => ({ then() { throw new Error('then throws'); } }),
    'a thenable whose then getter throws': () => ({ get then() { throw new Error('then getter throws'); } }),
    'a pending Promise whose constructor getter throws': () => neverWithBadCtor,
    'an async fetch resolving to an object whose then getter throws': async () => ({ get then() { throw new Error('late then'); } }),
    'a fetch throwing a revoked Proxy': () => { throw revoked; },
    'a fetch rejecting with an object whose message and cause getters throw': () =>
      Promise.reject({ get message() { throw new Error('message getter'); }, get cause() { throw new Error('cause getter'); }, get name() { throw new Error('name getter'); } }),
    'a fetch throwing undefined': () => { throw undefined; },
  };
}

export const hostile = {
  /** fetch resolving something that is not a real Response, or a real one whose getters throw: BAD_RESPONSE once. */
  async 'hostile-answers'() {
    const problems = [];
    for (const [what, make] of Object.entries(badAnswers())) {
      const f = counted(() => make());
      const r = await settle(() => revokeMsg({ appId: 'wx_app', toWxid: 'wxid_x', msgId: '1', newMsgId: '2', createTime: '0' },
        { token: 'hostile-token-123456', baseUrl: 'http://127.0.0.1:9/v2/api', fetch: f, retries: 3, timeoutMs: 3000 }), 5000, what);
      if (r.ok) problems.push(`${what}: resolved ${JSON.stringify(r.value)}`);
      else if (!(r.error instanceof GeweError) || r.error.code !== 'BAD_RESPONSE') problems.push(`${what}: ${describe(r.error)}`);
      if (f.calls.length !== 1) problems.push(`${what}: fetch called ${f.calls.length} times, not once`);
    }
    assert.deepEqual(problems, []);
  },

  /** Streams that break or hand out non-bytes: a final failure after one call, never a hang or a crash. */
  async 'hostile-streams'() {
    const broken = () => new Response(new ReadableStream({
      start(c) { c.enqueue(bytes('{"ret":200,')); },
      pull() { throw new Error('stream broke'); },
    }));
    const strings = () => new Response(new ReadableStream({ start(c) { c.enqueue(OK_JSON); c.close(); } }));
    for (const [what, make] of [['a body stream that errors', broken], ['a body stream of strings', strings]]) {
      const f = counted(() => Promise.resolve(make()));
      const { error } = await rejects(revokeMsg({ appId: 'wx_app', toWxid: 'wxid_x', msgId: '1', newMsgId: '2', createTime: '0' },
        { token: 'hostile-token-123456', baseUrl: 'http://127.0.0.1:9/v2/api', fetch: f, retries: 3, timeoutMs: 3000 }), {}, { label: what });
      assert.ok(['BAD_RESPONSE', 'NETWORK'].includes(error.code), `${what}: ${describe(error)}`);
      assert.equal(f.calls.length, 1, `${what}: not retried`);
    }
  },

  /** Thenables and Promises with throwing parts, thrown oddities: NETWORK, one call, settles. */
  async 'hostile-thenables'() {
    const problems = [];
    for (const [what, impl] of Object.entries(badThrows())) {
      const f = counted(impl);
      const r = await settle(() => revokeMsg({ appId: 'wx_app', toWxid: 'wxid_x', msgId: '1', newMsgId: '2', createTime: '0' },
        { token: 'hostile-token-123456', baseUrl: 'http://127.0.0.1:9/v2/api', fetch: f, retries: 3, timeoutMs: 2000 }), 4000, what);
      if (r.ok) problems.push(`${what}: resolved`);
      else if (!(r.error instanceof GeweError) || r.error.code !== 'NETWORK') problems.push(`${what}: ${describe(r.error)}`);
      if (f.calls.length !== 1) problems.push(`${what}: fetch called ${f.calls.length} times, not once`);
    }
    assert.deepEqual(problems, []);
  },

  /** Caller-side hostility: fake and booby-trapped signals, revoked and throwing Proxies as lists, params, options. */
  async 'hostile-inputs'() {
    const s = await standin();
    const f = counted();
    const options = { token: s.token, baseUrl: s.baseUrl, fetch: f };
    const client = new GeweClient({ ...options, appId: s.appId });
    const p = await fresh(s);
    const fake = Object.create(AbortSignal.prototype);

    await rejects(revokeMsg(p, { ...options, signal: fake }), { code: 'INVALID_OPTIONS', field: 'signal' }, { label: 'revokeMsg with a fake signal' });
    await rejects(client.revokeMsg(p, { signal: fake }), { code: 'INVALID_OPTIONS', field: 'signal' }, { label: 'client.revokeMsg with a fake signal' });
    await rejects(client.revokeMany([p], { signal: fake }), { code: 'INVALID_OPTIONS', field: 'signal' }, { label: 'revokeMany with a fake signal' });
    assert.equal(f.calls.length, 0, 'a fake signal sends nothing');
    assert.equal(s.stats.revokeMsg, 0);

    const { proxy: revokedList, revoke } = Proxy.revocable([], {});
    revoke();
    await rejects(client.revokeMany(revokedList), { code: 'INVALID_PARAMS', field: 'list' }, { label: 'revokeMany(revoked Proxy)' });

    // A real AbortSignal whose own members throw: the call settles either way (a GeweError or, reading the
    // signal's internal state, a result), never an escape.
    for (const member of ['aborted', 'reason', 'addEventListener', 'removeEventListener', 'throwIfAborted']) {
      const signal = new AbortController().signal;
      Object.defineProperty(signal, member, { get() { throw new Error(`signal.${member}`); } });
      const r = await settle(() => revokeMsg(p, { token: s.token, baseUrl: s.baseUrl, signal }), 4000, `signal.${member} throws`);
      assert.ok(r.ok || r.error instanceof GeweError, `signal.${member} throws: ${describe(r.error)}`);
    }

    // Params and options as Proxies that throw from every trap, or revoked: a GeweError, nothing sent.
    const before = f.calls.length;
    const traps = Object.fromEntries(['get', 'has', 'getOwnPropertyDescriptor', 'ownKeys', 'getPrototypeOf'].map((t) => [t, () => { throw new Error(`trap ${t}`); }]));
    const { proxy: revokedObject, revoke: revoke2 } = Proxy.revocable({}, {});
    revoke2();
    for (const [what, call] of [
      ['params Proxy', () => revokeMsg(new Proxy({ ...p }, traps), options)],
      ['revoked params', () => revokeMsg(revokedObject, options)],
      ['options Proxy', () => revokeMsg(p, new Proxy({ ...options }, traps))],
      ['revoked options', () => revokeMsg(p, revokedObject)],
      ['client options Proxy', () => new GeweClient(new Proxy({ ...options }, traps))],
      ['per-call options Proxy', () => client.revokeMsg(p, new Proxy({}, traps))],
      ['revokeMany options Proxy', () => client.revokeMany([p], new Proxy({}, traps))],
      ['revokeMany revoked options', () => client.revokeMany([p], revokedObject)],
    ]) {
      const { error } = await rejects(call, {}, { label: what });
      assert.ok(['INVALID_PARAMS', 'INVALID_OPTIONS'].includes(error.code), `${what}: ${describe(error)}`);
    }
    assert.equal(f.calls.length, before, 'a throwing Proxy sends nothing');

    // A Proxy list whose item getter throws for index 1: that item fails INVALID_PARAMS/params, the others proceed.
    const items = [await fresh(s), await fresh(s), await fresh(s)];
    const list = new Proxy(items, { get(t, k, r) { if (k === '1') throw new Error('item 1 getter'); return Reflect.get(t, k, r); } });
    s.resetCounters();
    const { value: results } = await resolves(client.revokeMany(list), { label: 'revokeMany(Proxy with a throwing item)' });
    assert.equal(results.length, 3);
    assert.equal(results[0].ok, true, describe(results[0].error));
    assert.equal(results[2].ok, true, describe(results[2].error));
    assert.equal(results[1].ok, false);
    assert.ok(results[1].error instanceof GeweError);
    assert.deepEqual([results[1].error.code, results[1].error.field], ['INVALID_PARAMS', 'params']);
    assert.equal(s.stats.revokeMsg, 2);
    assert.equal(s.message(items[0].newMsgId).revoked, true);
    assert.equal(s.message(items[2].newMsgId).revoked, true);
  },

  /** A hostile call fails at once while an unrelated call (real stand-in, slow 300 ms) resolves on time. */
  async 'hostile-unrelated'() {
    const s = await standin();
    const p = await fresh(s);
    s.fault('slow', { delayMs: 300 });
    const start = performance.now();
    const real = settle(revokeMsg(p, { token: s.token, baseUrl: s.baseUrl }), 4000, 'the unrelated call');
    const hostileShapes = { ...badAnswers(), ...badThrows() };
    delete hostileShapes['a pending Promise whose constructor getter throws']; // settles with NETWORK too, checked above
    const params = { appId: 'wx_app', toWxid: 'wxid_x', msgId: '1', newMsgId: '2', createTime: '0' };
    const hostileCalls = Object.entries(hostileShapes).map(([what, impl]) =>
      // retries 0: whether a shape is retried is checked above; here only how fast it fails matters.
      settle(revokeMsg(params, { token: 'hostile-token-123456', baseUrl: 'http://127.0.0.1:9/v2/api', fetch: impl, retries: 0, timeoutMs: 3000 }), 4000, what)
        .then((r) => ({ what, ...r, at: performance.now() - start })));
    let otherAt = Infinity;
    const other = await real.then((r) => ((otherAt = performance.now() - start), r));
    const hostileResults = await Promise.all(hostileCalls);
    assert.ok(other.ok, `the unrelated call failed: ${describe(other.error)}`);
    for (const r of hostileResults) {
      assert.ok(!r.ok && r.error instanceof GeweError, `${r.what}: ${r.ok ? 'resolved' : describe(r.error)}`);
      assert.ok(r.at < otherAt, `${r.what} failed only after ${r.at.toFixed(0)} ms, not while the other call was in flight (it resolved at ${otherAt.toFixed(0)} ms)`);
    }
    assert.deepEqual(other.value, { ret: 200, msg: '操作成功' });
    assert.ok(other.ms >= 290 && other.ms < 1500, `the unrelated call took ${other.ms.toFixed(0)} ms (slow 300)`);
    assert.equal(s.message(p.newMsgId).revoked, true);
  },
};
