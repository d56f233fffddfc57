// The form that revokes any message: the exact request previewed as you type, fields checked before anything is sent,
// the result as the stand-in judged it (or, with a real upstream, what cannot be known). The token goes only to the
// GeWe base, is never rendered, and is stored only if the visitor ticks "remember in this tab" (sessionStorage).
import { revokeMsg, buildRevokeRequest, parseSendReceipt } from '/pkg/browser.js';
import { $, value, MASK, config, redact, standinBase, note, ago } from './page.js';
import { CAUSES, MARK, describe } from './upstream.js';

const FIELDS = ['baseUrl', 'token', 'appId', 'toWxid', 'msgId', 'newMsgId', 'createTime'];
const WINDOW_SEC = 120; // the library's default revokeWindowSec
const TOKEN_KEY = 'gewe-revoke-demo:token';
let previewRun = 0;
/** Fields the visitor has typed in; an untouched empty field is not an error until a revoke is attempted. */
const touched = new Set();
let attempted = false;

const params = () => ({ appId: value('appId'), toWxid: value('toWxid'), msgId: value('msgId'), newMsgId: value('newMsgId'), createTime: value('createTime') });
const options = () => ({ token: value('token'), baseUrl: value('baseUrl') });

function clearErrors() {
  for (const id of FIELDS) {
    $(id).removeAttribute('aria-invalid');
    $(`${id}-error`).textContent = '';
  }
  $('form-error').textContent = '';
}

/** Puts an error beside its field (or under the form when it names none). */
function showFieldError(e) {
  const id = FIELDS.includes(e?.field) ? e.field : undefined;
  if (id) {
    $(id).setAttribute('aria-invalid', 'true');
    $(`${id}-error`).textContent = redact(e.message);
  } else {
    $('form-error').textContent = redact(e?.message ?? String(e));
  }
}

/** Valid values for the fields not being judged: an untouched empty field, or every field but the one at hand. */
const quietValues = () => ({ baseUrl: standinBase(), token: 'x', appId: 'x', toWxid: 'x', msgId: '0', newMsgId: '0', createTime: '0' });

/**
 * Every invalid field at once, as the library judges them: `buildRevokeRequest` stops at the first error, so each
 * field in `judged` is checked alone (the others given valid values), then all of them together for an error that
 * names no single field. An empty list when the request can be built.
 */
function invalidFields(judged) {
  const quiet = quietValues();
  const typed = { ...params(), ...options() };
  const build = (keep) => {
    const v = Object.fromEntries(FIELDS.map((id) => [id, keep(id) ? typed[id] : quiet[id]]));
    buildRevokeRequest({ appId: v.appId, toWxid: v.toWxid, msgId: v.msgId, newMsgId: v.newMsgId, createTime: v.createTime }, { baseUrl: v.baseUrl, token: v.token });
  };
  const errors = [];
  for (const id of judged) {
    try {
      build((k) => k === id);
    } catch (e) {
      if (!errors.some((seen) => seen.field === e.field && seen.message === e.message)) errors.push(e);
    }
  }
  if (errors.length) return errors;
  try {
    build((k) => judged.includes(k));
  } catch (e) {
    return [e];
  }
  return [];
}

/**
 * Rebuilds the preview from the form. A field's error shows beside it once the visitor has typed in it (or tried to
 * revoke), every invalid field at once; a fresh page shows no errors, only what is still missing.
 */
async function update() {
  clearErrors();
  updateWindow();
  const run = ++previewRun;
  const waiting = attempted ? [] : FIELDS.filter((id) => !touched.has(id) && !value(id).trim());
  const errors = invalidFields(FIELDS.filter((id) => !waiting.includes(id)));
  if (errors.length) {
    errors.forEach(showFieldError);
    $('preview').textContent = `Not sendable yet: ${errors.map((e) => redact(e.message)).join(' ')}`;
    $('preview').dataset.curl = '';
    return;
  }
  if (waiting.length) {
    $('preview').textContent = `The request appears here once ${list(waiting)} ${waiting.length > 1 ? 'are' : 'is'} filled in.`;
    $('preview').dataset.curl = '';
    return;
  }
  const request = buildRevokeRequest(params(), options());
  const body = await request.text();
  if (run !== previewRun) return;
  $('preview').textContent = [`${request.method} ${request.url}`, 'Content-Type: application/json', `X-GEWE-TOKEN: ${MASK}`, '', body].join('\n');
  $('preview').dataset.curl = `curl -X POST '${request.url}' -H 'Content-Type: application/json' -H "X-GEWE-TOKEN: $GEWE_TOKEN" --data-raw '${body.replaceAll("'", "'\\''")}'`;
}

