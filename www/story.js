// The story at the top of the page (stand-in mode only): one test message, then one revoke the way a typical client
// does it (JSON.parse, the id rounded, 操作成功, nothing revoked) and one with gewe-revoke (the exact id, 操作成功,
// revoked), each judged by what the stand-in really did. The two functions below run as written, and their source is
// what the page shows.
import { revokeMsg, parseSendReceipt } from '/pkg/browser.js';
import { $, value, redact, standinBase, note, showCode, showDigits } from './page.js';
import { fill } from './form.js';

/** The raw text of the last test message's send response, which both story revokes start from. */
let sentText;

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
  const res = await fetch(`${standinBase()}/__standin/messages`, { signal: AbortSignal.timeout(10_000) });
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
    const res = await fetch(`${standinBase()}/message/postText`, {
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
  const opts = { baseUrl: standinBase(), token: value('token'), appId: value('appId') };
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
    note('typical client (JSON.parse)', roundedText, m?.revoked ? said : `${said}, nothing revoked`, ms, m?.revoked ? 'ok' : 'fail');
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
      note('gewe-revoke (parseSendReceipt)', exact, `ok (${result.msg})`, performance.now() - started, 'ok');
    } catch (e) {
      $('library-answer').textContent = `${e.code}: ${redact(e.message)}`;
      note('gewe-revoke (parseSendReceipt)', exact, e.code ?? 'ERROR', performance.now() - started, 'fail');
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

/** Shows the story (stand-in mode) with the source of the two functions it runs, and wires its two buttons. */
export function startStory() {
  $('story').hidden = false;
  showCode($('typical-code'), typicalClient.toString());
  showCode($('library-code'), LIBRARY_IMPORT + withGeweRevoke.toString());
  $('send').addEventListener('click', sendTestMessage);
  $('both').addEventListener('click', revokeBothWays);
}
