// Test harness: starts the real `wasm-actions serve` on free ports with a temp data dir,
// and launches Debian's Chromium through playwright-core. The server has two origins:
// `url` serves the actions (and the API), `dashboardUrl` the dashboard (and the API).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const env = {
  binary: process.env.WA_BINARY,
  guests: process.env.WA_GUESTS_DIR,
  webDir: process.env.WA_WEB_DIR,
  webDist: process.env.WA_WEB_DIST || (process.env.WA_WEB_DIR && path.join(process.env.WA_WEB_DIR, 'dist')),
  artifacts: process.env.WA_ARTIFACTS_DIR || path.join(tmpdir(), 'wa-browser-artifacts'),
  chromium: process.env.WA_CHROMIUM || '/usr/bin/chromium',
};

export function checkEnvironment() {
  const problems = [];
  if (!env.binary || !existsSync(env.binary)) problems.push(`WA_BINARY (the wasm-actions binary) not found: ${env.binary}`);
  if (!env.guests || !existsSync(path.join(env.guests, 'hello.wasm'))) problems.push(`WA_GUESTS_DIR has no hello.wasm: ${env.guests}`);
  if (!env.webDist || !existsSync(path.join(env.webDist, 'index.html'))) problems.push(`the dashboard is not built (run \`npm ci && npm run build\` in web/): ${env.webDist}`);
  if (!existsSync(env.chromium)) problems.push(`Chromium not found at ${env.chromium} (apt-get install --no-install-recommends chromium)`);
  if (problems.length) throw new Error(problems.join('\n'));
  mkdirSync(env.artifacts, { recursive: true });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function startServer() {
  const dir = mkdtempSync(path.join(tmpdir(), 'wa-browser-'));
  const portFile = path.join(dir, 'port');
  const args = [
    'serve',
    '--listen', '127.0.0.1:0',
    '--port-file', portFile,
    '--data-dir', path.join(dir, 'data'),
    '--web-root', env.webDist,
    '--fast-password-hashing',
  ];
  const child = spawn(env.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  const deadline = Date.now() + 20000;
  // The port file's first line is the main listener, the second the dashboard's.
  const lines = () => (existsSync(portFile) ? readFileSync(portFile, 'utf8').trim().split('\n') : []);
  while (lines().length < 2) {
    if (exited) throw new Error(`wasm-actions serve exited (${JSON.stringify(exited)}):\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`wasm-actions serve did not write its port file in 20 s:\n${output}`);
    }
    await sleep(50);
  }
  const [address, dashboard] = lines();
  return {
    url: `http://${address}`,
    dashboardUrl: `http://${dashboard}`,
    output: () => output,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const until = Date.now() + 10000;
        while (!exited && Date.now() < until) await sleep(50);
        if (!exited) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  const require = createRequire(path.join(env.webDir, 'package.json'));
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: env.chromium,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-gpu',
    ],
  });
}
