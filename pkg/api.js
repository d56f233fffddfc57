// The public surface, shared by every runtime entry. Each entry instantiates the wasm before its importers run.
export { revokeMsg, buildRevokeRequest, parseSendReceipt, normalizeRevokeParams, GeweClient } from './wasm/gewe_revoke.js';
export { GeweError } from './error.js';

// The library's limits, for code that schedules revokes (the Worker's ledger). Plain values, since this module is
// evaluated before an entry instantiates the wasm; tests/node/surface.test.js checks them against src/core.

/** The default revoke window, in seconds: older messages are refused with `REVOKE_WINDOW_EXPIRED`. */
export const REVOKE_WINDOW_SEC = 120;
/** The largest `timeoutMs` (2^31-1 ms, the most a JS timer waits). */
export const MAX_TIMEOUT_MS = 2147483647;
