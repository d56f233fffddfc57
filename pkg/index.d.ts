/**
 * gewe-revoke: recall (撤回) a WeChat message through GeWe's `POST /message/revokeMsg`, keeping 64-bit ids exact.
 * The same API in browsers, bundlers, Node 20+ and Cloudflare Workers.
 */

/** Any JSON value. Integers beyond 2^53 that GeWe returns inside `data` arrive as exact decimal strings. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * An id or time: a decimal string, a BigInt, or a JS number that is a safe non-negative integer (0 ..= 2^64-1).
 * A number above 2^53-1 has already lost digits and is refused with `UNSAFE_INTEGER`.
 */
export type Id = string | bigint | number;

/** What to revoke: the ids a send endpoint returned. Other properties (a receipt's `type`) are ignored. */
export interface RevokeParams {
  /** The device id. May be omitted when the options carry a default `appId`. */
  appId?: string;
  /** The friend or group the message went to. */
  toWxid: string;
  /** `msgId` from the send response (`"0"` for most text messages). */
  msgId: Id;
  /** `newMsgId` from the send response: the 64-bit id that must arrive exact. */
  newMsgId: Id;
  /** `createTime` (unix seconds) from the send response; `"0"` when GeWe gave none. */
  createTime: Id;
}

/**
 * A `fetch`-compatible function: the global `fetch`, a service binding's `fetch`, a proxy. Called as
 * `fetch(url, init)` with no receiver; `new Request(url, init)` is what `buildRevokeRequest` returns.
 */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Options for a client or a call. */
export interface ClientOptions {
  /** The X-GEWE-TOKEN value. Sent only as that header; never appears in an error. */
  token: string;
  /**
   * The API base, default `http://api.geweapi.com/gewe/v2/api`; self-hosted Gewechat: `http://HOST:2531/v2/api`.
   * In a page (or a browser worker) a path such as `/gewe/v2/api` resolves against its location, for a page behind
   * a proxy; where there is no page (Node, Workers) a path is `INVALID_OPTIONS`.
   */
  baseUrl?: string;
  /** One deadline for the whole call, retries included, in ms. Default 10000; 0 = none; at most 2^31-1. */
  timeoutMs?: number;
  /** Extra attempts after a network failure or an HTTP 429/502/503, with jittered backoff. Default 1; 0..10. */
  retries?: number;
  /** Refuse messages older than this many seconds without sending. Default 120; `null` disables the check. */
  revokeWindowSec?: number | null;
  /** Used instead of the global `fetch`. */
  fetch?: FetchLike;
  /** The appId used when params omit it. */
  appId?: string;
  /**
   * The most bytes of an answer's body that are read; past it the read is cancelled and the call fails
   * `BAD_RESPONSE`. Default 1048576 (1 MiB); 1 ..= 67108864.
   */
  maxResponseBytes?: number;
}

/** Options for `revokeMsg`: client options plus an `AbortSignal`. */
export interface RevokeOptions extends ClientOptions {
  signal?: AbortSignal;
}

/** Per-call options of `GeweClient.revokeMsg`. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
}

/** Options of `GeweClient.revokeMany`. */
export interface ManyOptions {
  /** How many revokes run at once. Default 4; 1..64. */
  concurrency?: number;
  /** The least time between two revokes' starts, in ms (GeWe warns about call frequency). Default 0. */
  intervalMs?: number;
  /** Aborts in-flight items and fails the rest with `ABORTED`; the call still resolves. */
  signal?: AbortSignal;
}

/** GeWe's answer to a successful revoke. */
export interface RevokeResult {
  ret: 200;
  /** e.g. `操作成功` */
  msg: string;
  /** GeWe's `data`, when present; left out when it nests deeper than 64 levels or its JSON is over 64 KiB. */
  data?: JsonValue;
}

/** One item's outcome in `revokeMany`. */
export type RevokeOutcome = { ok: true; result: RevokeResult } | { ok: false; error: GeweError };

/** The ids of a sent message, read exactly from the raw send response. */
export interface SendReceipt {
  toWxid: string;
  /** Exact decimal string. */
  msgId: string;
  /** Exact decimal string. */
  newMsgId: string;
  /** Exact decimal string; `"0"` when the response had none. */
  createTime: string;
  /** The message type, when given. */
  type?: number;
}

/** Every `code` a `GeweError` can carry. */
export type GeweErrorCode =
  | 'INVALID_PARAMS'
  | 'INVALID_OPTIONS'
  | 'UNSAFE_INTEGER'
  | 'PLACEHOLDER'
  | 'REVOKE_WINDOW_EXPIRED'
  | 'API_ERROR'
  | 'HTTP_STATUS'
  | 'BAD_RESPONSE'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'ABORTED';

