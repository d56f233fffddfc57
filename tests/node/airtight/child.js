// Runs one Airtight case in this process: `node tests/node/airtight/child.js <case>`. Prints
// `AIRTIGHT PASS <case>` and exits 0 only when the case finished and nothing escaped: an uncaught exception or an
// unhandled rejection fails it at once (exit 1), and a case that never settles hangs (the parent's timeout) or lets
// Node exit with 13 (top-level await never settled). The parent test (../airtight.test.js) judges all of that.
import { poisonResponses } from './poison.js';

const name = process.argv[2];

for (const event of ['uncaughtException', 'unhandledRejection']) {
  process.on(event, (e) => {
    console.error(`AIRTIGHT ${event} in case ${name}:`, e instanceof Error ? e.stack : e);
    process.exit(1);
  });
}

// Cases about a Response whose getters throw need the Response prototype wrapped before the package is loaded,
// in case the bindings keep a reference to the original getters.
if (name?.startsWith('hostile-')) poisonResponses();

const { cases } = await import('./cases.js');
const { cleanup, sleep } = await import('./lib.js');
const run = cases[name];
if (!run) {
  console.error(`unknown case ${name}; known: ${Object.keys(cases).join(', ')}`);
  process.exit(2);
}
let failed;
try {
  await run();
  // Let anything the library left behind surface (a late rejection, an exception in a callback) before passing.
  await sleep(150);
} catch (e) {
  failed = e;
}
await cleanup();
if (failed) {
  console.error(`AIRTIGHT FAIL ${name}:`, failed instanceof Error ? failed.stack : failed);
  process.exit(1);
}
console.log(`AIRTIGHT PASS ${name}`);
process.exit(0);
