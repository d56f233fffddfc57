// The Worker's settings, read from its environment (vars and secrets) and checked before use, and the library-facing
// constants the ledger builds on (the revoke window, the canonical params, the timeout bound), taken from the
// library's own exports so that the Worker copies none of them.
import { GeweClient, MAX_TIMEOUT_MS, normalizeRevokeParams, REVOKE_WINDOW_SEC } from 'gewe-revoke';
import { HttpError, misconfigured } from './http.js';

/** Seconds after sending during which WeChat lets a message be revoked (also the library's local check). */
export const WINDOW_SEC = REVOKE_WINDOW_SEC;
/** The latest a recall may be scheduled, in seconds after sending; the rest of the window is for the alarm and the call. */
export const MAX_REVOKE_AFTER_SEC = 110;
/** The deadline of a ledger revoke when GEWE_TIMEOUT_MS is "0" (none): one hung request must not hold the queue. */
export const LEDGER_TIMEOUT_MS = 30_000;
/** The most requests the ledger sends for one message, retries included. */
export const MAX_ATTEMPTS = 5;

/** The variable behind each client option the library may refuse. */
const VARIABLES = { token: 'GEWE_TOKEN', baseUrl: 'GEWE_BASE_URL', appId: 'GEWE_APP_ID', timeoutMs: 'GEWE_TIMEOUT_MS' };

/** A whole number from a variable ("" = `fallback`); digits only, so " " and "0x10" are refused, not read as 0 and 16. */
export function whole(env, name, fallback, min, max) {
  const text = String(env[name] ?? '');
  if (text === '') return fallback;
  const n = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw misconfigured(name);
  return n;
}

// One client per isolate and use (rebuilt only if the configuration changes); the wasm was instantiated at module scope.
const cached = new Map();

/**
 * The GeWe client for this environment; throws MISCONFIGURED naming the variable the library refused. `retries`
 * (default: the library's) is 0 for the ledger, which makes each of its attempts exactly one request and pursues the
 * recall itself.
 */
export function clientFor(env, { retries } = {}) {
  const key = JSON.stringify([env.GEWE_BASE_URL, env.GEWE_APP_ID, env.GEWE_TIMEOUT_MS, env.GEWE_TOKEN]);
  if (cached.get(retries)?.key === key) return cached.get(retries).client;
  const timeoutMs = whole(env, 'GEWE_TIMEOUT_MS', undefined, 0, MAX_TIMEOUT_MS);
  let client;
  try {
    client = new GeweClient({
      token: env.GEWE_TOKEN,
      baseUrl: env.GEWE_BASE_URL || undefined,
      appId: env.GEWE_APP_ID || undefined,
      timeoutMs,
      retries,
    });
  } catch (e) {
    // The library's message may quote the refused value; answer with the variable's name only.
    throw misconfigured(VARIABLES[e?.field] ?? 'configuration');
  }
  cached.set(retries, { key, client });
  return client;
}

/**
 * The ledger's settings: how an account's revokes are paced and retried, and how many messages one account's
 * ledger holds. Throws MISCONFIGURED naming the variable.
 */
export function ledgerSettings(env) {
  return {
    concurrency: whole(env, 'LEDGER_REVOKE_CONCURRENCY', 1, 1, 64),
    intervalMs: whole(env, 'LEDGER_REVOKE_INTERVAL_MS', 500, 0, 60_000),
    maxMessages: whole(env, 'LEDGER_MAX_MESSAGES', 50_000, 1, 1_000_000),
    // The pause before the first retry; it doubles for each one after.
    retryMs: whole(env, 'LEDGER_RETRY_MS', 1000, 0, 60_000),
    // A revoke the ledger sends always has a deadline: GEWE_TIMEOUT_MS "0" (none) would let one hung request hold
    // the account's queue for good.
    timeoutMs: /^0+$/.test(String(env.GEWE_TIMEOUT_MS ?? '')) ? LEDGER_TIMEOUT_MS : undefined,
  };
}

/**
 * The accounts this deployment keeps ledgers for: GEWE_APP_IDS (comma-separated) and GEWE_APP_ID. Every ledger is a
 * Durable Object with its own storage, so this list is what bounds the deployment's storage.
 */
export function servedAccounts(env) {
  const list = String(env.GEWE_APP_IDS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const fallback = String(env.GEWE_APP_ID ?? '').trim();
  return new Set(fallback ? [...list, fallback] : list);
}

/** Throws unless the deployment serves `appId` (canonical, as `canonical` answers it); touches no Durable Object. */
export function checkAccount(env, appId) {
  const served = servedAccounts(env);
  if (served.size === 0) {
    throw new HttpError(500, 'NOT_CONFIGURED', 'The Worker is not configured: set GEWE_APP_IDS to the appIds whose messages the ledger keeps.');
  }
  if (!served.has(appId)) {
    throw new HttpError(403, 'UNKNOWN_APP_ID', 'This Worker keeps no ledger for that appId: send one of the accounts its GEWE_APP_IDS lists.', {}, { field: 'appId' });
  }
}

/**
 * The params exactly as the library would send them (trimmed, ids in canonical decimal): the ledger stores and looks
 * up what a revoke will carry. Throws the library's GeweError (400) when it refuses them; no window check, no token.
 */
export async function canonical(params) {
  return normalizeRevokeParams(params);
}
