// Load from wrk (loopback only, bounded in time), parsed from the JSON line our Lua
// script prints when the run ends.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const reportScript = path.join(here, '..', 'peers', 'wrk_report.lua');

export const WRK_THREADS = 1;
export const WRK_CONNECTIONS = 16;

export function runWrk(url, seconds, { connections = WRK_CONNECTIONS, threads = WRK_THREADS } = {}) {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) {
    throw new Error(`refusing to load ${url}: loopback only`);
  }
  const args = [`-t${threads}`, `-c${connections}`, `-d${Math.max(1, Math.round(seconds))}s`,
                '--timeout', '10s', '-s', reportScript, url];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
    child.on('error', (e) => { clearTimeout(killer); reject(new Error(`wrk: ${e.message}`)); });
    child.on('exit', (code) => {
      clearTimeout(killer);
      const line = out.split('\n').reverse().find((l) => l.startsWith('{'));
      if (code !== 0 || !line) {
        reject(new Error(`wrk ${args.join(' ')} failed (${code}): ${(err || out).trim().slice(-500)}`));
        return;
      }
      const result = JSON.parse(line);
      result.errors = result.errors_connect + result.errors_read + result.errors_write +
                      result.errors_timeout + result.errors_status;
      resolve(result);
    });
  });
}

// Warm-up (discarded), then `reps` measured runs; returns the median run by throughput
// and all runs.
export async function measureLoad(url, { seconds, warmupSeconds, reps }) {
  if (warmupSeconds > 0) await runWrk(url, warmupSeconds);
  const runs = [];
  for (let i = 0; i < reps; ++i) runs.push(await runWrk(url, seconds));
  const sorted = [...runs].sort((a, b) => a.rps - b.rps);
  return { ...sorted[Math.floor(sorted.length / 2)], runs };
}
