// The page's third part (stand-in mode only): recalls by others. The stand-in POSTs GeWe's callbacks (a friend's
// message, then its recall notice) to the demo server's receiver, which hands each raw body to this page as it arrives
// (demo/recalls.js). Two clients read the same raw text: one through JSON.parse, which rounds NewMsgId and so keeps
// the message under an id the notice never names, and one through gewe-revoke's parseCallback, whose ids are exact
// and whose join finds what the friend recalled. The two functions below run as written, and their source is what the
// page shows.
import { parseCallback } from '/pkg/callbacks.js';
import { $, showCode, showDigits } from './page.js';

/** Each client's kept messages, by the NewMsgId it read (newest last, bounded by KEEP). */
const inboxes = { json: new Map(), lib: new Map() };
const KEEP = 100;
/** The exact NewMsgId of the last message that arrived and is not recalled yet: what button 2 recalls. */
let pending;

// A JSON.parse client: keeps each text message by its NewMsgId; a recall notice names the recalled message's
// NewMsgId inside its XML, as text. This very function runs on each raw callback, and its source is what the page shows.
function jsonParseClient(inbox, text) {
  const { Data } = JSON.parse(text); // what express.json() does
  if (Data?.MsgType === 1) {
    const id = String(Data.NewMsgId);
    inbox.set(id, Data.Content.string);
    return { kept: id };
  }
  if (Data?.MsgType !== 10002) return null;
  const xml = Data.Content.string;
  const named = /<newmsgid>(\d+)<\/newmsgid>/.exec(xml)?.[1];
  return named ? { named, recalled: inbox.get(named) } : null;
}

// The same with gewe-revoke: this function runs too, and its source is what the page shows.
function withGeweRevoke(inbox, text) {
  const { message } = parseCallback(text); // ids stay exact
  if (message?.msgType === 1) {
    inbox.set(message.newMsgId, message.text);
    return { kept: message.newMsgId };
  }
  const notice = message?.sysmsg;
  if (notice?.kind !== 'recall') return null;
  const recalled = inbox.get(notice.newMsgId);
  return { named: notice.newMsgId, recalled, notice };
}

const LIBRARY_IMPORT = "import { parseCallback } from 'gewe-revoke/callbacks';\n\n";

/** The raw callback in `pre`, the match of `at`'s second group marked. */
function showRaw(pre, text, at) {
  const m = at.exec(text);
  pre.replaceChildren();
  if (!m) pre.textContent = text;
  else {
    const mark = document.createElement('mark');
    mark.textContent = m[2];
    pre.append(text.slice(0, m.index + m[1].length), mark, text.slice(m.index + m[1].length + m[2].length));
  }
}

function setVerdict(id, state, text) {
  const el = $(id);
  el.className = `verdict ${state}`;
  el.dataset.state = state;
  el.textContent = text;
}

function setStatus(text, failed = false) {
  $('rc-status').className = `send-status${failed ? ' fail' : ''}`;
  $('rc-status').textContent = text;
}

/** Runs one client on a callback; a throw is that client's answer too (its message is shown on its side). */
function run(client, inbox, text) {
  try {
    const out = client(inbox, text);
    while (inbox.size > KEEP) inbox.delete(inbox.keys().next().value);
    return { out };
  } catch (e) {
    return { error: `${e.code ? `${e.code}: ` : ''}${e.message}` };
  }
}

/** One more callback arrived (tests wait on the count). */
function counted() {
  $('recalls').dataset.received = String(Number($('recalls').dataset.received ?? 0) + 1);
}

/** One raw callback, as the receiver got it: both clients read it, and the page shows what each did. */
function received(text) {
  counted();
  const json = run(jsonParseClient, inboxes.json, text);
  const lib = run(withGeweRevoke, inboxes.lib, text);
  if (lib.error) return setStatus(`A callback arrived that parseCallback refused: ${lib.error}`, true);
  if (lib.out?.kept) return messageArrived(text, json, lib.out.kept);
  if (lib.out?.named) return noticeArrived(text, json, lib.out);
  // A group system message, a pat, an image, another TypeName…
  setStatus('A callback arrived that is neither a text message nor a recall notice; both clients left it.');
}

function messageArrived(text, json, exact) {
  pending = exact;
  showRaw($('rc-message-raw'), text, /("NewMsgId"\s*:\s*)(\d+)/);
  $('rc-message-box').hidden = false;
  $('rc-notice-box').hidden = true;
  const rounded = json.out?.kept ?? '—';
  showDigits($('rc-json-kept'), rounded, exact, 'changed');
  showDigits($('rc-lib-kept'), exact, rounded, 'kept');
  for (const side of ['json', 'lib']) {
    $(`rc-${side}-named`).textContent = '—';
    $(`rc-${side}-found`).textContent = '—';
    setVerdict(`rc-${side}-verdict`, 'waiting', 'Kept the message; waiting for a recall notice.');
  }
  $('rc-json-aside').textContent = json.error ? `It threw: ${json.error}` : '';
  $('rc-lib-aside').textContent = '';
  $('rc-summary').className = 'summary';
  $('rc-summary').textContent = '';
  $('friend-recalls').disabled = false;
  setStatus(`The friend's message arrived: NewMsgId ${exact}, above 2^53, as a bare JSON number.`);
}

