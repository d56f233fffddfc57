// gewe-revoke/callbacks in Node: the callbacks .wasm read from disk and instantiated synchronously, as node.js does.
import { readFileSync } from 'node:fs';
import { initSync } from './wasm/gewe_revoke_callbacks.js';

initSync({ module: readFileSync(new URL('./wasm/gewe_revoke_callbacks_bg.wasm', import.meta.url)) });

export { parseCallback } from './wasm/gewe_revoke_callbacks.js';
export { GeweError } from './error.js';
