// gewe-revoke/callbacks in Cloudflare Workers: Workers forbid compiling wasm from bytes, so the bundler hands us the
// WebAssembly.Module of the .wasm import, instantiated once per isolate at module scope, as workerd.js does.
import wasmModule from './wasm/gewe_revoke_callbacks_bg.wasm';
import { initSync } from './wasm/gewe_revoke_callbacks.js';

initSync({ module: wasmModule });

export { parseCallback } from './wasm/gewe_revoke_callbacks.js';
export { GeweError } from './error.js';
