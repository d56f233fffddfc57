// The demo page: fill the form (by hand, from a pasted send response, or from a stand-in test message), preview the
// exact request as you type, and revoke. The package is loaded once; the token is never rendered or stored unless
// the user ticks "remember in this tab" (then sessionStorage only).
import { revokeMsg, buildRevokeRequest, parseSendReceipt } from '/pkg/browser.js';

const $ = (id) => document.getElementById(id);
const FIELDS = ['baseUrl', 'token', 'appId', 'toWxid', 'msgId', 'newMsgId', 'createTime'];
const WINDOW_SEC = 120; // the library's default revokeWindowSec
const TOKEN_KEY = 'gewe-revoke-demo:token';
const MASK = '********';
let config = { mode: 'standin', basePath: '/gewe/v2/api' };
let previewRun = 0;

const value = (id) => $(id).value;
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
    $(`${id}-error`).textContent = e.message;
  } else {
    $('form-error').textContent = e?.message ?? String(e);
  }
}

/** Rebuilds the preview from the form; validation errors go beside their field before anything is sent. */
async function update() {
  clearErrors();
  updateWindow();
  const run = ++previewRun;
  let request;
  try {
    request = buildRevokeRequest(params(), options());
  } catch (e) {
    showFieldError(e);
    $('preview').textContent = `Not sendable yet: ${e.message}`;
    $('preview').dataset.curl = '';
    return;
  }
  const body = await request.text();
  if (run !== previewRun) return;
  $('preview').textContent = [`${request.method} ${request.url}`, 'Content-Type: application/json', `X-GEWE-TOKEN: ${MASK}`, '', body].join('\n');
  $('preview').dataset.curl = `curl -X POST '${request.url}' -H 'Content-Type: application/json' -H "X-GEWE-TOKEN: $GEWE_TOKEN" --data-raw '${body.replaceAll("'", "'\\''")}'`;
}

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
function fill(text) {
  $('paste-error').textContent = '';
  if (!text.trim()) return;
  try {
    const r = parseSendReceipt(text);
    for (const id of ['toWxid', 'msgId', 'newMsgId', 'createTime']) $(id).value = r[id];
    update();
  } catch (e) {
    $('paste-error').textContent = `${e.code}: ${e.message}`;
  }
}

/** Stand-in mode: send a text through postText and fill the form from the raw response text. */
async function sendTestMessage() {
  const button = $('send');
  button.disabled = true;
  try {
    const res = await fetch(`${value('baseUrl').replace(/\/+$/, '')}/message/postText`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gewe-token': value('token') },
      body: JSON.stringify({ appId: value('appId'), toWxid: value('toWxid') || 'wxid_demo_friend', content: 'gewe-revoke demo message' }),
    });
    const text = await res.text();
    $('paste').value = text;
    fill(text);
  } catch (e) {
    $('paste-error').textContent = `Sending failed: ${e.message}`;
  } finally {
    button.disabled = false;
  }
}

async function revoke(event) {
  event.preventDefault();
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
  remember(outcome, ms, p.newMsgId);
}

/** Stand-in mode: what the stand-in itself knows about that exact newMsgId. */
async function standinSays(newMsgId) {
  try {
    const res = await fetch(`${location.origin}${config.basePath}/__standin/messages`);
    const { data } = await res.json();
    const m = data.find((x) => x.newMsgId === String(newMsgId).trim().replace(/^0+(?=\d)/, ''));
    if (m?.revoked) return 'The stand-in confirms: that exact message is revoked.';
    return 'The stand-in answered 操作成功 but holds no message with this exact newMsgId: nothing was revoked (a rounded id?).';
  } catch {
    return undefined;
  }
}

function render({ ok, result, error }, ms, note) {
  const box = $('result');
  box.className = `result ${ok ? 'ok' : 'fail'}`;
  box.replaceChildren();
  const line = (text, cls) => {
    const p = document.createElement('p');
    if (cls) p.className = cls;
    p.textContent = text;
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
  if (note) line(note);
  const dl = document.createElement('dl');
  const facts = [['time', `${ms} ms`]];
  if (!ok) for (const key of ['field', 'status', 'ret', 'apiMsg']) if (error[key] !== undefined) facts.push([key, String(error[key])]);
  if (!ok && error.data !== undefined) facts.push(['data', JSON.stringify(error.data)]);
  for (const [k, v] of facts) {
    const dt = document.createElement('dt');
    const dd = document.createElement('dd');
    dt.textContent = k;
    dd.textContent = v;
    dl.append(dt, dd);
  }
  box.append(dl);
}

function remember({ ok, result, error }, ms, newMsgId) {
  const li = document.createElement('li');
  li.className = ok ? 'ok' : 'fail';
  const at = new Date().toLocaleTimeString();
  li.textContent = `${at} · newMsgId ${String(newMsgId).trim() || '—'} · ${ok ? `ok (${result.msg})` : error.code ?? 'ERROR'} · ${ms} ms`;
  $('history').prepend(li);
  while ($('history').children.length > 10) $('history').lastChild.remove();
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

async function start() {
  try {
    config = await (await fetch('/demo-config.json')).json();
  } catch {
    // Served by something other than demo/serve.js: same-origin defaults, no stand-in shortcuts.
    config = { mode: 'static', basePath: '/gewe/v2/api' };
  }
  $('baseUrl').value = location.origin + config.basePath;
  if (config.mode === 'standin') {
    $('mode').textContent = 'Stand-in mode: GeWe is simulated by this server; its test token and appId are filled in. Send a test message, then revoke it.';
    $('standin-actions').hidden = false;
    $('token').value = config.standin.token;
    $('appId').value = config.standin.appId;
    $('toWxid').value = 'wxid_demo_friend';
  } else if (config.mode === 'upstream') {
    $('mode').textContent = `Upstream mode: this server forwards ${config.basePath}/* to ${config.upstream}. Your token goes there and nowhere else.`;
  } else {
    $('mode').textContent = 'Static mode: requests go to the base URL below.';
  }
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved !== null) {
    $('token').value = saved;
    $('remember').checked = true;
  }
  for (const id of FIELDS) $(id).addEventListener('input', update);
  $('token').addEventListener('input', () => $('remember').checked && rememberToken());
  $('remember').addEventListener('change', rememberToken);
  $('paste').addEventListener('input', () => fill(value('paste')));
  $('send').addEventListener('click', sendTestMessage);
  $('copy-curl').addEventListener('click', copyCurl);
  $('form').addEventListener('submit', revoke);
  setInterval(updateWindow, 1000);
  document.body.dataset.ready = 'true';
  update();
}

start();
