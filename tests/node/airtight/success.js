// Contract item 9: a success is a success. ret 200 resolves even when data nests deeper than 64 or its JSON text
// is larger than 64 KiB; then data is omitted (from the result, and from API_ERROR errors likewise).
import { revokeMsg } from 'gewe-revoke';
import { assert, standin, fresh, rejects, resolves } from './lib.js';

const nestedArrays = (depth) => '['.repeat(depth) + ']'.repeat(depth);
const nestedObjects = (depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

export const success = {
  async 'success-large-data'() {
    const s = await standin();
    const options = { token: s.token, baseUrl: s.baseUrl };
    const p = await fresh(s);
    const echo = (text) => s.fault('echoBody', { body: text, headers: { 'content-type': 'application/json' } });

    for (const [what, data] of [
      ['arrays nested 100 deep', nestedArrays(100)],
      ['objects nested 100 deep', nestedObjects(100)],
      ['100 KB of data', JSON.stringify({ blob: 'x'.repeat(100 * 1024), id: 1 })],
      ['2,000 small members (70 KB)', JSON.stringify(Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, 'v'.repeat(25)])))],
    ]) {
      echo(`{"ret":200,"msg":"操作成功","data":${data}}`);
      const { value } = await resolves(revokeMsg(p, options), { label: `ret 200 with ${what}` });
      assert.equal(value.ret, 200, what);
      assert.equal(value.msg, '操作成功', what);
      assert.ok(!('data' in value), `${what}: data is omitted`);
    }
    // Small data still comes through, exact.
    echo('{"ret":200,"msg":"操作成功","data":{"deep":[[[{"id":18446744073709551615}]]]}}');
    const { value: small } = await resolves(revokeMsg(p, options), { label: 'small data' });
    assert.deepEqual(small.data, { deep: [[[{ id: '18446744073709551615' }]]] });

    for (const [what, data] of [['nested 100 deep', nestedObjects(100)], ['of 100 KB', JSON.stringify({ blob: 'y'.repeat(100 * 1024) })]]) {
      echo(`{"ret":500,"msg":"撤回消息失败","data":${data}}`);
      const { error } = await rejects(revokeMsg(p, options), { code: 'API_ERROR', ret: 500, apiMsg: '撤回消息失败' }, { label: `ret 500 with data ${what}` });
      assert.equal(error.data, undefined, `API_ERROR with data ${what}: data is omitted`);
    }
  },
};
