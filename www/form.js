// The form that revokes any message: the exact request previewed as you type, fields checked before anything is sent,
// the result as the stand-in judged it (or, with a real upstream, what cannot be known). The token goes only to the
// GeWe base, is never rendered, and is stored only if the visitor ticks "remember in this tab" (sessionStorage).
import { revokeMsg, buildRevokeRequest, parseSendReceipt } from '/pkg/browser.js';
import { $, value, MASK, config, redact, standinBase, standinMessages, note } from './page.js';

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

/** Stand-ins for fields left empty and untouched, so only what the visitor typed is judged. */
const quietValues = () => ({ baseUrl: standinBase(), token: 'x', appId: 'x', toWxid: 'x', msgId: '0', newMsgId: '0', createTime: '0' });

/**
 * Rebuilds the preview from the form. A field's error shows beside it once the visitor has typed in it (or tried to
 * revoke); a fresh page shows no errors, only what is still missing.
 */
async function update() {
  clearErrors();
  updateWindow();
  const run = ++previewRun;
  const waiting = attempted ? [] : FIELDS.filter((id) => !touched.has(id) && !value(id).trim());
  const quiet = quietValues();
  const orQuiet = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, waiting.includes(k) ? quiet[k] : v]));
  let request;
  try {
    request = buildRevokeRequest(orQuiet(params()), orQuiet(options()));
  } catch (e) {
    showFieldError(e);
    $('preview').textContent = `Not sendable yet: ${redact(e.message)}`;
    $('preview').dataset.curl = '';
    return;
  }
  if (waiting.length) {
    $('preview').textContent = `The request appears here once ${list(waiting)} ${waiting.length > 1 ? 'are' : 'is'} filled in.`;
    $('preview').dataset.curl = '';
    return;
  }
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
  const left = WINDOW_SEC - (Math.floor(Date.now() / 1000) - sent);
  if (left >= 0) {
    el.classList.add('open');
    el.textContent = `Revoke window: ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} left.`;
  } else {
    el.classList.add('closed');
    el.textContent = `The ${WINDOW_SEC} s revoke window closed ${ago(-left)} ago: WeChat no longer recalls this message.`;
  }
}

const ago = (s) => (s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`);

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
  const button = $('revoke');
  button.disabled = true;
  button.textContent = 'Revoking…';
  clearErrors();
  const p = params();
  const started = performance.now();
  let outcome;
  try {
    const result = await revokeMsg(p, { ...options(), timeoutMs: 15_000 });
    outcome = { ok: true, result };
  } catch (error) {
    outcome = { ok: false, error };
    showFieldError(error);
  }
  const ms = Math.round(performance.now() - started);
  button.disabled = false;
  button.textContent = 'Revoke';
  render(outcome, ms, outcome.ok && config.mode === 'standin' ? await standinSays(p.newMsgId) : undefined);
  const { ok, result, error } = outcome;
  note(undefined, String(p.newMsgId).trim() || '—', ok ? `ok (${result.msg})` : error.code ?? 'ERROR', ms, ok ? 'ok' : 'fail');
}

/** Stand-in mode: what the stand-in itself knows about that exact newMsgId. */
async function standinSays(newMsgId) {
  try {
    const data = await standinMessages();
    const m = data.find((x) => x.newMsgId === String(newMsgId).trim().replace(/^0+(?=\d)/, ''));
    if (m?.revoked) return 'The stand-in confirms: that exact message is revoked.';
    return 'The stand-in answered 操作成功 but holds no message with this exact newMsgId: nothing was revoked (a rounded id?).';
  } catch {
    return undefined;
  }
}

function render({ ok, result, error }, ms, remark) {
  const box = $('result');
  box.className = `result ${ok ? 'ok' : 'fail'}`;
  box.replaceChildren();
  const line = (text, cls) => {
    const p = document.createElement('p');
    if (cls) p.className = cls;
    p.textContent = redact(text);
    box.append(p);
  };
  if (ok) {
    line(`Revoked: ret ${result.ret} ${result.msg}`, 'code');
  } else {
    line(error.code ?? 'ERROR', 'code');
    line(error.message);
    if (error.code === 'NETWORK' && new URL(value('baseUrl'), location.href).origin !== location.origin) {
      line('Browsers reach GeWe only through this demo server: restart it with --upstream <GeWe base URL> and keep the default base URL.');
    }
  }
  if (remark) line(remark);
  const dl = document.createElement('dl');
  const facts = [['time', `${ms} ms`]];
  if (!ok) for (const key of ['field', 'status', 'ret', 'apiMsg']) if (error[key] !== undefined) facts.push([key, String(error[key])]);
  if (!ok && error.data !== undefined) facts.push(['data', JSON.stringify(error.data)]);
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
