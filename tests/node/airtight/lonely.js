// A script whose only pending work is one revoke call: `node tests/node/airtight/lonely.js <variant>`.
// No server, no timer of its own (except where the variant says), no process.exit: the call alone must keep the
// process alive until it settles (Node exits with 13 when a top-level await can never settle), and must not keep
// it alive after. Prints `LONELY <variant> <outcome>`; the parent checks the exit code, the line and the time.
import { revokeMsg } from 'gewe-revoke';

for (const event of ['uncaughtException', 'unhandledRejection']) {
  process.on(event, (e) => {
    console.error(`LONELY ${event}:`, e instanceof Error ? e.stack : e);
    process.exit(1);
  });
}

const variant = process.argv[2];
const params = { appId: 'wx_app', toWxid: 'wxid_x', msgId: '1', newMsgId: '2', createTime: '0' };
const base = { token: 'lonely-token-123456', baseUrl: 'http://127.0.0.1:9/v2/api' };
const never = () => new Promise(() => {});
const endlessBody = async () => new Response(new ReadableStream({
  start(c) { c.enqueue(new TextEncoder().encode('{"ret":200,')); },
  pull() { return new Promise(() => {}); },
}));

const calls = {
  // An injected fetch that ignores the signal and never resolves: TIMEOUT at 500 ms.
  fetch: () => revokeMsg(params, { ...base, fetch: never, timeoutMs: 500 }),
  // A Response whose body never ends (and ignores the signal): TIMEOUT at 500 ms.
  body: () => revokeMsg(params, { ...base, fetch: endlessBody, timeoutMs: 500 }),
  // No deadline, the caller's signal fires from a timer: ABORTED at about 300 ms.
  abort: () => {
    const c = new AbortController();
    setTimeout(() => c.abort(), 300);
    return revokeMsg(params, { ...base, fetch: never, timeoutMs: 0, signal: c.signal });
  },
  // A call that succeeds at once under the default 10 s deadline: the process must end now, not in 10 s.
  success: () => revokeMsg(params, { ...base, fetch: async () => new Response('{"ret":200,"msg":"操作成功"}') }),
};

if (!calls[variant]) {
  console.error(`unknown variant ${variant}`);
  process.exit(2);
}
const start = performance.now();
try {
  const result = await calls[variant]();
  console.log(`LONELY ${variant} ok ${result?.msg} ${Math.round(performance.now() - start)}`);
} catch (e) {
  console.log(`LONELY ${variant} ${e?.code ?? e?.name} ${Math.round(performance.now() - start)}`);
}
