// HTTP pieces shared by the routes and the ledger: JSON answers, errors with codes, bounded bodies.

/** The most bytes of a request body read. */
export const MAX_BODY_BYTES = 64 * 1024;

/** HTTP status for each library error code. */
export const STATUS = {
  INVALID_PARAMS: 400,
  INVALID_OPTIONS: 400,
  UNSAFE_INTEGER: 400,
  PLACEHOLDER: 400,
  REVOKE_WINDOW_EXPIRED: 422,
  API_ERROR: 502,
  HTTP_STATUS: 502,
  NETWORK: 502,
  BAD_RESPONSE: 502,
  TIMEOUT: 504,
  ABORTED: 503,
};

/** An HTTP failure the Worker answers itself. */
export class HttpError extends Error {
  constructor(status, code, message, headers = {}, details = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
    this.details = details;
  }
}

export const unauthorized = () => new HttpError(401, 'UNAUTHORIZED', 'Send Authorization: Bearer <API_KEY>.', { 'WWW-Authenticate': 'Bearer' });
// Names the variable, never its value: a secret pasted into the wrong variable must not come back in a response.
export const misconfigured = (name) => new HttpError(500, 'MISCONFIGURED', `The Worker's ${name} is not valid.`);

/** The public face of a library error: code, message and what GeWe said; never a cause, data or a token. */
export function errorBody(e) {
  const out = { code: e.code, message: e.message };
  for (const k of ['field', 'ret', 'apiMsg', 'status', 'location']) if (e[k] !== undefined) out[k] = e[k];
  // Only when GeWe may have acted on the request although the call failed: check before revoking again.
  if (e.maybeDelivered === true) out.maybeDelivered = true;
  return out;
}

const unsupported = () => new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send Content-Type: application/json.');

/** `{ ok: false, error }` as the Worker answers every failure. */
export const failure = (code, message, extra = {}) => ({ ok: false, error: { code, message, ...extra } });

export function json(status, body, headers = {}) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers } });
}

/**
 * Reads a JSON body of at most 64 KB, whatever the Content-Length claims. With `empty`, a request with neither body
 * nor Content-Type reads as that value; a body without the JSON type is still refused, never ignored.
 */
export async function readJson(request, { empty } = {}) {
  const type = request.headers.get('Content-Type');
  const isJson = /^application\/json\s*(;|$)/i.test(type ?? '');
  if (!isJson && !(empty !== undefined && type === null)) throw unsupported();
  const declared = Number(request.headers.get('Content-Length'));
  const tooLarge = () => new HttpError(413, 'PAYLOAD_TOO_LARGE', `The body may hold at most ${MAX_BODY_BYTES} bytes.`);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks = [];
  let size = 0;
  if (request.body) {
    for await (const chunk of request.body) {
      size += chunk.byteLength;
      if (size > MAX_BODY_BYTES) throw tooLarge();
      chunks.push(chunk);
    }
  }
  if (!isJson) {
    if (size > 0) throw unsupported();
    return empty;
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) bytes.set(c, (at += c.byteLength) - c.byteLength);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new HttpError(400, 'BAD_JSON', 'The body is not valid JSON.');
  }
}
