// The example events host (examples/events_host, issue 15) against the real server: the
// chat example (examples/chat) deployed granted rooms, the host started as its own process
// with a token of the `events` scope, and three `ws` clients connected to the host pass the
// chat scenario of the built-in rooms (tests/browser/rooms.test.mjs): welcome with the
// member list, join notices, a message reaching the others, a leave notice with the new
// member list. Once with one request per event, once with --batch-ms.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const hostScript = path.join(repo, 'examples/events_host/host.mjs');
const binary = process.env.WA_BINARY;
const guests = process.env.WA_GUESTS_DIR;
const WebSocket = createRequire(path.join(repo, 'bench/package.json'))('ws');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A child process whose output is kept for failure messages, and whose port file (one
// HOST:PORT line) it waits for.
async function startProcess(command, args, portFile, what) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  const deadline = Date.now() + 20000;
  while (!(existsSync(portFile) && readFileSync(portFile, 'utf8').includes('\n'))) {
    if (exited) throw new Error(`${what} exited (${JSON.stringify(exited)}):\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${what} wrote no port file in 20 s:\n${output}`);
    }
    await sleep(50);
  }
  return {
    address: readFileSync(portFile, 'utf8').trim().split('\n')[0],
    output: () => output,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const until = Date.now() + 10000;
      while (!exited && Date.now() < until) await sleep(50);
      if (!exited) child.kill('SIGKILL');
    },
  };
}

// A client of the host: every message it receives (parsed JSON), and waiting for one.
class Client {
  constructor(url) {
    this.messages = [];
    this.waiters = [];
    this.ws = new WebSocket(url);
    this.closed = new Promise((resolve) => this.ws.on('close', (code, reason) => resolve({ code, reason: `${reason}` })));
    this.ws.on('message', (data) => {
      this.messages.push(JSON.parse(`${data}`));
      for (const w of [...this.waiters]) w();
    });
    this.ws.on('error', () => {});
  }

  opened() {
    return new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
  }

  // The first message (from the start) that `match` accepts, within 10 s.
  async next(what, match) {
    const deadline = Date.now() + 10000;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(`no ${what} within 10 s; got ${JSON.stringify(this.messages)}`);
      }
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.waiters = [];
    }
  }

  send(json) {
    this.ws.send(JSON.stringify(json));
  }
}

const names = (list) => list.map((m) => m.name).sort();

