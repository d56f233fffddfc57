// Imported by deno.js only: the .wasm as a WebAssembly.Module (source phase import, Deno 2.6+).
import source wasmModule from './wasm/gewe_revoke_bg.wasm';

export default wasmModule;
