/**
 * `gewe-revoke/callbacks`: reads the callbacks GeWe POSTs to the URL given to `setCallback`, every id an exact
 * decimal string. A module of its own: importing `gewe-revoke` alone never loads it.
 */
import type { GeweError } from './index.js';
export { GeweError } from './index.js';

/** Who a callback is for: GeWe's `TypeName`, `Appid` (or `appid`) and `Wxid` (or `wxid`). */
export interface CallbackEnvelope {
  typeName: string;
  appid: string;
  wxid: string | null;
}

/** A recall notice (`MsgType` 10002, `<sysmsg type="revokemsg">`): what was recalled, in which chat, by whom. */
export interface CallbackRecall {
  kind: 'recall';
  /** The chat the recalled message was in (`<session>`). */
  chat: string;
  /** The recalled message's `msgId`, when the notice carries it. */
  msgId: string | null;
  /** The recalled message's exact `newMsgId`: the key to join the notice to the message. */
  newMsgId: string;
  /** WeChat's display text, e.g. `"Alice" 撤回了一条消息`. */
  text: string;
  /** Who recalled it, where the payload says. */
  by: string | null;
}

/** An `AddMsg` callback's message. */
export interface CallbackMessage {
  msgId: string;
  newMsgId: string;
  msgSeq: string | null;
  msgType: number;
  createTime: string | null;
  from: string;
  to: string;
  /** The conversation: the group for a group message, else the other party. */
  chat: string;
  group: boolean;
  /** In a group, the member who wrote it (split from the `wxid:\n` prefix). */
  sender: string | null;
  /** Whether the account itself sent it (from its phone: API sends produce no callback). */
  own: boolean;
  text: string;
  pushContent: string | null;
  imageBuffer: string | null;
  /** For `MsgType` 10002: a recall notice, or another system message (a pat, a group template, …) by its type. */
  sysmsg: CallbackRecall | { kind: 'other'; type: string } | null;
}

/** One callback: setCallback's test POST, a message, or any other event (contact changes, Offline, …). */
export type Callback =
  | { kind: 'test' }
  | { kind: 'message'; envelope: CallbackEnvelope; message: CallbackMessage }
  | { kind: 'event'; envelope: CallbackEnvelope };

/**
 * Reads one callback from its raw body text (`await request.text()`, never a parsed object: `JSON.parse` has already
 * rounded `NewMsgId`). Throws a `GeweError` (`BAD_RESPONSE`, or `INVALID_PARAMS` for a non-string) whose `field` names
 * the part at fault, e.g. `"Data.NewMsgId"`.
 */
export function parseCallback(rawText: string): Callback;
