// The ledger of one GeWe account (appId): a Durable Object that keeps the account's sent messages in SQLite and
// revokes each at most once, by hand, when its scheduled time comes (the object's alarm), or with the rest of its
// chat ("undo the burst").
//
// States: recorded, scheduled and cancelled can still be revoked; revoking means a request may be out; revoked,
// failed (with the error, and whether GeWe may have acted) and expired are outcomes.
//   recorded ──schedule──▶ scheduled ──cancel──▶ cancelled ──schedule──▶ scheduled
//   recorded | scheduled | cancelled ──claim──▶ revoking ──▶ revoked | failed | expired
//   recorded | scheduled | cancelled ──window closes──▶ expired
// A failure that certainly never took effect (maybeDelivered false) can be claimed again by hand or by undo; one that
// may have taken effect never is. Every transition is one guarded SQL statement run before any await, and a request
// leaves the object only after the claim is stored (the output gate), so two requests, a request and an alarm, or an
// alarm and its retry cannot both send a message. A row still `revoking` when the object starts again belonged to an
// instance that died with its request out: it becomes failed INTERRUPTED, with maybeDelivered, and is never resent.
import { DurableObject } from 'cloudflare:workers';
import { GeweError } from 'gewe-revoke';
import { clientFor, ledgerSettings } from './config.js';
import { errorBody, failure, STATUS } from './http.js';

/** Seconds after sending during which WeChat lets a message be revoked (also the library's local check). */
export const WINDOW_SEC = 120;
/** The latest a recall may be scheduled, in seconds after sending; the rest of the window is for the alarm and the call. */
export const MAX_REVOKE_AFTER_SEC = 110;
/** Seconds a message is kept after its window closed, so that its outcome can still be looked up. */
export const RETENTION_SEC = 3600;
/** The most messages of one chat a listing or an undo covers: the most recent. */
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

/** The states a message can still be revoked from, as SQL; the same rule as `revocable`. */
const REVOCABLE = `(state IN ('recorded', 'scheduled', 'cancelled') OR (state = 'failed' AND maybe_delivered = 0))`;
const revocable = (row) => ['recorded', 'scheduled', 'cancelled'].includes(row.state) || (row.state === 'failed' && row.maybe_delivered === 0);

