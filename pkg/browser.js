// Browsers, Web Workers and bundlers: fetch the .wasm that sits beside this file and instantiate it (streaming), with
// top-level await, so every export is ready once the import resolves. Vite, webpack and Rollup (with an assets plugin)
// follow `new URL(..., import.meta.url)` and emit the file; with esbuild, copy wasm/gewe_revoke_bg.wasm into a wasm/
// folder beside the bundle. A server that answers with anything but the file fails here, with what to do.
import init from './wasm/gewe_revoke.js';

const url = new URL('./wasm/gewe_revoke_bg.wasm', import.meta.url);
const response = await fetch(url);
const type = response.headers.get('Content-Type') ?? '';
if (!response.ok || /^text\/html\b/i.test(type)) {
  throw new Error(
    `gewe-revoke could not load its WebAssembly: ${url.href} answered ${response.status}${type ? ` (${type})` : ''}, ` +
      "not the .wasm. Serve the package's wasm/gewe_revoke_bg.wasm at that URL: with esbuild, copy it into a wasm/ " +
      "folder beside the bundle; with Vite before 8, add optimizeDeps: { exclude: ['gewe-revoke'] } for the dev server.",
  );
}
await init({ module_or_path: response });

export * from './api.js';
