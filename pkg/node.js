// Node: read the .wasm from disk and instantiate synchronously (init() cannot fetch a file: URL in Node).
import { readFileSync } from 'node:fs';
import { initSync } from './wasm/gewe_revoke.js';

initSync({ module: readFileSync(new URL('./wasm/gewe_revoke_bg.wasm', import.meta.url)) });

export * from './api.js';
