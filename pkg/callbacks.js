// gewe-revoke/callbacks, the default entry (browsers, Web Workers, bundlers, Deno, Bun): parseCallback in a .wasm of
// its own, so users who only revoke never load it. Loaded as browser.js loads the main module: inlined as base64 and
// compiled synchronously at import. Workers take callbacks-workerd.js, Node callbacks-node.js.
import { initSync } from './wasm/gewe_revoke_callbacks.js';
import base64 from './wasm/gewe_revoke_callbacks_base64.js';

const text = atob(base64);
const bytes = new Uint8Array(text.length);
for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
initSync({ module: bytes });

export { parseCallback } from './wasm/gewe_revoke_callbacks.js';
export { GeweError } from './error.js';
