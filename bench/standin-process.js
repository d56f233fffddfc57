// The GeWe stand-in in its own process, for the benchmarks: client and server do not share an event loop.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const STANDIN = fileURLToPath(new URL('../standin/standin.js', import.meta.url));

/** Starts it and reads where it listens; `stop()` ends it. */
export async function standinProcess() {
  const child = spawn(process.execPath, [STANDIN], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out);
    });
    child.once('exit', (code) => reject(new Error(`stand-in exited ${code}`)));
  });
  const [, baseUrl, token, appId] = /at (\S+) +\(token (\S+), appId (\S+)\)/.exec(line);
  return { baseUrl, token, appId, stop: () => child.kill() };
}
