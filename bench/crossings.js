// How many times each call crosses between JS and wasm: `node bench/crossings.js` prints JSON: per call of each API,
// the calls from wasm into JS (imports) and from JS into wasm (exports). Unlike a time, the count is exact and the same
// on every machine. It wraps `WebAssembly.Instance` before the package loads, so it runs in a process of its own.
// It also times a bare crossing, so the count can be turned into an upper bound on what fewer crossings would save.
const counts = { imports: 0, exports: 0 };
const counted = (functions, kind) => {
  const wrapped = {};
  for (const [name, value] of Object.entries(functions)) {
    wrapped[name] =
      typeof value === 'function'
        ? function (...args) {
            counts[kind]++;
            return value.apply(this, args);
          }
        : value;
  }
  return wrapped;
};
const Instance = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  const modules = Object.fromEntries(Object.entries(imports).map(([name, functions]) => [name, counted(functions, 'imports')]));
  return { exports: counted(new Instance(module, modules).exports, 'exports') };
};

const { GeweClient, buildRevokeRequest, parseSendReceipt, revokeMsg } = await import('gewe-revoke');
const { inMemory, revokeParams, SENT } = await import('./fixture.js');

const params = revokeParams('wx_a');
const { options } = inMemory();
const client = new GeweClient(options);

const CALLS = 100;
const per = async (call) => {
  await call(); // the first call makes the instance's cached JS values
  counts.imports = counts.exports = 0;
  for (let i = 0; i < CALLS; i++) await call();
  return { imports: counts.imports / CALLS, exports: counts.exports / CALLS };
};
/**
 * Nanoseconds per bare crossing: a wasm loop calling an imported JS function that tests its argument for `undefined`,
 * the cheapest thing the library crosses for. The module, written out by hand:
 *   (import "m" "f" (func $f (param externref) (result i32)))
 *   (func (export "run") (param $n i32) (param $v externref) (result i32) (local $sum i32)
 *     (loop (local.set $sum (i32.add (local.get $sum) (call $f (local.get $v))))
 *           (br_if 0 (local.tee $n (i32.sub (local.get $n) (i32.const 1))))) (local.get $sum))
 */
function bareCrossingNs() {
  // prettier-ignore
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
    0x01, 0x0c, 0x02, 0x60, 0x01, 0x6f, 0x01, 0x7f, 0x60, 0x02, 0x7f, 0x6f, 0x01, 0x7f, // types
    0x02, 0x07, 0x01, 0x01, 0x6d, 0x01, 0x66, 0x00, 0x00, // import m.f
    0x03, 0x02, 0x01, 0x01, // one function of type 1
    0x07, 0x07, 0x01, 0x03, 0x72, 0x75, 0x6e, 0x00, 0x01, // export run
    0x0a, 0x1d, 0x01, 0x1b, 0x01, 0x01, 0x7f, // code: one body, one i32 local
    0x03, 0x40, 0x20, 0x02, 0x20, 0x01, 0x10, 0x00, 0x6a, 0x21, 0x02, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x22, 0x00, 0x0d, 0x00, 0x0b, 0x20, 0x02, 0x0b,
  ]);
  const f = (v) => (v === undefined ? 1 : 0);
  const { run } = new Instance(new WebAssembly.Module(bytes), { m: { f } }).exports;
  const N = 2_000_000;
  const rounds = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    if (run(N, undefined) !== N) throw new Error('the bare-crossing module miscounted');
    rounds.push(((performance.now() - t) * 1e6) / N);
  }
  return rounds.sort((a, b) => a - b)[2];
}

console.log(
  JSON.stringify({
    bareCrossingNs: bareCrossingNs(),
    calls: {
      'revokeMsg(params, options)': await per(() => revokeMsg(params, options)),
      'client.revokeMsg(params)': await per(() => client.revokeMsg(params)),
      'buildRevokeRequest(params, options)': await per(() => buildRevokeRequest(params, options)),
      'parseSendReceipt(text)': await per(() => parseSendReceipt(SENT)),
    },
  }),
);
