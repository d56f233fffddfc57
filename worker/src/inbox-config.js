// The settings of the callback route and the Inbox, read from the Worker's environment and checked before use.
import { whole } from './config.js';
import { misconfigured } from './http.js';

/** The accounts this deployment serves: GEWE_APP_IDS (comma-separated), else GEWE_APP_ID. */
export function configuredAccounts(env) {
  const list = String(env.GEWE_APP_IDS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length > 0) return list;
  const one = String(env.GEWE_APP_ID ?? '').trim();
  return one ? [one] : [];
}

/** A switch: "" or "0" off, "1" on. */
function flag(env, name) {
  const text = String(env[name] ?? '');
  if (text !== '' && text !== '0' && text !== '1') throw misconfigured(name);
  return text === '1';
}

/** The Inbox's settings; throws MISCONFIGURED naming the variable. */
export function inboxSettings(env) {
  const webhook = String(env.RECALL_WEBHOOK_URL ?? '');
  if (webhook !== '' && !/^https?:\/\/[^/@\s]+(\/\S*)?$/i.test(webhook)) throw misconfigured('RECALL_WEBHOOK_URL');
  return {
    storeContent: flag(env, 'CALLBACK_STORE_CONTENT'),
    recordOwn: flag(env, 'CALLBACK_RECORD_OWN'),
    // Longer than WeChat's 2-minute recall window, so a recall notice always finds its message.
    keepSec: whole(env, 'INBOX_KEEP_SEC', 600, 130, 7 * 86400),
    recalledKeepDays: whole(env, 'INBOX_RECALLED_KEEP_DAYS', 3, 1, 90),
    maxMessages: whole(env, 'INBOX_MAX_MESSAGES', 20_000, 1, 1_000_000),
    webhook: webhook || null,
  };
}
