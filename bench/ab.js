// Two builds of the package timed against each other and the hand-written calls, in one process with rounds
// alternating, so machine noise falls on all of them alike: `node bench/ab.js DIR_A DIR_B [rounds]`, where each DIR is
// a built package (`pkg`, or a copy of it built from another commit). Prints µs per
// `client.revokeMsg` against the same in-memory `fetch` as BENCHMARKS.md section 4, and each ratio to hand-written JS.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inMemory, revokeParams } from './fixture.js';
import { airtightRevoke, plainRevoke } from './plain.js';

const [dirA, dirB, rounds = '7'] = process.argv.slice(2);
if (!dirA || !dirB) {
  console.error('usage: node bench/ab.js DIR_A DIR_B [rounds]');
  process.exit(2);
}
const load = (dir) => import(pathToFileURL(resolve(dir, 'node.js')).href);
const [A, B] = await Promise.all([load(dirA), load(dirB)]);

const CALLS = 10_000;
const params = revokeParams('wx_a');
const { answer, options } = inMemory();
const [clientA, clientB] = [new A.GeweClient(options), new B.GeweClient(options)];
const variants = {
  [`A ${dirA}`]: () => clientA.revokeMsg(params),
  [`B ${dirB}`]: () => clientB.revokeMsg(params),
  'hand-written': () => plainRevoke(params, options, answer),
  'hand-written, airtight': () => airtightRevoke(params, options, answer),
};

const time = async (call) => {
  const t = performance.now();
  for (let i = 0; i < CALLS; i++) await call();
  return ((performance.now() - t) * 1000) / CALLS;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const call of Object.values(variants)) for (let i = 0; i < 2000; i++) await call(); // warm-up
const out = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < Number(rounds); r++) for (const [k, call] of Object.entries(variants)) out[k].push(await time(call));
const plain = median(out['hand-written']);
for (const [k, xs] of Object.entries(out)) {
  const m = median(xs);
  console.log(`${k.padEnd(48)} ${m.toFixed(1).padStart(6)} µs  ${(m / plain).toFixed(2)}×  [${xs.map((x) => x.toFixed(1)).join(' ')}]`);
}
