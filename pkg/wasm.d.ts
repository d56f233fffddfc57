/**
 * `gewe-revoke/wasm`: the package's WebAssembly file, for tools that need its path or want to serve it themselves
 * (`require.resolve('gewe-revoke/wasm')`, `import.meta.resolve('gewe-revoke/wasm')`). Every entry of the package loads
 * it on its own; what importing it yields depends on the tool (a `WebAssembly.Module` under wrangler, a URL string
 * with esbuild's `file` loader), hence `unknown`.
 */
declare const wasm: unknown;
export default wasm;
