// Why the demo server got no answer from its upstream (demo/serve.js --upstream). One table, read by the server, which
// answers the page with the cause and logs it, and by the page, which says it in the result: the library alone would
// only see the server's HTTP 502 and report "GeWe answered HTTP 502".

/** What the demo server answers in place of GeWe's answer; short, so the library's body excerpt keeps it whole. */
export const MARK = 'demo-server:upstream-failed';

const where = (url) => new URL(url).host;

/**
 * Each cause: `reached` (may the request have reached GeWe?) and `say`, the reason in a few words given the
 * upstream URL. A cause where nothing can have been sent is answered with 502 (the library: `maybeDelivered`
 * false), one where the request was out with 504 (`maybeDelivered` true).
 */
export const CAUSES = {
  refused: { reached: false, say: (u) => `nothing accepts connections at ${where(u)} (connection refused)` },
  badPort: { reached: false, say: (u) => `fetch will not connect to port ${new URL(u).port}: it is one of the ports browsers and Node block ("bad port")` },
  dns: { reached: false, say: (u) => `the host name ${new URL(u).hostname} does not resolve (DNS)` },
  unreachable: { reached: false, say: (u) => `there is no route to ${where(u)}` },
  connectTimeout: { reached: false, say: (u) => `connecting to ${where(u)} timed out` },
  tls: { reached: false, say: (u) => `the TLS handshake with ${where(u)} failed (certificate or protocol)` },
  timeout: { reached: true, say: (u) => `${where(u)} did not answer within 60 seconds` },
  reset: { reached: true, say: (u) => `the connection to ${where(u)} broke before an answer came` },
  other: { reached: true, say: (u) => `the request to ${where(u)} failed` },
};

/** Node's codes for each cause (the `code` of a fetch failure's `cause`). */
const CODES = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns', // a temporary DNS failure
  EAI_NONAME: 'dns',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ETIMEDOUT: 'connectTimeout',
  UND_ERR_CONNECT_TIMEOUT: 'connectTimeout',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset', // undici: the socket closed while the request was out
};

/** The cause of a rejection of Node's `fetch` to the upstream. */
export function causeOf(error) {
  if (error?.name === 'TimeoutError') return 'timeout';
  const cause = error?.cause;
  if (cause?.message === 'bad port') return 'badPort';
  const code = String(cause?.code ?? '');
  if (Object.hasOwn(CODES, code)) return CODES[code];
  if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED)/.test(code)) return 'tls';
  return 'other';
}

/** The sentence for a cause: what the demo server could not do, at which upstream, and whether GeWe may have it. */
export function describe(cause, upstream) {
  const { reached, say } = Object.hasOwn(CAUSES, cause) ? CAUSES[cause] : CAUSES.other;
  const fate = reached ? 'The revoke may have reached GeWe: check the chat before sending it again.' : 'Nothing reached GeWe.';
  return `The demo server could not get an answer from ${upstream}: ${say(upstream)}. ${fate}`;
}
