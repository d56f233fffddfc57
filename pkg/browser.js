// Browsers, Web Workers and bundlers: fetch the .wasm that sits beside this file and instantiate it (streaming).
// Vite and webpack follow `new URL(..., import.meta.url)` and emit the file; with esbuild, copy
// wasm/gewe_revoke_bg.wasm into a wasm/ folder beside the bundle.
import init from './wasm/gewe_revoke.js';

await init({ module_or_path: new URL('./wasm/gewe_revoke_bg.wasm', import.meta.url) });

export * from './api.js';
