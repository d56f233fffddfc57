// Runs inside workerd: `n` revokes at concurrency `c`, through gewe-revoke or hand-written fetch, timed per call.
import { revokeMsg } from 'gewe-revoke';
import { plainRevoke } from './plain.js';

export default {
  async fetch(request, env) {
    const q = new URL(request.url).searchParams;
    const n = Number(q.get('n'));
    const c = Number(q.get('c'));
    const params = JSON.parse(env.PARAMS);
    const options = { token: env.TOKEN, baseUrl: env.BASE_URL };
    const call = q.get('mode') === 'lib' ? () => revokeMsg(params, options) : () => plainRevoke(params, options);
    const latencies = [];
    let next = 0;
    let errors = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: c }, async () => {
        while (next < n) {
          next++;
          const t = Date.now(); // workerd's clock advances on I/O, so per-call times have 1 ms resolution
          await call().catch(() => errors++);
          latencies.push(Date.now() - t);
        }
      }),
    );
    return Response.json({ ms: Date.now() - started, latencies, errors });
  },
};
