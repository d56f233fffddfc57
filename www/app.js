// The demo page. At the top, the story in two clicks (stand-in mode): one test message, then one revoke the way a
// typical client does it (JSON.parse, the id rounded, 操作成功, nothing revoked) and one with gewe-revoke (the exact
// id, 操作成功, revoked), each judged by what the stand-in really did. Below, a form that revokes any message: the
// exact request previewed as you type, fields checked before anything is sent. The package is loaded once; the token
// goes only to the GeWe base, is never rendered, and is stored only if the user ticks "remember in this tab"
// (then sessionStorage only).
import { revokeMsg, buildRevokeRequest, parseSendReceipt } from '/pkg/browser.js';

const $ = (id) => document.getElementById(id);
const FIELDS = ['baseUrl', 'token', 'appId', 'toWxid', 'msgId', 'newMsgId', 'createTime'];
const WINDOW_SEC = 120; // the library's default revokeWindowSec
const TOKEN_KEY = 'gewe-revoke-demo:token';
const MASK = '********';
let config = { mode: 'standin', basePath: '/gewe/v2/api' };
let previewRun = 0;
/** Fields the visitor has typed in; an untouched empty field is not an error until a revoke is attempted. */
const touched = new Set();
let attempted = false;
/** The raw text of the last test message's send response, which both story revokes start from. */
let sentText;

const value = (id) => $(id).value;
const params = () => ({ appId: value('appId'), toWxid: value('toWxid'), msgId: value('msgId'), newMsgId: value('newMsgId'), createTime: value('createTime') });
const options = () => ({ token: value('token'), baseUrl: value('baseUrl') });
/** The stand-in's base: the story always talks to this server's own GeWe path, never to an edited base URL. */
const storyBase = () => location.origin + config.basePath;
/** Text from GeWe shown on the page, with the token masked (GeWe echoes a bad token in its error message). */
const redact = (text) => (value('token') ? String(text).replaceAll(value('token'), MASK) : String(text));

// ---- The story: the same send response, revoked two ways ----------------------------------------------------------

// A typical client: the send response through JSON.parse, the ids passed on as they came out, as strings (the spec).
// This very function runs, and its source is what the page shows.
async function typicalClient(text, { baseUrl, token, appId }) {
  const { data } = JSON.parse(text); // what res.json() does
  const res = await fetch(`${baseUrl}/message/revokeMsg`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-GEWE-TOKEN': token,
    },
    body: JSON.stringify({
      appId,
      toWxid: data.toWxid,
      msgId: String(data.msgId),
      newMsgId: String(data.newMsgId),
      createTime: String(data.createTime),
    }),
  });
  return res.json();
}

// The same with gewe-revoke: this function runs too, and its source is what the page shows.
async function withGeweRevoke(text, { baseUrl, token, appId }) {
  const receipt = parseSendReceipt(text); // ids stay exact
  return revokeMsg({ appId, ...receipt }, { baseUrl, token });
}

const LIBRARY_IMPORT = "import { parseSendReceipt, revokeMsg } from 'gewe-revoke';\n\n";

/** Writes `id` into `el`, marking the digits that differ from `other` with <mark class=cls>. */
function showDigits(el, id, other, cls) {
  el.replaceChildren();
  let prefix = 0;
  while (prefix < id.length && id[prefix] === other[prefix]) prefix++;
  const differs = (i) => (id.length === other.length ? id[i] !== other[i] : i >= prefix);
  for (let i = 0; i < id.length; ) {
    let j = i;
    while (j < id.length && differs(j) === differs(i)) j++;
    if (differs(i)) {
      const mark = document.createElement('mark');
      mark.className = cls;
      mark.textContent = id.slice(i, j);
      el.append(mark);
    } else el.append(id.slice(i, j));
    i = j;
  }
}

/** The raw send response, its newMsgId marked. */
function showRaw(text) {
  const shown = redact(text);
  const at = /("newMsgId"\s*:\s*)(-?\d+)/.exec(shown);
  const pre = $('raw');
  pre.replaceChildren();
  if (!at) pre.textContent = shown;
  else {
    const mark = document.createElement('mark');
    mark.textContent = at[2];
    pre.append(shown.slice(0, at.index + at[1].length), mark, shown.slice(at.index + at[0].length));
  }
  $('raw-box').hidden = false;
}