const list = (names) => (names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`);

/** The revoke-window countdown from createTime. */
function updateWindow() {
  const el = $('window');
  const text = value('createTime').trim();
  el.className = 'window';
  if (!/^\d+$/.test(text)) return void (el.textContent = '');
  const sent = Number(text);
  if (sent === 0) return void (el.textContent = 'createTime 0: GeWe gave no send time (images, videos), so no window check applies.');
  const age = Math.floor(Date.now() / 1000) - sent;
  const left = WINDOW_SEC - age;
  if (age < -60) {
    el.classList.add('closed');
    el.textContent = `createTime is ${ago(age)}, later than this computer's clock: check the value (unix seconds, not milliseconds) or the clock.`;
  } else if (left >= 0) {
    el.classList.add('open');
    el.textContent = `Revoke window: ${Math.floor(Math.min(left, WINDOW_SEC) / 60)}:${String(Math.min(left, WINDOW_SEC) % 60).padStart(2, '0')} left.`;
  } else {
    el.classList.add('closed');
    el.textContent = `The ${WINDOW_SEC / 60}-minute revoke window closed ${ago(-left)}: WeChat no longer recalls this message.`;
  }
}

/** Fills the ids from a send response's raw text; parseSendReceipt keeps 64-bit ids exact. */
export function fill(text) {
  $('paste-error').textContent = '';
  $('paste-note').textContent = '';
  if (!text.trim()) return;
  try {
    const r = parseSendReceipt(text);
    for (const id of ['toWxid', 'msgId', 'newMsgId', 'createTime']) {
      $(id).value = r[id];
      touched.add(id);
    }
    update();
    const parsed = roundedBy(text);
    if (parsed !== undefined && parsed !== r.newMsgId) {
      $('paste-note').textContent = `JSON.parse would read newMsgId as ${parsed}: a revoke with that id gets 操作成功 and revokes nothing. Kept exact here: ${r.newMsgId}.`;
    }
  } catch (e) {
    $('paste-error').textContent = `${e.code}: ${redact(e.message)}`;
  }
}

/** newMsgId as JSON.parse and String() turn it into text, or undefined. */
function roundedBy(text) {
  try {
    const { newMsgId } = JSON.parse(text).data ?? JSON.parse(text);
    return typeof newMsgId === 'number' ? String(newMsgId) : undefined;
  } catch {
    return undefined;
  }
}

async function revoke(event) {
  event.preventDefault();
  attempted = true;
  clearErrors();
  const invalid = invalidFields(FIELDS);
  const newMsgId = value('newMsgId').trim() || '—';
  if (invalid.length) {
    const codes = [...new Set(invalid.map((e) => e.code))].join(', ');
    invalid.forEach(showFieldError);
    render({ state: 'fail', headline: codes, lines: invalid.map((e) => e.message), facts: [['sent', 'nothing']] });
    note(undefined, newMsgId, `${codes}, nothing sent`, 0, 'fail');
    return;
  }
  const button = $('revoke');
  button.disabled = true;
  button.textContent = 'Revoking…';
  // The exact newMsgId the request carries (canonical digits), which is what the stand-in judged.
  const sent = JSON.parse(await buildRevokeRequest(params(), options()).text()).newMsgId;
  const started = performance.now();
  let shown;
  try {
    const result = await revokeMsg(params(), { ...options(), timeoutMs: 15_000 });
    shown = await verdict(result, sent);
  } catch (error) {
    showFieldError(error);
    shown = failure(error);
  }
  const ms = Math.round(performance.now() - started);
  button.disabled = false;
  button.textContent = 'Revoke';
  render({ ...shown, facts: [['time', `${ms} ms`], ...(shown.facts ?? [])] });
  note(undefined, sent, shown.history, ms, shown.state);
}

/**
 * What a revoke answered `ret: 200` did. GeWe says 操作成功 whether or not the ids matched a message, so only the
 * stand-in can tell: it is asked for its verdict on that call; with a real upstream the page says it cannot know.
 */
async function verdict(result, newMsgId) {
  const said = `ret ${result.ret} ${result.msg}`;
  if (config.mode !== 'standin') {
    return {
      state: 'unknown',
      headline: `GeWe answered ${said}: whether anything was recalled is unknown`,
      lines: [`GeWe answers ${result.msg} whether or not these ids matched a message (a rounded newMsgId gets it too), so this page cannot know whether the message was recalled. Look at the chat: it shows a recall notice if it was.`],
      history: `${said}, outcome unknown`,
    };
  }
  let judged;
  try {
    const res = await fetch(`/demo-standin/revoke?newMsgId=${encodeURIComponent(newMsgId)}`, { signal: AbortSignal.timeout(10_000) });
    judged = await res.json();
  } catch {
    judged = undefined;
  }
  const { call, message, roundedFrom } = judged ?? {};
  if (call?.outcome === 'revoked') {
    return { state: 'ok', headline: `Revoked: ${said}`, lines: [`The stand-in confirms: it recalled message ${newMsgId}.`], history: `${said}, revoked` };
  }
  if (call?.outcome === 'unmatched') {
    const why = message
      ? `The stand-in has message ${newMsgId}, but ${mismatches(call.body, message)}, so the revoke matched nothing and the message is still there.`
      : `The stand-in holds no message with newMsgId ${newMsgId}, so nothing was recalled.` +
        (roundedFrom ? ` This is message ${roundedFrom} rounded, as JSON.parse reads it: that message is still there.` : ' A rounded id does this: JSON.parse turns a newMsgId above 2^53 into a nearby number.');
    return { state: 'fail', headline: `Nothing revoked: GeWe answered ${said}`, lines: [why], history: `${said}, nothing revoked` };
  }
  return {
    state: 'unknown',
    headline: `GeWe answered ${said}: whether anything was recalled is unknown`,
    lines: ["The stand-in's record of this call could not be read."],
    history: `${said}, outcome unknown`,
  };
}

