// The GeWe stand-in in its own process, for the benchmarks: client and server do not share an event loop.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const STANDIN = fileURLToPath(new URL('../standin/standin.js', import.meta.url));

/** Starts it and reads where it listens; `stop()` ends it. */
/**
 * Starts it and reads where it listens; `stop()` ends it. It also ends when this process exits or is sent SIGTERM
 * (a `spawnSync` timeout), and its stderr is piped rather than inherited: a grandchild holding a pipe of a
 * `spawnSync` child would keep that call waiting until its timeout.
 */
export async function standinProcess() {
  const child = spawn(process.execPath, [STANDIN], { stdio: ['ignore', 'pipe', 'pipe'] });
  let said = '';
  child.stderr.on('data', (d) => {
    said = (said + d).slice(-2000);
  });
  const stop = () => child.kill();
  const onTerm = () => {
    stop();
    process.exit(143);
  };
  process.once('exit', stop);
  process.once('SIGTERM', onTerm);
  try {
    const line = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve(out);
      });
      child.once('exit', (code) => reject(new Error(`stand-in exited ${code}: ${said}`)));
    });
    const match = /at (\S+) +\(token (\S+), appId (\S+)\)/.exec(line);
    if (!match) throw new Error(`the stand-in did not say where it listens: ${line}`);
    const [, baseUrl, token, appId] = match;
    return {
      baseUrl,
      token,
      appId,
      stop: () => {
        process.off('exit', stop);
        process.off('SIGTERM', onTerm);
        stop();
      },
    };
  } catch (e) {
    stop();
    throw e;
  }
}
