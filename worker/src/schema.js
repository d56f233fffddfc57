// The ledger's storage: the SQLite schema of one account's Durable Object, every statement the object runs, and how a
// stored row is shown. Each state change is one guarded statement here (its WHERE names the states it may leave), so
// the object can run it before any await and two callers can never both make the same change.
//
// States: recorded, scheduled and cancelled can still be revoked; revoking means a request is out; retrying means an
// attempt failed in a way GeWe may have acted on (or refused) and the next one is due at next_try_at; revoked,
// failed (tries or window ran out, with the last error and whether GeWe may have acted) and expired are outcomes.
//   recorded ──schedule──▶ scheduled ──cancel──▶ cancelled ──schedule──▶ scheduled
//   recorded | scheduled | cancelled ──claim──▶ revoking ──▶ revoked | retrying | failed | expired
//   retrying ──claim (at next_try_at)──▶ revoking
//   recorded | scheduled | cancelled | retrying ──window closes──▶ expired (or failed, if GeWe may have acted)
import { WINDOW_SEC } from './config.js';

/** Seconds a message is kept after its window closed, so that its outcome can still be looked up. */
export const RETENTION_SEC = 3600;
/**
 * Seconds a revoked message without createTime stays known as revoked after its row left: recording its send again
 * gives it a fresh window (its send time is unknown), so only this tombstone keeps it from being revoked twice.
 */
export const TOMBSTONE_SEC = 24 * 3600;

