// The load loop shared by the Node and workerd benchmarks.

/**
 * Runs `calls` calls of `call` with `concurrency` in flight. `now` is the clock (workerd's advances only on I/O).
 * @returns {Promise<{ ms: number, latencies: Float64Array, errors: number }>}
 */
export async function load(call, calls, concurrency, now = () => performance.now()) {
  const latencies = new Float64Array(calls);
  let next = 0;
  let errors = 0;
  const started = now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls) {
        const i = next++;
        const t = now();
        await call().catch(() => errors++);
        latencies[i] = now() - t;
      }
    }),
  );
  return { ms: now() - started, latencies, errors };
}
