// bench/run's events scenario (issue 15): room message events through the network events
// API (POST /api/v1/events, and /api/v1/events:batch with 100 events a request) on
// bench/guests/room_relay.c, whose reply is the message itself. Closed loops over
// keep-alive HTTP connections from this process; every answer is checked (one `reply`
// event carrying the payload, outcome ok).
import http from 'node:http';

import { cpuSeconds } from './rooms_load.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function post(agent, url, token, body) {
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: 'POST',
      agent,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json',
                 'Content-Length': Buffer.byteLength(body) },
    }, (response) => {
      const chunks = [];
      response.on('data', (c) => chunks.push(c));
      response.on('end', () => resolve({ status: response.status ?? response.statusCode,
                                         retryAfter: response.headers['retry-after'],
                                         text: Buffer.concat(chunks).toString() }));
      response.on('error', reject);
    });
    request.setTimeout(30_000, () => request.destroy(new Error('no answer in 30 s')));
    request.on('error', reject);
    request.end(body);
  });
}

// Whether one event's answer is room_relay's echo of `payload`.
function echoed(answer, payload) {
  return answer?.outcome === 'ok' && answer.events?.length === 1 && answer.events[0].type === 'reply' &&
    answer.events[0].payload === payload;
}

// Events/s through the API: `concurrency` requests in flight, each carrying `batch` message
// events (batch 1: POST /api/v1/events; more: /api/v1/events:batch), spread over `rooms`
// rooms of `connectionsPerRoom` members. Counted over `seconds` after `warmupSeconds`.
export async function eventsThroughput(base, token, action, { batch, concurrency, seconds, warmupSeconds = 0,
                                                              rooms = 10, connectionsPerRoom = 10,
                                                              payloadBytes = 32, pid = null }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const url = `${base}/api/v1/events${batch > 1 ? ':batch' : ''}`;
  const pad = 'x'.repeat(Math.max(0, payloadBytes - 16));
  const members = Array.from({ length: rooms }, (_, r) =>
    Array.from({ length: connectionsPerRoom }, (_, c) => `r${r}c${c}`));
  let seq = 0;
  const event = () => {
    const n = seq++;
    const room = n % rooms;
    const connection = members[room][Math.floor(n / rooms) % connectionsPerRoom];
    return { action, event: 'message', room: `room${room}`, connection,
             payload: `e${String(n).padStart(14, '0')}${pad}`, connections: members[room] };
  };
  const stats = { requests: 0, events: 0, bad: 0, errors: 0, retried: 0, last_error: null };
  const latencies = [];
  let measuring = false;
  let stop = false;
  const loop = async () => {
    while (!stop) {
      const events = Array.from({ length: batch }, event);
      const body = JSON.stringify(batch > 1 ? { events } : events[0]);
      const t0 = performance.now();
      let answer;
      try {
        answer = await post(agent, url, token, body);
      } catch (e) {
        ++stats.errors;
        stats.last_error = e.message;
        await sleep(10);
        continue;
      }
      if (answer.status === 429 || answer.status === 503) {
        ++stats.retried;
        await sleep(Math.min(1000, (Number(answer.retryAfter) || 0.1) * 1000));
        continue;
      }
      if (answer.status !== 200) {
        ++stats.errors;
        stats.last_error = `${answer.status}: ${answer.text.slice(0, 200)}`;
        continue;
      }
      let results;
      try {
        const json = JSON.parse(answer.text);
        results = batch > 1 ? json.results : [json];
      } catch {
        results = [];
      }
      const good = events.filter((e, i) => echoed(results?.[i], e.payload)).length;
      if (measuring) {
        ++stats.requests;
        stats.events += good;
        stats.bad += events.length - good;
        latencies.push(performance.now() - t0);
      }
      if (good < events.length && !stats.last_error) stats.last_error = answer.text.slice(0, 200);
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  try {
    await sleep(warmupSeconds * 1000);
    measuring = true;
    const cpu0 = { server: pid ? cpuSeconds(pid) : 0, client: process.cpuUsage() };
    const t0 = performance.now();
    await sleep(seconds * 1000);
    measuring = false;
    const elapsed = (performance.now() - t0) / 1000;
    const serverCpu = pid ? cpuSeconds(pid) - cpu0.server : null;
    const clientUsage = process.cpuUsage(cpu0.client);
    stop = true;
    await Promise.all(loops);
    latencies.sort((a, b) => a - b);
    const q = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : null);
    return {
      batch, concurrency, rooms, connections_per_room: connectionsPerRoom, seconds: elapsed,
      warmup_seconds: warmupSeconds, ...stats,
      events_per_s: stats.events / elapsed, requests_per_s: stats.requests / elapsed,
      request_ms: { p50: q(0.5), p99: q(0.99) },
      server_cpu_us_per_event: serverCpu === null || !stats.events ? null : (serverCpu * 1e6) / stats.events,
      client_cpu_cores: (clientUsage.user + clientUsage.system) / 1e6 / elapsed,
    };
  } finally {
    stop = true;
    agent.destroy();
  }
}
