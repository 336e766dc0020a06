// A tiny client for WASM Actions rooms (WebSockets at /rooms/OWNER/ACTION/ROOM): an ES
// module with no dependencies, for browsers and Node (pass a WebSocket class there: Node 20
// has no global one). Text frames arrive as strings, binary frames as Uint8Array; JSON
// helpers on both sides; optional reconnect with exponential backoff.
//
//   import { connectRoom } from './rooms.js';
//   const room = connectRoom({ owner: 'ann', action: 'chat', room: 'lobby', query: { name: 'bo' } }, {
//     onJson: (msg) => console.log(msg),
//     onClose: ({ code, reason, willReconnect }) => console.log('closed', code, reason),
//   }, { reconnect: true });
//   room.sendJson({ type: 'say', text: 'hello' });

// Close codes after which reconnecting cannot help: the client closed (1000), the server
// refused or dropped it for what it sent (1003 unsupported data, 1007 bad payload, 1008
// policy: a refused join or a too-fast client, 1009 too big), or it is gone for good (4xxx
// codes are the application's own: left to onClose).
const FINAL_CODES = new Set([1000, 1003, 1007, 1008, 1009]);

const DEFAULT_RECONNECT = {
  initialDelayMs: 500,
  maxDelayMs: 15000,
  factor: 2,
  jitter: 0.2, // ± this fraction of each delay, so many clients do not come back at once
  maxAttempts: Infinity,
};

function wsBase(base) {
  if (base === undefined || base === null || base === '') {
    if (typeof location === 'undefined') throw new TypeError('connectRoom: give `base` (no page location here)');
    base = location.origin;
  }
  const url = new URL(String(base));
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(`connectRoom: base must be http(s) or ws(s), got ${url.protocol}`);
  }
  return url;
}

// The WebSocket URL of a room: {owner, action, room, base?, query?}. Each name is one
// path segment (percent-encoded); `query` is an object or a URLSearchParams.
export function roomUrl({ owner, action, room, base, query } = {}) {
  for (const [key, value] of Object.entries({ owner, action, room })) {
    if (typeof value !== 'string' || value === '') throw new TypeError(`connectRoom: \`${key}\` must be a non-empty string`);
  }
  const url = wsBase(base);
  const prefix = url.pathname.replace(/\/+$/, '');
  url.pathname = `${prefix}/rooms/${[owner, action, room].map(encodeURIComponent).join('/')}`;
  url.search = query ? new URLSearchParams(query).toString() : '';
  url.hash = '';
  return url.toString();
}

function toUrl(target) {
  if (typeof target === 'string' || target instanceof URL) {
    const url = new URL(String(target), typeof location === 'undefined' ? undefined : location.href);
    if (url.protocol === 'http:') url.protocol = 'ws:';
    else if (url.protocol === 'https:') url.protocol = 'wss:';
    return url.toString();
  }
  return roomUrl(target);
}

// The delay before reconnect attempt `attempt` (0-based); `random` is in [0, 1).
export function backoffDelay(attempt, options = {}, random = Math.random()) {
  const o = { ...DEFAULT_RECONNECT, ...options };
  const raw = Math.min(o.maxDelayMs, o.initialDelayMs * o.factor ** attempt);
  const spread = raw * o.jitter * (2 * random - 1);
  return Math.max(0, Math.round(raw + spread));
}

// Opens the room. `handlers`: onOpen(), onMessage(data, {binary}), onJson(value) for text
// messages that are JSON, onClose({code, reason, willReconnect, delayMs}), onError(event).
// `options`: reconnect (true or {initialDelayMs, maxDelayMs, factor, jitter, maxAttempts}),
// WebSocket (the class; default the global one), maxQueued (messages sent before the socket
// opens are kept, up to this many, and sent on open; default 256), setTimeout/clearTimeout
// and random (for tests).
export function connectRoom(target, handlers = {}, options = {}) {
  const url = toUrl(target);
  const Socket = options.WebSocket || globalThis.WebSocket;
  if (typeof Socket !== 'function') {
    throw new TypeError('connectRoom: no WebSocket class: pass options.WebSocket (e.g. from the `ws` package)');
  }
  const reconnect = options.reconnect ? { ...DEFAULT_RECONNECT, ...(options.reconnect === true ? {} : options.reconnect) } : null;
  const maxQueued = options.maxQueued ?? 256;
  const later = options.setTimeout || ((fn, ms) => setTimeout(fn, ms));
  const cancel = options.clearTimeout || ((id) => clearTimeout(id));
  const random = options.random || Math.random;

  let socket = null;
  let attempt = 0;
  let timer = null;
  let closedByUs = false;
  const queue = [];

  const call = (name, ...args) => {
    const fn = handlers[name];
    if (typeof fn !== 'function') return;
    try {
      fn(...args);
    } catch (error) {
      // A throwing handler must not break the socket's own bookkeeping.
      (globalThis.reportError || console.error)(error);
    }
  };

  const deliver = (data) => {
    if (typeof data === 'string') {
      call('onMessage', data, { binary: false });
      if (typeof handlers.onJson === 'function') {
        let value;
        try {
          value = JSON.parse(data);
        } catch {
          return; // not JSON: onMessage had it
        }
        call('onJson', value);
      }
      return;
    }
    let bytes;
    if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else if (typeof Blob !== 'undefined' && data instanceof Blob) {
      data.arrayBuffer().then((b) => call('onMessage', new Uint8Array(b), { binary: true }));
      return;
    } else bytes = new Uint8Array(0);
    call('onMessage', bytes, { binary: true });
  };

  const open = () => {
    timer = null;
    const ws = new Socket(url);
    socket = ws;
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      if (socket !== ws) return;
      attempt = 0;
      call('onOpen');
      while (queue.length && ws.readyState === 1) ws.send(queue.shift());
    };
    ws.onmessage = (event) => {
      if (socket === ws) deliver(event.data);
    };
    ws.onerror = (event) => {
      if (socket === ws) call('onError', event);
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      const code = event.code ?? 1006;
      const again = !!reconnect && !closedByUs && !FINAL_CODES.has(code) && code < 4000 && attempt < reconnect.maxAttempts;
      const delayMs = again ? backoffDelay(attempt, reconnect, random()) : undefined;
      call('onClose', { code, reason: event.reason || '', willReconnect: again, delayMs });
      if (again) {
        attempt += 1;
        timer = later(open, delayMs);
      }
    };
  };

  const encode = (data) => {
    if (typeof data === 'string' || data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data;
    if (typeof Blob !== 'undefined' && data instanceof Blob) return data;
    throw new TypeError('send: a string (text frame) or bytes (binary frame)');
  };

  const room = {
    url,
    // Sends a text (string) or binary (ArrayBuffer, typed array, Blob) message. While the
    // socket is connecting it is queued (false once the queue is full or after close()).
    send(data) {
      const frame = encode(data);
      if (closedByUs) return false;
      if (socket && socket.readyState === 1) {
        socket.send(frame);
        return true;
      }
      if (queue.length >= maxQueued) return false;
      queue.push(frame);
      return true;
    },
    sendJson(value) {
      return room.send(JSON.stringify(value));
    },
    // Closes for good (no reconnect).
    close(code = 1000, reason = '') {
      closedByUs = true;
      queue.length = 0;
      if (timer !== null) {
        cancel(timer);
        timer = null;
      }
      if (socket && socket.readyState < 2) socket.close(code, reason);
    },
    get connected() {
      return !!socket && socket.readyState === 1;
    },
    get socket() {
      return socket;
    },
  };
  open();
  return room;
}
