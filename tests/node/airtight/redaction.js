// Contract item 7: the token never appears in any string of an error, however it is echoed back: in markup, with
// spaces folded, JSON-escaped, percent-encoded, or in what a failing fetch threw.
import { revokeMsg } from 'gewe-revoke';
import { assertNoLeak, assertNoToken, tokenForms } from '../../helpers.js';
import { assert, standin, fresh, rejects, describe } from './lib.js';

/** Tokens of printable ASCII that defeat a redaction done after tags are stripped or spaces folded. */
const TOKENS = [
  { token: 'Tk<b>  zq81-VAULT-7731[', fragments: ['zq81-VAULT', 'VAULT-7731'] },
  { token: 'Qx"pl\\um/b%41-ORCHID-5520', fragments: ['ORCHID-5520', 'pl\\um', 'um/b%41'] },
  { token: '<i>MANGO-8841</i>  alert(1) [', fragments: ['MANGO-8841', 'alert(1)'] },
  { token: '>>JUNO-3310  <<q', fragments: ['JUNO-3310'] },
];

/** `s` JSON-escaped the way some servers write it: `\/` for slashes, `\u00XX` for markup characters. */
const jsonEscaped = (s, { slashes = false, unicode = false } = {}) => {
  let out = JSON.stringify(s).slice(1, -1);
  if (slashes) out = out.replaceAll('/', '\\/');
  if (unicode) out = out.replace(/[<>&'\[\] %]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return out;
};

export const redaction = {
  async 'redaction-echoes'() {
    const s = await standin();
    const p = await fresh(s);
    const leaks = [];
    let checked = 0;
    const check = async (token, fragments, label, call, expected) => {
      const { error } = await rejects(call, expected, { label });
      checked++;
      try {
        assertNoToken(error, token);
        assertNoLeak(error, token, fragments);
      } catch (e) {
        leaks.push(`${label}: ${e.message.slice(0, 600)}`);
      }
      return error;
    };
    for (const { token, fragments } of TOKENS) {
      const options = { token, baseUrl: s.baseUrl, retries: 0 };
      const t = JSON.stringify(token);
      const echo = (status, body, type) => s.fault('echoBody', { status, body, headers: { 'content-type': type } });

      echo(502, `<html><head><title>502 Bad Gateway</title></head><body><h1>Bad token</h1><p>X-GEWE-TOKEN: ${token}</p><pre>${token}</pre></body></html>`, 'text/html');
      await check(token, fragments, `${t} in an HTML 502 page`, revokeMsg(p, options), { code: 'HTTP_STATUS', status: 502 });
      echo(500, `<html><body><p>token=${token}</p>\n\n<p>  again:   ${token}  </p></body></html>`, 'text/html');
      await check(token, fragments, `${t} in an HTML 500 page`, revokeMsg(p, options), { code: 'HTTP_STATUS', status: 500 });
      echo(401, `unauthorized:  ${token}  (twice:  ${token})`, 'text/plain');
      await check(token, fragments, `${t} in a plain-text 401`, revokeMsg(p, options), { code: 'HTTP_STATUS', status: 401 });
      for (const [how, escaped] of [
        ['JSON-escaped', jsonEscaped(token)],
        ['JSON-escaped with \\/', jsonEscaped(token, { slashes: true })],
        ['JSON-escaped with \\u00XX', jsonEscaped(token, { unicode: true })],
      ]) {
        echo(200, `upstream error {"token":"${escaped}","ok":false`, 'application/json');
        await check(token, fragments, `${t} ${how} in a non-JSON 200 body`, revokeMsg(p, options), { code: 'BAD_RESPONSE', status: 200 });
        echo(500, `{"error":"bad token","token":"${escaped}"}`, 'application/json');
        await check(token, fragments, `${t} ${how} in a JSON 500 body`, revokeMsg(p, options), { code: 'HTTP_STATUS', status: 500 });
      }
      // GeWe's own ret 500 echo, and in data; also a msg that quotes the token JSON-escaped inside a string.
      echo(200, JSON.stringify({ ret: 500, msg: `HTTP HEADER: X-GEWE-TOKEN=${token} 不可用或已过期`, data: { token, list: [token, `x ${token} y`] } }), 'application/json');
      const api = await check(token, fragments, `${t} in apiMsg and data`, revokeMsg(p, options), { code: 'API_ERROR', field: 'token' });
      assert.match(api.apiMsg, /X-GEWE-TOKEN=\[redacted\] 不可用或已过期/);
      echo(200, JSON.stringify({ ret: 500, msg: `bad header {"X-GEWE-TOKEN":"${jsonEscaped(token)}"}` }), 'application/json');
      await check(token, fragments, `${t} JSON-escaped inside apiMsg`, revokeMsg(p, options), { code: 'API_ERROR' });
      // The Location of a redirect: raw and percent-encoded (upper and lower case hex).
      const encoded = encodeURIComponent(token);
      for (const [how, location] of [
        ['raw', `http://127.0.0.1:9/login?token=${token}`],
        ['percent-encoded', `http://127.0.0.1:9/login?token=${encoded}&next=%2F`],
        ['percent-encoded, lower-case hex', `http://127.0.0.1:9/login?token=${encoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())}`],
      ]) {
        s.fault('redirect', { status: 302, location });
        const moved = await check(token, fragments, `${t} ${how} in a Location`, revokeMsg(p, options), { code: 'HTTP_STATUS', status: 302 });
        assert.equal(typeof moved.location, 'string', 'the location is given');
        assert.ok(moved.location.startsWith('http://127.0.0.1:9/login?token='), moved.location);
      }
      // What a failing fetch threw: message, stack and the cause chain.
      for (const [how, impl] of [
        ['a thrown Error with a cause', () => { throw new Error(`proxy refused X-GEWE-TOKEN ${token}`, { cause: new Error(`header was ${token}`) }); }],
        ['a rejected TypeError', () => Promise.reject(new TypeError(`fetch failed for ${token}`))],
        ['a thrown string', () => { throw `no route for ${token}`; }],
        ['a JSON-escaped echo in a thrown message', () => { throw new Error(`{"token":"${jsonEscaped(token)}"}`); }],
      ]) {
        const e = await check(token, fragments, `${t} in ${how}`, revokeMsg(p, { ...options, fetch: impl }), { code: 'NETWORK' });
        if (how !== 'a thrown string') {
          assert.ok(e.cause instanceof Error, `${how}: the cause is an Error: ${describe(e.cause)}`);
          assert.match(e.cause.message, /\[redacted\]/, `${how}: the cause's message has the token replaced`);
        }
      }
    }
    assert.ok(checked >= 60, `${checked} errors checked`);
    assert.deepEqual(leaks, []);
    // Sanity: the forms looked for really differ from the token, so the checks above test something.
    assert.ok(tokenForms(TOKENS[1].token).length >= 5);
  },
};
