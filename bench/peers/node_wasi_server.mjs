// The node_wasi peer: a small WAGI-style host on V8. Compiles the module once, then
// every request gets a fresh instance with node:wasi (CGI variables in, stdout out).
//
//   node --no-turbo-fast-api-calls node_wasi_server.mjs MODULE.wasm PORT_FILE
//
// Listens on 127.0.0.1 on a free port and writes "127.0.0.1:PORT" to PORT_FILE.
// Stdout goes through a file on tmpfs: node:wasi takes host file descriptors only.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { WASI } from 'node:wasi';

const [modulePath, portFile] = process.argv.slice(2);
if (!modulePath || !portFile) {
  console.error('usage: node_wasi_server.mjs MODULE.wasm PORT_FILE');
  process.exit(2);
}
const module = new WebAssembly.Module(fs.readFileSync(modulePath));
const scratchDir = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'node-wasi-'));
const stdoutPath = path.join(scratchDir, 'stdout');
const devNull = fs.openSync('/dev/null', 'r');

// Runs the guest for one request; returns its stdout.
function runGuest(req) {
  const url = new URL(req.url, 'http://localhost');
  const stdoutFd = fs.openSync(stdoutPath, 'w+');
  try {
    const wasi = new WASI({
      version: 'preview1',
      args: [path.basename(modulePath)],
      env: {
        REQUEST_METHOD: req.method,
        QUERY_STRING: url.search.slice(1),
        PATH_INFO: url.pathname,
        SERVER_PROTOCOL: 'HTTP/1.1',
        GATEWAY_INTERFACE: 'CGI/1.1',
      },
      stdin: devNull,
      stdout: stdoutFd,
      stderr: 2,
      returnOnExit: true,
    });
    const instance = new WebAssembly.Instance(module, wasi.getImportObject());
    const exitCode = wasi.start(instance);
    const size = fs.fstatSync(stdoutFd).size;
    const out = Buffer.alloc(size);
    fs.readSync(stdoutFd, out, 0, size, 0);
    return { exitCode, out };
  } finally {
    fs.closeSync(stdoutFd);
  }
}

// CGI output: headers, a blank line, the body.
function sendCgi(res, out) {
  let split = out.indexOf('\r\n\r\n');
  let gap = 4;
  if (split < 0) {
    split = out.indexOf('\n\n');
    gap = 2;
  }
  if (split < 0) {
    res.writeHead(502, { 'Content-Type': 'text/plain' }).end('bad CGI output\n');
    return;
  }
  let status = 200;
  const headers = {};
  for (const line of out.subarray(0, split).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = parseInt(value, 10) || 200;
    else headers[name] = value;
  }
  res.writeHead(status, headers).end(out.subarray(split + gap));
}

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    try {
      const { exitCode, out } = runGuest(req);
      if (exitCode !== 0) res.writeHead(500).end(`guest exited with ${exitCode}\n`);
      else sendCgi(res, out);
    } catch (err) {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${err}\n`);
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(portFile, `127.0.0.1:${server.address().port}`);
});
const stop = () => {
  fs.rmSync(scratchDir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
