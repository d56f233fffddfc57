// The package's surface against the Rust that implements it: normalizeRevokeParams, the exported limits, and the
// error codes and fields of index.d.ts, which must be exactly the ones src/core produces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import {
  GeweClient, GeweError, MAX_TIMEOUT_MS, normalizeRevokeParams, REVOKE_WINDOW_SEC, revokeMsg,
} from 'gewe-revoke';

const root = new URL('../../', import.meta.url);
const read = (path) => readFileSync(new URL(path, root), 'utf8');
const sources = (dir) => readdirSync(new URL(dir, root)).filter((f) => f.endsWith('.rs')).map((f) => read(`${dir}${f}`)).join('\n');
const rust = sources('src/core/');
// The shell names a few fields too (per-call options such as intervalMs), always through a core validator.
const shell = sources('src/wasm/');
const dts = read('pkg/index.d.ts');

/** The string members of the union type `name` in index.d.ts. */
function union(name) {
  const body = dts.match(new RegExp(`export type ${name} =([^;]+);`))?.[1];
  assert.ok(body, `index.d.ts declares ${name}`);
  return new Set([...body.matchAll(/'([^']+)'/g)].map((m) => m[1]));
}

test('normalizeRevokeParams gives the strings the request carries', () => {
  const params = { appId: ' wx_app ', toWxid: ' wxid_a ', msgId: 769533801, newMsgId: 18446744073709551615n, createTime: '0017', type: 1 };
  const before = structuredClone(params);
  assert.deepEqual(normalizeRevokeParams(params), {
    appId: 'wx_app', toWxid: 'wxid_a', msgId: '769533801', newMsgId: '18446744073709551615', createTime: '17',
  });
  assert.deepEqual(params, before, 'the input is left alone');
});

test('normalizeRevokeParams refuses what revokeMsg refuses, synchronously, with the same code and field', async () => {
  const good = { appId: 'wx', toWxid: 'w', msgId: '1', newMsgId: '2', createTime: '0' };
  for (const [params, code, field] of [
    [null, 'INVALID_PARAMS', 'params'],
    ['x', 'INVALID_PARAMS', 'params'],
    [{ ...good, appId: undefined }, 'INVALID_PARAMS', 'appId'],
    [{ ...good, toWxid: '' }, 'INVALID_PARAMS', 'toWxid'],
    [{ ...good, msgId: -1 }, 'INVALID_PARAMS', 'msgId'],
    [{ ...good, newMsgId: 2 ** 60 }, 'UNSAFE_INTEGER', 'newMsgId'],
    [{ ...good, newMsgId: '{{newMsgId}}' }, 'PLACEHOLDER', 'newMsgId'],
    [{ ...good, createTime: 1.5 }, 'INVALID_PARAMS', 'createTime'],
  ]) {
    let thrown;
    try {
      normalizeRevokeParams(params);
    } catch (e) {
      thrown = e;
    }
    assert.ok(thrown instanceof GeweError, `${JSON.stringify(params)} throws a GeweError`);
    assert.deepEqual([thrown.code, thrown.field], [code, field]);
    const sent = await revokeMsg(params, { token: 'tok-surface-1234', baseUrl: 'http://127.0.0.1:9/gewe/v2/api' }).catch((e) => e);
    assert.deepEqual([sent.code, sent.field], [code, field], 'revokeMsg agrees');
  }
});

test('REVOKE_WINDOW_SEC and MAX_TIMEOUT_MS are the limits the library applies', async () => {
  const rustConst = (name) => Number(rust.match(new RegExp(`pub const ${name}: \\w+ = ([\\d_]+);`))?.[1].replaceAll('_', ''));
  assert.equal(REVOKE_WINDOW_SEC, rustConst('DEFAULT_REVOKE_WINDOW_SEC'));
  assert.equal(MAX_TIMEOUT_MS, rustConst('MAX_TIMEOUT_MS'));
  new GeweClient({ token: 'tok-surface-1234', timeoutMs: MAX_TIMEOUT_MS });
  assert.throws(() => new GeweClient({ token: 'tok-surface-1234', timeoutMs: MAX_TIMEOUT_MS + 1 }), (e) => e.field === 'timeoutMs');
  const now = Math.floor(Date.now() / 1000);
  const options = { token: 'tok-surface-1234', appId: 'wx', baseUrl: 'http://127.0.0.1:9/gewe/v2/api', retries: 0 };
  const late = await revokeMsg({ toWxid: 'w', msgId: '1', newMsgId: '2', createTime: now - REVOKE_WINDOW_SEC - 5 }, options).catch((e) => e);
  assert.equal(late.code, 'REVOKE_WINDOW_EXPIRED');
  const inTime = await revokeMsg({ toWxid: 'w', msgId: '1', newMsgId: '2', createTime: now - REVOKE_WINDOW_SEC + 30 }, options).catch((e) => e);
  assert.equal(inTime.code, 'NETWORK', 'inside the window the request is sent (port 9 is blocked, so it fails)');
});

test("index.d.ts's error codes are exactly src/core's", () => {
  const codes = new Set([...rust.matchAll(/Code::\w+ => "([A-Z_]+)"/g)].map((m) => m[1]));
  assert.ok(codes.size >= 11);
  assert.deepEqual(union('GeweErrorCode'), codes);
});

test("index.d.ts's error fields are exactly the fields src/core blames", () => {
  // Every way a field name reaches an Error in the core: the constructors that take one, and the validators.
  const calls = /\b(?:at|invalid_params|invalid_options|whole_number|name|parse|placeholder_error|id\(data,)\(?\s*"([a-zA-Z]+)"/g;
  const blamed = /\bbad\([^;]*?Some\("([a-zA-Z]+)"\)/g;
  const source = `${rust}\n${shell}`.split('#[cfg(test)]').map((part, i) => (i === 0 ? part : part.split('\n}\n').slice(1).join('\n}\n'))).join('\n');
  // The callback reader's fields are the members of GeWe's JSON (`Data.NewMsgId`), listed in its FIELDS, which its
  // native tests hold to the fields its errors name.
  const list = read('src/core/callback.rs').match(/pub const FIELDS: \[&str; \d+\] = \[([^\]]+)\]/)?.[1];
  assert.ok(list, 'src/core/callback.rs declares FIELDS');
  const fields = new Set([
    ...[...source.matchAll(calls), ...source.matchAll(blamed)].map((m) => m[1]),
    ...[...list.matchAll(/"([^"]+)"/g)].map((m) => m[1]),
  ]);
  assert.ok(fields.has('newMsgId') && fields.has('concurrency') && fields.has('text'), [...fields].join(' '));
  assert.ok(fields.has('Data.NewMsgId') && fields.has('Data.Content') && fields.has('rawText'), [...fields].join(' '));
  assert.deepEqual(union('GeweErrorField'), fields);
});
