// Contract item 4: redirects are never followed. A 3xx is HTTP_STATUS with `location`; its target gets nothing.
import { revokeMsg, buildRevokeRequest, GeweClient } from 'gewe-revoke';
import { assert, standin, recorder, fresh, rejects, counted, delivered } from './lib.js';

export const redirect = {
  async 'redirect-never-followed'() {
    const s = await standin();
    const other = await recorder(); // another origin on 127.0.0.1 that answers ret 200 to anything
    const target = `${other.origin}/gewe/v2/api/message/revokeMsg`;
    const options = { token: s.token, baseUrl: s.baseUrl, retries: 3 };
    const p = await fresh(s);

    for (const status of [301, 302, 303, 307, 308]) {
      s.resetCounters();
      s.fault('redirect', { status, location: target, times: 5 });
      const { error } = await rejects(revokeMsg(p, options), { code: 'HTTP_STATUS', status, location: target }, { label: `${status} to another origin` });
      delivered(error, false, `${status}`);
      assert.equal(s.stats.revokeMsg, 1, `${status}: one request, no retry`);
    }
    s.resetCounters();
    s.fault('redirect', { status: 307, location: target });
    const client = new GeweClient({ token: s.token, baseUrl: s.baseUrl, appId: s.appId });
    await rejects(client.revokeMsg(p), { code: 'HTTP_STATUS', status: 307, location: target }, { label: 'GeweClient, 307' });
    s.fault('redirect', { status: 308, location: target });
    const [item] = (await client.revokeMany([p]));
    assert.deepEqual([item.ok, item.error?.code, item.error?.status, item.error?.location], [false, 'HTTP_STATUS', 308, target]);
    assert.equal(other.requests.length, 0, `the redirect target got ${other.requests.length} requests: ${JSON.stringify(other.requests.map((r) => [r.method, r.url]))}`);
    assert.equal(s.message(p.newMsgId).revoked, false);

    // A redirect loop (Location: the same URL) sends exactly one request.
    s.resetCounters();
    s.fault('redirect', { status: 302, times: 50 });
    const loop = await rejects(revokeMsg(p, options), { code: 'HTTP_STATUS', status: 302 }, { label: 'a redirect loop' });
    assert.equal(loop.error.location, `${s.baseUrl}/message/revokeMsg`);
    assert.equal(s.stats.revokeMsg, 1, 'a loop is not followed');
    s.clearFaults();
  },

  async 'redirect-manual-init'() {
    const p = { appId: 'wx_app', toWxid: 'wxid_x', msgId: '1', newMsgId: '2', createTime: '0' };
    const options = { token: 'redirect-token-123456', baseUrl: 'http://127.0.0.1:9/v2/api' };
    const request = buildRevokeRequest(p, options);
    assert.equal(request.redirect, 'manual');
    const f = counted(async () => new Response('{"ret":200,"msg":"操作成功"}'));
    await revokeMsg(p, { ...options, fetch: f });
    await new GeweClient({ ...options, fetch: f }).revokeMsg(p);
    assert.equal(f.calls.length, 2);
    for (const { url, init } of f.calls) {
      assert.equal(init.redirect, 'manual', 'the init handed to fetch says redirect: manual');
      assert.equal(new Request(url, init).redirect, 'manual');
    }
  },
};
