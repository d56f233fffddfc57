// What the benchmarks send, and the in-memory `fetch` the timings without the network use: one definition for
// run.js, ab.js, crossings.js, memory.js and profile.js, so their figures are of the same call.

/** The revoke params of every benchmark. createTime 0: no window check, and the stand-in answers 操作成功 without
 * matching a message (like GeWe). */
export const revokeParams = (appId) => ({ appId, toWxid: 'wxid_bench', msgId: '0', newMsgId: '3768973957878705021', createTime: '0' });

/** A send response as GeWe writes it: the 64-bit newMsgId as a bare number. */
export const SENT = '{"ret":200,"msg":"操作成功","data":{"toWxid":"wxid_friend","createTime":1703841160,"msgId":0,"newMsgId":3768973957878705021,"type":1}}';

/** A `fetch` that answers in memory what the network would: GeWe's JSON with its Content-Length (so the body is read
 * in one step, as from a real server), and options that use it. */
export function inMemory() {
  const body = '{"ret":200,"msg":"操作成功"}';
  const headers = { 'content-type': 'application/json;charset=UTF-8', 'content-length': String(Buffer.byteLength(body)) };
  const answer = () => Promise.resolve(new Response(body, { headers }));
  return { answer, options: { token: 'bench-token-0123456789', baseUrl: 'http://127.0.0.1:9/gewe/v2/api', fetch: answer } };
}
