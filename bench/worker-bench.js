// Runs inside workerd: `n` revokes at concurrency `c`, through gewe-revoke, hand-written fetch or the hand-written call
// held to the library's rules (`airtight`), timed per call (workerd's clock advances on I/O, so per-call times have
// 1 ms resolution).
import { revokeMsg } from 'gewe-revoke';
import { airtightRevoke, plainRevoke } from './plain.js';
import { load } from './load.js';

export default {
  async fetch(request, env) {
    const q = new URL(request.url).searchParams;
    const n = Number(q.get('n'));
    const c = Number(q.get('c'));
    const params = JSON.parse(env.PARAMS);
    const options = { token: env.TOKEN, baseUrl: env.BASE_URL };
    const calls = { lib: () => revokeMsg(params, options), js: () => plainRevoke(params, options), airtight: () => airtightRevoke(params, options) };
    const call = calls[q.get('mode')];
    if (!call) return new Response('mode: lib, js or airtight', { status: 400 });
    const { ms, latencies, errors } = await load(call, n, c, Date.now);
    return Response.json({ ms, latencies: Array.from(latencies), errors });
  },
};
