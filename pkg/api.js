// The public surface, shared by every runtime entry. Each entry instantiates the wasm before its importers run.
export { revokeMsg, buildRevokeRequest, parseSendReceipt, GeweClient } from './wasm/gewe_revoke.js';
export { GeweError } from './error.js';