function noticeArrived(text, json, { named, recalled, notice }) {
  if (named === pending) {
    pending = undefined;
    $('friend-recalls').disabled = true;
  }
  showRaw($('rc-notice-raw'), text, /(<newmsgid>)(\d+)(?=<\/newmsgid>)/);
  $('rc-notice-box').hidden = false;
  $('rc-json-named').textContent = json.out?.named ?? '—';
  $('rc-lib-named').textContent = named;

  const jsonFound = json.out?.recalled;
  if (jsonFound !== undefined) {
    $('rc-json-found').textContent = jsonFound;
    setVerdict('rc-json-verdict', 'caught', `Joined: it kept a message as ${named}.`);
  } else {
    $('rc-json-found').textContent = 'nothing';
    const keys = [...inboxes.json.keys()];
    const kept = keys.length ? keys[keys.length - 1] : undefined;
    setVerdict(
      'rc-json-verdict',
      'missed',
      json.error
        ? `It threw: ${json.error}`
        : `Nothing joined: it kept no message ${named}${kept ? ` (it kept the friend's as ${kept}, rounded by JSON.parse)` : ''}. What the friend said is lost.`,
    );
  }
  if (recalled !== undefined) {
    const quote = document.createElement('q');
    quote.className = 'recalled-text';
    quote.lang = 'zh-CN';
    quote.textContent = recalled;
    $('rc-lib-found').replaceChildren(quote);
    setVerdict('rc-lib-verdict', 'caught', `Caught: the notice names message ${named}, the one it kept.`);
  } else {
    $('rc-lib-found').textContent = 'nothing';
    setVerdict('rc-lib-verdict', 'missed', `No kept message ${named}: it arrived before this page opened.`);
  }
  const shown = document.createElement('span');
  shown.lang = 'zh-CN';
  shown.textContent = notice.text;
  $('rc-lib-aside').replaceChildren(`WeChat shows `, shown, ` in its place, in the chat with ${notice.chat}${notice.by ? `; recalled by ${notice.by}` : ''}.`);
  const trap = $('rc-json-verdict').dataset.state === 'missed' && $('rc-lib-verdict').dataset.state === 'caught';
  $('rc-summary').className = `summary${trap ? ' shown' : ''}`;
  $('rc-summary').textContent = trap
    ? "Same two callbacks: only gewe-revoke's join finds what the friend recalled."
    : 'See each side for what happened.';
  setStatus('The recall notice arrived.');
}

/** Asks the demo server to have the stand-in send one callback; the callback itself arrives through the stream. */
async function play(step, button) {
  button.disabled = true;
  setStatus(step.step === 'message' ? 'The friend is typing…' : 'The friend is recalling it…');
  try {
    const res = await fetch('/demo-callbacks/play', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(step),
      signal: AbortSignal.timeout(15_000),
    });
    const answer = await res.json();
    if (!res.ok) throw new Error(answer.error);
    $('rc-answer').textContent = `The receiver answered the stand-in HTTP ${answer.answer.status} ${JSON.stringify(answer.answer.body)} in ${answer.answer.ms} ms (GeWe gives 3 s).`;
  } catch (e) {
    setStatus(`The stand-in could not send it: ${e.message}`, true);
    if (step.step === 'recall') button.disabled = false;
  } finally {
    if (step.step === 'message') button.disabled = false;
  }
}

/** Shows the third part (stand-in mode), with the source of the two functions it runs, and listens for callbacks. */
export async function startRecalls() {
  $('recalls').hidden = false;
  showCode($('rc-json-code'), jsonParseClient.toString());
  showCode($('rc-lib-code'), LIBRARY_IMPORT + withGeweRevoke.toString());
  $('recalls').dataset.parser = 'gewe-revoke';
  const events = new EventSource('/demo-callbacks/events');
  // Each event is {"text": raw}: a JSON string, so the raw body comes back byte for byte (no number passes JSON.parse here).
  events.addEventListener('callback', (e) => received(JSON.parse(e.data).text));
  events.addEventListener('test', () => {
    counted();
    setStatus("setCallback's test POST arrived (the receiver keeps its token from this page).");
  });
  events.addEventListener('open', () => {
    $('friend-sends').disabled = false;
    $('recalls').dataset.listening = 'true';
  });
  events.addEventListener('error', () => {
    if (events.readyState === EventSource.CLOSED) setStatus('The demo server stopped sending callbacks: reload the page.', true);
  });
  $('friend-sends').addEventListener('click', () => play({ step: 'message' }, $('friend-sends')));
  $('friend-recalls').addEventListener('click', () => play({ step: 'recall', newMsgId: pending }, $('friend-recalls')));
}
