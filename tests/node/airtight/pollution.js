// Contract item 5: options, params and per-call options are read from own properties only. A polluted
// Object.prototype changes nothing.
import { revokeMsg, buildRevokeRequest, GeweClient, GeweError } from 'gewe-revoke';
import { assert, standin, recorder, fresh, rejects, resolves, describe } from './lib.js';

export const pollution = {
  async 'pollution-prototype'() {
    const s = await standin();
    const other = await recorder();
    const messages = [await fresh(s), await fresh(s), await fresh(s), await fresh(s), await fresh(s), await fresh(s)];
    let pollutedFetchCalls = 0;
    const polluted = {
      baseUrl: `${other.origin}/gewe/v2/api`,
      fetch: () => {
        pollutedFetchCalls++;
        return Promise.resolve(new Response('{"ret":200,"msg":"polluted"}'));
      },
      token: 'polluted-token-0000',
      appId: 'wx_polluted',
      toWxid: 'wxid_polluted',
      msgId: '1',
      newMsgId: '2',
      createTime: '0',
      revokeWindowSec: 0,
      timeoutMs: 1,
      retries: 10,
      maxResponseBytes: 1,
      concurrency: 65,
      intervalMs: 3000,
    };
    s.resetCounters();
    // Phase 1, against the real stand-in over Node's fetch: every key but `signal` (Node's own streams read
    // options.signal through the prototype, so a polluted signal breaks sockets whatever the library does; it gets
    // phase 2, with an injected fetch and no socket).
    try {
      Object.assign(Object.prototype, polluted);

      const options = { token: s.token, baseUrl: s.baseUrl };
      // A normal call: the real fetch, the given baseUrl, no signal, the default deadline, window and cap.
      const [p0, p1, p2, p3, p4, p5] = messages;
      const { value } = await resolves(revokeMsg(p0, options), { label: 'revokeMsg under pollution' });
      assert.deepEqual({ ...value }, { ret: 200, msg: '操作成功' });
      assert.equal(s.message(p0.newMsgId).revoked, true);

      // Missing own values are missing, whatever the prototype holds.
      await rejects(revokeMsg(p1, { baseUrl: s.baseUrl }), { code: 'INVALID_OPTIONS', field: 'token' }, { label: 'no own token' });
      const { appId: _a, ...noAppId } = p1;
      await rejects(revokeMsg(noAppId, options), { code: 'INVALID_PARAMS', field: 'appId' }, { label: 'no own appId' });
      for (const field of ['toWxid', 'msgId', 'newMsgId', 'createTime']) {
        const { [field]: _gone, ...rest } = p1;
        await rejects(revokeMsg(rest, options), { code: 'INVALID_PARAMS', field }, { label: `no own ${field}` });
      }
      assert.equal(buildRevokeRequest(p1, { token: 'own-token-123456' }).url, 'http://api.geweapi.com/gewe/v2/api/message/revokeMsg', 'the default baseUrl');
      assert.equal(buildRevokeRequest(p1, { token: 'own-token-123456' }).headers.get('x-gewe-token'), 'own-token-123456');
      await rejects(() => buildRevokeRequest(p1, {}), { code: 'INVALID_OPTIONS', field: 'token' }, { label: 'buildRevokeRequest, no own token' });
      await rejects(() => new GeweClient({}), { code: 'INVALID_OPTIONS', field: 'token' }, { label: 'new GeweClient, no own token' });

      // A client and its per-call options; revokeMany's options.
      const client = new GeweClient({ token: s.token, baseUrl: s.baseUrl, appId: s.appId });
      await resolves(client.revokeMsg(p2, {}), { label: 'client.revokeMsg(params, {})' });
      const { appId: _b, ...p3NoApp } = p3;
      await resolves(client.revokeMsg(p3NoApp), { label: 'client.revokeMsg, appId from the client' });
      assert.equal(s.revokeCalls.at(-1).body.appId, s.appId);
      const { value: results, ms } = await resolves(client.revokeMany([p4, p5], {}), { label: 'client.revokeMany(list, {})' });
      assert.ok(results.every((r) => r.ok), results.map((r) => describe(r.error)).join('; '));
      assert.ok(ms < 2000, `revokeMany took ${ms.toFixed(0)} ms: a polluted intervalMs was used`);
      for (const p of [p2, p3, p4, p5]) assert.equal(s.message(p.newMsgId).revoked, true);

      // A retryable answer is retried once (the default), not `retries` times from the prototype.
      s.fault('unavailable503', { retryAfter: 0, times: 20 });
      const busy = await rejects(revokeMsg(p1, options), { code: 'HTTP_STATUS', status: 503 }, { label: '503 under pollution' });
      assert.ok(busy.error instanceof GeweError);
      s.clearFaults();
    } finally {
      for (const key of Object.keys(polluted)) delete Object.prototype[key];
    }
    assert.equal(pollutedFetchCalls, 0, 'the polluted fetch was never called');
    assert.equal(other.requests.length, 0, 'the polluted baseUrl got nothing');
    // p0, p2, p3, p4, p5 once each, p1 twice (503 and its one retry).
    assert.equal(s.stats.revokeMsg, 7, 'requests that reached the stand-in');

    // Phase 2: an aborted signal (and everything else) on the prototype; the calls have no signal of their own.
    const ok = '{"ret":200,"msg":"操作成功"}';
    const injected = [];
    const own = (url, init) => {
      injected.push(init);
      return Promise.resolve(new Response(ok));
    };
    const base = { token: 'own-token-123456', baseUrl: 'http://127.0.0.1:9/v2/api', fetch: own };
    const p = { appId: 'wx_app', toWxid: 'wxid_x', msgId: '1', newMsgId: '2', createTime: '0' };
    const outcomes = [];
    const client = new GeweClient(base);
    try {
      Object.assign(Object.prototype, polluted, { signal: AbortSignal.abort(new Error('polluted signal')) });
      for (const call of [
        () => revokeMsg(p, base),
        () => client.revokeMsg(p, {}),
        () => client.revokeMany([p, { ...p, newMsgId: '3' }], {}).then((r) => r.map((x) => (x.ok ? x.result : Promise.reject(x.error)))).then((r) => Promise.all(r)),
      ]) {
        try {
          outcomes.push(await call());
        } catch (e) {
          outcomes.push(e);
        }
      }
    } finally {
      for (const key of [...Object.keys(polluted), 'signal']) delete Object.prototype[key];
    }
    for (const outcome of outcomes) assert.ok(!(outcome instanceof Error), `under a polluted signal: ${describe(outcome)}`);
    assert.equal(injected.length, 4, 'the injected fetch was used: once per call, twice for revokeMany');
    assert.equal(pollutedFetchCalls, 0);
  },
};
