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

/**
 * The library's remedies are written for JavaScript callers (what to pass, what to call); an HTTP caller sends JSON.
 * Each entry rewrites one of them into what to send instead; a message none matches is already right for both.
 */
const HTTP_REMEDIES = [
  // UNSAFE_INTEGER: an id sent as a JSON number above 2^53 has already been rounded by whoever parsed it.
  [/: pass it as a string or BigInt, or read the send response with parseSendReceipt\(\) to keep it exact\.$/,
    ': send it as a JSON string of digits, copied from the raw send answer (or record that raw text through POST /messages).'],
  [/^(\w+) is the JavaScript number/, '$1 is the JSON number'],
  [/above Number\.MAX_SAFE_INTEGER/, 'above 2^53'],
  // INVALID_PARAMS: JSON has strings and numbers, no BigInt.
  [/must be a decimal string, a BigInt or a safe integer/, 'must be a JSON string of decimal digits (a JSON number only up to 2^53)'],
  // REVOKE_WINDOW_EXPIRED: the Worker has no option to send anyway.
  [/; pass revokeWindowSec: null to send anyway\.$/, '; nothing was sent.'],
];

/** A library message as an HTTP caller should read it. */
export function forHttp(message) {
  return HTTP_REMEDIES.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), String(message));
}

/** The public face of a library error: code, message and what GeWe said; never a cause, data or a token. */
export function errorBody(e) {
  const out = { code: e.code, message: forHttp(e.message) };
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

/** The body's bytes, read as a stream and refused (413) past `max` bytes whatever Content-Length claims. */
export async function readBytes(request, max, what = 'The body') {
  const tooLarge = () => new HttpError(413, 'PAYLOAD_TOO_LARGE', `${what} may hold at most ${max} bytes.`);
  if (Number(request.headers.get('Content-Length')) > max) throw tooLarge();
  const chunks = [];
  let size = 0;
  if (request.body) {
    for await (const chunk of request.body) {
      size += chunk.byteLength;
      if (size > max) throw tooLarge();
      chunks.push(chunk);
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) bytes.set(c, (at += c.byteLength) - c.byteLength);
  return bytes;
}

/**
 * Reads a JSON body of at most 64 KB, whatever the Content-Length claims. With `empty`, a request with neither body
 * nor Content-Type reads as that value; a body without the JSON type is still refused, never ignored.
 */
export async function readJson(request, { empty } = {}) {
  const type = request.headers.get('Content-Type');
  const isJson = /^application\/json\s*(;|$)/i.test(type ?? '');
  if (!isJson && !(empty !== undefined && type === null)) throw unsupported();
  const bytes = await readBytes(request, MAX_BODY_BYTES);
  if (!isJson) {
    if (bytes.byteLength > 0) throw unsupported();
    return empty;
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new HttpError(400, 'BAD_JSON', 'The body is not valid JSON.');
  }
}