const TABLES = [
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
    maybe_delivered INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try_at INTEGER
  )`,
  // Revoked messages without createTime whose row left the table (pruned or evicted).
  `CREATE TABLE IF NOT EXISTS tombstones (
    new_msg_id TEXT PRIMARY KEY,
    to_wxid TEXT NOT NULL,
    msg_id TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    forget_at INTEGER NOT NULL
  ) WITHOUT ROWID`,
];
/** Columns added after the first release, for tables created before them. */
const ADDED = [
  ['attempts', 'INTEGER NOT NULL DEFAULT 0'],
  ['next_try_at', 'INTEGER'],
];
const INDEXES = [
  `CREATE INDEX IF NOT EXISTS messages_due ON messages (revoke_at) WHERE state = 'scheduled'`,
  `CREATE INDEX IF NOT EXISTS messages_retry ON messages (next_try_at) WHERE state = 'retrying'`,
  `CREATE INDEX IF NOT EXISTS messages_state ON messages (state, sent_at)`,
  `CREATE INDEX IF NOT EXISTS messages_chat ON messages (to_wxid, sent_at)`,
  `CREATE INDEX IF NOT EXISTS messages_sent ON messages (sent_at)`,
  `CREATE INDEX IF NOT EXISTS tombstones_forget ON tombstones (forget_at)`,
];

/** Creates or upgrades the schema (idempotent). */
export function migrate(sql) {
  for (const statement of TABLES) sql.exec(statement);
  const have = new Set(sql.exec(`SELECT name FROM pragma_table_info('messages')`).toArray().map((c) => c.name));
  for (const [name, type] of ADDED) if (!have.has(name)) sql.exec(`ALTER TABLE messages ADD COLUMN ${name} ${type}`);
  for (const statement of INDEXES) sql.exec(statement);
}

/** The states a message can be claimed from by hand or by undo. */
export const REVOCABLE_STATES = ['recorded', 'scheduled', 'cancelled'];
const REVOCABLE = `state IN ('recorded', 'scheduled', 'cancelled')`;
const WINDOW_MS = WINDOW_SEC * 1000;
const KEEP_MS = (WINDOW_SEC + RETENTION_SEC) * 1000;

/** Every statement the ledger runs; the comment says what it guards. */
export const SQL = {
  count: 'SELECT COUNT(*) AS n FROM messages',
  countTombstones: 'SELECT COUNT(*) AS n FROM tombstones',
  row: 'SELECT * FROM messages WHERE new_msg_id = ?',
  tombstone: 'SELECT * FROM tombstones WHERE new_msg_id = ?',
  insert: `INSERT INTO messages (new_msg_id, app_id, to_wxid, msg_id, create_time, type, sent_at, recorded_at, state, revoke_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  // (now, revokeAt, id) Only a message that can still be revoked is (re)scheduled.
  schedule: `UPDATE messages SET state = 'scheduled', revoke_at = ?2, updated_at = ?1 WHERE new_msg_id = ?3 AND ${REVOCABLE} RETURNING *`,
  // (now, id) Only a scheduled recall is cancelled.
  cancel: `UPDATE messages SET state = 'cancelled', updated_at = ?1 WHERE new_msg_id = ?2 AND state = 'scheduled' RETURNING *`,
  // (now, id, maxAttempts) The alarm's claim: only what is still due (a cancel or a reschedule since wins) and has tries left.
  claimDue: `UPDATE messages SET state = 'revoking', attempts = attempts + 1, next_try_at = NULL, updated_at = ?1
    WHERE new_msg_id = ?2 AND attempts < ?3
      AND ((state = 'scheduled' AND revoke_at <= ?1) OR (state = 'retrying' AND next_try_at <= ?1)) RETURNING *`,
  // (now, id, maxAttempts) A claim by hand or by undo.
  claimNow: `UPDATE messages SET state = 'revoking', attempts = attempts + 1, next_try_at = NULL, updated_at = ?1
    WHERE new_msg_id = ?2 AND attempts < ?3 AND ${REVOCABLE} RETURNING *`,
  // (now, id, state, error, maybeDelivered, nextTryAt) The outcome of the request the claim let out.
  settle: `UPDATE messages SET state = ?3, error = ?4, maybe_delivered = MAX(maybe_delivered, ?5),
    next_try_at = ?6, updated_at = ?1 WHERE new_msg_id = ?2 AND state = 'revoking'`,
  // (now, error, maxAttempts) On start: a row still revoking lost its instance with the request out. GeWe may have
  // acted, and a revoke is a delete, so it is pursued again (at once) while it has tries left.
  interrupted: `UPDATE messages SET state = CASE WHEN attempts >= ?3 THEN 'failed' ELSE 'retrying' END,
    next_try_at = CASE WHEN attempts >= ?3 THEN NULL ELSE ?1 END, error = ?2, maybe_delivered = 1, updated_at = ?1
    WHERE state = 'revoking'`,
  // (now) Messages whose window has closed can no longer be revoked; a pursuit GeWe may have acted on ends failed.
  expire: `UPDATE messages SET state = CASE WHEN state = 'retrying' AND maybe_delivered = 1 THEN 'failed' ELSE 'expired' END,
    next_try_at = NULL, updated_at = ?1
    WHERE state IN ('recorded', 'scheduled', 'cancelled', 'retrying') AND sent_at <= ?1 - ${WINDOW_MS}`,
  // (now, limit) The recalls and retries due now, the earliest first.
  due: `SELECT new_msg_id FROM (
      SELECT new_msg_id, revoke_at AS t, seq FROM messages WHERE state = 'scheduled' AND revoke_at <= ?1
      UNION ALL SELECT new_msg_id, next_try_at, seq FROM messages WHERE state = 'retrying' AND next_try_at <= ?1)
    ORDER BY t, seq LIMIT ?2`,
  // (now, id) A revoke asked for now is first stored as a recall due now: should the object restart before its turn,
  // its alarm still fires it.
  dueNow: `UPDATE messages SET state = 'scheduled', revoke_at = MIN(COALESCE(revoke_at, ?1), ?1), updated_at = ?1
    WHERE new_msg_id = ?2 AND ${REVOCABLE}`,
  // (queued ids as JSON) The next recall or retry not already queued in this instance.
  nextDue: `SELECT MIN(t) AS t FROM (
      SELECT MIN(revoke_at) AS t FROM messages WHERE state = 'scheduled' AND new_msg_id NOT IN (SELECT value FROM json_each(?1))
      UNION ALL SELECT MIN(next_try_at) FROM messages WHERE state = 'retrying' AND new_msg_id NOT IN (SELECT value FROM json_each(?1)))`,
  nextPrune: `SELECT MIN(t) AS t FROM (
      SELECT MIN(sent_at) + ${KEEP_MS} AS t FROM messages WHERE state NOT IN ('revoking', 'retrying')
      UNION ALL SELECT MIN(forget_at) FROM tombstones)`,
  // (forgetAt, before, limit) Keeps the revoked media sends (no createTime) among the rows `delete` is about to remove
  // known as revoked until forgetAt.
  entomb: `INSERT OR REPLACE INTO tombstones (new_msg_id, to_wxid, msg_id, sent_at, forget_at)
    SELECT new_msg_id, to_wxid, msg_id, sent_at, ?1 FROM messages WHERE seq IN (SELECT seq FROM messages
      WHERE sent_at < ?2 AND state NOT IN ('revoking', 'retrying') ORDER BY sent_at, seq LIMIT ?3) AND state = 'revoked' AND create_time = '0'
    RETURNING new_msg_id`,
  // (before, limit) Deletes the oldest rows sent before `before`, never one with a request out or a pursuit under way.
  delete: `DELETE FROM messages WHERE seq IN (SELECT seq FROM messages
      WHERE sent_at < ?1 AND state NOT IN ('revoking', 'retrying') ORDER BY sent_at, seq LIMIT ?2) RETURNING seq`,
  // (now, limit) Forgets tombstones whose time is up.
  forget: `DELETE FROM tombstones WHERE new_msg_id IN (SELECT new_msg_id FROM tombstones WHERE forget_at <= ?1 LIMIT ?2) RETURNING 1`,
  // (count) At the tombstone bound: the ones closest to their time go first.
  forgetOldest: `DELETE FROM tombstones WHERE new_msg_id IN (SELECT new_msg_id FROM tombstones ORDER BY forget_at LIMIT ?1) RETURNING 1`,
  // (toWxid, before sentAt, before seq, since, limit) A chat's messages older than the cursor, newest first.
  chat: `SELECT * FROM messages WHERE to_wxid = ?1 AND sent_at >= ?4 AND (sent_at < ?2 OR (sent_at = ?2 AND seq < ?3))
    ORDER BY sent_at DESC, seq DESC LIMIT ?5`,
};

