// Child processes bench/run starts (each in its own process group, all stopped on exit),
// plus small waiting and HTTP helpers.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

const children = new Set();

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Starts a long-running process with its output appended to `logFile`.
export function startProcess(command, args, { logFile, env, cwd } = {}) {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
    detached: true,  // own process group: stopping it also stops what it started
  });
  fs.closeSync(log);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const entry = { child, exited, command };
  children.add(entry);
  child.on('error', () => {});
  return {
    pid: child.pid,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: () => stopEntry(entry),
  };
}

async function stopEntry(entry, graceMs = 5000) {
  children.delete(entry);
  const { child, exited } = entry;
  if (child.exitCode !== null || child.signalCode !== null) return;
  signalGroup(child.pid, 'SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!done) {
    signalGroup(child.pid, 'SIGKILL');
    await exited;
  }
  signalGroup(child.pid, 'SIGKILL');  // anything left in its group (e.g. a compiler)
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

export async function stopAllProcesses() {
  await Promise.all([...children].map((entry) => stopEntry(entry, 2000)));
}

// Runs a command to completion; throws with its output if it fails.
export function runChecked(command, args, { cwd, env, timeoutMs = 600_000 } = {}) {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: timeoutMs,
  });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}:\n${output}`);
  }
  return result.stdout;
}

export async function waitFor(what, check, { timeoutMs = 30_000, intervalMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export async function waitForPortFile(file, proc, timeoutMs = 30_000) {
  return waitFor(`${file}`, () => {
    if (proc && !proc.alive()) throw new Error(`process exited before writing ${file}`);
    if (!fs.existsSync(file)) return null;
    // The first line is the address (wasm-actions writes its dashboard's on a second one).
    const text = fs.readFileSync(file, 'utf8').trim().split('\n')[0];
    return text.includes(':') ? text : null;
  }, { timeoutMs });
}

// GET with a time limit; resolves to {status, body} or null when unreachable.
export async function httpGet(url, timeoutMs = 10_000) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(Math.round(timeoutMs)) });
    return { status: response.status, body: await response.text() };
  } catch {
    return null;
  }
}

// Polls `url` until it answers 200; returns the body.
export async function waitForOk(url, { timeoutMs = 30_000, intervalMs = 50 } = {}) {
  const response = await waitFor(`200 from ${url}`, async () => {
    const r = await httpGet(url, 5000);
    return r && r.status === 200 ? r : null;
  }, { timeoutMs, intervalMs });
  return response.body;
}

// A free loopback port, for servers that cannot be told "port 0" (lighttpd).
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Runs `main` (resolving to an exit code) as the process's command. Servers run in their
// own process groups: whatever happens (an exception, a signal, an error), they are
// stopped before the process exits, never left behind.
export function runAsCommand(name, main) {
  for (const event of ['uncaughtException', 'unhandledRejection']) {
    process.on(event, (e) => {
      console.error(`${name}: ${e?.stack ?? e}`);
      stopAllProcesses().finally(() => process.exit(1));
    });
  }
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      stopAllProcesses().finally(() => process.exit(130));
    });
  }
  main().then((code) => process.exit(code), async (e) => {
    console.error(`${name}: ${e.message}`);
    await stopAllProcesses();
    process.exit(1);
  });
}
