// Our server (`wasm-actions serve`) on loopback with a fresh data dir, and the REST calls
// bench/run needs: register, deploy, status.
import fs from 'node:fs';
import path from 'node:path';

import { httpGet, sleep, startProcess, waitFor, waitForOk, waitForPortFile } from './proc.mjs';

// `extraArgs` are appended to the server's flags (bench/soak shortens nothing that
// bench/run measures).
export async function startServer(binary, workDir, extraArgs = []) {
  const dataDir = path.join(workDir, 'data');
  const portFile = path.join(workDir, 'server.port');
  fs.mkdirSync(dataDir, { recursive: true });
  // Defaults for everything that shapes performance (workers, io threads, tiers);
  // cheap password hashing only because registering is not what is measured.
  const args = ['serve', '--listen', '127.0.0.1:0', '--port-file', portFile, '--data-dir', dataDir,
                '--fast-password-hashing', ...extraArgs];
  const proc = startProcess(binary, args, { logFile: path.join(workDir, 'server.log') });
  const address = await waitForPortFile(portFile, proc, 30_000);
  const base = `http://${address}`;
  await waitForOk(`${base}/healthz`, { timeoutMs: 15_000 });
  return new PlatformClient(base, proc, args);
}

export class PlatformClient {
  constructor(base, proc, args) {
    this.base = base;
    this.proc = proc;
    this.args = args;
    this.token = null;
  }

  async api(method, pathname, body, { timeoutMs = 60_000 } = {}) {
    const headers = {};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let payload = body;
    if (body && !(body instanceof FormData)) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(`${this.base}/api/v1${pathname}`, {
        method, headers, body: payload, signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const cause = e.cause?.code ?? e.cause?.message ?? '';
      const hint = cause === 'EPIPE' || cause === 'ECONNRESET'
        ? ': the server closed the connection before reading the whole request (an early error answer such as 413?)'
        : '';
      throw new Error(`${method} /api/v1${pathname}: ${e.message}${cause ? ` (${cause})` : ''}${hint}`);
    }
    const text = await response.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* reported below */ }
    if (!response.ok) {
      throw new Error(`${method} /api/v1${pathname}: ${response.status} ${json ? `${json.error}: ${json.message}` : text}`);
    }
    return json;
  }

  async register() {
    const out = await this.api('POST', '/auth/register',
                               { username: 'bench', password: 'bench-password-0123456789' });
    this.token = out.token;
  }

  // Uploads a module as a new action (multipart POST /api/v1/actions).
  async deploy(name, route, wasmFile, settings, { timeoutMs = 120_000 } = {}) {
    const form = new FormData();
    form.append('name', name);
    form.append('route', route);
    if (settings) form.append('settings', JSON.stringify(settings));
    form.append('module', new Blob([fs.readFileSync(wasmFile)], { type: 'application/wasm' }),
                path.basename(wasmFile));
    return this.api('POST', '/actions', form, { timeoutMs });
  }

  // Deploys, then returns the seconds until the route first answered 200 and until the
  // API accepted the upload.
  async deployAndTimeFirstOk(name, route, wasmFile, settings, { timeoutMs = 120_000 } = {}) {
    const start = performance.now();
    await this.deploy(name, route, wasmFile, settings, { timeoutMs });
    const acceptedS = (performance.now() - start) / 1000;
    const deadline = start + timeoutMs;
    let last = null;
    for (;;) {
      last = await httpGet(`${this.base}${route}`, Math.round(Math.max(1000, deadline - performance.now())));
      if (last?.status === 200) break;
      if (performance.now() > deadline) {
        throw new Error(`${route} did not answer 200 within ${timeoutMs / 1000} s (last: ${last?.status})`);
      }
      if (last?.status && last.status < 500 && last.status !== 404) {
        throw new Error(`${route} answered ${last.status}: ${last.body.slice(0, 200)}`);
      }
      await sleep(5);
    }
    return { firstOkS: (performance.now() - start) / 1000, acceptedS, body: last.body };
  }

  async status(name) {
    return this.api('GET', `/actions/${encodeURIComponent(name)}`);
  }

  // Waits until the action runs on the optimised tier; returns the seconds waited.
  async waitOptimized(name, timeoutMs = 300_000) {
    const start = performance.now();
    await waitFor(`${name} to reach status "optimized"`, async () => {
      const action = await this.status(name);
      if (action.status === 'failed') {
        throw new Error(`${name} failed to compile: ${action.current_version?.error ?? ''}`);
      }
      return action.status === 'optimized';
    }, { timeoutMs, intervalMs: 100 });
    return (performance.now() - start) / 1000;
  }

  async stop() {
    await this.proc.stop();
  }
}