function setVerdict(id, state, text) {
  const el = $(id);
  el.className = `verdict ${state}`;
  el.dataset.state = state;
  el.textContent = text;
}

function resetStory() {
  for (const side of ['typical', 'library']) {
    $(`${side}-id`).textContent = '—';
    $(`${side}-answer`).textContent = '—';
    setVerdict(`${side}-verdict`, 'idle', 'Not run yet.');
  }
  $('typical-sent').textContent = '';
  $('library-refuses').textContent = '';
  $('story-summary').textContent = '';
  $('story-summary').className = 'summary';
}

/** What the stand-in holds: every message it issued, with `revoked`. */
async function standinMessages() {
  const res = await fetch(`${storyBase()}/__standin/messages`, { signal: AbortSignal.timeout(10_000) });
  return (await res.json()).data;
}

/** Click 1: one postText; its raw text fills the story and the form. */
async function sendTestMessage() {
  const send = $('send');
  send.disabled = true;
  $('both').disabled = true;
  $('send-status').textContent = 'Sending…';
  $('send-status').className = 'send-status';
  $('raw-box').hidden = true;
  sentText = undefined;
  resetStory();
  try {
    const res = await fetch(`${storyBase()}/message/postText`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gewe-token': value('token') },
      body: JSON.stringify({ appId: value('appId'), toWxid: value('toWxid') || 'wxid_demo_friend', content: 'gewe-revoke demo message' }),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    showRaw(text);
    $('paste').value = redact(text);
    fill(text);
    const receipt = parseSendReceipt(text); // throws when the send failed: nothing to revoke
    sentText = text;
    $('both').disabled = false;
    $('send-status').textContent = `Sent: newMsgId ${receipt.newMsgId} is in the stand-in, not revoked. The form below is filled too.`;
  } catch (e) {
    $('send-status').className = 'send-status fail';
    $('send-status').textContent = `Sending failed: ${e.code ? `${e.code}: ` : ''}${redact(e.message)}`;
  } finally {
    send.disabled = false;
  }
}

/** Click 2: the typical client first (it leaves the message in place), then gewe-revoke, each judged by the stand-in. */
async function revokeBothWays() {
  const text = sentText;
  if (!text) return;
  sentText = undefined; // one run per message: the second would find it revoked already
  $('both').disabled = true;
  $('send').disabled = true;
  const opts = { baseUrl: storyBase(), token: value('token'), appId: value('appId') };
  const receipt = parseSendReceipt(text);
  const exact = receipt.newMsgId;
  let rounded;
  try {
    rounded = JSON.parse(text).data.newMsgId;
  } catch {
    rounded = undefined;
  }
  const roundedText = String(rounded);
  try {
    // Left: the typical client.
    showDigits($('typical-id'), roundedText, exact, 'changed');
    setVerdict('typical-verdict', 'running', 'Revoking…');
    let started = performance.now();
    let answer;
    try {
      answer = await typicalClient(text, opts);
      $('typical-answer').textContent = redact(JSON.stringify(answer));
    } catch (e) {
      $('typical-answer').textContent = `failed: ${redact(e.message)}`;
    }
    if (typeof rounded === 'number') {
      const sent = document.createElement('code');
      sent.textContent = `"newMsgId":"${roundedText}"`;
      $('typical-sent').replaceChildren('It sent ', sent, `: the digits String() prints for the double JSON.parse made, ${BigInt(rounded)}.`);
    }
    const ms = performance.now() - started;
    let held = await standinMessages();
    let m = held.find((x) => x.newMsgId === exact);
    const said = answer?.ret === 200 ? `ret 200 ${answer.msg}` : 'failed';
    note('typical client (JSON.parse)', roundedText, m?.revoked ? said : `${said}, nothing revoked`, ms, !!m?.revoked);
    if (m && !m.revoked) {
      setVerdict('typical-verdict', 'kept', `Nothing revoked: the stand-in has no message ${roundedText}, and message ${exact} is still there.`);
    } else if (m?.revoked) {
      setVerdict('typical-verdict', 'revoked', `Revoked: this time JSON.parse's number printed back as the same digits, so the id arrived intact.`);
    } else {
      setVerdict('typical-verdict', 'unknown', `The stand-in holds no message ${exact}.`);
    }

    // Right: gewe-revoke, on the same text.
    showDigits($('library-id'), exact, roundedText, 'kept');
    setVerdict('library-verdict', 'running', 'Revoking…');
    started = performance.now();
    let result;
    try {
      result = await withGeweRevoke(text, opts);
      $('library-answer').textContent = JSON.stringify(result);
      note('gewe-revoke (parseSendReceipt)', exact, `ok (${result.msg})`, performance.now() - started, true);
    } catch (e) {
      $('library-answer').textContent = `${e.code}: ${redact(e.message)}`;
      note('gewe-revoke (parseSendReceipt)', exact, e.code ?? 'ERROR', performance.now() - started, false);
    }
    held = await standinMessages();
    m = held.find((x) => x.newMsgId === exact);
    if (m?.revoked) setVerdict('library-verdict', 'revoked', `Revoked. The stand-in marked message ${exact} revoked.`);
    else setVerdict('library-verdict', 'kept', `Not revoked: message ${exact} is still there.`);

    // And the rounded number handed to gewe-revoke: refused before anything is sent.
    if (typeof rounded === 'number') {
      try {
        await revokeMsg({ appId: opts.appId, ...receipt, newMsgId: rounded }, { baseUrl: opts.baseUrl, token: opts.token });
        $('library-refuses').textContent = 'Handed the JSON.parse number, revokeMsg sent it.';
      } catch (e) {
        const code = document.createElement('b');
        code.textContent = e.code;
        $('library-refuses').replaceChildren('Handed the JSON.parse number instead, revokeMsg refuses it and sends nothing: ', code, ` ${redact(e.message)}`);
      }
    }
    const trap = $('typical-verdict').dataset.state === 'kept' && $('library-verdict').dataset.state === 'revoked';
    $('story-summary').className = `summary${trap ? ' shown' : ''}`;
    $('story-summary').textContent = trap
      ? 'Same send response, same answer 操作成功: only gewe-revoke\'s revoke recalled the message.'
      : 'See each side for what happened.';
  } catch (e) {
    $('story-summary').className = 'summary fail';
    $('story-summary').textContent = `The comparison stopped: ${redact(e.message)}`;
  } finally {
    $('send-status').textContent = '';
    $('send').disabled = false;
    $('story-hint').textContent = 'send another test message to run it again';
  }
}

// ---- The form -------------------------------------------------------------------------------------------------------

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
const quietValues = () => ({ baseUrl: storyBase(), token: 'x', appId: 'x', toWxid: 'x', msgId: '0', newMsgId: '0', createTime: '0' });

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
function fill(text) {
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
  note(undefined, String(p.newMsgId).trim() || '—', ok ? `ok (${result.msg})` : error.code ?? 'ERROR', ms, ok);
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

/** One line in "This tab's attempts". */
function note(who, newMsgId, outcome, ms, ok) {
  const li = document.createElement('li');
  li.className = ok ? 'ok' : 'fail';
  const at = new Date().toLocaleTimeString();
  li.textContent = `${at} · ${who ? `${who} · ` : ''}newMsgId ${newMsgId} · ${outcome} · ${Math.round(ms)} ms`;
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
    $('mode').textContent = 'Stand-in mode: GeWe is simulated by this server; its test token and appId are filled in.';
    $('story').hidden = false;
    $('typical-code').textContent = typicalClient.toString();
    $('library-code').textContent = LIBRARY_IMPORT + withGeweRevoke.toString();
    $('fill-hint').textContent = '“Send a test message” above fills these; or type the ids of a sent message, or paste its send response.';
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
  for (const id of FIELDS) {
    $(id).addEventListener('input', () => {
      touched.add(id);
      update();
    });
  }
  $('token').addEventListener('input', () => $('remember').checked && rememberToken());
  $('remember').addEventListener('change', rememberToken);
  $('paste').addEventListener('input', () => fill(value('paste')));
  $('send').addEventListener('click', sendTestMessage);
  $('both').addEventListener('click', revokeBothWays);
  $('copy-curl').addEventListener('click', copyCurl);
  $('form').addEventListener('submit', revoke);
  setInterval(updateWindow, 1000);
  document.body.dataset.ready = 'true';
  update();
}

start();
