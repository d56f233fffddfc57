// Deno: 2.6 and later import the .wasm as a module source (a WebAssembly.Module, like the Workers entry), which
// needs no permission. Deno 2.0 to 2.5 cannot parse `import source`; they read the file instead, which needs
// --allow-read.
import { initSync } from './wasm/gewe_revoke.js';

let module;
try {
  module = (await import('./deno-source.js')).default;
} catch (e) {
  if (!(e instanceof SyntaxError)) throw e;
  const { readFileSync } = await import('node:fs');
  module = readFileSync(new URL('./wasm/gewe_revoke_bg.wasm', import.meta.url));
}
initSync({ module });

export * from './api.js';
