// gewe-revoke/slim: the API without the .wasm inside, for those who serve gewe-revoke/wasm themselves (the smallest
// transfer). Call init() once, with the file's URL, a Response, its bytes or a WebAssembly.Module, before any other
// export; it resolves once every export works, and later calls resolve at once.
import initWasm, { initSync as initWasmSync } from './wasm/gewe_revoke.js';

const what = (v) => (v === null ? 'null' : typeof v === 'object' ? Object.prototype.toString.call(v).slice(8, -1) : typeof v);
const isBytes = (v) => v instanceof ArrayBuffer || ArrayBuffer.isView(v);

/**
 * Loads the .wasm from a URL (or its string, fetched with the global fetch), a Request, a Response (or a promise of
 * one), its bytes or a WebAssembly.Module. Rejects with a TypeError naming what it takes, or an Error saying what the URL answered.
 */
export async function init(source) {
  source = await source; // init(fetch(url)) too
  if (typeof source === 'string' || source instanceof URL || (typeof Request === 'function' && source instanceof Request)) {
    source = await fetch(source);
  }
  if (typeof Response === 'function' && source instanceof Response) {
    const type = source.headers.get('Content-Type') ?? '';
    if (!source.ok || /^text\/html\b/i.test(type)) {
      throw new Error(
        `gewe-revoke/slim could not load its WebAssembly: ${source.url || 'the Response'} answered ${source.status}` +
          `${type ? ` (${type})` : ''}, not the .wasm. Serve gewe-revoke/wasm (wasm/gewe_revoke_bg.wasm) at that URL.`,
      );
    }
  } else if (!isBytes(source) && !(source instanceof WebAssembly.Module)) {
    throw new TypeError(`gewe-revoke/slim: init() takes a URL, a Request, a Response, the bytes or a WebAssembly.Module of gewe-revoke/wasm; got ${what(source)}.`);
  }
  await initWasm({ module_or_path: source });
}

/** Instantiates the .wasm synchronously from its bytes or a WebAssembly.Module (throws a TypeError otherwise). */
export function initSync(source) {
  if (!isBytes(source) && !(source instanceof WebAssembly.Module)) {
    throw new TypeError(`gewe-revoke/slim: initSync() takes the bytes or a WebAssembly.Module of gewe-revoke/wasm; got ${what(source)}.`);
  }
  initWasmSync({ module: source });
}

export * from './api.js';