const INTERRUPTED = JSON.stringify({
  code: 'INTERRUPTED',
  message: 'The ledger stopped while this revoke was out; GeWe may have revoked the message, so it is not sent again.',
  maybeDelivered: true,
});

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY,
    new_msg_id TEXT NOT NULL UNIQUE,
    app_id TEXT NOT NULL,
    to_wxid TEXT NOT NULL,
    msg_id TEXT NOT NULL,
    create_time TEXT NOT NULL,
    type INTEGER,
    sent_at INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    state TEXT NOT NULL,
    revoke_at INTEGER,
    updated_at INTEGER NOT NULL,
    error TEXT,
    maybe_delivered INTEGER NOT NULL DEFAULT 0
  )`,
  `CREATE INDEX IF NOT EXISTS messages_due ON messages (revoke_at) WHERE state = 'scheduled'`,
  `CREATE INDEX IF NOT EXISTS messages_state ON messages (state, sent_at)`,
  `CREATE INDEX IF NOT EXISTS messages_chat ON messages (to_wxid, sent_at)`,
  `CREATE INDEX IF NOT EXISTS messages_sent ON messages (sent_at)`,
];

/** The stable key of a recorded message: `appId:newMsgId` (the appId names the ledger, the id the row). */
export const messageKey = (appId, newMsgId) => `${appId}:${newMsgId}`;

/** `{ appId, newMsgId }` from a key, or null when it is not one. */
export function parseKey(key) {
  const at = key.lastIndexOf(':');
  if (at < 1 || !/^\d{1,20}$/.test(key.slice(at + 1))) return null;
  return { appId: key.slice(0, at), newMsgId: key.slice(at + 1) };
}

/** What a lookup shows of a row; times are Unix milliseconds. */
function view(row) {
  const out = {
    key: messageKey(row.app_id, row.new_msg_id),
    appId: row.app_id,
    toWxid: row.to_wxid,
    msgId: row.msg_id,
    newMsgId: row.new_msg_id,
    createTime: row.create_time,
  };
  if (row.type !== null) out.type = row.type;
  out.state = row.state;
  out.sentAt = row.sent_at;
  out.revocableUntil = row.sent_at + WINDOW_SEC * 1000;
  if (row.revoke_at !== null) out.revokeAt = row.revoke_at;
  out.recordedAt = row.recorded_at;
  out.updatedAt = row.updated_at;
  if (row.error !== null) out.error = JSON.parse(row.error);
  return out;
}

const ok = (status, body) => ({ status, body: { ok: true, ...body } });
/** A refusal; with `row`, the answer also shows the message as it stands. */
const refuse = (status, code, text, extra = {}, row = undefined) => ({ status, body: { ...failure(code, text, extra), ...(row ? { message: view(row) } : {}) } });
const unknown = () => refuse(404, 'UNKNOWN_MESSAGE', 'No message with this newMsgId is recorded for this appId (never recorded, or pruned).');

/** Runs an account's revokes: at most `concurrency` at once, starts at least `intervalMs` apart, in the order asked. */
class Pacer {
  #queue = [];
  #active = 0;
  #nextStart = 0;
  #timer = null;

  constructor({ concurrency, intervalMs }) {
    this.concurrency = concurrency;
    this.intervalMs = intervalMs;
  }

  run(task) {
    return new Promise((resolve, reject) => {
      this.#queue.push({ task, resolve, reject });
      this.#pump();
    });
  }

  #pump() {
    while (this.#timer === null && this.#active < this.concurrency && this.#queue.length > 0) {
      const wait = this.#nextStart - Date.now();
      if (wait > 0) {
        this.#timer = setTimeout(() => {
          this.#timer = null;
          this.#pump();
        }, wait);
        return;
      }
      const { task, resolve, reject } = this.#queue.shift();
      this.#active++;
      this.#nextStart = Date.now() + this.intervalMs;
      Promise.resolve()
        .then(task)
        .then(resolve, reject)
        .finally(() => {
          this.#active--;
          this.#pump();
        });
    }
  }
}

/** One GeWe account's ledger. Its methods are called over RPC by the Worker and answer `{ status, body }`. */
export class Ledger extends DurableObject {
  #sql;
  /** Messages whose revoke is queued or out in this instance: the task, and whether the alarm queued it. */
  #pending = new Map();
  #pacer = null;
  /** The alarm time this instance last stored (null: none known). */
  #alarmAt = null;
  #count = 0;

  constructor(ctx, env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      for (const statement of SCHEMA) this.#sql.exec(statement);
      // No request of this new instance is out: a row left `revoking` lost its instance mid-request.
      this.#sql.exec(`UPDATE messages SET state = 'failed', error = ?, maybe_delivered = 1, updated_at = ? WHERE state = 'revoking'`, INTERRUPTED, Date.now());
      this.#count = this.#sql.exec('SELECT COUNT(*) AS n FROM messages').one().n;
      this.#alarmAt = await ctx.storage.getAlarm();
      if (this.#alarmAt === null && this.#count > 0) await this.#arm();
    });
  }

  /** Records sent messages, each `{ appId, toWxid, msgId, newMsgId, createTime, type?, revokeAfterSec }`, in order. */
  async record(items) {
    const now = Date.now();
    const results = items.map((item) => this.#recordOne(item, now));
    const stored = results.filter((r) => r.status === 201).map((r) => r.body.message);
    await this.#armBy(Math.min(...stored.map((m) => Math.min(m.revokeAt ?? Infinity, m.sentAt + (WINDOW_SEC + RETENTION_SEC) * 1000))));
    return results;
  }

  /** A message by newMsgId. */
  message(newMsgId) {
    this.#expireStale(Date.now());
    const row = this.#row(newMsgId);
    return row ? ok(200, { message: view(row) }) : unknown();
  }

  /** Schedules (or moves) the recall of a message to `revokeAfterSec` seconds after it was sent. */
  async schedule(newMsgId, revokeAfterSec) {
    const now = Date.now();
    this.#expireStale(now);
    const row = this.#row(newMsgId);
    if (!row) return unknown();
    if (!revocable(row) || this.#pending.has(newMsgId)) return this.#wrongState(row, 'scheduled');
    const refused = scheduleError(row.sent_at, revokeAfterSec, now);
    if (refused) return refused;
    const [changed] = this.#sql
      .exec(
        `UPDATE messages SET state = 'scheduled', revoke_at = ?, error = NULL, maybe_delivered = 0, updated_at = ?
         WHERE new_msg_id = ? AND ${REVOCABLE} RETURNING *`,
        row.sent_at + revokeAfterSec * 1000,
        now,
        newMsgId,
      )
      .toArray();
    await this.#armBy(changed.revoke_at);
    return ok(200, { message: view(changed) });
  }

  /** Cancels a scheduled recall; cancelling a cancelled one changes nothing. */
  cancel(newMsgId) {
    const now = Date.now();
    this.#expireStale(now);
    const row = this.#row(newMsgId);
    if (!row) return unknown();
    if (row.state === 'cancelled') return ok(200, { message: view(row) });
    // A revoke asked for by hand or by undo is under way whatever the schedule says.
    if (this.#pending.get(newMsgId)?.alarm === false) return this.#wrongState(row, 'cancelled');
    const [changed] = this.#sql
      .exec(`UPDATE messages SET state = 'cancelled', updated_at = ? WHERE new_msg_id = ? AND state = 'scheduled' RETURNING *`, now, newMsgId)
      .toArray();
    return changed ? ok(200, { message: view(changed) }) : this.#wrongState(row, 'cancelled');
  }

  /** Revokes a message now, or answers the outcome another call already reached. */
  async revoke(newMsgId) {
    if (!this.#row(newMsgId)) return unknown();
    await this.#revokeNow(newMsgId);
    const row = this.#row(newMsgId);
    if (!row) return unknown();
    if (row.state === 'revoked') return ok(200, { message: view(row) });
    if (row.state === 'expired') {
      return refuse(422, 'REVOKE_WINDOW_EXPIRED', `The message was sent more than ${WINDOW_SEC} s ago; GeWe no longer revokes it.`, {}, row);
    }
    if (row.state === 'failed') {
      const error = JSON.parse(row.error);
      return { status: STATUS[error.code] ?? 409, body: { ok: false, error, message: view(row) } };
    }
    return this.#wrongState(row, 'revoked');
  }

  /** The most recent messages to a chat (at most `limit`), in send order. */
  chat(toWxid, limit) {
    this.#expireStale(Date.now());
    const rows = this.#sql
      .exec(
        `SELECT * FROM (SELECT * FROM messages WHERE to_wxid = ? ORDER BY sent_at DESC, seq DESC LIMIT ?) ORDER BY sent_at, seq`,
        toWxid,
        limit,
      )
      .toArray();
    return ok(200, { messages: rows.map(view) });
  }

  /**
   * Revokes every message to a chat that can still be revoked, those sent in the last `sentWithinSec` seconds when
   * given, through the account's pacer; answers every message looked at, in send order, with its state.
   */
  async undo(toWxid, sentWithinSec) {
    if (sentWithinSec !== null && !(Number.isInteger(sentWithinSec) && sentWithinSec > 0)) {
      return refuse(400, 'INVALID_PARAMS', 'sentWithinSec must be a whole number of seconds above 0, or null for all.', { field: 'sentWithinSec' });
    }
    const now = Date.now();
    this.#expireStale(now);
    const since = sentWithinSec === null ? 0 : now - sentWithinSec * 1000;
    const ids = this.#sql
      .exec(
        `SELECT new_msg_id FROM (SELECT new_msg_id, sent_at, seq FROM messages WHERE to_wxid = ? AND sent_at >= ?
         ORDER BY sent_at DESC, seq DESC LIMIT ?) ORDER BY sent_at, seq`,
        toWxid,
        since,
        CHAT_LIMIT + 1,
      )
      .toArray()
      .map((r) => r.new_msg_id);
    const more = ids.length > CHAT_LIMIT;
    if (more) ids.shift();
    await Promise.allSettled(ids.map((id) => this.#revokeNow(id)));
    const messages = ids.map((id) => this.#row(id)).filter(Boolean).map(view);
    return ok(200, more ? { messages, more } : { messages });
  }

  /** Queues the scheduled messages that are due (a bounded number), prunes, and re-arms. */
  async alarm() {
    this.#alarmAt = null;
    const now = Date.now();
    this.#expireStale(now);
    this.#prune(now);
    const room = ALARM_BATCH - this.#pending.size;
    const due =
      room <= 0
        ? []
        : this.#sql
            .exec(`SELECT new_msg_id FROM messages WHERE state = 'scheduled' AND revoke_at <= ? ORDER BY revoke_at, seq LIMIT ?`, now, room + this.#pending.size)
            .toArray()
            .map((r) => r.new_msg_id)
            .filter((id) => !this.#pending.has(id))
            .slice(0, room);
    // A revoke that fails unexpectedly within the wait fails the run, and the runtime retries it.
    let timer;
    const queued = Promise.all(due.map((id) => this.#enqueue(id, true)));
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
    let revokeAt = null;
    if (revokeAfterSec !== null && revokeAfterSec !== undefined) {
      const refused = scheduleError(sentAt, revokeAfterSec, now);
      if (refused) return refused;
      revokeAt = sentAt + revokeAfterSec * 1000;
    }
    const { maxMessages } = ledgerSettings(this.env);
    if (this.#count >= maxMessages) this.#evict(now, maxMessages);
    if (this.#count >= maxMessages) {
      return refuse(507, 'LEDGER_FULL', `This account's ledger holds ${maxMessages} messages, all still inside their revoke window; try again shortly.`);
    }
    const [row] = this.#sql
      .exec(
        `INSERT INTO messages (new_msg_id, app_id, to_wxid, msg_id, create_time, type, sent_at, recorded_at, state, revoke_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
        newMsgId,
        appId,
        toWxid,
        msgId,
        createTime,
        Number.isSafeInteger(type) ? type : null,
        sentAt,
        now,
        revokeAt === null ? 'recorded' : 'scheduled',
        revokeAt,
        now,
      )
      .toArray();
    this.#count++;
    return ok(201, { created: true, message: view(row) });
  }

  #row(newMsgId) {
    return this.#sql.exec('SELECT * FROM messages WHERE new_msg_id = ?', newMsgId).toArray()[0];
  }

  #wrongState(row, wanted) {
    const why = this.#pending.has(row.new_msg_id) ? 'a revoke of it is queued or under way' : `it is ${row.state}`;
    return refuse(409, 'INVALID_STATE', `The message cannot be ${wanted}: ${why}.`, {}, row);
  }

  /** Revokes by hand or for undo: after any attempt already queued, and only if the message can still be revoked. */
  async #revokeNow(newMsgId) {
    while (this.#pending.has(newMsgId)) await this.#pending.get(newMsgId).task.catch(() => {});
    const row = this.#row(newMsgId);
    if (row && revocable(row)) await this.#enqueue(newMsgId, false);
  }

  #enqueue(newMsgId, alarm) {
    this.#pacer ??= new Pacer(ledgerSettings(this.env));
    const task = this.#pacer.run(() => this.#attempt(newMsgId, alarm)).finally(() => this.#pending.delete(newMsgId));
    this.#pending.set(newMsgId, { task, alarm });
    return task;
  }

  /** Claims the message, sends the revoke through the library and stores the outcome. */
  async #attempt(newMsgId, alarm) {
    const client = clientFor(this.env);
    const { timeoutMs } = ledgerSettings(this.env);
    const now = Date.now();
    this.#expireStale(now);
    // The claim. The alarm only fires what is still scheduled and due: a cancel or a reschedule since then wins.
    const [row] = alarm
      ? this.#sql.exec(`UPDATE messages SET state = 'revoking', updated_at = ? WHERE new_msg_id = ? AND state = 'scheduled' AND revoke_at <= ? RETURNING *`, now, newMsgId, now).toArray()
      : this.#sql.exec(`UPDATE messages SET state = 'revoking', updated_at = ? WHERE new_msg_id = ? AND ${REVOCABLE} RETURNING *`, now, newMsgId).toArray();
    if (!row) return;
    let stored = false;
    try {
      let outcome = ['revoked', null, 0];
      try {
        const params = { appId: row.app_id, toWxid: row.to_wxid, msgId: row.msg_id, newMsgId: row.new_msg_id, createTime: row.create_time };
        await client.revokeMsg(params, timeoutMs ? { timeoutMs } : undefined);
      } catch (e) {
        if (!(e instanceof GeweError)) throw e;
        const error = JSON.stringify(errorBody(e));
        outcome = e.code === 'REVOKE_WINDOW_EXPIRED' ? ['expired', null, 0] : ['failed', error, e.maybeDelivered ? 1 : 0];
      }
      if (alarm) this.#testFault(row);
      this.#settle(newMsgId, ...outcome);
      stored = true;
    } finally {
      // Whatever went wrong after the claim, the request may be out: never send this message again.
      if (!stored) this.#settle(newMsgId, 'failed', INTERRUPTED, 1);
    }
  }

  #settle(newMsgId, state, error, maybeDelivered) {
    this.#sql.exec(
      `UPDATE messages SET state = ?, error = ?, maybe_delivered = ?, updated_at = ? WHERE new_msg_id = ? AND state = 'revoking'`,
      state,
      error,
      maybeDelivered,
      Date.now(),
      newMsgId,
    );
  }

  /**
   * Test only: with the LEDGER_TEST_FAULT binding set to `crash-after-revoke:<toWxid>` (tests set it; wrangler.toml
   * never does), an alarm run that has heard GeWe answer the revoke of a message to that chat resets the object before
   * storing the outcome, as if the isolate died half way through the handler. Inert without the binding.
   */
  #testFault(row) {
    const fault = this.env.LEDGER_TEST_FAULT;
    if (typeof fault === 'string' && fault === `crash-after-revoke:${row.to_wxid}`) this.ctx.abort('LEDGER_TEST_FAULT');
  }

  /** Messages whose window has closed can no longer be revoked; a failure keeps its error. */
  #expireStale(now) {
    this.#sql.exec(
      `UPDATE messages SET state = 'expired', updated_at = ?
       WHERE state IN ('recorded', 'scheduled', 'cancelled', 'failed') AND sent_at <= ? AND (state <> 'failed' OR maybe_delivered = 0)`,
      now,
      now - WINDOW_SEC * 1000,
    );
  }

  /** Deletes messages past their window and the retention margin (a bounded number per run). */
  #prune(now) {
    const gone = this.#sql
      .exec(
        `DELETE FROM messages WHERE seq IN (SELECT seq FROM messages WHERE sent_at < ? AND state <> 'revoking' ORDER BY sent_at LIMIT ?) RETURNING seq`,
        now - (WINDOW_SEC + RETENTION_SEC) * 1000,
        PRUNE_BATCH,
      )
      .toArray().length;
    this.#count -= gone;
  }

  /** At the bound: makes room by deleting the oldest messages whose window has closed, never one still revocable. */
  #evict(now, maxMessages) {
    const room = Math.max(1, Math.ceil(maxMessages / 100));
    const gone = this.#sql
      .exec(
        `DELETE FROM messages WHERE seq IN (SELECT seq FROM messages WHERE sent_at <= ? AND state <> 'revoking' ORDER BY sent_at LIMIT ?) RETURNING seq`,
        now - WINDOW_SEC * 1000,
        room,
      )
      .toArray().length;
    this.#count -= gone;
  }

  /**
   * Sets the object's one alarm to the next thing to do: the first scheduled recall not yet queued (after a pause
   * when the queue is full), a check within ALARM_WAIT_MS while revokes are queued (should this instance die with
   * them), or the next prune.
   */
  async #arm() {
    const now = Date.now();
    const queued = JSON.stringify([...this.#pending.keys()]);
    let due = this.#sql
      .exec(`SELECT MIN(revoke_at) AS t FROM messages WHERE state = 'scheduled' AND new_msg_id NOT IN (SELECT value FROM json_each(?))`, queued)
      .one().t;
    if (due !== null && due <= now && this.#pending.size >= ALARM_BATCH) due = now + ALARM_WAIT_MS;
    const check = this.#pending.size > 0 ? now + ALARM_WAIT_MS : null;
    const oldest = this.#sql.exec(`SELECT MIN(sent_at) AS t FROM messages WHERE state <> 'revoking'`).one().t;
    const prune = oldest === null ? null : oldest + (WINDOW_SEC + RETENTION_SEC) * 1000;
    await this.#armBy(Math.min(...[due, check, prune].filter((t) => t !== null)));
  }

  /** Moves the alarm to `at` when none is set or the one set is later (a needless early alarm finds nothing to do). */
  async #armBy(at) {
    if (!Number.isFinite(at) || (this.#alarmAt !== null && this.#alarmAt <= at)) return;
    this.#alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }
}

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
      `A recall ${when} falls outside the window: recalls can be scheduled up to ${MAX_REVOKE_AFTER_SEC} s after sending (WeChat allows ${WINDOW_SEC}).`,
      { field: 'revokeAfterSec' },
    );
  }
  return null;
}
