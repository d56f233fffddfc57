// Runs inside workerd: `n` revokes at concurrency `c`, through gewe-revoke or hand-written fetch, timed per call
// (workerd's clock advances on I/O, so per-call times have 1 ms resolution).
import { revokeMsg } from 'gewe-revoke';
import { plainRevoke } from './plain.js';
import { load } from './load.js';

export default {
  async fetch(request, env) {
    const q = new URL(request.url).searchParams;
    const n = Number(q.get('n'));
    const c = Number(q.get('c'));
    const params = JSON.parse(env.PARAMS);
    const options = { token: env.TOKEN, baseUrl: env.BASE_URL };
    const call = q.get('mode') === 'lib' ? () => revokeMsg(params, options) : () => plainRevoke(params, options);
    const { ms, latencies, errors } = await load(call, n, c, Date.now);
    return Response.json({ ms, latencies: Array.from(latencies), errors });
  },
};
