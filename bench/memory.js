// One memory measurement in a fresh process: `node --expose-gc bench/memory.js lib|plain BASE_URL TOKEN APP_ID CALLS`.
// Prints JSON: heap after GC, RSS, wasm linear memory and the externref table (where wasm keeps JS values) after a
// warm-up and after CALLS successful plus CALLS/5 failing revokes.
import { readFileSync } from 'node:fs';
import { revokeMsg } from 'gewe-revoke';
import { initSync } from '../pkg/wasm/gewe_revoke.js';
import { plainRevoke } from './plain.js';
import { load } from './load.js';
import { revokeParams } from './fixture.js';

const [variant, baseUrl, token, appId, calls] = process.argv.slice(2);
const wasm = initSync({ module: readFileSync(new URL('../pkg/wasm/gewe_revoke_bg.wasm', import.meta.url)) }); // the live instance
// Export names are minified at build time: the linear memory and the externref table are the only ones of their kind.
const memory = Object.values(wasm).find((e) => e instanceof WebAssembly.Memory);
const externrefs = Object.values(wasm).find((e) => e instanceof WebAssembly.Table);
const params = revokeParams(appId);
const options = { token, baseUrl };
const revoke = variant === 'lib' ? (p) => revokeMsg(p, options) : (p) => plainRevoke(p, options);

const snapshot = async () => {
  await new Promise((r) => setTimeout(r, 200));
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss, wasm: memory.buffer.byteLength, externrefs: externrefs.length };
};

await load(() => revoke(params), 2000, 16);
const before = await snapshot();
await load(() => revoke(params), Number(calls), 16);
// Failures allocate too (errors, messages): they must be freed as well.
await load(() => revoke({ ...params, newMsgId: 'x' }).catch(() => undefined), Math.ceil(Number(calls) / 5), 16);
const after = await snapshot();
process.stdout.write(JSON.stringify({ before, after }));
