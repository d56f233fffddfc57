// What the story (story.js) and the form (form.js) share: the page's elements, the demo server's configuration, the
// token mask, the tab's history and how a duration is said.

export const $ = (id) => document.getElementById(id);
export const value = (id) => $(id).value;
export const MASK = '********';

/** What demo/serve.js said at /demo-config.json (app.js fills it in before anything runs). */
export const config = { mode: 'standin', basePath: '/gewe/v2/api' };

/** This server's own GeWe path: the story and the stand-in's record always live there, never at an edited base URL. */
export const standinBase = () => location.origin + config.basePath;

/** Text from GeWe shown on the page, with the token masked (GeWe echoes a bad token in its error message). */
export const redact = (text) => (value('token') ? String(text).replaceAll(value('token'), MASK) : String(text));

/**
 * One line in "This tab's attempts".
 * @param {'ok' | 'fail' | 'unknown'} state green (revoked), red (nothing revoked or an error), amber (cannot be known)
 */
export function note(who, newMsgId, outcome, ms, state) {
  const li = document.createElement('li');
  li.className = state;
  li.dataset.state = state;
  const at = new Date().toLocaleTimeString();
  li.textContent = `${at} · ${who ? `${who} · ` : ''}newMsgId ${newMsgId} · ${outcome} · ${Math.round(ms)} ms`;
  $('history').prepend(li);
  while ($('history').children.length > 10) $('history').lastChild.remove();
}

/** Each unit, its length in seconds, and how many of it make the next unit. */
const UNITS = [
  ['second', 1, 60],
  ['minute', 60, 60],
  ['hour', 3600, 24],
  ['day', 86400, 30],
  ['month', 30 * 86400, 12],
  ['year', 365 * 86400, Infinity],
];
const relative = new Intl.RelativeTimeFormat('en', { numeric: 'always' });

/**
 * `seconds` ago (or ahead, when negative) the way people say it: "3 days ago", "5 minutes ago", "in 2 hours",
 * rounded to the largest unit that reads as a whole number below the next (90 s: "2 minutes ago").
 */
export function ago(seconds) {
  const size = Math.abs(seconds);
  for (const [unit, per, next] of UNITS) {
    const n = Math.round(size / per);
    if (n < next) return relative.format(seconds >= 0 ? -n : n, unit);
  }
}

/** Writes `id` into `el`, marking the digits that differ from `other` with <mark class=cls>. */
export function showDigits(el, id, other, cls) {
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

/**
 * Writes source code into `pre` one line per block, so a line that wraps on a narrow screen continues indented
 * under itself (style.css) instead of at the left edge; the text stays the source, newline for newline.
 */
export function showCode(pre, source) {
  pre.replaceChildren(
    ...source.split('\n').map((text, i, all) => {
      const line = document.createElement('span');
      line.className = 'line';
      line.textContent = i < all.length - 1 ? `${text}\n` : text;
      return line;
    }),
  );
}