/** The stable key of a recorded message: `appId:newMsgId` (the appId names the ledger, the id the row). */
export const messageKey = (appId, newMsgId) => `${appId}:${newMsgId}`;

/** `{ appId, newMsgId }` from a key, or null when it is not one. */
export function parseKey(key) {
  const at = key.lastIndexOf(':');
  if (at < 1 || !/^\d{1,20}$/.test(key.slice(at + 1))) return null;
  return { appId: key.slice(0, at), newMsgId: key.slice(at + 1) };
}

/** A position in a chat's listing: the send time and sequence of the oldest message answered, as `sentAt-seq`. */
export const cursorOf = (row) => `${row.sent_at}-${row.seq}`;

/** `{ sentAt, seq }` from a cursor, `{ sentAt: Infinity }` for none, or null when it is not one. */
export function parseCursor(cursor) {
  if (cursor === null || cursor === undefined) return { sentAt: Number.MAX_SAFE_INTEGER, seq: Number.MAX_SAFE_INTEGER };
  const m = typeof cursor === 'string' ? /^(\d{1,15})-(\d{1,15})$/.exec(cursor) : null;
  return m ? { sentAt: Number(m[1]), seq: Number(m[2]) } : null;
}

/** What a lookup shows of a row; times are Unix milliseconds. */
export function view(row) {
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
  out.revocableUntil = row.sent_at + WINDOW_MS;
  if (row.revoke_at !== null) out.revokeAt = row.revoke_at;
  out.recordedAt = row.recorded_at;
  out.updatedAt = row.updated_at;
  if (row.attempts > 0) out.attempts = row.attempts;
  if (row.next_try_at !== null) out.nextTryAt = row.next_try_at;
  if (row.error !== null) out.error = JSON.parse(row.error);
  return out;
}
