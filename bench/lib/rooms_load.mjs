// The rooms scenario's load generator (npm `ws` clients): opens many WebSocket connections
// spread over 127.0.0.x source addresses, and measures broadcast delivery latency, echo
// messages/s (in worker threads) and the server's resident memory per idle connection.
// The same code drives our server and the Node.js peer (bench/peers/node_ws_rooms.mjs);
// both answer the protocol of bench/guests/room_relay.c ('b...' broadcast, else echo).
//
// Every wait is bounded: connection setup, each broadcast round, each echo run.
import fs from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

import { WebSocket } from 'ws';

// The server caps connections per client address (max_connections_per_address, 256):
// clients bind 127.0.0.2, 127.0.0.3, ... with at most this many each (decisions.md).
export const CONNECTIONS_PER_ADDRESS = 200;
const B = 0x62;  // 'b': a broadcast

export const sourceAddress = (i) => `127.0.0.${2 + (Math.floor(i / CONNECTIONS_PER_ADDRESS) % 250)}`;
const nowNs = () => process.hrtime.bigint();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// `promise`'s value, or `fallback` after `ms` (the timer is cleared either way, so no
// pending timer outlives the wait).
function within(promise, ms, fallback) {
  let timer;
  const expiry = new Promise((resolve) => { timer = setTimeout(() => resolve(fallback), ms); });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}

// Opens one connection; resolves once open, rejects on a refused upgrade, an error or
// no answer within `timeoutMs`. Unexpected closes later are counted in `stats`.
function connect(url, localAddress, stats, timeoutMs) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, localAddress, handshakeTimeout: timeoutMs,
                                    maxPayload: 1 << 20 });
    let opened = false;
    ws.on('open', () => {
      opened = true;
      resolve(ws);
    });
    ws.on('unexpected-response', (req, res) => {
      reject(new Error(`${url}: the upgrade was answered ${res.statusCode} ${res.statusMessage}`));
      req.destroy();
    });
    ws.on('error', (e) => {
      if (!opened) reject(new Error(`${url} (from ${localAddress}): ${e.message}`));
      else stats.errors += 1;
    });
    ws.on('close', (code, reason) => {
      if (!opened) {
        reject(new Error(`${url}: closed before opening (${code} ${reason})`));
      } else if (!ws.closingOnPurpose) {
        stats.unexpected_closes += 1;
        stats.last_close = `${code} ${reason.toString().slice(0, 80)}`;
      }
    });
  });
}

