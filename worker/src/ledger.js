// The ledger of one GeWe account (appId): a Durable Object that keeps the account's sent messages in SQLite and
// revokes them by hand, when their scheduled time comes (the object's alarm), or with the rest of their chat ("undo
// the burst"). Its storage and states are in schema.js, its pacing queue in pacer.js.
//
// The rule: a revoke is a delete, so sending it again cannot harm the account while giving up leaves the message on
// the recipient's phone. A due recall is pursued until GeWe confirms it (ret 200) or the window closes: after any
// outcome GeWe may have acted on, or a refusal (ret 500 such as 微信已离线, which passes when the device reconnects),
// it is tried again through the account's queue with a doubling pause, at most MAX_ATTEMPTS requests in all. Every
// transition is one guarded SQL statement run before any await, and a request leaves the object only once its claim
// is stored (the output gate), so no message is ever sent twice at once, and none after a stored confirmation. A row
// still `revoking` when the object starts again lost its instance with the request out: it is retried. The alarm is
// recomputed from the table on every start and every run, and moved earlier by every change that needs it, so it is
// never later than the next recall, retry or prune, and no restart leaves a recall un-armed.
import { DurableObject } from 'cloudflare:workers';
import { GeweError } from 'gewe-revoke';
import { clientFor, ledgerSettings, MAX_ATTEMPTS, MAX_REVOKE_AFTER_SEC, WINDOW_SEC } from './config.js';
import { errorBody, failure, STATUS } from './http.js';
import { Pacer } from './pacer.js';
import { cursorOf, migrate, REVOCABLE_STATES, RETENTION_SEC, SQL, TOMBSTONE_SEC, view } from './schema.js';

/** The most messages of one chat a listing or an undo covers per request; a cursor reaches the rest. */
export const CHAT_LIMIT = 500;
/** A send time further ahead of the object's clock is refused: the row would outlive every bound. */
const MAX_AHEAD_SEC = 300;
/** The most revokes queued in an object at once by its alarm; the alarm comes back for the rest. */
const ALARM_BATCH = 200;
/**
 * How long an alarm run waits for the revokes it queued, and how soon the alarm comes back while revokes are queued:
 * a slow GeWe must not hold back messages that fall due meanwhile, and queued ones must survive the instance.
 */
const ALARM_WAIT_MS = 2000;
/** The most rows one prune deletes; the alarm comes back at once for more. */
const PRUNE_BATCH = 1000;
const WINDOW_MS = WINDOW_SEC * 1000;

/** Library errors raised before any request was built: sending again cannot change them. */
const FINAL = new Set(['INVALID_PARAMS', 'INVALID_OPTIONS', 'UNSAFE_INTEGER', 'PLACEHOLDER', 'ABORTED']);

const INTERRUPTED = JSON.stringify({
  code: 'INTERRUPTED',
  message: 'The ledger restarted while this revoke was out, so GeWe may have revoked the message.',
  maybeDelivered: true,
});

const ok = (status, body) => ({ status, body: { ok: true, ...body } });
/** A refusal; with `row`, the answer also shows the message as it stands. */
const refuse = (status, code, text, extra = {}, row = undefined) => ({ status, body: { ...failure(code, text, extra), ...(row ? { message: view(row) } : {}) } });
const unknown = () => refuse(404, 'UNKNOWN_MESSAGE', 'No message with this newMsgId is recorded for this appId (never recorded, or pruned).');

/** One GeWe account's ledger. Its methods are called over RPC by the Worker and answer `{ status, body }`. */
export class Ledger extends DurableObject {
  #sql;
  /** Messages whose revoke is queued or out in this instance: the task, and whether the alarm queued it. */
  #pending = new Map();
  #pacer = null;
  /** The alarm time stored (null: none). */
  #alarmAt = null;
  #count = 0;
  #tombstones = 0;

