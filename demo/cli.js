// The demo server's command line, checked before anything starts: scripts/demo.sh runs this file alone first, so a
// mistyped flag (`--prot 8000`) says why and exits 2 before a build or a server starts.
//   node demo/cli.js [args]   exits 0 when demo/serve.js would accept the args, 2 (with the reason) when not
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

export const USAGE = `usage: node demo/serve.js [--port 8080] [--host 127.0.0.1] [--upstream URL]
       (or scripts/demo.sh with the same options; PORT, HOST and GEWE_UPSTREAM in the environment work too)
  --port N        the port to listen on, 0 to 65535 (0: any free port); default 8080
  --host H        the address to listen on; default 127.0.0.1
  --upstream URL  forward /gewe/v2/api/* to this GeWe base URL, such as http://api.geweapi.com/gewe/v2/api,
                  instead of serving the built-in stand-in
  --help          this text`;

const OPTIONS = { port: { type: 'string' }, host: { type: 'string' }, upstream: { type: 'string' }, help: { type: 'boolean', short: 'h' } };

/** A command line demo/serve.js refuses: the message says what was wrong and what it accepts. */
export class UsageError extends Error {}

/**
 * The options in `argv` (flags win over `env`, where an empty variable counts as unset), or `{ help: true }`. Throws
 * `UsageError` for an unknown flag, a flag without its value, a stray argument, or a bad port or upstream.
 */
export function parseCli(argv, env = {}) {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new UsageError(`${plain(e)} See --help.`);
  }
  if (values.help) return { help: true };
  const portText = values.port ?? (env.PORT || '8080');
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port <= 65535)) throw new UsageError(`--port must be a number from 0 to 65535, got ${JSON.stringify(portText)}.`);
  const upstream = values.upstream ?? (env.GEWE_UPSTREAM || undefined);
  if (upstream !== undefined) checkUpstream(upstream);
  return { port, host: values.host ?? (env.HOST || '127.0.0.1'), upstream };
}

const EXAMPLES = { '--port': '8080', '--host': '127.0.0.1', '--upstream': 'http://api.geweapi.com/gewe/v2/api' };

/** Node's parseArgs messages name the flag but read as for programmers; these name it and what to type instead. */
function plain(e) {
  const quoted = /'([^']+)'/.exec(e.message)?.[1];
  const flag = quoted?.split(/[\s=]/)[0];
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${flag}: the options are --port, --host, --upstream and --help.`;
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return `${flag} needs a value, as in ${flag} ${EXAMPLES[flag] ?? '…'}.`;
  if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument ${JSON.stringify(quoted ?? '')}: every option is named (--port 8000, not 8000).`;
  return e.message;
}

/** The upstream base URL, without a trailing slash; throws `UsageError` when it is not an http(s) URL without credentials. */
export function checkUpstream(upstream) {
  let url;
  try {
    url = new URL(upstream);
  } catch {
    throw new UsageError(`--upstream must be a URL such as http://api.geweapi.com/gewe/v2/api, got ${JSON.stringify(upstream)}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError('--upstream must be an http:// or https:// URL.');
  if (url.username || url.password) throw new UsageError("--upstream must not carry a user name or password: the token goes in the page's Token field.");
  return url.href.replace(/\/+$/, '');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    if (parseCli(process.argv.slice(2), process.env).help) console.log(USAGE);
  } catch (e) {
    console.error(`demo: ${e.message}`);
    process.exit(2);
  }
}
