// Cloudflare Workers (workerd): Workers forbid compiling wasm from bytes, so the bundler hands us the
// WebAssembly.Module for the .wasm import; instantiate it once per isolate, at module scope.
import wasmModule from './wasm/gewe_revoke_bg.wasm';
import { initSync } from './wasm/gewe_revoke.js';

initSync({ module: wasmModule });

export * from './api.js';
