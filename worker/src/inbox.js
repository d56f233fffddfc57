// The inbox of one GeWe account (appId): a Durable Object that keeps what GeWe's callbacks delivered, long enough to
// outlive WeChat's 2-minute recall window, and keeps a message that was recalled (with who recalled it and when) for
// the recall retention. Every callback's NewMsgId is remembered for that retention too, so a duplicate or a re-delivery
// hours later changes nothing. Content (text, and for media the XML the payload carries, never the ImgBuf thumbnail)
// is stored only with CALLBACK_STORE_CONTENT=1; otherwise only ids and metadata.
//
// An optional forward posts each caught recall to RECALL_WEBHOOK_URL from the object's alarm, retried with backoff and
// bounded in tries; it carries the message's view, never a GeWe token.
import { DurableObject } from 'cloudflare:workers';
import { inboxSettings } from './inbox-config.js';
import { messageKey } from './ledger.js';

/** The most characters of a message's content kept; longer content is cut and marked truncated. */
export const MAX_CONTENT_CHARS = 16 * 1024;
/** Tries of a webhook forward, and the wait before the second (doubled each time, at most MAX_BACKOFF_MS). */
export const WEBHOOK_TRIES = 6;
export const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 5 * 60_000;
/** One forward's deadline. */
const WEBHOOK_TIMEOUT_MS = 5000;
/** The most forwards one alarm run sends, and rows one prune deletes; the alarm comes back for the rest. */
const FORWARD_BATCH = 20;
const PRUNE_BATCH = 1000;
/** Remembered callback ids per stored message allowed before the oldest are forgotten. */
const SEEN_PER_MESSAGE = 4;
const DAY_MS = 86_400_000;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS received (
    seq INTEGER PRIMARY KEY,
    new_msg_id TEXT NOT NULL UNIQUE,
    app_id TEXT NOT NULL,
    chat TEXT NOT NULL,
    msg_id TEXT,
    msg_seq TEXT,
    from_wxid TEXT,
    sender TEXT,
    own INTEGER NOT NULL DEFAULT 0,
    type INTEGER,
    create_time TEXT,
    received_at INTEGER,
    content TEXT,
    truncated INTEGER NOT NULL DEFAULT 0,
    media_bytes INTEGER,
    recalled_at INTEGER,
    recalled_by TEXT,
    recall_text TEXT,
    notice_new_msg_id TEXT,
    forward TEXT,
    forward_tries INTEGER NOT NULL DEFAULT 0,
    forward_at INTEGER,
    keep_until INTEGER NOT NULL
  )`,
  `CREATE INDEX IF NOT EXISTS received_recalled ON received (chat, recalled_at, seq) WHERE recalled_at IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS received_keep ON received (keep_until)`,
  `CREATE INDEX IF NOT EXISTS received_forward ON received (forward_at) WHERE forward = 'pending'`,
  // For the bound: the oldest messages nobody recalled go first, then the oldest recalled.
  `CREATE INDEX IF NOT EXISTS received_unrecalled ON received (seq) WHERE recalled_at IS NULL`,
  `CREATE INDEX IF NOT EXISTS received_recalled_seq ON received (seq) WHERE recalled_at IS NOT NULL`,
  // Every callback's NewMsgId (messages and notices), for de-duplication.
  `CREATE TABLE IF NOT EXISTS seen (new_msg_id TEXT PRIMARY KEY, seen_at INTEGER NOT NULL) WITHOUT ROWID`,
  `CREATE INDEX IF NOT EXISTS seen_at ON seen (seen_at)`,
];

/** What a lookup shows of a row; times are Unix milliseconds, createTime is GeWe's (seconds). */
function view(row) {
  const out = { key: messageKey(row.app_id, row.new_msg_id), appId: row.app_id, chat: row.chat, newMsgId: row.new_msg_id };
  if (row.received_at !== null) {
    Object.assign(out, { msgId: row.msg_id, msgSeq: row.msg_seq, from: row.from_wxid, sender: row.sender, own: row.own === 1, type: row.type, createTime: row.create_time, receivedAt: row.received_at });
    if (row.content !== null) out.content = row.content;
    if (row.truncated === 1) out.truncated = true;
    if (row.media_bytes) out.mediaBytes = row.media_bytes;
  } else {
    // A recall notice for a message this inbox never received (before it was set up, evicted, or not yet arrived).
    out.received = false;
  }
  if (row.recalled_at !== null) {
    out.recalled = { at: row.recalled_at, by: row.recalled_by, noticeNewMsgId: row.notice_new_msg_id };
    if (row.recall_text !== null) out.recalled.text = row.recall_text;
  }
  if (row.forward !== null) out.forward = { state: row.forward, tries: row.forward_tries };
  out.keptUntil = row.keep_until;
  return out;
}

const ok = (status, body) => ({ status, body: { ok: true, ...body } });

/** One GeWe account's inbox. Its methods are called over RPC by the Worker. */
export class Inbox extends DurableObject {
  #sql;
  #alarmAt = null;
  /** Rows in `received` and `seen`, counted once per instance and kept up to date (COUNT(*) reads every row). */
  #count = 0;
  #seenCount = 0;
  #failed = false;

  constructor(ctx, env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      for (const statement of SCHEMA) this.#sql.exec(statement);
      this.#count = this.#sql.exec('SELECT COUNT(*) AS n FROM received').one().n;
      this.#seenCount = this.#sql.exec('SELECT COUNT(*) AS n FROM seen').one().n;
      this.#alarmAt = await ctx.storage.getAlarm();
    });
  }

  /**
   * Stores one callback: `{ appId, kind, message, recall? }` as callbacks.js's `toEvent` builds it, where `kind` is
   * `message` (kept), `recall` (marks the message it names) or `notice` (remembered, not kept). Answers what it did:
   * stored, recalled, duplicate or ignored.
   */
  async ingest(event) {
    await this.#testFault();
    const settings = inboxSettings(this.env);
    const { appId, kind, message, recall } = event;
    const now = this.#now();
    // One transaction: a callback is remembered as seen only together with what it stored, so one that failed half
    // way is not taken for a duplicate when GeWe sends it again.
    const outcome = this.ctx.storage.transactionSync(() => {
      const fresh = this.#sql.exec(`INSERT INTO seen (new_msg_id, seen_at) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING 1`, message.newMsgId, now).toArray();
      if (fresh.length === 0) return 'duplicate';
      if (kind === 'notice') return 'ignored';
      // A new row unless a notice came before its message (or the message before its notice).
      const target = kind === 'recall' ? recall.newMsgId : message.newMsgId;
      const added = this.#sql.exec('SELECT 1 FROM received WHERE new_msg_id = ?', target).toArray().length === 0;
      if (kind === 'recall') this.#recall(appId, recall, message, now, settings.recalledKeepDays * DAY_MS, settings);
      else this.#receive(appId, message, now, settings);
      this.#failOnce(message.chat);
      if (added) this.#count++;
      return kind === 'recall' ? 'recalled' : 'stored';
    });
    if (outcome === 'duplicate') return { outcome };
    this.#seenCount++;
    if (outcome === 'ignored') return { outcome };
    this.#bound(settings.maxMessages);
    await this.#arm(settings);
    if (outcome === 'stored' && message.own && settings.recordOwn) await this.#recordOwn(appId, message);
    return { outcome };
  }

  /** A received message by newMsgId. */
  message(newMsgId) {
    const row = this.#sql.exec(`SELECT * FROM received WHERE new_msg_id = ? AND keep_until > ?`, newMsgId, this.#now()).toArray()[0];
    if (!row) return { status: 404, body: { ok: false, error: { code: 'UNKNOWN_MESSAGE', message: 'No message with this newMsgId is kept for this appId (never received, or past its retention).' } } };
    return ok(200, { message: view(row) });
  }

  /** A chat's recalled messages, most recently recalled first, `limit` a page, after `cursor` ("recalledAt.seq"). */
  recalled(chat, limit, cursor) {
    const [at, seq] = cursor === null ? [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] : cursor.split('.').map(Number);
    const rows = this.#sql
      .exec(
        `SELECT * FROM received WHERE chat = ? AND recalled_at IS NOT NULL AND keep_until > ? AND (recalled_at < ? OR (recalled_at = ? AND seq < ?))
         ORDER BY recalled_at DESC, seq DESC LIMIT ?`,
        chat,
        this.#now(),
        at,
        at,
        seq,
        limit + 1,
      )
      .toArray();
    const more = rows.length > limit;
    if (more) rows.pop();
    const last = rows.at(-1);
    return ok(200, { messages: rows.map(view), ...(more ? { cursor: `${last.recalled_at}.${last.seq}` } : {}) });
  }

  /** Prunes what is past its time and sends the webhook forwards that are due. */
  async alarm() {
    this.#alarmAt = null;
    const settings = inboxSettings(this.env);
    const now = this.#now();
    this.#count -= this.#sql
      .exec(`DELETE FROM received WHERE seq IN (SELECT seq FROM received WHERE keep_until <= ? ORDER BY keep_until LIMIT ?) RETURNING 1`, now, PRUNE_BATCH)
      .toArray().length;
    // Ids are remembered as long as a recalled message is kept: a re-delivery within that time is known.
    this.#seenCount -= this.#sql
      .exec(
        `DELETE FROM seen WHERE new_msg_id IN (SELECT new_msg_id FROM seen WHERE seen_at <= ? ORDER BY seen_at LIMIT ?) RETURNING 1`,
        now - settings.recalledKeepDays * DAY_MS,
        PRUNE_BATCH,
      )
      .toArray().length;
    await this.#forwardDue(now, settings.webhook);
    await this.#arm(settings);
  }

  #receive(appId, m, now, settings) {
    let content = null;
    let truncated = 0;
    if (settings.storeContent) {
      content = m.text.length > MAX_CONTENT_CHARS ? m.text.slice(0, MAX_CONTENT_CHARS) : m.text;
      truncated = content.length < m.text.length ? 1 : 0;
    }
    const fields = [m.msgId, m.msgSeq, m.from, m.sender, m.own ? 1 : 0, m.type, m.createTime, now, content, truncated, m.mediaBytes || null];
    // A notice that came first left a row without the message: the message fills it in and keeps its retention.
    this.#sql.exec(
      `INSERT INTO received (new_msg_id, app_id, chat, msg_id, msg_seq, from_wxid, sender, own, type, create_time, received_at, content, truncated, media_bytes, keep_until)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (new_msg_id) DO UPDATE SET msg_id = excluded.msg_id, msg_seq = excluded.msg_seq, from_wxid = excluded.from_wxid,
         sender = excluded.sender, own = excluded.own, type = excluded.type, create_time = excluded.create_time,
         received_at = excluded.received_at, content = excluded.content, truncated = excluded.truncated, media_bytes = excluded.media_bytes
       WHERE received.received_at IS NULL`,
      m.newMsgId,
      appId,
      m.chat,
      ...fields,
      now + settings.keepSec * 1000,
    );
  }

  #recall(appId, r, notice, now, retention, settings) {
    const forward = settings.webhook ? 'pending' : null;
    const text = settings.storeContent ? r.text : null;
    this.#sql.exec(
      `INSERT INTO received (new_msg_id, app_id, chat, recalled_at, recalled_by, recall_text, notice_new_msg_id, forward, forward_at, keep_until)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (new_msg_id) DO UPDATE SET recalled_at = excluded.recalled_at, recalled_by = excluded.recalled_by,
         recall_text = excluded.recall_text, notice_new_msg_id = excluded.notice_new_msg_id, forward = excluded.forward,
         forward_at = excluded.forward_at, keep_until = MAX(received.keep_until, excluded.keep_until)
       WHERE received.recalled_at IS NULL`,
      r.newMsgId,
      appId,
      r.chat,
      now,
      r.by,
      text,
      notice.newMsgId,
      forward,
      forward ? now : null,
      now + retention,
    );
  }

  /**
   * The per-account bound: past it, 1% of it at a time (so eviction is rare), the oldest messages nobody recalled go
   * first, then the oldest recalled; and the oldest remembered ids past SEEN_PER_MESSAGE times it.
   */
  #bound(maxMessages) {
    if (this.#count > maxMessages) {
      let room = Math.max(this.#count - maxMessages, Math.ceil(maxMessages / 100));
      for (const which of ['recalled_at IS NULL', 'recalled_at IS NOT NULL']) {
        if (room <= 0) break;
        const gone = this.#sql.exec(`DELETE FROM received WHERE seq IN (SELECT seq FROM received WHERE ${which} ORDER BY seq LIMIT ?) RETURNING 1`, room).toArray().length;
        this.#count -= gone;
        room -= gone;
      }
    }
    const maxSeen = maxMessages * SEEN_PER_MESSAGE;
    if (this.#seenCount > maxSeen) {
      const room = Math.max(this.#seenCount - maxSeen, Math.ceil(maxSeen / 100));
      this.#seenCount -= this.#sql.exec(`DELETE FROM seen WHERE new_msg_id IN (SELECT new_msg_id FROM seen ORDER BY seen_at LIMIT ?) RETURNING 1`, room).toArray().length;
    }
  }

  /** A message the account sent from its phone goes into the account's ledger, so "undo the burst" covers it. */
  async #recordOwn(appId, m) {
    if (!this.env.LEDGER) return;
    // Without a CreateTime the ledger takes the time of recording for the send time (as for some media sends).
    const entry = { appId, toWxid: m.chat, msgId: m.msgId, newMsgId: m.newMsgId, createTime: m.createTime ?? '0', type: m.type, revokeAfterSec: null };
    try {
      await this.env.LEDGER.get(this.env.LEDGER.idFromName(appId)).record([entry]);
    } catch (e) {
      console.error('gewe-revoke Inbox: recording a phone-sent message in the ledger failed:', e?.name ?? 'Error');
    }
  }

  /** Posts due recalls to the webhook: 2xx is delivered; anything else is tried again later, at most WEBHOOK_TRIES. */
  async #forwardDue(now, url) {
    const rows = this.#sql.exec(`SELECT * FROM received WHERE forward = 'pending' AND forward_at <= ? ORDER BY forward_at LIMIT ?`, now, FORWARD_BATCH).toArray();
    for (const row of rows) {
      if (url === null) {
        this.#sql.exec(`UPDATE received SET forward = 'dropped', forward_at = NULL WHERE seq = ?`, row.seq);
        continue;
      }
      let delivered = false;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ event: 'recalled', message: view(row) }),
          redirect: 'manual',
          signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        });
        delivered = res.status >= 200 && res.status < 300;
        await res.body?.cancel();
      } catch {
        // Unreachable, reset or past the deadline: tried again below.
      }
      const tries = row.forward_tries + 1;
      const state = delivered ? 'delivered' : tries >= WEBHOOK_TRIES ? 'failed' : 'pending';
      const next = state === 'pending' ? this.#now() + Math.min(FIRST_BACKOFF_MS * 2 ** (tries - 1), MAX_BACKOFF_MS) : null;
      this.#sql.exec(`UPDATE received SET forward = ?, forward_tries = ?, forward_at = ? WHERE seq = ?`, state, tries, next, row.seq);
    }
  }

  /** Sets the alarm to the next prune or forward, when none is set or the one set is later. */
  async #arm(settings) {
    const keep = this.#sql.exec(`SELECT MIN(keep_until) AS t FROM received`).one().t;
    const forward = this.#sql.exec(`SELECT MIN(forward_at) AS t FROM received WHERE forward = 'pending'`).one().t;
    const seen = this.#sql.exec(`SELECT MIN(seen_at) AS t FROM seen`).one().t;
    const forget = seen === null ? null : seen + settings.recalledKeepDays * DAY_MS;
    const next = Math.min(...[keep, forward, forget].filter((t) => t !== null));
    if (!Number.isFinite(next)) return;
    const at = next - this.#skew();
    if (this.#alarmAt !== null && this.#alarmAt <= at) return;
    this.#alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  #now() {
    return Date.now() + this.#skew();
  }

  /** Test only: INBOX_TEST_CLOCK_SKEW_MS moves this object's clock ahead (tests set it; wrangler.toml never does). */
  #skew() {
    const skew = Number(this.env.INBOX_TEST_CLOCK_SKEW_MS ?? 0);
    return Number.isSafeInteger(skew) && skew > 0 ? skew : 0;
  }

  /** Test only: INBOX_TEST_FAULT `slow-ingest:<ms>` makes every ingest wait that long first. Inert without it. */
  async #testFault() {
    const m = /^slow-ingest:(\d{1,5})$/.exec(String(this.env.INBOX_TEST_FAULT ?? ''));
    if (m) await new Promise((resolve) => setTimeout(resolve, Number(m[1])));
  }

  /**
   * Test only: INBOX_TEST_FAULT `fail-store:<chat>` makes the first store of a callback from that chat in this
   * instance throw half way, after its rows were written. Inert without it.
   */
  #failOnce(chat) {
    if (this.#failed || String(this.env.INBOX_TEST_FAULT ?? '') !== `fail-store:${chat}`) return;
    this.#failed = true;
    throw new Error('INBOX_TEST_FAULT');
  }
}
