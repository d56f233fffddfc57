// Contract item 10: revokeMany sends items that validate to the same request once; duplicates share the outcome.
import { GeweClient } from 'gewe-revoke';
import { assert, standin, fresh, resolves, describe } from './lib.js';

export const many = {
  async 'many-duplicates'() {
    const s = await standin();
    const client = new GeweClient({ token: s.token, baseUrl: s.baseUrl, appId: s.appId });
    const a = await fresh(s);
    const b = await fresh(s);
    s.resetCounters();
    const { appId: _a, ...aNoApp } = a;
    const list = [
      a,
      { ...a, appId: ` ${s.appId} `, msgId: Number(a.msgId), newMsgId: BigInt(a.newMsgId), createTime: `0${a.createTime}` },
      b,
      aNoApp,
      { ...a, type: 1, extra: 'ignored' },
    ];
    s.fault('slow', { delayMs: 150, times: 5 });
    const { value: results } = await resolves(client.revokeMany(list, { concurrency: 4 }), { label: 'revokeMany with duplicates' });
    assert.ok(results.every((r) => r.ok), results.map((r) => describe(r.error)).join('; '));
    assert.equal(s.stats.revokeMsg, 2, 'a and b, once each');
    assert.equal(results[1], results[0], 'a duplicate gets the first one\'s outcome object');
    assert.equal(results[3], results[0]);
    assert.equal(results[4], results[0]);
    assert.notEqual(results[2], results[0]);
    assert.equal(s.message(a.newMsgId).revoked, true);
    assert.equal(s.message(b.newMsgId).revoked, true);

    // A failure is shared the same way, and sent once.
    const c = await fresh(s);
    s.resetCounters();
    s.fault('offline', { times: 3 });
    const { value: failed } = await resolves(client.revokeMany([c, { ...c, msgId: BigInt(c.msgId) }, c], { concurrency: 1 }), { label: 'duplicates of a failure' });
    assert.equal(s.stats.revokeMsg, 1);
    assert.equal(failed[0].ok, false);
    assert.equal(failed[0].error.code, 'API_ERROR');
    assert.equal(failed[1], failed[0]);
    assert.equal(failed[2], failed[0]);

    // Items that differ in any field are separate requests.
    const d = await fresh(s);
    s.resetCounters();
    const { value: distinct } = await resolves(client.revokeMany([d, { ...d, toWxid: 'wxid_someone_else' }, { ...d, createTime: '0' }]), { label: 'near duplicates' });
    assert.equal(s.stats.revokeMsg, 3, distinct.map((r) => describe(r.error)).join('; '));
  },
};
