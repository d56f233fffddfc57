// Prints the matrix's results (test-output/matrix/results/*.jsonl, written by each cell) as a Markdown table.
//   node tests/matrix/table.js
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { OUT } from './matrix.js';

const ORDER = ['Node', 'Deno', 'Bun', 'Browser', 'Cloudflare Workers', 'TypeScript'];
const dir = join(OUT, 'results');
const rows = readdirSync(dir)
  .filter((f) => f.endsWith('.jsonl'))
  .flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)))
  .sort((a, b) => ORDER.indexOf(a.group) - ORDER.indexOf(b.group) || a.tool.localeCompare(b.tool) || a.version.localeCompare(b.version, 'en', { numeric: true }));
const lines = ['| runtime or tool | version | result | config needed | time |', '| --- | --- | --- | --- | --- |'];
for (const r of rows) lines.push(`| ${r.tool} | ${r.version} | ${r.result} | ${r.config} | ${(r.ms / 1000).toFixed(1)} s |`);
console.log(lines.join('\n'));
const failed = rows.filter((r) => r.result !== 'pass').length;
console.log(`\n${rows.length} cells, ${rows.length - failed} passed, ${failed} failed`);
