#!/usr/bin/env node
// An example room host for the network events API (docs/rooms-api.md, issue 15): a
// WebSocket server of its own (npm `ws`) whose clients join rooms at
// ws://HOST:PORT/ROOM?QUERY. It owns the sockets and the member lists; the room handler (an
// action granted `rooms`, e.g. examples/chat) runs on a WASM Actions server, which this host
// tells of each join, message and leave through POST /api/v1/events (or, with --batch-ms,
// one POST /api/v1/events:batch per tick) and whose answers it delivers: broadcast (minus
// `except`), to_connection, reply, refused (the joining socket closed with its code).
//
//   WA_EVENTS_TOKEN=... node host.mjs --server http://127.0.0.1:8080 --action ann/chat
//
// Options: --listen HOST:PORT (127.0.0.1:8090), --server URL, --action OWNER/NAME,
// --token TOKEN (or $WA_EVENTS_TOKEN; needs the `events` scope), --batch-ms N (0: one
// request per event), --port-file FILE (writes the bound HOST:PORT once listening),
// --verbose (log and error events, outcomes other than ok).
//
// Ordering: each room's events are sent one at a time (unbatched) or one batch in flight per
// room (batched), so a room's handler sees them in the order the sockets produced them,
// which is what the server's own rooms guarantee.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// `ws` from this directory's node_modules (npm ci here), else bench/'s, which scripts/setup
// installs anyway: the example runs from a checkout without a second install.
const here = path.dirname(fileURLToPath(import.meta.url));
function loadWs() {
  for (const base of [here, path.join(here, '../../bench')]) {
    try {
      return createRequire(path.join(base, 'package.json'))('ws');
    } catch {
      /* try the next */
    }
  }
  throw new Error('npm `ws` not found: run `npm ci` in examples/events_host (or bench/)');
}
const { WebSocketServer } = loadWs();

const ROOM_NAME = /^[A-Za-z0-9_.~-]{1,128}$/;
const MAX_MESSAGE = 1 << 20;      // the server's default room message limit
const MAX_QUEUED_PER_ROOM = 1000; // events waiting for the API before a sender is closed
const MAX_BATCH = 1000;           // the API's cap on one events:batch
const MAX_RETRIES = 5;            // 429 / 503 answers retried after Retry-After

