// sdk/js/rooms.js with a fake WebSocket and a fake timer: URLs, text/binary/JSON delivery,
// the send queue, reconnect with backoff and when it stops. Plain node, no server: the
// real socket path is covered by tests/browser/rooms.test.mjs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, connectRoom, roomUrl } from './rooms.js';

class FakeSocket {
  static made = [];
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    this.closedWith = null;
    FakeSocket.made.push(this);
  }
  send(frame) {
    if (this.readyState !== 1) throw new Error('send before open');
    this.sent.push(frame);
  }
  close(code, reason) {
    this.closedWith = { code, reason };
    this.readyState = 2;
  }
  // Server side of the fake.
  accept() {
    this.readyState = 1;
    this.onopen?.({});
  }
  push(data) {
    this.onmessage?.({ data });
  }
  drop(code, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

function fakeTimers() {
  const pending = [];
  return {
    pending,
    setTimeout: (fn, ms) => {
      pending.push({ fn, ms });
      return pending.length;
    },
    clearTimeout: (id) => {
      pending[id - 1].cancelled = true;
    },
    runNext() {
      const next = pending.find((t) => !t.cancelled && !t.ran);
      assert.ok(next, 'a timer is pending');
      next.ran = true;
      next.fn();
      return next.ms;
    },
  };
}

function setup(handlers = {}, options = {}) {
  FakeSocket.made = [];
  const timers = fakeTimers();
  const events = [];
  const room = connectRoom(
    'ws://127.0.0.1:9/rooms/ann/chat/lobby',
    {
      onOpen: () => events.push(['open']),
      onMessage: (data, info) => events.push(['message', data, info.binary]),
      onClose: (info) => events.push(['close', info]),
      ...handlers,
    },
    { WebSocket: FakeSocket, setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout, random: () => 0.5, ...options },
  );
  return { room, timers, events, socket: () => FakeSocket.made.at(-1) };
}

describe('roomUrl', () => {
  it('builds ws URLs from http bases and encodes each segment', () => {
    assert.equal(roomUrl({ owner: 'ann', action: 'chat', room: 'lobby', base: 'http://127.0.0.1:8080' }), 'ws://127.0.0.1:8080/rooms/ann/chat/lobby');
    assert.equal(roomUrl({ owner: 'ann', action: 'chat', room: 'a b/c', base: 'https://x.example/' }), 'wss://x.example/rooms/ann/chat/a%20b%2Fc');
    assert.equal(roomUrl({ owner: 'a', action: 'b', room: 'c', base: 'http://h', query: { name: 'bo & co' } }), 'ws://h/rooms/a/b/c?name=bo+%26+co');
  });

  it('refuses missing names and other schemes', () => {
    assert.throws(() => roomUrl({ owner: 'ann', action: '', room: 'x', base: 'http://h' }), /action/);
    assert.throws(() => roomUrl({ owner: 'ann', action: 'a', room: 'x', base: 'ftp://h' }), /http\(s\) or ws\(s\)/);
  });

  it('takes http URLs as ws URLs', () => {
    const { socket } = setup();
    assert.equal(socket().url, 'ws://127.0.0.1:9/rooms/ann/chat/lobby');
    FakeSocket.made = [];
    connectRoom('https://h/rooms/a/b/c', {}, { WebSocket: FakeSocket });
    assert.equal(FakeSocket.made[0].url, 'wss://h/rooms/a/b/c');
  });
});

describe('connectRoom', () => {
  it('delivers text as strings, binary as Uint8Array, and JSON to onJson', () => {
    const json = [];
    const { socket, events } = setup({ onJson: (v) => json.push(v) });
    socket().accept();
    socket().push('{"type":"say","text":"hi"}');
    socket().push('not json');
    socket().push(new Uint8Array([0, 255, 1]).buffer);
    assert.deepEqual(events[0], ['open']);
    assert.deepEqual(events[1], ['message', '{"type":"say","text":"hi"}', false]);
    assert.deepEqual(events[2], ['message', 'not json', false]);
    assert.equal(events[3][2], true);
    assert.deepEqual([...events[3][1]], [0, 255, 1]);
    assert.deepEqual(json, [{ type: 'say', text: 'hi' }]);
  });

  it('queues what is sent before open, bounded, and sends it in order on open', () => {
    const { room, socket } = setup({}, { maxQueued: 2 });
    assert.equal(room.connected, false);
    assert.equal(room.sendJson({ n: 1 }), true);
    assert.equal(room.send(new Uint8Array([7])), true);
    assert.equal(room.send('third'), false);
    socket().accept();
    assert.equal(room.connected, true);
    assert.deepEqual(socket().sent.map(String), ['{"n":1}', '7']);
    assert.equal(room.send('now'), true);
    assert.equal(socket().sent.at(-1), 'now');
    assert.throws(() => room.send({ not: 'bytes' }), /string .* or bytes/);
  });

  it('a throwing handler does not stop delivery', () => {
    const seen = [];
    const original = globalThis.reportError;
    globalThis.reportError = () => {};
    try {
      const { socket } = setup({ onMessage: (d) => { seen.push(d); throw new Error('handler bug'); } });
      socket().accept();
      socket().push('a');
      socket().push('b');
    } finally {
      globalThis.reportError = original;
    }
    assert.deepEqual(seen, ['a', 'b']);
  });

  it('does not reconnect unless asked', () => {
    const { events, socket, timers } = setup();
    socket().accept();
    socket().drop(1006);
    assert.deepEqual(events.at(-1), ['close', { code: 1006, reason: '', willReconnect: false, delayMs: undefined }]);
    assert.equal(timers.pending.length, 0);
  });

  it('reconnects with growing delays and starts over after a success', () => {
    const reconnect = { initialDelayMs: 100, factor: 2, maxDelayMs: 350, jitter: 0 };
    const { events, socket, timers } = setup({}, { reconnect });
    socket().accept();
    socket().drop(1001, 'going away');
    assert.deepEqual(events.at(-1), ['close', { code: 1001, reason: 'going away', willReconnect: true, delayMs: 100 }]);
    assert.equal(timers.runNext(), 100);
    assert.equal(FakeSocket.made.length, 2);
    socket().drop(1006);
    assert.equal(timers.runNext(), 200);
    socket().drop(1006);
    assert.equal(timers.runNext(), 350); // capped
    socket().accept();
    socket().drop(1011);
    assert.equal(timers.runNext(), 100); // the successful open reset the backoff
  });

  it('stops reconnecting on final codes, application codes, close() and maxAttempts', () => {
    for (const code of [1000, 1008, 1009, 4001]) {
      const { events, socket, timers } = setup({}, { reconnect: true });
      socket().drop(code, 'no');
      assert.equal(events.at(-1)[1].willReconnect, false, `code ${code}`);
      assert.equal(timers.pending.length, 0);
    }
    {
      const { room, socket, timers } = setup({}, { reconnect: true });
      socket().drop(1006);
      assert.equal(timers.pending.length, 1);
      room.close();
      assert.equal(timers.pending[0].cancelled, true);
      assert.equal(room.send('late'), false);
    }
    {
      const { events, socket, timers } = setup({}, { reconnect: { maxAttempts: 1, jitter: 0 } });
      socket().drop(1006);
      timers.runNext();
      socket().drop(1006);
      assert.equal(events.at(-1)[1].willReconnect, false);
    }
    {
      const { room, events, socket } = setup({}, { reconnect: true });
      socket().accept();
      room.close(1000, 'bye');
      assert.deepEqual(socket().closedWith, { code: 1000, reason: 'bye' });
      socket().drop(1000, 'bye');
      assert.equal(events.at(-1)[1].willReconnect, false);
    }
  });

  it('spreads delays by the jitter', () => {
    const o = { initialDelayMs: 1000, factor: 2, maxDelayMs: 60000, jitter: 0.2 };
    assert.equal(backoffDelay(0, o, 0), 800);
    assert.equal(backoffDelay(0, o, 0.5), 1000);
    assert.equal(backoffDelay(2, o, 0.999999), 4800);
  });

  it('needs a WebSocket class', () => {
    const saved = globalThis.WebSocket;
    delete globalThis.WebSocket;
    try {
      assert.throws(() => connectRoom('ws://h/rooms/a/b/c'), /no WebSocket class/);
    } finally {
      if (saved) globalThis.WebSocket = saved;
    }
  });
});