/** The names `field` can take: a parameter or option, or (from `gewe-revoke/callbacks`) the callback's member. */
export type GeweErrorField =
  | 'appId' | 'toWxid' | 'msgId' | 'newMsgId' | 'createTime' | 'params' | 'list' | 'text'
  | 'token' | 'baseUrl' | 'timeoutMs' | 'retries' | 'revokeWindowSec' | 'fetch' | 'signal'
  | 'concurrency' | 'intervalMs' | 'maxResponseBytes' | 'options'
  | 'rawText' | 'TypeName' | 'Appid' | 'Wxid' | 'Data' | 'Data.MsgId' | 'Data.NewMsgId' | 'Data.MsgSeq'
  | 'Data.MsgType' | 'Data.CreateTime' | 'Data.FromUserName' | 'Data.ToUserName' | 'Data.Content';

/** Every error the library throws or rejects with, including those raised inside wasm. */
export class GeweError extends Error {
  constructor(code: GeweErrorCode, message: string, details?: Partial<Pick<GeweError, 'field' | 'status' | 'ret' | 'apiMsg' | 'data' | 'body' | 'location' | 'maybeDelivered' | 'cause'>>);
  readonly name: 'GeweError';
  /** What went wrong, stable across versions. */
  readonly code: GeweErrorCode;
  /** The offending parameter or option, when one is to blame. */
  readonly field?: GeweErrorField;
  /** The HTTP status, when an answer arrived. */
  readonly status?: number;
  /** GeWe's `ret` (`API_ERROR`). */
  readonly ret?: number;
  /** GeWe's `msg` (`API_ERROR`), token redacted. */
  readonly apiMsg?: string;
  /** GeWe's `data` (`API_ERROR`), e.g. `{ code: "-1", msg: "微信已离线" }`; absent when too deep or too large. */
  readonly data?: JsonValue;
  /** A short excerpt of an unexpected body (`HTTP_STATUS`, `BAD_RESPONSE`). */
  readonly body?: string;
  /** Where a 3xx answer pointed (`HTTP_STATUS`); redirects are never followed. */
  readonly location?: string;
  /**
   * `true` when the request may have reached GeWe and its outcome is unknown (the connection broke after sending,
   * the answer broke off or could not be read, the deadline or signal fired while a request was out, a 5xx other
   * than 502/503): the revoke may have happened, so check before sending it again. `false` when it certainly did not
   * take effect.
   */
  readonly maybeDelivered: boolean;
  /** The underlying error: the `fetch` failure (`NETWORK`) or the signal's reason (`ABORTED`). */
  readonly cause?: unknown;
}

/** Revokes one message. Resolves only when GeWe answered `ret: 200`; otherwise rejects with `GeweError`. */
export function revokeMsg(params: RevokeParams & { appId: string }, options: RevokeOptions): Promise<RevokeResult>;
export function revokeMsg(params: RevokeParams, options: RevokeOptions & { appId: string }): Promise<RevokeResult>;

/** Exactly the `Request` that `revokeMsg` sends. Throws `GeweError` synchronously on bad input. */
export function buildRevokeRequest(params: RevokeParams & { appId: string }, options: ClientOptions): Request;
export function buildRevokeRequest(params: RevokeParams, options: ClientOptions & { appId: string }): Request;

/**
 * Reads the ids from the raw text of a GeWe send response (`{ret, msg, data}` or `data` alone), exact whether the
 * JSON holds numbers or strings. Pass `await response.text()`, never a parsed object.
 */
export function parseSendReceipt(rawJsonText: string): SendReceipt;

/** Revoke params as a request carries them: names trimmed, ids as canonical decimal strings. */
export interface CanonicalRevokeParams {
  appId: string;
  toWxid: string;
  msgId: string;
  newMsgId: string;
  createTime: string;
}

/**
 * The params exactly as `revokeMsg` would send them, for storing or comparing revokes. Throws `GeweError`
 * synchronously on bad params; needs no token and makes no window check.
 */
export function normalizeRevokeParams(params: RevokeParams & { appId: string }): CanonicalRevokeParams;

/** The default revoke window in seconds (`revokeWindowSec`): 120. */
export const REVOKE_WINDOW_SEC: 120;
/** The largest `timeoutMs`: 2^31-1. */
export const MAX_TIMEOUT_MS: 2147483647;

/** Options validated once, reused for every call. */
export class GeweClient {
  /** Throws `GeweError` synchronously for bad options. */
  constructor(options: ClientOptions);
  /** Revokes one message; `appId` falls back to the client's. */
  revokeMsg(params: RevokeParams, options?: CallOptions): Promise<RevokeResult>;
  /** Revokes many, in input order; one item's failure never rejects the whole; items that are the same request are sent once and share the outcome. */
  revokeMany(list: readonly RevokeParams[], options?: ManyOptions): Promise<RevokeOutcome[]>;
  /** Releases the client's wasm memory now instead of at garbage collection. */
  free(): void;
}
