// The Worker's settings, read from its environment (vars and secrets) and checked before use.
import { GeweClient } from 'gewe-revoke';
import { misconfigured } from './http.js';

/** The variable behind each client option the library may refuse. */
const VARIABLES = { token: 'GEWE_TOKEN', baseUrl: 'GEWE_BASE_URL', appId: 'GEWE_APP_ID', timeoutMs: 'GEWE_TIMEOUT_MS' };
/** The library's largest `timeoutMs` (what `setTimeout` honours). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** A whole number from a variable ("" = `fallback`); digits only, so " " and "0x10" are refused, not read as 0 and 16. */
export function whole(env, name, fallback, min, max) {
  const text = String(env[name] ?? '');
  if (text === '') return fallback;
  const n = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw misconfigured(name);
  return n;
}

// One client per isolate (rebuilt only if the configuration changes); the wasm was instantiated at module scope.
let cached;

/** The GeWe client for this environment; throws MISCONFIGURED naming the variable the library refused. */
export function clientFor(env) {
  const key = JSON.stringify([env.GEWE_BASE_URL, env.GEWE_APP_ID, env.GEWE_TIMEOUT_MS, env.GEWE_TOKEN]);
  if (cached?.key === key) return cached.client;
  const timeoutMs = whole(env, 'GEWE_TIMEOUT_MS', undefined, 0, MAX_TIMEOUT_MS);
  let client;
  try {
    client = new GeweClient({
      token: env.GEWE_TOKEN,
      baseUrl: env.GEWE_BASE_URL || undefined,
      appId: env.GEWE_APP_ID || undefined,
      timeoutMs,
    });
  } catch (e) {
    // The library's message may quote the refused value; answer with the variable's name only.
    throw misconfigured(VARIABLES[e?.field] ?? 'configuration');
  }
  cached = { key, client };
  return client;
}

/**
 * The ledger's settings: how an account's revokes are paced, and how many messages one account's ledger holds.
 * Throws MISCONFIGURED naming the variable.
 */
export function ledgerSettings(env) {
  return {
    concurrency: whole(env, 'LEDGER_REVOKE_CONCURRENCY', 1, 1, 64),
    intervalMs: whole(env, 'LEDGER_REVOKE_INTERVAL_MS', 500, 0, 60_000),
    maxMessages: whole(env, 'LEDGER_MAX_MESSAGES', 50_000, 1, 1_000_000),
    // A revoke the ledger sends always has a deadline: GEWE_TIMEOUT_MS "0" (none) would let one hung request hold
    // the account's queue for good.
    timeoutMs: /^0+$/.test(String(env.GEWE_TIMEOUT_MS ?? '')) ? 30_000 : undefined,
  };
}
