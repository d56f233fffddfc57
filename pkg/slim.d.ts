/**
 * `gewe-revoke/slim`: the same API as `gewe-revoke`, without the `.wasm` inside. Call `init` once, before any other
 * export, with where `gewe-revoke/wasm` is: its URL, a `Response`, its bytes or a compiled `WebAssembly.Module`.
 */
export * from './index.js';

/**
 * A compiled `WebAssembly.Module`, where the types in use declare one (the DOM library does; `@types/node` alone
 * does not, and there it is `never`).
 */
export type CompiledWasm = typeof globalThis extends { WebAssembly: { Module: { prototype: infer M } } } ? M : never;

/** What `init` loads the package's `.wasm` from. A URL or a `Request` is fetched with the global `fetch`. */
export type WasmSource = string | URL | Request | Response | ArrayBuffer | ArrayBufferView | CompiledWasm;

/** Loads and instantiates the `.wasm`; resolves once every export works. Later calls resolve at once. */
export function init(source: WasmSource | PromiseLike<Response>): Promise<void>;

/** Instantiates the `.wasm` synchronously from its bytes or a compiled `WebAssembly.Module`. */
export function initSync(source: ArrayBuffer | ArrayBufferView | CompiledWasm): void;