export function parseArgs(argv) {
  const opts = {
    listen: '127.0.0.1:8090',
    server: 'http://127.0.0.1:8080',
    action: '',
    token: process.env.WA_EVENTS_TOKEN || '',
    batchMs: 0,
    portFile: '',
    verbose: false,
  };
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--listen') opts.listen = value();
    else if (arg === '--server') opts.server = value().replace(/\/+$/, '');
    else if (arg === '--action') opts.action = value();
    else if (arg === '--token') opts.token = value();
    else if (arg === '--batch-ms') opts.batchMs = Number(value());
    else if (arg === '--port-file') opts.portFile = value();
    else if (arg === '--verbose') opts.verbose = true;
    else throw new Error(`unknown option ${arg}`);
  }
  if (!/^[^/]+\/[^/]+$/.test(opts.action)) throw new Error('--action OWNER/NAME is required');
  if (!opts.token) throw new Error('a token with the `events` scope: --token or $WA_EVENTS_TOKEN');
  if (!Number.isFinite(opts.batchMs) || opts.batchMs < 0) throw new Error('--batch-ms takes a number >= 0');
  return opts;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class EventsHost {
  constructor(opts) {
    this.opts = opts;
    this.rooms = new Map(); // name -> { name, members: Map<id, Conn>, queue: [], busy }
    this.conns = new Map(); // id -> Conn
    this.counter = 0;
    this.prefix = randomBytes(4).toString('hex');
    this.timer = null;
    this.stats = { requests: {}, events: 0, failures: 0 }; // requests by path
  }

  log(...args) {
    if (this.opts.verbose) console.error('events_host:', ...args);
  }

  async listen() {
    const [host, port] = splitHostPort(this.opts.listen);
    this.wss = new WebSocketServer({ host, port, maxPayload: MAX_MESSAGE });
    this.wss.on('connection', (ws, request) => this.accept(ws, request));
    await new Promise((resolve, reject) => {
      this.wss.once('listening', resolve);
      this.wss.once('error', reject);
    });
    const address = this.wss.address();
    this.address = `${address.address}:${address.port}`;
    if (this.opts.portFile) writeFileSync(this.opts.portFile, `${this.address}\n`);
    if (this.opts.batchMs > 0) {
      this.timer = setInterval(() => {
        this.flushAll().catch((e) => console.error(`events_host: batch: ${e.stack}`));
      }, this.opts.batchMs);
    }
    return this.address;
  }

  async close() {
    if (this.timer) clearInterval(this.timer);
    for (const client of this.wss.clients) client.terminate();
    await new Promise((resolve) => this.wss.close(resolve));
  }

  room(name) {
    let room = this.rooms.get(name);
    if (!room) {
      room = { name, members: new Map(), queue: [], busy: false };
      this.rooms.set(name, room);
    }
    return room;
  }

  // A new socket: its room from the path, the whole query string for the join's env.
  accept(ws, request) {
    const url = new URL(request.url, 'http://host');
    let name;
    try {
      name = decodeURIComponent(url.pathname.replace(/^\/+/, '') || 'lobby');
    } catch {
      name = ''; // a malformed %-escape: no room by that name
    }
    if (!ROOM_NAME.test(name)) {
      ws.close(1008, 'a room name is 1-128 of [A-Za-z0-9_.~-]');
      return;
    }
    const room = this.room(name);
    // Unique in this host's lifetime; the API takes [A-Za-z0-9_-]{1,64}.
    const conn = { id: `h${this.prefix}-${++this.counter}`, ws, room, state: 'joining' };
    this.conns.set(conn.id, conn);
    this.enqueue(room, { kind: 'join', conn, env: { QUERY_STRING: url.search.replace(/^\?/, '') } });
    ws.on('message', (data, isBinary) => {
      if (conn.state === 'refused' || conn.state === 'left') return;
      this.enqueue(room, { kind: 'message', conn, data: Buffer.from(data), isBinary });
    });
    ws.on('close', () => {
      const was = conn.state;
      conn.state = 'left';
      // A refused join never joined: no onLeave for it.
      if (was !== 'refused') this.enqueue(room, { kind: 'leave', conn });
      else this.conns.delete(conn.id);
    });
    ws.on('error', () => {}); // a broken socket ends with 'close'
  }

  enqueue(room, event) {
    if (room.queue.length >= MAX_QUEUED_PER_ROOM && event.kind === 'message') {
      // Leaves are never dropped (bounded by the members); a flooding sender is.
      event.conn.ws.close(1008, 'too many messages waiting');
      return;
    }
    room.queue.push(event);
    if (this.opts.batchMs === 0) this.pump(room).catch((e) => console.error(`events_host: ${e.stack}`));
  }

  // Unbatched: one request at a time per room, in arrival order.
  async pump(room) {
    if (room.busy) return;
    room.busy = true;
    try {
      while (room.queue.length > 0) {
        const event = room.queue.shift();
        const body = this.request(room, event);
        if (!body) continue;
        let answer;
        try {
          answer = await this.post('/api/v1/events', body);
        } catch (e) {
          answer = { error: 'unavailable', message: e.message, status: 0 };
        }
        this.settle(room, event, answer);
      }
    } finally {
      room.busy = false;
      this.forget(room);
    }
  }

  // Batched: every tick, the queues of the rooms with no batch in flight go out together in
  // one events:batch (chunks of the API's cap, one after another), so a busy host makes one
  // round trip per tick. The server runs a batch in order: each room keeps its order.
  async flushAll() {
    const taken = [];
    for (const room of this.rooms.values()) {
      if (room.busy || room.queue.length === 0) continue;
      room.busy = true;
      taken.push({ room, events: room.queue.splice(0) });
    }
    if (taken.length === 0) return;
    try {
      await this.sendBatch(taken);
    } finally {
      for (const { room } of taken) {
        room.busy = false;
        this.forget(room);
      }
    }
  }

  async sendBatch(taken) {
    const items = []; // { room, event, body } in request order
    for (const { room, events } of taken) {
      for (const event of events) {
        const body = this.request(room, event);
        if (body) items.push({ room, event, body });
      }
    }
    for (let i = 0; i < items.length; i += MAX_BATCH) {
      const chunk = items.slice(i, i + MAX_BATCH);
      let results;
      try {
        const answer = await this.post('/api/v1/events:batch', { events: chunk.map((item) => item.body) });
        results = answer.results ?? chunk.map(() => answer);
      } catch (e) {
        results = chunk.map(() => ({ error: 'unavailable', message: e.message, status: 0 }));
      }
      chunk.forEach((item, n) => this.settle(item.room, item.event, results[n] ?? { error: 'missing' }));
    }
  }

  // The API request for one event, with the membership it runs against: the joined members
  // plus, for a join, the joiner (the server's own rooms list it during its onJoin); a
  // leaving member is out of the list first. In a batch the list is computed when the
  // request is built, with earlier joins in the batch counted as accepted.
  request(room, event) {
    const { conn } = event;
    const base = { action: this.opts.action, room: room.name, connection: conn.id };
    if (event.kind === 'join') {
      if (conn.state === 'left') {
        // Closed before its join was sent: it never joined, so neither join nor leave.
        conn.state = 'refused';
        return null;
      }
      room.members.set(conn.id, conn);
      return { ...base, event: 'join', env: event.env, connections: [...room.members.keys()] };
    }
    if (event.kind === 'leave') {
      if (!room.members.has(conn.id)) return null; // refused, or its join never went out
      room.members.delete(conn.id);
      return { ...base, event: 'leave', connections: [...room.members.keys()] };
    }
    // Gone while its message waited (the server's rooms drop those too), or never joined.
    if (conn.state === 'left' || !room.members.has(conn.id)) return null;
    const text = !event.isBinary;
    return {
      ...base,
      event: 'message',
      payload: text ? event.data.toString('utf8') : event.data.toString('base64'),
      payload_encoding: text ? 'utf8' : 'base64',
      message_type: text ? 'text' : 'binary',
      connections: [...room.members.keys()],
    };
  }

  // Delivers one answer, or handles its failure.
  settle(room, event, answer) {
    const { conn } = event;
    if (answer.error) {
      ++this.stats.failures;
      this.log(`${event.kind} of ${conn.id} in ${room.name}: ${answer.error}: ${answer.message}`);
      if (event.kind === 'join') this.refuse(room, conn, 1011, String(answer.message ?? answer.error));
      return;
    }
    if (answer.outcome && answer.outcome !== 'ok') this.log(`${event.kind} of ${conn.id}: outcome ${answer.outcome}`);
    const events = Array.isArray(answer.events) ? answer.events : [];
    const refused = events.find((e) => e.type === 'refused');
    if (event.kind === 'join' && refused) {
      // Nothing a refused join emitted goes out (the hub delivers none of it either).
      this.refuse(room, conn, Number(refused.close_code) || 1008, String(refused.reason ?? ''));
      return;
    }
    if (event.kind === 'join' && conn.state === 'joining') conn.state = 'joined';
    for (const emitted of events) this.deliver(room, conn, event, emitted);
  }

  refuse(room, conn, code, reason) {
    room.members.delete(conn.id);
    const wasLeft = conn.state === 'left';
    conn.state = 'refused';
    this.conns.delete(conn.id);
    if (!wasLeft) conn.ws.close(validCloseCode(code), closeReason(reason));
  }

  deliver(room, source, event, emitted) {
    const payload = emitted.payload_encoding === 'base64'
      ? Buffer.from(String(emitted.payload ?? ''), 'base64')
      : String(emitted.payload ?? '');
    const binary = emitted.message_type === 'binary';
    const send = (conn) => {
      if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(payload, { binary });
    };
    switch (emitted.type) {
      case 'broadcast': {
        // room_select may name another room of this host.
        const target = this.rooms.get(emitted.room ?? room.name);
        if (!target) return;
        const except = new Set(Array.isArray(emitted.except) ? emitted.except : []);
        for (const member of target.members.values()) {
          // Only accepted members hear broadcasts (a joiner gets its own join's reply).
          if (member.state !== 'joined' || except.has(member.id)) continue;
          send(member);
        }
        return;
      }
      case 'to_connection': {
        const target = this.conns.get(emitted.connection);
        if (!target || target.room.name !== (emitted.room ?? room.name)) return;
        if (target.state === 'joined' || (target === source && event.kind === 'join')) send(target);
        return;
      }
      case 'reply':
        if (event.kind !== 'leave' && (source.state === 'joined' || source.state === 'joining')) send(source);
        return;
      case 'log':
      case 'error':
        this.log(`${emitted.type} (${event.kind} of ${source.id}): ${String(emitted.payload ?? '').slice(0, 200)}`);
        return;
      default:
        this.log(`unknown event type ${emitted.type}`);
    }
  }

  // A room with nobody in it and nothing to do is dropped.
  forget(room) {
    if (!room.busy && room.queue.length === 0 && room.members.size === 0) this.rooms.delete(room.name);
    for (const [id, conn] of this.conns) {
      if (conn.room === room && conn.state === 'left' && !room.members.has(id)) this.conns.delete(id);
    }
  }

  // One API call; 429 and 503 (rate, compiling) wait for Retry-After and try again.
  async post(pathname, body) {
    const text = JSON.stringify(body);
    for (let attempt = 0; ; ++attempt) {
      this.stats.requests[pathname] = (this.stats.requests[pathname] ?? 0) + 1;
      const response = await fetch(`${this.opts.server}${pathname}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${this.opts.token}`, 'Content-Type': 'application/json' },
        body: text,
        signal: AbortSignal.timeout(30_000),
      });
      const answer = await response.text();
      let json;
      try {
        json = JSON.parse(answer);
      } catch {
        json = { error: 'bad_answer', message: `${response.status}: ${answer.slice(0, 200)}`, status: response.status };
      }
      if ((response.status === 429 || response.status === 503) && attempt < MAX_RETRIES) {
        const wait = Number(response.headers.get('retry-after')) || 1;
        await sleep(Math.min(wait, 5) * 1000);
        continue;
      }
      if (!response.ok && !json.error) json = { error: 'http', message: `${response.status}`, status: response.status };
      if (response.ok) this.stats.events += Array.isArray(body.events) ? body.events.length : 1;
      return json;
    }
  }
}

// A close reason is at most 123 bytes of UTF-8: cut at a character boundary.
function closeReason(reason) {
  let out = reason;
  while (Buffer.byteLength(out) > 123) out = out.slice(0, -1);
  return out;
}

function splitHostPort(listen) {
  const colon = listen.lastIndexOf(':');
  if (colon < 0) throw new Error(`--listen HOST:PORT, not ${listen}`);
  return [listen.slice(0, colon), Number(listen.slice(colon + 1))];
}

// ws refuses to send reserved codes: anything outside the application ranges becomes 1011.
function validCloseCode(code) {
  if ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999)) {
    return code;
  }
  return 1011;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`events_host: ${e.message}`);
    process.exit(2);
  }
  const host = new EventsHost(opts);
  const address = await host.listen();
  console.error(`events_host: ws://${address}/ROOM -> ${opts.server} (${opts.action}, ` +
                `${opts.batchMs > 0 ? `batches every ${opts.batchMs} ms` : 'one request per event'})`);
  const stop = async () => {
    await host.close();
    // What went over the API (the test checks which endpoint each mode used).
    console.error(`events_host: stopped: ${JSON.stringify(host.stats)}`);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
