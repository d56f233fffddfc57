// Contract item 8: one judge for URLs. baseUrl is checked by the platform's WHATWG URL parser when options are
// read, the same way in revokeMsg, buildRevokeRequest and new GeweClient; fetch is never called for a bad one.
import { revokeMsg, buildRevokeRequest, GeweClient } from 'gewe-revoke';
import { assert, rejects, counted } from './lib.js';

const PARAMS = { appId: 'wx_app', toWxid: 'wxid_x', msgId: '1', newMsgId: '2', createTime: '0' };
// The last two pass the core's own check (IDNA is left to the platform) and are refused by the platform's parser.
const BAD = ['http://999.1.1.1/x', 'http://[1:2]/x', 'http://a\uFF20b/x', 'http://xn--/v2/api', 'http://a.XN--zz.com/x'];

export const urls = {
  async 'urls-one-judge'() {
    const f = counted(async () => new Response('{"ret":200,"msg":"操作成功"}'));
    for (const baseUrl of BAD) {
      assert.throws(() => new URL(`${baseUrl}/message/revokeMsg`), TypeError, `${baseUrl} is refused by URL itself`);
      const options = { token: 'urls-token-123456', baseUrl, fetch: f };
      const expected = { code: 'INVALID_OPTIONS', field: 'baseUrl' };
      await rejects(revokeMsg(PARAMS, options), expected, { label: `revokeMsg ${baseUrl}` });
      await rejects(() => buildRevokeRequest(PARAMS, options), expected, { label: `buildRevokeRequest ${baseUrl}` });
      await rejects(() => new GeweClient(options), expected, { label: `new GeweClient ${baseUrl}` });
    }
    assert.equal(f.calls.length, 0, 'fetch is never called for a bad baseUrl');
    // The same parser accepts what it accepts: a good base still works through all three.
    const good = { token: 'urls-token-123456', baseUrl: 'http://127.0.0.1:2531/v2/api', fetch: f };
    assert.equal(buildRevokeRequest(PARAMS, good).url, 'http://127.0.0.1:2531/v2/api/message/revokeMsg');
    await revokeMsg(PARAMS, good);
    await new GeweClient(good).revokeMsg(PARAMS);
    assert.equal(f.calls.length, 2);
    assert.equal(f.calls[0].url, 'http://127.0.0.1:2531/v2/api/message/revokeMsg');
  },
};