  constructor(ctx, env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      migrate(this.#sql);
      // No request of this new instance is out: a row left `revoking` lost its instance mid-request.
      this.#sql.exec(SQL.interrupted, this.now(), INTERRUPTED, MAX_ATTEMPTS);
      this.#count = this.#sql.exec(SQL.count).one().n;
      this.#tombstones = this.#sql.exec(SQL.countTombstones).one().n;
      const stored = await ctx.storage.getAlarm();
      this.#alarmAt = stored === null ? null : stored + this.now() - Date.now();
      // Whatever alarm is stored (or none), the table decides: a run cut off may have left one that is too late.
      await this.#arm();
    });
  }

  /** The ledger's clock, Unix milliseconds (a test subclass moves it to see what hours of waiting would show). */
  now() {
    return Date.now();
  }

  /** Records sent messages, each `{ appId, toWxid, msgId, newMsgId, createTime, type?, revokeAfterSec }`, in order. */
  async record(items) {
    const now = this.now();
    const results = items.map((item) => this.#recordOne(item, now));
    const stored = results.filter((r) => r.status === 201).map((r) => r.body.message);
    await this.#armBy(Math.min(...stored.map((m) => m.revokeAt ?? m.sentAt + (WINDOW_SEC + RETENTION_SEC) * 1000)));
    return results;
  }

  /** A message by newMsgId. */
  message(newMsgId) {
    this.#expireStale(this.now());
    const row = this.#row(newMsgId);
    return row ? ok(200, { message: view(row) }) : unknown();
  }

  /** Schedules (or moves) the recall of a message to `revokeAfterSec` seconds after it was sent. */
  async schedule(newMsgId, revokeAfterSec) {
    const now = this.now();
    this.#expireStale(now);
    const row = this.#row(newMsgId);
    if (!row) return unknown();
    // A revoke queued by the alarm re-checks the schedule when its turn comes; one asked for by hand goes ahead.
    if (!REVOCABLE_STATES.includes(row.state) || this.#pending.get(newMsgId)?.alarm === false) return this.#wrongState(row, 'scheduled');
    const refused = scheduleError(row.sent_at, revokeAfterSec, now);
    if (refused) return refused;
    const [changed] = this.#sql.exec(SQL.schedule, now, row.sent_at + revokeAfterSec * 1000, newMsgId).toArray();
    await this.#armBy(changed.revoke_at);
    return ok(200, { message: view(changed) });
  }

  /** Cancels a scheduled recall; cancelling a cancelled one changes nothing. */
  cancel(newMsgId) {
    const now = this.now();
    this.#expireStale(now);
    const row = this.#row(newMsgId);
    if (!row) return unknown();
    if (row.state === 'cancelled') return ok(200, { message: view(row) });
    // A revoke asked for by hand or by undo is under way whatever the schedule says.
    if (this.#pending.get(newMsgId)?.alarm === false) return this.#wrongState(row, 'cancelled');
    // The alarm stays: one that finds nothing due re-arms from the table.
    const [changed] = this.#sql.exec(SQL.cancel, now, newMsgId).toArray();
    return changed ? ok(200, { message: view(changed) }) : this.#wrongState(row, 'cancelled');
  }

  /**
   * Revokes a message now and answers its first outcome: 200 revoked, 202 while the ledger pursues it (a retry is
   * due), or the refusal. A message already being revoked or pursued is not sent again by this call.
   */
  async revoke(newMsgId) {
    if (!this.#row(newMsgId)) return unknown();
    await this.#revokeNow(newMsgId);
    const row = this.#row(newMsgId);
    if (!row) return unknown();
    switch (row.state) {
      case 'revoked':
        return ok(200, { message: view(row) });
      case 'retrying':
      case 'revoking':
        return ok(202, { message: view(row) });
      case 'expired':
        return refuse(422, 'REVOKE_WINDOW_EXPIRED', `The message was sent more than ${WINDOW_SEC} s ago; GeWe no longer revokes it.`, {}, row);
      case 'failed': {
        const error = JSON.parse(row.error);
        return { status: STATUS[error.code] ?? 409, body: { ok: false, error, message: view(row) } };
      }
      default:
        return this.#wrongState(row, 'revoked');
    }
  }

  /** A chat's messages: the most recent `limit` older than `cursor` (none: the newest), in send order. */
  chat(toWxid, limit, cursor) {
    this.#expireStale(this.now());
    const { rows, more } = this.#chatRows(toWxid, limit, cursor, 0);
    return ok(200, { messages: rows.map(view), ...more });
  }

  /**
   * Revokes every message to a chat that can still be revoked (the most recent `limit` older than `cursor`; only
   * those sent in the last `sentWithinSec` seconds when given) through the account's pacer; answers every message
   * looked at, in send order, with its state, once each has its first outcome.
   */
  async undo(toWxid, sentWithinSec, cursor, limit = CHAT_LIMIT) {
    if (sentWithinSec !== null && !(Number.isInteger(sentWithinSec) && sentWithinSec > 0)) {
      return refuse(400, 'INVALID_PARAMS', 'sentWithinSec must be a whole number of seconds above 0, or null for all.', { field: 'sentWithinSec' });
    }
    const now = this.now();
    this.#expireStale(now);
    const since = sentWithinSec === null ? 0 : now - sentWithinSec * 1000;
    const { rows, more } = this.#chatRows(toWxid, limit, cursor, since);
    const ids = rows.map((r) => r.new_msg_id);
    await Promise.allSettled(ids.map((id) => this.#revokeNow(id)));
    const messages = ids.map((id) => this.#row(id)).filter(Boolean).map(view);
    return ok(200, { messages, ...more });
  }

  /** Queues the recalls and retries that are due (a bounded number), prunes, and re-arms. */
  async alarm() {
    this.#alarmAt = null;
    const now = this.now();
    this.#expireStale(now);
    this.#prune(now);
    const room = ALARM_BATCH - this.#pending.size;
    const due =
      room <= 0
        ? []
        : this.#sql
            .exec(SQL.due, now, room + this.#pending.size)
            .toArray()
            .map((r) => r.new_msg_id)
            .filter((id) => !this.#pending.has(id))
            .slice(0, room);
    let timer;
    const queued = Promise.allSettled(due.map((id) => this.#enqueue(id, true)));
    await Promise.race([queued, new Promise((resolve) => (timer = setTimeout(resolve, ALARM_WAIT_MS)))]).finally(() => clearTimeout(timer));
    await this.#arm();
  }

  #recordOne({ appId, toWxid, msgId, newMsgId, createTime, type, revokeAfterSec }, now) {
    const existing = this.#row(newMsgId);
    if (existing) {
      // The same message again (a retried or duplicated record) changes nothing; another one under its id is refused.
      if (existing.to_wxid === toWxid && existing.msg_id === msgId && existing.create_time === createTime) {
        return ok(200, { created: false, message: view(existing) });
      }
      return refuse(409, 'CONFLICT', 'A different message with this newMsgId is already recorded.', { field: 'newMsgId' }, existing);
    }
    const created = Number(createTime);
    if (created > now / 1000 + MAX_AHEAD_SEC) {
      return refuse(400, 'INVALID_PARAMS', `createTime is more than ${MAX_AHEAD_SEC} s ahead of the ledger's clock.`, { field: 'createTime' });
    }
    // GeWe gives no createTime for some media: the time of recording stands in for the send time.
    const sentAt = created > 0 ? created * 1000 : now;
    const tomb = created > 0 ? undefined : this.#sql.exec(SQL.tombstone, newMsgId).toArray()[0];
    if (tomb && tomb.to_wxid === toWxid && tomb.msg_id === msgId) {
      // Revoked before its row left: it is answered as revoked and never gets a fresh window.
      const row = { new_msg_id: newMsgId, app_id: appId, to_wxid: toWxid, msg_id: msgId, create_time: createTime, type: typeOf(type), sent_at: tomb.sent_at };
      Object.assign(row, { recorded_at: now, updated_at: now, state: 'revoked', revoke_at: null, error: null, attempts: 0, next_try_at: null });
      return ok(200, { created: false, message: view(row) });
    }
    if (sentAt + WINDOW_MS <= now) {
      return refuse(
        422,
        'REVOKE_WINDOW_EXPIRED',
        `This send is ${Math.floor((now - sentAt) / 1000)} s old, past WeChat's ${WINDOW_SEC} s revoke window: it can no longer be recalled, so nothing was stored.`,
        { field: 'createTime' },
      );
    }
    let revokeAt = null;
    if (revokeAfterSec !== null && revokeAfterSec !== undefined) {
      const refused = scheduleError(sentAt, revokeAfterSec, now);
      if (refused) return refused;
      revokeAt = sentAt + revokeAfterSec * 1000;
    }
    const { maxMessages } = ledgerSettings(this.env);
    if (this.#count >= maxMessages) this.#removeBefore(now - WINDOW_MS + 1, Math.max(1, Math.ceil(maxMessages / 100)), now);
    if (this.#count >= maxMessages) {
      return refuse(507, 'LEDGER_FULL', `This account's ledger holds ${maxMessages} messages, all still inside their revoke window; try again shortly.`);
    }
    const state = revokeAt === null ? 'recorded' : 'scheduled';
    const [row] = this.#sql.exec(SQL.insert, newMsgId, appId, toWxid, msgId, createTime, typeOf(type), sentAt, now, state, revokeAt, now).toArray();
    this.#count++;
    return ok(201, { created: true, message: view(row) });
  }

  #row(newMsgId) {
    return this.#sql.exec(SQL.row, newMsgId).toArray()[0];
  }

  /** Up to `limit` rows of a chat older than `cursor`, in send order, and `{ more, cursor }` when older ones remain. */
  #chatRows(toWxid, limit, cursor, since) {
    const rows = this.#sql.exec(SQL.chat, toWxid, cursor.sentAt, cursor.seq, since, limit + 1).toArray();
    const more = rows.length > limit;
    if (more) rows.pop();
    rows.reverse();
    return { rows, more: more ? { more: true, cursor: cursorOf(rows[0]) } : {} };
  }

  #wrongState(row, wanted) {
    const why =
      this.#pending.get(row.new_msg_id)?.alarm === false
        ? 'a revoke of it is queued or under way'
        : row.state === 'retrying'
          ? 'GeWe may already have acted on a revoke of it, which is being retried until it confirms'
          : `it is ${row.state}`;
    return refuse(409, 'INVALID_STATE', `The message cannot be ${wanted}: ${why}.`, {}, row);
  }

  /** Revokes by hand or for undo: after any attempt already queued, and only if the message can still be claimed. */
  async #revokeNow(newMsgId) {
    while (this.#pending.has(newMsgId)) await this.#pending.get(newMsgId).task.catch(() => {});
    const row = this.#row(newMsgId);
    if (!row || !REVOCABLE_STATES.includes(row.state)) return;
    this.#sql.exec(SQL.dueNow, this.now(), newMsgId);
    const task = this.#enqueue(newMsgId, false);
    await this.#armBy(null);
    await task;
  }

  #enqueue(newMsgId, alarm) {
    this.#pacer ??= new Pacer(ledgerSettings(this.env));
    const task = this.#pacer
      .run(() => this.#attempt(newMsgId, alarm))
      .finally(() => this.#pending.delete(newMsgId))
      // Not claimed (cancelled, moved or done meanwhile): out of the queue, the table says when it is due.
      .then((claimed) => (claimed === false ? this.#arm() : undefined));
    this.#pending.set(newMsgId, { task, alarm });
    return task;
  }

  /** Claims the message, sends one revoke through the library and stores what it means for the pursuit; false if not claimed. */
  async #attempt(newMsgId, alarm) {
    // One request per attempt: the ledger counts, paces and spaces them itself.
    const client = clientFor(this.env, { retries: 0 });
    const { timeoutMs, retryMs } = ledgerSettings(this.env);
    const now = this.now();
    this.#expireStale(now);
    // The claim: the alarm fires only what is still due (a cancel or a reschedule since wins).
    const [row] = this.#sql.exec(alarm ? SQL.claimDue : SQL.claimNow, now, newMsgId, MAX_ATTEMPTS).toArray();
    if (!row) return false;
    let stored = false;
    try {
      let next = ['revoked', null, 0, null];
      try {
        const params = { appId: row.app_id, toWxid: row.to_wxid, msgId: row.msg_id, newMsgId: row.new_msg_id, createTime: row.create_time };
        await client.revokeMsg(params, timeoutMs ? { timeoutMs } : undefined);
      } catch (e) {
        if (!(e instanceof GeweError)) throw e;
        next = this.#afterFailure(row, e, retryMs);
      }
      this.#sql.exec(SQL.settle, this.now(), newMsgId, ...next);
      stored = true;
      await this.#armBy(next[3]);
    } finally {
      // Whatever went wrong after the claim, the request may be out: the pursuit goes on (or ends) as after a timeout.
      if (!stored) {
        const next = this.#afterFailure(row, null, retryMs);
        this.#sql.exec(SQL.settle, this.now(), newMsgId, ...next);
        await this.#armBy(next[3]);
      }
    }
  }

  /**
   * `[state, error, maybeDelivered, nextTryAt]` after a failed attempt (`e` null: the attempt broke off unexpectedly):
   * retried after a doubling pause while tries and the window last; otherwise failed (or expired, when GeWe certainly
   * never acted).
   */
  #afterFailure(row, e, retryMs) {
    const error = e ? JSON.stringify(errorBody(e)) : INTERRUPTED;
    const maybe = e ? (e.maybeDelivered ? 1 : 0) : 1;
    const everMaybe = maybe || row.maybe_delivered;
    if (e?.code === 'REVOKE_WINDOW_EXPIRED') return [everMaybe ? 'failed' : 'expired', row.error, 0, null];
    const nextTryAt = this.now() + retryMs * 2 ** (row.attempts - 1);
    if (FINAL.has(e?.code) || row.attempts >= MAX_ATTEMPTS) return ['failed', error, maybe, null];
    if (nextTryAt >= row.sent_at + WINDOW_MS) return [everMaybe ? 'failed' : 'expired', error, maybe, null];
    return ['retrying', error, maybe, nextTryAt];
  }

  /** Messages whose window has closed can no longer be revoked. */
  #expireStale(now) {
    this.#sql.exec(SQL.expire, now);
  }

  /** Deletes messages past their window and the retention margin, and forgets tombstones whose time is up. */
  #prune(now) {
    this.#removeBefore(now - (WINDOW_SEC + RETENTION_SEC) * 1000, PRUNE_BATCH, now);
    this.#tombstones -= this.#sql.exec(SQL.forget, now, PRUNE_BATCH).toArray().length;
  }

  /**
   * Deletes up to `limit` of the oldest rows sent before `before` (at the bound: whose window has closed, so that no
   * message that could still be revoked is evicted), keeping the revoked media sends among them as tombstones.
   */
  #removeBefore(before, limit, now) {
    const { maxMessages } = ledgerSettings(this.env);
    this.#tombstones += this.#sql.exec(SQL.entomb, now + TOMBSTONE_SEC * 1000, before, limit).toArray().length;
    this.#count -= this.#sql.exec(SQL.delete, before, limit).toArray().length;
    // Tombstones are bounded like messages: past the bound the ones closest to their time go first.
    if (this.#tombstones > maxMessages) this.#tombstones -= this.#sql.exec(SQL.forgetOldest, this.#tombstones - maxMessages).toArray().length;
  }

  /**
   * Sets the object's one alarm from the table, on every start and at the end of every alarm run: the first recall or
   * retry not yet queued (after a pause when the queue is full), a check within ALARM_WAIT_MS while revokes are
   * queued or out (should this instance die with them), or the next prune. Between runs, every change moves it
   * earlier when it needs to be (`#armBy`), so the stored alarm is never later than the table's next need.
   */
  async #arm() {
    const now = this.now();
    let due = this.#sql.exec(SQL.nextDue, JSON.stringify([...this.#pending.keys()])).one().t;
    if (due !== null && due <= now && this.#pending.size >= ALARM_BATCH) due = now + ALARM_WAIT_MS;
    const check = this.#pending.size > 0 ? now + ALARM_WAIT_MS : null;
    const prune = this.#sql.exec(SQL.nextPrune).one().t;
    await this.#armBy(Math.min(...[due, check, prune].filter((t) => t !== null)));
  }

  /**
   * Moves the alarm to `at` (null: no new need) when none is set or the one set is later: a change can only need it
   * earlier, and an alarm that comes early re-arms from the table. While revokes are queued or out it is never later
   * than a check ALARM_WAIT_MS away: an object is only started again by its alarm or a request, so should this
   * instance die with them, that check is what brings them back.
   */
  async #armBy(at) {
    if (this.#pending.size > 0) at = Math.min(at ?? Infinity, this.now() + ALARM_WAIT_MS);
    if (!Number.isFinite(at) || (this.#alarmAt !== null && this.#alarmAt <= at)) return;
    this.#alarmAt = at;
    // The runtime's clock, should `now()` ever differ from it.
    await this.ctx.storage.setAlarm(at + Date.now() - this.now());
  }
}

const typeOf = (type) => (Number.isSafeInteger(type) ? type : null);

/** Why a recall `revokeAfterSec` seconds after sending cannot be scheduled now, or null when it can. */
function scheduleError(sentAt, revokeAfterSec, now) {
  if (!Number.isInteger(revokeAfterSec) || revokeAfterSec < 0) {
    return refuse(400, 'INVALID_PARAMS', 'revokeAfterSec must be a whole number of seconds after sending.', { field: 'revokeAfterSec' });
  }
  // A time already passed fires at once, as long as the window still leaves room for the call.
  const fireAt = Math.max(sentAt + revokeAfterSec * 1000, now);
  if (fireAt > sentAt + MAX_REVOKE_AFTER_SEC * 1000) {
    const when = revokeAfterSec > MAX_REVOKE_AFTER_SEC ? `${revokeAfterSec} s after sending` : `now (${Math.floor((now - sentAt) / 1000)} s after sending)`;
    return refuse(
      422,
      'REVOKE_WINDOW_EXPIRED',
      `A recall ${when} falls outside the window: send revokeAfterSec of at most ${MAX_REVOKE_AFTER_SEC} s after sending (WeChat allows ${WINDOW_SEC}).`,
      { field: 'revokeAfterSec' },
    );
  }
  return null;
}
