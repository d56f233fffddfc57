// Matrix: the README's TypeScript example compiled by TypeScript 5.9 and 7 under moduleResolution bundler (with the
// DOM library), node16 and nodenext (with @types/node instead), in fresh projects that installed the packed tarball:
// it compiles, `gewe-revoke/wasm` has types, the slim entry's init is typed, and the mistake it marks is an error once
// unmarked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { NODE22, ROOT, assertOk, cell, project, run, snippet, tools, versionOf } from './matrix.js';

const t0 = await tools();
const COMPILERS = [
  { version: versionOf(join(ROOT, 'node_modules', 'typescript')), tsc: join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc') },
  { version: t0.version('typescript-7'), tsc: join(t0.pkg('typescript-7'), 'bin', 'tsc') },
];
const MODES = {
  bundler: { module: 'esnext', moduleResolution: 'bundler', lib: ['es2022', 'dom'], types: [] },
  node16: { module: 'node16', moduleResolution: 'node16', lib: ['es2022'], types: ['node'] },
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext', lib: ['es2022'], types: ['node'] },
};
const MARK = /^\s*\/\/ @ts-expect-error toWxid is a string\n/m;

function tsconfig(mode, files) {
  const compilerOptions = { strict: true, noEmit: true, target: 'es2022', skipLibCheck: false, exactOptionalPropertyTypes: true, ...MODES[mode] };
  return `${JSON.stringify({ compilerOptions, files }, null, 2)}\n`;
}

for (const ts of COMPILERS) {
  for (const mode of Object.keys(MODES)) {
    test(`typescript ${ts.version}, ${mode}`, { timeout: 120_000 }, (t) =>
      cell(t, { group: 'TypeScript', tool: `TypeScript, ${mode}`, version: ts.version, config: 'none' }, async () => {
        const usage = snippet('ts-usage');
        assert.match(usage, MARK);
        const dir = await project(`ts-${ts.version}-${mode}`, {
          files: {
            'usage.ts': usage,
            'wasm-path.ts': "import wasm from 'gewe-revoke/wasm';\n\nexport const file: unknown = wasm;\n",
            'slim.ts': snippet('ts-slim'),
            // init without the .wasm: an error everywhere. (A number is one only without the DOM library, whose empty
            // WebAssembly.Module interface takes any value but null and undefined.)
            'slim-wrong.ts': "import { init } from 'gewe-revoke/slim';\n\nexport const loaded: Promise<void> = init();\n",
            'wrong.ts': usage.replace(MARK, ''),
            // With the DOM library's WebAssembly types, a compiled Module is accepted too.
            'slim-module.ts': "import { init, initSync } from 'gewe-revoke/slim';\n\nexport const loaded: Promise<void> = init(new WebAssembly.Module(new Uint8Array(8)));\ninitSync(new WebAssembly.Module(new Uint8Array(8)));\n",
            'tsconfig.json': tsconfig(mode, ['usage.ts', 'wasm-path.ts', 'slim.ts', ...(mode === 'bundler' ? ['slim-module.ts'] : [])]),
            'tsconfig.wrong.json': tsconfig(mode, ['wrong.ts']),
            'tsconfig.slim-wrong.json': tsconfig(mode, ['slim-wrong.ts']),
          },
          links: mode === 'bundler' ? {} : { '@types/node': t0.pkg('@types/node') },
        });
        const version = await run(NODE22, [ts.tsc, '--version'], { cwd: dir });
        assert.match(version.stdout, new RegExp(`Version ${ts.version.replaceAll('.', '\\.')}`));
        assertOk(await run(NODE22, [ts.tsc, '-p', 'tsconfig.json'], { cwd: dir, timeout: 90_000 }), `tsc (${mode}) on the README example`);
        const wrong = await run(NODE22, [ts.tsc, '-p', 'tsconfig.wrong.json'], { cwd: dir, timeout: 90_000 });
        assert.ok(wrong.code === 1 || wrong.code === 2, `the unmarked mistake fails to compile (5.9 exits 2, 7 exits 1):\n${wrong.stdout}${wrong.stderr}`);
        assert.match(wrong.stdout, /wrong\.ts\(\d+,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/);
        assert.equal(wrong.stdout.match(/error TS/g).length, 1, wrong.stdout);
        const slimWrong = await run(NODE22, [ts.tsc, '-p', 'tsconfig.slim-wrong.json'], { cwd: dir, timeout: 90_000 });
        assert.match(slimWrong.stdout, /slim-wrong\.ts\(3,\d+\): error TS2554: Expected 1 arguments, but got 0/);
      }),
    );
  }
}
