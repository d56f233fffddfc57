// The sections of BENCHMARKS.md written by scripts other than bench/run.js (bench/loading.js, bench/profile-call.js),
// each between `<!-- NAME: begin … -->` and `<!-- NAME: end -->`: the one writer they use, and the reader run.js
// uses to carry them over when it rewrites the file.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PATH = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));

/** Puts `md` (which holds its own markers) in place of section `name`, or at the end when the file has none. */
export function writeSection(name, md) {
  const text = readFileSync(PATH, 'utf8');
  const begin = text.indexOf(`<!-- ${name}: begin`);
  const endMark = `<!-- ${name}: end -->`;
  const end = text.indexOf(endMark);
  const next = begin >= 0 && end > begin ? `${text.slice(0, begin)}${md}${text.slice(end + endMark.length)}` : `${text.trimEnd()}\n\n${md}\n`;
  writeFileSync(PATH, next);
}

/** Every such section of the file as it is now, each on lines of its own, so that rewriting it loses none. */
export function keptSections() {
  const text = existsSync(PATH) ? readFileSync(PATH, 'utf8') : '';
  const blocks = text.match(/<!-- ([a-z-]+): begin[^]*?<!-- \1: end -->/g) ?? [];
  return blocks.map((block) => `\n${block}\n`).join('');
}
