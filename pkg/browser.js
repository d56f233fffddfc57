// The default entry (browsers, Web Workers, bundlers, Deno): the .wasm travels inlined as base64 and is compiled
// synchronously at import, so there is no file to emit, copy or serve, no top-level await, no init(), and every
// export works as soon as the import resolves. Workers forbid compiling from bytes and take workerd.js instead;
// gewe-revoke/slim is the entry for those who serve the .wasm themselves.
import { initSync } from './wasm/gewe_revoke.js';
import base64 from './wasm/gewe_revoke_base64.js';

const text = atob(base64);
const bytes = new Uint8Array(text.length);
for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
initSync({ module: bytes });

export * from './api.js';
