// Applies wasm-opt's --minify-imports-and-exports-and-modules map to the wasm-bindgen glue: the .wasm's import
// module becomes "a", its imports and exports one or two letters, and the glue must use the same names.
// Usage: node scripts/rename-glue.mjs <map.json> <glue.js>
import { readFileSync, writeFileSync } from 'node:fs';

const [mapFile, glueFile] = process.argv.slice(2);
const map = JSON.parse(readFileSync(mapFile, 'utf8'));
let js = readFileSync(glueFile, 'utf8');
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const once = (re, to, what) => {
  let n = 0;
  js = js.replace(re, (...m) => (n++, to(...m)));
  if (n !== 1) throw new Error(`rename-glue: ${what} matched ${n} times`);
};
const modules = new Set(map.imports.map(([module]) => module));
if (modules.size !== 1) throw new Error(`rename-glue: expected one import module, got ${[...modules]}`);
for (const [, from, to] of map.imports) {
  once(new RegExp(`(\\n\\s+)${esc(from)}(: function)`, 'g'), (_, a, b) => `${a}${to}${b}`, from);
}
once(new RegExp(`${esc(JSON.stringify([...modules][0]))}: import0`, 'g'), () => '"a": import0', 'the import module');
for (const [from, to] of map.exports) {
  js = js.replace(new RegExp(`\\bwasm\\.${esc(from)}\\b`, 'g'), `wasm.${to}`);
}
const left = js.match(/__wbg_\w+_[0-9a-f]{16}\b|__wbindgen_\w+/g);
if (left) throw new Error(`rename-glue: names left unrenamed: ${[...new Set(left)].join(', ')}`);
writeFileSync(glueFile, js);