/** "its toWxid is "a", not "b"": how the call's ids differ from the message's. */
function mismatches(body, message) {
  const differ = ['toWxid', 'msgId', 'createTime'].filter((k) => String(message[k]) !== body[k]);
  return list(differ.map((k) => `its ${k} is ${JSON.stringify(String(message[k]))}, not ${JSON.stringify(body[k])}`)) || 'the call differs';
}

/** A rejected revoke, as the result shows it. */
function failure(error) {
  const upstream = upstreamFailure(error);
  if (upstream) return upstream;
  const lines = [error.message];
  if (error.code === 'NETWORK' && new URL(value('baseUrl'), location.href).origin !== location.origin) {
    lines.push('Browsers reach GeWe only through this demo server: restart it with --upstream <GeWe base URL> and keep the default base URL.');
  }
  const facts = [];
  for (const key of ['field', 'status', 'ret', 'apiMsg', 'maybeDelivered']) if (error[key] !== undefined) facts.push([key, String(error[key])]);
  if (error.data !== undefined) facts.push(['data', JSON.stringify(error.data)]);
  return { state: 'fail', headline: error.code ?? 'ERROR', lines, facts, history: error.code ?? 'ERROR' };
}

/**
 * The demo server's own answer when it could not reach its upstream (www/upstream.js): said as what it is, not as
 * "GeWe answered HTTP 502", with the whole upstream URL.
 */
function upstreamFailure(error) {
  let said;
  try {
    said = error.code === 'HTTP_STATUS' && config.mode === 'upstream' ? JSON.parse(error.body) : undefined;
  } catch {
    said = undefined;
  }
  if (said?.error !== MARK || !Object.hasOwn(CAUSES, said.cause)) return undefined;
  const { reached } = CAUSES[said.cause];
  return {
    state: 'fail',
    headline: reached ? 'The upstream broke off: the revoke may have reached GeWe' : 'GeWe not reached: nothing was sent to it',
    lines: [describe(said.cause, config.upstream), 'Check --upstream (the whole GeWe base URL, such as http://api.geweapi.com/gewe/v2/api) and that this computer reaches that host, then restart the demo.'],
    facts: [['upstream', config.upstream], ['cause', said.cause], ['demo server', `HTTP ${error.status}`], ['maybeDelivered', String(error.maybeDelivered)]],
    history: `upstream ${said.cause}, ${reached ? 'may have reached GeWe' : 'nothing sent'}`,
  };
}

/** The result box: green for revoked, red for nothing revoked or an error, amber for what cannot be known. */
function render({ state, headline, lines, facts = [] }) {
  const box = $('result');
  box.className = `result ${state}`;
  box.dataset.state = state;
  box.replaceChildren();
  const line = (text, cls) => {
    const p = document.createElement('p');
    if (cls) p.className = cls;
    p.textContent = redact(text);
    box.append(p);
  };
  line(headline, 'code');
  for (const text of lines) line(text);
  const dl = document.createElement('dl');
  for (const [k, v] of facts) {
    const dt = document.createElement('dt');
    const dd = document.createElement('dd');
    dt.textContent = k;
    dd.textContent = redact(v);
    dl.append(dt, dd);
  }
  box.append(dl);
}

async function copyCurl() {
  const curl = $('preview').dataset.curl;
  if (!curl) return;
  try {
    await navigator.clipboard.writeText(curl);
    $('copy-curl').textContent = 'Copied (token as $GEWE_TOKEN)';
  } catch {
    $('preview').textContent = curl;
  }
  setTimeout(() => ($('copy-curl').textContent = 'Copy as curl'), 2000);
}

function rememberToken() {
  if ($('remember').checked) sessionStorage.setItem(TOKEN_KEY, value('token'));
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Fills the form's defaults for this mode and wires it; the first preview is drawn at once. */
export function startForm() {
  $('baseUrl').value = location.origin + config.basePath;
  if (config.mode === 'standin') {
    $('fill-hint').textContent = '“Send a test message” above fills these; or type the ids of a sent message, or paste its send response.';
    $('token').value = config.standin.token;
    $('appId').value = config.standin.appId;
    $('toWxid').value = 'wxid_demo_friend';
  }
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved !== null) {
    $('token').value = saved;
    $('remember').checked = true;
  }
  for (const id of FIELDS) {
    $(id).addEventListener('input', () => {
      touched.add(id);
      update();
    });
  }
  $('token').addEventListener('input', () => $('remember').checked && rememberToken());
  $('remember').addEventListener('change', rememberToken);
  $('paste').addEventListener('input', () => fill(value('paste')));
  $('copy-curl').addEventListener('click', copyCurl);
  $('form').addEventListener('submit', revoke);
  setInterval(updateWindow, 1000);
  update();
}
