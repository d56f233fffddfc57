/**
 * The one error class of gewe-revoke. Errors raised inside wasm are instances of this very class
 * (the bindings import this file), so `err instanceof GeweError` always holds.
 */
export class GeweError extends Error {
  /**
   * @param {string} code one of the documented codes, e.g. 'API_ERROR'
   * @param {string} message one English sentence
   * @param {{cause?: unknown, field?: string, status?: number, ret?: number, apiMsg?: string, data?: unknown, body?: string}} [details]
   */
  constructor(code, message, details = {}) {
    const { cause, ...known } = details;
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    Object.assign(this, known);
  }
}
GeweError.prototype.name = 'GeweError';