// Opens `n` connections (connection i to urlFor(i), from sourceAddress(first + i)), at
// most `concurrency` handshakes at a time; rejects (closing what opened) on the first
// failure. `stats` collects errors and unexpected closes for the report.
export async function openConnections(urlFor, n, { first = 0, concurrency = 50, timeoutMs = 15_000,
                                                   stats = newStats() } = {}) {
  const conns = new Array(n);
  let next = 0;
  let failure = null;
  const lane = async () => {
    while (next < n && !failure) {
      const i = next++;
      try {
        conns[i] = await connect(urlFor(i), sourceAddress(first + i), stats, timeoutMs);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
  if (failure) {
    await closeConnections(conns.filter(Boolean));
    throw failure;
  }
  conns.stats = stats;
  return conns;
}

export const newStats = () => ({ errors: 0, unexpected_closes: 0, last_close: null });

// Closes the connections and waits (bounded) until they are closed.
export async function closeConnections(conns, timeoutMs = 5000) {
  const closed = conns.map((ws) => {
    if (ws.readyState === WebSocket.CLOSED) return null;
    ws.closingOnPurpose = true;
    const done = new Promise((resolve) => ws.once('close', resolve));
    ws.close(1000);
    return done;
  }).filter(Boolean);
  const inTime = await within(Promise.all(closed).then(() => true), timeoutMs, false);
  if (!inTime) for (const ws of conns) ws.terminate();
}

// Checks the room protocol before anything is measured: two members of room `url`; an
// echo comes back to its sender only, a broadcast reaches both. Throws saying what failed.
export async function checkRelay(url, timeoutMs = 10_000) {
  const conns = await openConnections(() => url, 2, { timeoutMs });
  try {
    const next = (ws) => new Promise((resolve) => ws.once('message', (data) => resolve(data.toString())));
    const echoed = next(conns[0]);
    conns[0].send('e check');
    const echo = await within(echoed, timeoutMs, null);
    if (echo !== 'e check') throw new Error(`${url}: "e check" was answered ${echo === null ? 'with nothing' : JSON.stringify(echo.slice(0, 100))}`);
    const got = conns.map(next);
    conns[1].send('b check');
    const both = await within(Promise.all(got), timeoutMs, null);
    if (!both || both.some((m) => m !== 'b check')) {
      throw new Error(`${url}: the broadcast "b check" reached ${both ? JSON.stringify(both) : 'not every member in time'}`);
    }
  } finally {
    await closeConnections(conns);
  }
}

// Nearest-rank quantile of a sorted array.
export function quantile(sorted, q) {
  if (!sorted.length) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function summary(values) {
  const sorted = Float64Array.from(values).sort();
  const sum = sorted.reduce((a, b) => a + b, 0);
  return { count: sorted.length, p50_ms: quantile(sorted, 0.5), p90_ms: quantile(sorted, 0.9),
           p99_ms: quantile(sorted, 0.99), max_ms: sorted[sorted.length - 1], mean_ms: sum / (sorted.length || 1) };
}

// `rounds` broadcasts, one at a time, to `connections` members of room `url`, whose
// clients are split over `threads` worker threads (so that reading 1,000 deliveries is
// not one thread's serial work). Each round a member (a different one each time) sends
// "b <round> <send time, ns>" padded to `padTo` bytes; the room delivers it to all
// members, sender included. A delivery's latency is its receipt time minus the send time
// in the payload (one process: one monotonic clock for all threads). A round ends when
// every member got it or after `roundTimeoutMs` (the missing ones are counted lost);
// rounds start `gapMs` after the previous one ended.
export async function broadcastLatency(url, { connections, rounds, threads = 1, first = 0, roundTimeoutMs = 5000,
                                            gapMs = 10, padTo = 64 }) {
  const workers = [];
  try {
    const perThread = Math.ceil(connections / threads);
    for (let t = 0; t * perThread < connections; ++t) {
      const count = Math.min(perThread, connections - t * perThread);
      workers.push(startWorker({ role: 'broadcast', url, count, first: first + t * perThread, padTo }));
    }
    for (const w of workers) w.ready = await w.next('ready', 60_000);
    const latencies = [];
    const roundTimes = [];
    let lost = 0;
    for (let r = 0; r < rounds; ++r) {
      // The sender: member r % connections, in the worker holding it.
      const member = r % connections;
      const owner = Math.floor(member / perThread);
      workers.forEach((w, t) => w.post({ type: 'round', seq: r, send: t === owner ? member - t * perThread : null }));
      let last = 0;
      for (const w of workers) {
        let done = await w.next('done', roundTimeoutMs, null);
        if (!done) {
          w.post({ type: 'flush', seq: r });
          done = await w.next('done', 5000);
        }
        for (const ms of done.latencies) latencies.push(ms);
        lost += done.expected - done.latencies.length;
        last = Math.max(last, ...done.latencies);
        if (done.latencies.length !== done.expected) last = Infinity;
      }
      if (Number.isFinite(last)) roundTimes.push(last);
      if (gapMs > 0) await sleep(gapMs);
    }
    const results = [];
    for (const w of workers) {
      w.post({ type: 'stop' });
      results.push(await w.next('result', 15_000));
    }
    const sum = (key) => results.reduce((a, x) => a + x[key], 0);
    return { connections, rounds, threads: workers.length, deliveries: summary(latencies),
             all_delivered: summary(roundTimes), rounds_complete: roundTimes.length, lost, late: sum('late'),
             malformed: sum('malformed'), payload_bytes: padTo, errors: sum('errors'),
             unexpected_closes: sum('unexpected_closes'), last_close: results.map((x) => x.last_close).find(Boolean) ?? null };
  } finally {
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}

// One broadcast worker: `count` members; reports each round's latencies once all its
// members have the round's message (or when asked to flush).
async function broadcastWorker({ url, count, first, padTo }) {
  const stats = newStats();
  const conns = await openConnections(() => url, count, { first, stats });
  let current = -1;
  let latencies = [];
  let reported = true;
  let late = 0;
  let malformed = 0;
  const report = () => {
    reported = true;
    parentPort.postMessage({ type: 'done', seq: current, latencies, expected: count });
  };
  // A round starts with the coordinator's message or with its first delivery, whichever
  // comes first (a delivery may beat the message to this thread).
  const begin = (seq) => {
    if (seq <= current) return;
    current = seq;
    latencies = [];
    reported = false;
  };
  const onMessage = (data) => {
    const now = nowNs();
    if (data[0] !== B) {
      malformed += 1;
      return;
    }
    const [, seqText, sent] = data.toString('latin1').split(' ');
    const seq = Number(seqText);
    if (seq < current || (seq === current && reported)) {
      late += 1;
      return;
    }
    begin(seq);
    latencies.push(Number(now - BigInt(sent)) / 1e6);
    if (latencies.length === count) report();
  };
  for (const ws of conns) ws.on('message', onMessage);
  parentPort.postMessage({ type: 'ready' });
  await new Promise((resolve) => {
    parentPort.on('message', (m) => {
      if (m.type === 'round') {
        begin(m.seq);
        if (m.send !== null) conns[m.send].send(`b ${m.seq} ${nowNs()} `.padEnd(padTo, 'x'));
      } else if (m.type === 'flush' && m.seq === current && !reported) {
        report();
      } else if (m.type === 'stop') {
        resolve();
      }
    });
  });
  await closeConnections(conns);
  parentPort.postMessage({ type: 'result', late, malformed, errors: stats.errors,
                           unexpected_closes: stats.unexpected_closes, last_close: stats.last_close });
}

// A worker thread running this file with `data` (role: echo | broadcast). `next(type)`
// waits (bounded) for its next message of that type; an error or exit of the worker
// throws; `fallback`, if given, is returned on timeout instead of throwing.
function startWorker(data) {
  const worker = new Worker(new URL(import.meta.url), { workerData: data });
  const messages = [];
  let wake = null;
  const push = (m) => {
    messages.push(m);
    wake?.();
  };
  worker.on('message', push);
  worker.on('error', (e) => push({ type: 'error', message: e.message }));
  worker.on('exit', (code) => push({ type: 'exit', code }));
  const next = async (type, timeoutMs, ...fallback) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = messages.findIndex((m) => m.type === type || m.type === 'error' || m.type === 'exit');
      if (i >= 0) {
        const [m] = messages.splice(i, 1);
        if (m.type !== type) throw new Error(`${data.role} worker: ${m.message ?? `exited with ${m.code}`}`);
        return m;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        if (fallback.length) return fallback[0];
        throw new Error(`${data.role} worker: no ${type} within ${timeoutMs / 1000} s`);
      }
      await within(new Promise((resolve) => { wake = resolve; }), left);
      wake = null;
    }
  };
  return { worker, next, post: (m) => worker.postMessage(m) };
}

// CPU time a process has used (user + system, all threads), in seconds.
export function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100;  // USER_HZ: /proc's unit on Linux

// Resident memory of a process (VmRSS), in bytes.
export function rssBytes(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!kb) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kb[1]) * 1024;
}

// The server's RSS before and after `n` idle connections to urlFor(i), after `settleMs`
// each time; the connections are closed again afterwards.
export async function idleMemory(pid, urlFor, n, { settleMs = 1500, first = 0 } = {}) {
  await sleep(settleMs);
  const before = rssBytes(pid);
  const conns = await openConnections(urlFor, n, { first });
  try {
    await sleep(settleMs);
    const after = rssBytes(pid);
    const open = conns.filter((ws) => ws.readyState === WebSocket.OPEN).length;
    if (open !== n) throw new Error(`${n - open} of ${n} idle connections were closed by the server`);
    return { connections: n, rss_before: before, rss_after: after, bytes_per_connection: (after - before) / n };
  } finally {
    await closeConnections(conns);
  }
}

// Echo throughput: `connections` clients spread evenly over `rooms` rooms (urlFor(room)),
// split over `threads` worker threads. Each client keeps at most `window` messages
// outstanding and sends at most `ratePerConnection` a second (the server's per-connection
// limit is 200/s with a burst of 400: staying under it measures the server, not its rate
// limiter). Replies received during [warm-up, warm-up + seconds] are counted. Over the
// same interval, the CPU time of process `pid` (the server measured) and of this process
// (the load generator, all its threads) per reply: what the 2 cores were spent on.
export async function echoThroughput(urlFor, { connections, rooms, threads = 1, seconds, warmupSeconds = 0,
                                              window = 2, ratePerConnection = 150, first = 0,
                                              payloadBytes = 32, pid = null }) {
  const workers = [];
  const perThread = Math.ceil(connections / threads);
  const urls = Array.from({ length: connections }, (_, i) => urlFor(i % rooms));
  try {
    for (let t = 0; t * perThread < connections; ++t) {
      workers.push(startWorker({ role: 'echo', urls: urls.slice(t * perThread, (t + 1) * perThread),
                                 first: first + t * perThread, window, ratePerConnection, payloadBytes }));
    }
    for (const w of workers) await w.next('ready', 60_000);
    // One schedule for all threads, on the shared monotonic clock.
    const start = nowNs() + 50_000_000n;
    const measureFrom = start + BigInt(Math.round(warmupSeconds * 1e9));
    const end = measureFrom + BigInt(Math.round(seconds * 1e9));
    for (const w of workers) w.post({ type: 'start', start, measureFrom, end });
    const until = async (t) => {
      while (nowNs() < t) await sleep(Math.max(1, Math.min(100, Number(t - nowNs()) / 1e6)));
    };
    await until(measureFrom);
    const cpu0 = { server: pid ? cpuSeconds(pid) : 0, client: process.cpuUsage() };
    await until(end);
    const serverCpu = pid ? cpuSeconds(pid) - cpu0.server : null;
    const clientUsage = process.cpuUsage(cpu0.client);
    const clientCpu = (clientUsage.user + clientUsage.system) / 1e6;
    const results = [];
    for (const w of workers) results.push(await w.next('result', (warmupSeconds + seconds) * 1000 + 30_000));
    const replies = results.reduce((a, r) => a + r.replies, 0);
    const rtt = summary(results.flatMap((r) => r.rtt_samples));
    const sum = (key) => results.reduce((a, r) => a + r[key], 0);
    return {
      connections, rooms, threads: workers.length, window, rate_per_connection: ratePerConnection,
      offered_ceiling_per_s: connections * ratePerConnection, seconds, warmup_seconds: warmupSeconds,
      replies, messages_per_s: replies / seconds, rtt,
      server_cpu_cores: serverCpu === null ? null : serverCpu / seconds,
      server_cpu_us_per_message: serverCpu === null || !replies ? null : (serverCpu * 1e6) / replies,
      client_cpu_cores: clientCpu / seconds, client_cpu_us_per_message: replies ? (clientCpu * 1e6) / replies : null,
      sent: sum('sent'), unanswered: sum('unanswered'), mismatched: sum('mismatched'), errors: sum('errors'),
      unexpected_closes: sum('unexpected_closes'),
      last_close: results.map((r) => r.last_close).find(Boolean) ?? null,
    };
  } finally {
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}

// One echo worker: its connections, paced by a token bucket per connection.
async function echoWorker({ urls, first, window, ratePerConnection, payloadBytes }) {
  const stats = newStats();
  const conns = await openConnections((i) => urls[i], urls.length, { first, stats });
  const state = conns.map(() => ({ outstanding: 0, tokens: 1 }));
  let schedule = null;
  let replies = 0;
  let sent = 0;
  let mismatched = 0;
  let sending = false;
  const rtt = [];
  const pad = 'x'.repeat(Math.max(0, payloadBytes - 24));
  const send = (i) => {
    const s = state[i];
    while (sending && s.outstanding < window && s.tokens >= 1) {
      s.tokens -= 1;
      s.outstanding += 1;
      sent += 1;
      conns[i].send(`e${nowNs()} ${pad}`);
    }
  };
  conns.forEach((ws, i) => ws.on('message', (data) => {
    const now = nowNs();
    const text = data.toString('latin1');
    if (text[0] !== 'e') {
      mismatched += 1;
      return;
    }
    const s = state[i];
    s.outstanding -= 1;
    if (schedule && now >= schedule.measureFrom && now < schedule.end) {
      replies += 1;
      // Every 8th RTT is kept: enough for its quantiles, bounded memory.
      if ((replies & 7) === 0) rtt.push(Number(now - BigInt(text.slice(1, text.indexOf(' ')))) / 1e6);
    }
    send(i);
  }));
  parentPort.postMessage({ type: 'ready' });
  schedule = await new Promise((resolve) => parentPort.once('message', resolve));
  while (nowNs() < schedule.start) await sleep(1);
  sending = true;
  let last = nowNs();
  const burst = Math.max(1, window);
  // Refills every connection's bucket every 5 ms (timer-driven, so the rate holds even
  // when replies stop).
  while (nowNs() < schedule.end) {
    await sleep(5);
    const now = nowNs();
    const add = (Number(now - last) / 1e9) * ratePerConnection;
    last = now;
    for (let i = 0; i < conns.length; ++i) {
      state[i].tokens = Math.min(burst, state[i].tokens + add);
      send(i);
    }
  }
  sending = false;
  // Replies still in flight at the end are not counted; wait a little for them so that the
  // connections close cleanly.
  const drainUntil = Date.now() + 2000;
  while (state.some((s) => s.outstanding > 0) && Date.now() < drainUntil) await sleep(10);
  const unanswered = state.reduce((a, s) => a + s.outstanding, 0);
  await closeConnections(conns);
  parentPort.postMessage({ type: 'result', replies, sent, unanswered, mismatched, rtt_samples: rtt,
                           errors: stats.errors, unexpected_closes: stats.unexpected_closes,
                           last_close: stats.last_close });
}

if (!isMainThread && workerData?.role) {
  const run = { echo: echoWorker, broadcast: broadcastWorker }[workerData.role];
  run(workerData).catch((e) => {
    parentPort.postMessage({ type: 'error', message: e.message });
  });
}
