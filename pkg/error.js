/**
 * The one error class of gewe-revoke. Errors raised inside wasm are instances of this very class
 * (the bindings import this file), so `err instanceof GeweError` always holds.
 */
export class GeweError extends Error {
  /**
   * @param {string} code one of the documented codes, e.g. 'API_ERROR'
   * @param {string} message one English sentence
   * @param {{cause?: unknown, maybeDelivered?: boolean, field?: string, status?: number, ret?: number, apiMsg?: string, data?: unknown, body?: string, location?: string}} [details]
   */
  constructor(code, message, details = {}) {
    // Own properties only: a polluted Object.prototype must not add a cause or flip maybeDelivered.
    const own = (key) => (Object.hasOwn(details, key) ? details[key] : undefined);
    const cause = own('cause');
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.maybeDelivered = own('maybeDelivered') === true;
    for (const key of ['field', 'status', 'ret', 'apiMsg', 'data', 'body', 'location']) {
      if (own(key) !== undefined) this[key] = own(key);
    }
  }
}
GeweError.prototype.name = 'GeweError';
