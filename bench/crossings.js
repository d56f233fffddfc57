// How many times each call crosses between JS and wasm: `node bench/crossings.js` prints JSON, per call of each API,
// the calls from wasm into JS (imports) and from JS into wasm (exports). Unlike a time, the count is exact and the same
// on every machine. It wraps `WebAssembly.Instance` before the package loads, so it runs in a process of its own.
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

const params = { appId: 'wx_a', toWxid: 'wxid_bench', msgId: '0', newMsgId: '3768973957878705021', createTime: '0' };
const body = '{"ret":200,"msg":"操作成功"}';
const headers = { 'content-type': 'application/json;charset=UTF-8', 'content-length': String(Buffer.byteLength(body)) };
const answer = () => Promise.resolve(new Response(body, { headers }));
const options = { token: 'bench-token-0123456789', baseUrl: 'http://127.0.0.1:9/gewe/v2/api', fetch: answer };
const receipt = '{"ret":200,"msg":"操作成功","data":{"toWxid":"wxid_bench","createTime":1700000000,"msgId":769533801,"newMsgId":3768973957878705021,"type":1}}';
const client = new GeweClient(options);

const CALLS = 100;
const per = async (call) => {
  await call(); // the first call makes the instance's cached JS values
  counts.imports = counts.exports = 0;
  for (let i = 0; i < CALLS; i++) await call();
  return { imports: counts.imports / CALLS, exports: counts.exports / CALLS };
};
console.log(
  JSON.stringify({
    'revokeMsg(params, options)': await per(() => revokeMsg(params, options)),
    'client.revokeMsg(params)': await per(() => client.revokeMsg(params)),
    'buildRevokeRequest(params, options)': await per(() => buildRevokeRequest(params, options)),
    'parseSendReceipt(text)': await per(() => parseSendReceipt(receipt)),
  }),
);