describe('the example events host with the chat example', { concurrency: 1 }, () => {
  let dir;
  let server;
  let base;
  let eventsToken;

  async function api(token, method, target, body) {
    const headers = { Authorization: `Bearer ${token}` };
    if (body !== undefined && !(body instanceof FormData)) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${base}/api/v1${target}`, {
      method,
      headers,
      body: body instanceof FormData ? body : body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) };
  }

  before(async () => {
    assert.ok(binary && existsSync(binary), `WA_BINARY (the wasm-actions binary) not found: ${binary}`);
    assert.ok(guests && existsSync(path.join(guests, 'chat.wasm')), `chat.wasm is not built in ${guests} (examples/chat)`);
    dir = mkdtempSync(path.join(tmpdir(), 'wa-events-host-'));
    server = await startProcess(binary, ['serve', '--listen', '127.0.0.1:0', '--port-file', path.join(dir, 'port'),
                                         '--data-dir', path.join(dir, 'data'), '--fast-password-hashing'],
                                path.join(dir, 'port'), 'wasm-actions serve');
    base = `http://${server.address}`;
    const registered = await fetch(`${base}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'correct horse battery' }),
    });
    const answer = await registered.text();
    assert.equal(registered.status, 201, answer);
    const session = JSON.parse(answer).token;
    const form = new FormData();
    form.append('name', 'chat');
    form.append('route', '/chat/...');
    form.append('settings', JSON.stringify({
      capabilities: { rooms: true, key_value_stores: [{ store: 'default', access: 'read-write' }] },
    }));
    form.append('module', new Blob([readFileSync(path.join(guests, 'chat.wasm'))]), 'chat.wasm');
    const created = await api(session, 'POST', '/actions', form);
    assert.equal(created.status, 201, created.text);
    const token = await api(session, 'POST', '/tokens', { name: 'host', scopes: ['events'] });
    assert.equal(token.status, 201, token.text);
    eventsToken = token.json().token;
    // Compiled once its page answers (the events API answers 503 compiling until then,
    // which the host would retry, but the scenario's timeouts should not include it).
    const deadline = Date.now() + 60000;
    for (;;) {
      const page = await fetch(`${base}/chat`);
      await page.text();
      if (page.status === 200) break;
      if (Date.now() > deadline) throw new Error(`/chat answered ${page.status}`);
      await sleep(200);
    }
  });

  after(async () => {
    if (server) await server.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const batchMs of [0, 20]) {
    const mode = batchMs ? `batched (--batch-ms ${batchMs})` : 'one request per event';
    it(`passes the chat scenario, ${mode}`, async () => {
      const portFile = path.join(dir, `host-${batchMs}.port`);
      const host = await startProcess(process.execPath, [hostScript, '--listen', '127.0.0.1:0', '--server', base,
                                                          '--action', 'alice/chat', '--token', eventsToken,
                                                          '--batch-ms', String(batchMs), '--port-file', portFile,
                                                          '--verbose'],
                                      portFile, 'the events host');
      const clients = [];
      try {
        const connect = async (name) => {
          const client = new Client(`ws://${host.address}/lobby?name=${name}`);
          clients.push(client);
          await client.opened();
          return client;
        };
        // ann joins an empty room: her welcome lists only her.
        const ann = await connect('ann');
        const annWelcome = await ann.next('welcome for ann', (m) => m.type === 'welcome');
        assert.equal(annWelcome.name, 'ann');
        assert.equal(annWelcome.room, 'lobby');
        assert.deepEqual(names(annWelcome.members), ['ann']);

        // bob's welcome lists both; ann hears of him with the new member list.
        const bob = await connect('bob');
        const bobWelcome = await bob.next('welcome for bob', (m) => m.type === 'welcome');
        assert.deepEqual(names(bobWelcome.members), ['ann', 'bob']);
        const bobJoined = await ann.next('bob joined', (m) => m.type === 'join' && m.name === 'bob');
        assert.equal(bobJoined.id, bobWelcome.id);
        assert.deepEqual(names(bobJoined.members), ['ann', 'bob']);

        const cat = await connect('cat');
        const catWelcome = await cat.next('welcome for cat', (m) => m.type === 'welcome');
        assert.deepEqual(names(catWelcome.members), ['ann', 'bob', 'cat']);
        await ann.next('cat joined (ann)', (m) => m.type === 'join' && m.name === 'cat');
        await bob.next('cat joined (bob)', (m) => m.type === 'join' && m.name === 'cat');
        // Nobody hears of their own join (the joiner is in the broadcast's except).
        assert.equal(cat.messages.filter((m) => m.type === 'join').length, 0);
        assert.equal(bob.messages.filter((m) => m.type === 'join' && m.name === 'bob').length, 0);

        // A message reaches everyone, its sender included, in the order sent.
        ann.send({ type: 'say', text: 'hello from ann' });
        ann.send({ type: 'say', text: 'second' });
        for (const client of [ann, bob, cat]) {
          await client.next('the second say', (m) => m.type === 'say' && m.text === 'second');
          const says = client.messages.filter((m) => m.type === 'say').map((m) => `${m.name}: ${m.text}`);
          assert.deepEqual(says, ['ann: hello from ann', 'ann: second']);
        }
        // A reply goes to its sender only.
        bob.send({ type: 'who' });
        const who = await bob.next('the member list', (m) => m.type === 'members');
        assert.deepEqual(names(who.members), ['ann', 'bob', 'cat']);
        await sleep(200);
        assert.equal(ann.messages.filter((m) => m.type === 'members').length, 0);

        // cat leaves: the others get the leave notice with the remaining members.
        cat.ws.close();
        await cat.closed;
        for (const client of [ann, bob]) {
          const left = await client.next('cat left', (m) => m.type === 'leave' && m.name === 'cat');
          assert.equal(left.id, catWelcome.id);
          assert.deepEqual(names(left.members), ['ann', 'bob']);
        }
        // An unknown message type is the handler's error reply, to the sender alone.
        bob.send({ type: 'dance' });
        const error = await bob.next('the error reply', (m) => m.type === 'error');
        assert.match(error.message, /unknown message type/);
        // A binary frame goes to the API as base64 bytes of message_type binary, which the
        // chat turns away.
        bob.ws.send(Buffer.from([0xff, 0x00, 0xfe]), { binary: true });
        const binary = await bob.next('the binary refusal', (m) => m.type === 'error' && /text messages only/.test(m.message));
        assert.ok(binary);
        assert.equal(ann.messages.filter((m) => m.type === 'error').length, 0);
      } catch (e) {
        e.message += `\nhost output:\n${host.output()}\nserver output (tail):\n${server.output().slice(-4000)}`;
        throw e;
      } finally {
        for (const client of clients) client.ws.terminate();
        await host.stop();
      }
      // Each mode used its own endpoint, and no event failed.
      const stats = JSON.parse(/events_host: stopped: (.*)/.exec(host.output())?.[1] ?? 'null');
      assert.ok(stats, `the host printed no stats:\n${host.output()}`);
      assert.equal(stats.failures, 0, host.output());
      const used = Object.keys(stats.requests);
      assert.deepEqual(used, [batchMs ? '/api/v1/events:batch' : '/api/v1/events']);
      // 3 joins, 5 messages, 1 leave (bob's leave may not have gone out before the stop).
      assert.ok(stats.events >= 8, host.output());
    });
  }

  it('closes a client whose join the server turns away, or whose room name is invalid', async () => {
    // An action that does not exist: every join answers 404, which the host turns into a
    // close with 1011 and the server's message, like the built-in rooms' failed join.
    const portFile = path.join(dir, 'host-bad.port');
    const host = await startProcess(process.execPath, [hostScript, '--listen', '127.0.0.1:0', '--server', base,
                                                        '--action', 'alice/nope', '--token', eventsToken,
                                                        '--port-file', portFile],
                                    portFile, 'the events host');
    try {
      const client = new Client(`ws://${host.address}/lobby?name=zed`);
      const closed = await client.closed;
      assert.equal(closed.code, 1011);
      assert.match(closed.reason, /no room handler/);
      assert.equal(client.messages.length, 0);
      // Room names the API would refuse never reach it, and do not take the host down.
      for (const bad of ['/bad%ZZ', '/a%20b', `/${'r'.repeat(129)}`]) {
        const c = new Client(`ws://${host.address}${bad}`);
        assert.equal((await c.closed).code, 1008, bad);
      }
      const again = new Client(`ws://${host.address}/lobby`);
      assert.equal((await again.closed).code, 1011);
    } finally {
      await host.stop();
    }
  });
});
