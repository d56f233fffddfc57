// Compiled with `tsc --strict --noEmit` (tests/types/tsconfig.json): the declarations accept real usage and refuse misuse.
import { revokeMsg, buildRevokeRequest, parseSendReceipt, normalizeRevokeParams, REVOKE_WINDOW_SEC, MAX_TIMEOUT_MS, GeweClient, GeweError } from 'gewe-revoke';
import type { CanonicalRevokeParams } from 'gewe-revoke';
import type { GeweErrorCode, RevokeOutcome, RevokeResult, SendReceipt, JsonValue } from 'gewe-revoke';
import wasm from 'gewe-revoke/wasm';

// The .wasm subpath is typed: `unknown`, since what importing it yields is up to the tool.
export const wasmFile: unknown = wasm;

declare const sendResponse: Response;
declare const env: { GEWE_TOKEN: string; GEWE_APP_ID: string; SERVICE: { fetch: typeof fetch } };

export async function usage(): Promise<void> {
  const receipt: SendReceipt = parseSendReceipt(await sendResponse.text());
  const result: RevokeResult = await revokeMsg({ appId: env.GEWE_APP_ID, ...receipt }, { token: env.GEWE_TOKEN });
  const ret: 200 = result.ret;
  void ret;

  await revokeMsg(
    { toWxid: 'wxid_a', msgId: 0, newMsgId: 5271007655758710001n, createTime: '1704163145' },
    { token: 't', appId: 'wx', baseUrl: 'http://10.0.0.2:2531/v2/api', timeoutMs: 0, retries: 0, revokeWindowSec: null, fetch: env.SERVICE.fetch, signal: AbortSignal.timeout(5000) },
  );

  const request: Request = buildRevokeRequest({ appId: 'wx', ...receipt }, { token: 't' });
  void request;

  const canonical: CanonicalRevokeParams = normalizeRevokeParams({ appId: 'wx', ...receipt });
  const newMsgId: string = canonical.newMsgId;
  const windowSec: number = REVOKE_WINDOW_SEC;
  const maxTimeout: number = MAX_TIMEOUT_MS;
  void newMsgId, windowSec, maxTimeout;

  const client = new GeweClient({ token: env.GEWE_TOKEN, appId: env.GEWE_APP_ID, fetch });
  await client.revokeMsg(receipt, { timeoutMs: 3000 });
  const outcomes: RevokeOutcome[] = await client.revokeMany([receipt, receipt], { concurrency: 2, intervalMs: 1000 });
  for (const o of outcomes) {
    if (o.ok) {
      const msg: string = o.result.msg;
      void msg;
    } else {
      const code: GeweErrorCode = o.error.code;
      const data: JsonValue | undefined = o.error.data;
      void code, data;
    }
  }
  client.free();

  try {
    await revokeMsg({ appId: 'wx', ...receipt }, { token: 't' });
  } catch (e) {
    if (e instanceof GeweError) {
      switch (e.code) {
        case 'API_ERROR': {
          const r: number | undefined = e.ret;
          const m: string | undefined = e.apiMsg;
          void r, m;
          break;
        }
        case 'HTTP_STATUS': {
          const s: number | undefined = e.status;
          void s;
          break;
        }
        case 'NETWORK': {
          const cause: unknown = e.cause;
          void cause;
          break;
        }
        default: {
          const f: string | undefined = e.field;
          void f;
        }
      }
    }
  }
  const own = new GeweError('TIMEOUT', 'took too long', { field: 'timeoutMs' });
  void own;
}

export async function misuse(): Promise<void> {
  // @ts-expect-error the token is required
  await revokeMsg({ appId: 'wx', toWxid: 'a', msgId: 0, newMsgId: '1', createTime: '0' }, {});
  // @ts-expect-error appId must come from the params or the options
  await revokeMsg({ toWxid: 'a', msgId: 0, newMsgId: '1', createTime: '0' }, { token: 't' });
  // @ts-expect-error ids are strings, bigints or numbers, not booleans
  await revokeMsg({ appId: 'wx', toWxid: 'a', msgId: true, newMsgId: '1', createTime: '0' }, { token: 't' });
  // @ts-expect-error parseSendReceipt takes the raw text, not a parsed object
  parseSendReceipt({ ret: 200 });
  // @ts-expect-error normalizeRevokeParams needs the appId in the params
  normalizeRevokeParams({ toWxid: 'a', msgId: 0, newMsgId: '1', createTime: '0' });
  // @ts-expect-error no such error code
  const code: GeweErrorCode = 'OOPS';
  void code;
  // @ts-expect-error revokeWindowSec is a number or null
  new GeweClient({ token: 't', revokeWindowSec: '120' });
  // @ts-expect-error the .wasm subpath is unknown: narrow it before use
  new WebAssembly.Instance(wasm);
}
