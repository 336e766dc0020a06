// Turns the measurements of one run into the JSON keys, the results table (Markdown and
// terminal) and the chart (SVG rendered to PNG by headless Chromium).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { runChecked } from './proc.mjs';

export const REQUIRED_KEYS = [
  'static_rps', 'hello_rps', 'cgi_native_rps', 'node_wasi_rps', 'hello_p99_ms',
  'instantiate_us_p50', 'instantiate_us_p99', 'primes_vs_native', 'sieve_vs_native',
  'deploy_small_s', 'deploy_large_s', 'timeout_p99_ratio',
  'kv_get_rps', 'kv_set_rps', 'kv_increment_rps', 'kv_get_ratio', 'kv_set_ratio', 'kv_increment_ratio',
  'outbound_rps', 'outbound_p99_ms', 'outbound_vs_hello', 'outbound_p99_vs_hello', 'outbound_native_rps',
  'outbound_vs_native', 'outbound_p99_vs_native', 'outbound_upstream_rps',
  'chain_rps', 'chain_p99_ms', 'chain_direct_rps', 'chain_vs_direct', 'chain_depth4_rps', 'chain_depth4_p99_ms',
  'chain_depth4_vs_direct',
  'rooms_broadcast_p50_ms', 'rooms_broadcast_p99_ms', 'rooms_echo_msgs_per_s', 'rooms_idle_kib_per_conn',
  'rooms_peer_broadcast_p50_ms', 'rooms_peer_broadcast_p99_ms', 'rooms_peer_echo_msgs_per_s',
  'rooms_peer_idle_kib_per_conn', 'rooms_broadcast_p99_vs_peer', 'rooms_echo_vs_peer', 'rooms_idle_vs_peer',
  'rooms_echo_cpu_us_per_msg', 'rooms_peer_echo_cpu_us_per_msg',
  'events_batch1_per_s', 'events_batch100_per_s', 'events_rooms_echo_msgs_per_s', 'events_batch1_vs_rooms',
  'events_batch100_vs_rooms',
];

const ratio = (a, b) => (a > 0 && b > 0 ? a / b : undefined);
const kib = (bytes) => (Number.isFinite(bytes) ? bytes / 1024 : undefined);

// The headline numbers, from the scenario results (a failed scenario leaves its keys out).
export function headlineKeys(m) {
  const keys = {
    static_rps: m.static?.rps,
    hello_rps: m.hello?.rps,
    cgi_native_rps: m.cgi_native?.rps,
    node_wasi_rps: m.node_wasi?.rps,
    hello_p99_ms: m.hello?.p99_ms,
    instantiate_us_p50: m.instantiate?.p50_us,
    instantiate_us_p99: m.instantiate?.p99_us,
    primes_vs_native: m.compute?.primes_count?.wasm_vs_native,
    sieve_vs_native: m.compute?.sieve?.wasm_vs_native,
    deploy_small_s: m.deploy?.small?.first_ok_s,
    deploy_large_s: m.deploy?.large?.first_ok_s,
    timeout_p99_ratio: ratio(m.timeout?.loaded?.p99_ms, m.timeout?.baseline?.p99_ms),
    kv_get_rps: m.kv?.get?.rps,
    kv_set_rps: m.kv?.set?.rps,
    kv_increment_rps: m.kv?.increment?.rps,
    kv_get_ratio: ratio(m.kv?.get?.rps, m.kv?.hello?.rps),
    kv_set_ratio: ratio(m.kv?.set?.rps, m.kv?.hello?.rps),
    kv_increment_ratio: ratio(m.kv?.increment?.rps, m.kv?.hello?.rps),
    outbound_rps: m.outbound?.action?.rps,
    outbound_p99_ms: m.outbound?.action?.p99_ms,
    outbound_vs_hello: ratio(m.outbound?.action?.rps, m.outbound?.hello?.rps),
    outbound_p99_vs_hello: ratio(m.outbound?.action?.p99_ms, m.outbound?.hello?.p99_ms),
    outbound_native_rps: m.outbound?.native?.rps,
    outbound_vs_native: ratio(m.outbound?.action?.rps, m.outbound?.native?.rps),
    outbound_p99_vs_native: ratio(m.outbound?.action?.p99_ms, m.outbound?.native?.p99_ms),
    outbound_upstream_rps: m.outbound?.upstream?.rps,
    chain_rps: m.chain?.chained?.rps,
    chain_p99_ms: m.chain?.chained?.p99_ms,
    chain_direct_rps: m.chain?.direct?.rps,
    chain_vs_direct: ratio(m.chain?.chained?.rps, m.chain?.direct?.rps),
    chain_depth4_rps: m.chain?.deep?.rps,
    chain_depth4_p99_ms: m.chain?.deep?.p99_ms,
    chain_depth4_vs_direct: ratio(m.chain?.deep?.rps, m.chain?.direct?.rps),
    rooms_broadcast_p50_ms: m.rooms?.server?.broadcast?.deliveries?.p50_ms,
    rooms_broadcast_p99_ms: m.rooms?.server?.broadcast?.deliveries?.p99_ms,
    rooms_echo_msgs_per_s: m.rooms?.server?.echo?.messages_per_s,
    rooms_idle_kib_per_conn: kib(m.rooms?.server?.idle?.bytes_per_connection),
    rooms_peer_broadcast_p50_ms: m.rooms?.peer?.broadcast?.deliveries?.p50_ms,
    rooms_peer_broadcast_p99_ms: m.rooms?.peer?.broadcast?.deliveries?.p99_ms,
    rooms_peer_echo_msgs_per_s: m.rooms?.peer?.echo?.messages_per_s,
    rooms_peer_idle_kib_per_conn: kib(m.rooms?.peer?.idle?.bytes_per_connection),
    rooms_broadcast_p99_vs_peer: ratio(m.rooms?.server?.broadcast?.deliveries?.p99_ms,
                                       m.rooms?.peer?.broadcast?.deliveries?.p99_ms),
    rooms_echo_vs_peer: ratio(m.rooms?.server?.echo?.messages_per_s, m.rooms?.peer?.echo?.messages_per_s),
    rooms_echo_cpu_us_per_msg: m.rooms?.server?.echo?.server_cpu_us_per_message,
    rooms_peer_echo_cpu_us_per_msg: m.rooms?.peer?.echo?.server_cpu_us_per_message,
    events_batch1_per_s: m.events?.batch1?.events_per_s,
    events_batch100_per_s: m.events?.batch100?.events_per_s,
    events_rooms_echo_msgs_per_s: m.events?.rooms_echo?.messages_per_s,
    events_batch1_vs_rooms: ratio(m.events?.batch1?.events_per_s, m.events?.rooms_echo?.messages_per_s),
    events_batch100_vs_rooms: ratio(m.events?.batch100?.events_per_s, m.events?.rooms_echo?.messages_per_s),
    rooms_idle_vs_peer: ratio(m.rooms?.server?.idle?.bytes_per_connection, m.rooms?.peer?.idle?.bytes_per_connection),
  };
  const out = {};
  for (const key of REQUIRED_KEYS) {
    if (Number.isFinite(keys[key])) out[key] = round(keys[key], 4);
  }
  return out;
}

function round(value, digits) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

// Each target: the value it judges, how, and against what.
export function targets(k) {
  const t = [
    { name: 'hello ≥ 0.5× static', value: ratio(k.hello_rps, k.static_rps), op: '>=', target: 0.5, unit: '×' },
    { name: 'hello ≥ 10× cgi_native', value: ratio(k.hello_rps, k.cgi_native_rps), op: '>=', target: 10, unit: '×' },
    { name: 'hello ≥ 3× node_wasi', value: ratio(k.hello_rps, k.node_wasi_rps), op: '>=', target: 3, unit: '×' },
    { name: 'instantiate p50 ≤ 10 µs', value: k.instantiate_us_p50, op: '<=', target: 10, unit: ' µs' },
    { name: 'primes ≤ 1.1× native', value: k.primes_vs_native, op: '<=', target: 1.1, unit: '×' },
    { name: 'sieve ≤ 1.1× native', value: k.sieve_vs_native, op: '<=', target: 1.1, unit: '×' },
    { name: 'deploy small ≤ 1 s', value: k.deploy_small_s, op: '<=', target: 1, unit: ' s' },
    { name: 'deploy large ≤ 15 s', value: k.deploy_large_s, op: '<=', target: 15, unit: ' s' },
    { name: 'timeout p99 ratio ≤ 2', value: k.timeout_p99_ratio, op: '<=', target: 2, unit: '×' },
    { name: 'kv_get ≥ 0.7× hello', value: k.kv_get_ratio, op: '>=', target: 0.7, unit: '×' },
    { name: 'kv_set ≥ 0.4× hello', value: k.kv_set_ratio, op: '>=', target: 0.4, unit: '×' },
    { name: 'rooms broadcast p99 ≤ 10 ms', value: k.rooms_broadcast_p99_ms, op: '<=', target: 10, unit: ' ms' },
    { name: 'rooms echo ≥ 50k msg/s', value: k.rooms_echo_msgs_per_s, op: '>=', target: 50000, unit: ' msg/s' },
    { name: 'rooms idle ≤ 16 KiB/conn', value: k.rooms_idle_kib_per_conn, op: '<=', target: 16, unit: ' KiB' },
  ];
  for (const item of t) {
    if (!Number.isFinite(item.value)) {
      item.result = 'no figure';
      continue;
    }
    item.pass = item.op === '>=' ? item.value >= item.target : item.value <= item.target;
    item.result = item.pass ? 'pass' : 'MISS';
    // > 1 means the target is met with that much room; < 1 how far it is missed.
    item.headroom = item.op === '>=' ? item.value / item.target : item.target / item.value;
  }
  return t;
}

const fmtInt = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '—');
const fmt = (v, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : '—');
const fmtX = (v) => (Number.isFinite(v) ? `${v >= 10 ? v.toFixed(1) : v.toFixed(2)}×` : '—');

function load(r) {
  if (!r) return 'error';
  return `${fmtInt(r.rps)} req/s (p50 ${fmt(r.p50_ms)} ms, p99 ${fmt(r.p99_ms)} ms)`;
}

function targetCell(t) {
  if (!t) return ['', ''];
  const result = t.result === 'MISS' ? '**MISS**' : t.result;
  return [`${t.op === '>=' ? '≥' : '≤'} ${t.target}${t.unit.trim() === '×' ? '×' : t.unit}`, result];
}

// Rows of the results table: scenario, figure, baseline from this run, ratio, target, result.
export function tableRows(m, k, t, errors) {
  const byName = Object.fromEntries(t.map((x) => [x.name, x]));
  const err = (scenario) => {
    if (!errors[scenario]) return null;
    return errors[scenario] === 'not run' ? 'not run' : `error: ${errors[scenario]}`;
  };
  const rows = [];
  const add = (scenario, figure, baseline, r, target) => {
    rows.push([scenario, figure, baseline, r, ...targetCell(target)]);
  };
  add('static', err('static') ?? load(m.static), 'the ceiling: built-in /healthz, no guest', '', null);
  add('hello', err('hello') ?? load(m.hello), `static ${fmtInt(k.static_rps)} req/s`,
      fmtX(ratio(k.hello_rps, k.static_rps)), byName['hello ≥ 0.5× static']);
  add('cgi_native', err('cgi_native') ?? load(m.cgi_native),
      `hello ${fmtInt(k.hello_rps)} req/s vs ${m.cgi_native?.version ?? 'lighttpd'} mod_cgi, native hello`,
      fmtX(ratio(k.hello_rps, k.cgi_native_rps)), byName['hello ≥ 10× cgi_native']);
  add('node_wasi', err('node_wasi') ?? load(m.node_wasi),
      `hello ${fmtInt(k.hello_rps)} req/s vs ${m.node_wasi?.version ?? 'node'} ` +
      'with **`--no-turbo-fast-api-calls`** (nodejs/node#53087)',
      fmtX(ratio(k.hello_rps, k.node_wasi_rps)), byName['hello ≥ 3× node_wasi']);
  const inst = m.instantiate;
  add('instantiate p50', err('instantiate') ?? `${fmt(inst?.p50_us)} µs`,
      `native hello fork+exec+wait p50 ${fmt(inst?.spawn_p50_us, 0)} µs`,
      fmtX(ratio(inst?.spawn_p50_us, inst?.p50_us)) + ' faster', byName['instantiate p50 ≤ 10 µs']);
  add('instantiate p99', err('instantiate') ?? `${fmt(inst?.p99_us)} µs`,
      `native spawn p99 ${fmt(inst?.spawn_p99_us, 0)} µs`,
      fmtX(ratio(inst?.spawn_p99_us, inst?.p99_us)) + ' faster', null);
  for (const [guest, label] of [['primes_count', 'primes'], ['sieve', 'sieve']]) {
    const c = m.compute?.[guest];
    add(`compute ${label}`, err('compute') ?? `wasm ${fmt(c?.wasm_s, 3)} s`, `native ${fmt(c?.native_s, 3)} s`,
        fmtX(c?.wasm_vs_native), byName[`${label} ≤ 1.1× native`]);
  }
  for (const [size, label, target] of [['small', 'deploy hello', 'deploy small ≤ 1 s'],
                                       ['large', 'deploy SQLite', 'deploy large ≤ 15 s']]) {
    const d = m.deploy?.[size];
    add(`${label} (${d ? `${fmt(d.bytes / 1024, 0)} KiB` : '?'})`,
        err(`deploy_${size}`) ?? `${fmt(d?.first_ok_s, 3)} s upload → first 200`,
        `upload accepted (201) after ${fmt(d?.accepted_s, 3)} s`, '', byName[target]);
  }
  const to = m.timeout;
  add('timeout_under_load', err('timeout_under_load') ?? `hello p99 ${fmt(to?.loaded?.p99_ms)} ms with runaways`,
      `hello p99 ${fmt(to?.baseline?.p99_ms)} ms without`, fmtX(k.timeout_p99_ratio),
      byName['timeout p99 ratio ≤ 2']);
  const kvHello = `hello ${fmtInt(m.kv?.hello?.rps)} req/s`;
  for (const [op, target] of [['get', 'kv_get ≥ 0.7× hello'], ['set', 'kv_set ≥ 0.4× hello'],
                              ['increment', null]]) {
    add(`kv_${op}`, err('kv') ?? load(m.kv?.[op]), kvHello, fmtX(k[`kv_${op}_ratio`]),
        target ? byName[target] : null);
  }
  const ob = m.outbound;
  const p99x = (a, b) => (ratio(a, b) ? `p99 ${fmtX(ratio(a, b))}` : '');
  add('outbound', err('outbound') ?? load(ob?.action), ob ? `hello ${load(ob.hello)}` : 'hello, this run',
      [fmtX(k.outbound_vs_hello), p99x(k.outbound_p99_ms, ob?.hello?.p99_ms)].filter(Boolean).join(', '), null);
  add('outbound native', err('outbound') ?? err('outbound_native') ?? load(ob?.native),
      `${ob?.native?.version ?? 'nginx'} relaying the same GET (upstream keep-alive); ratio: outbound ÷ it`,
      [fmtX(k.outbound_vs_native), p99x(k.outbound_p99_ms, ob?.native?.p99_ms)].filter(Boolean).join(', '), null);
  add('outbound upstream', err('outbound') ?? load(ob?.upstream),
      `the ceiling: wrk on ${ob?.upstream_server ?? 'lighttpd'} (static file) directly`, '', null);
  const ch = m.chain;
  const direct = ch ? `hello direct ${load(ch.direct)}` : 'hello requested directly';
  add('chain (A → hello)', err('chain') ?? load(ch?.chained), direct,
      [fmtX(k.chain_vs_direct), p99x(ch?.chained?.p99_ms, ch?.direct?.p99_ms)].filter(Boolean).join(', '), null);
  add(`chain depth ${ch?.depth ?? 4}`, err('chain') ?? load(ch?.deep), direct,
      [fmtX(k.chain_depth4_vs_direct), p99x(ch?.deep?.p99_ms, ch?.direct?.p99_ms)].filter(Boolean).join(', '), null);
  const ro = m.rooms;
  const roomsErr = (side) => err('rooms') ?? err(`rooms_${side}`);
  const peerName = ro?.peer?.version ?? 'node ws';
  const bc = (b) => (b ? `p50 ${fmt(b.deliveries.p50_ms)} ms, p99 ${fmt(b.deliveries.p99_ms)} ms` : '—');
  const bcDetail = (b) => (b ? ` (all ${fmtInt(b.connections)} reached: p99 ${fmt(b.all_delivered.p99_ms)} ms)` : '');
  add(`rooms broadcast (${fmtInt(ro?.settings?.broadcastConnections ?? 1000)} in 1 room)`,
      roomsErr('server') ?? `${bc(ro?.server?.broadcast)}${bcDetail(ro?.server?.broadcast)}`,
      `${peerName}: ${err('rooms_peer') ? 'error' : bc(ro?.peer?.broadcast)}`,
      k.rooms_broadcast_p99_vs_peer ? `p99 ${fmtX(k.rooms_broadcast_p99_vs_peer)}` : '',
      byName['rooms broadcast p99 ≤ 10 ms']);
  const echo = (e) => (e ? `${fmtInt(e.messages_per_s)} msg/s (RTT p99 ${fmt(e.rtt.p99_ms)} ms, ` +
                            `${fmt(e.server_cpu_us_per_message, 1)} µs CPU/msg)` : '—');
  const es = ro?.settings?.echo;
  add(`rooms echo (${es ? `${fmtInt(es.connections)} conns, ${es.rooms} rooms` : '?'})`,
      roomsErr('server') ?? echo(ro?.server?.echo), `${peerName}: ${err('rooms_peer') ? 'error' : echo(ro?.peer?.echo)}`,
      fmtX(k.rooms_echo_vs_peer), byName['rooms echo ≥ 50k msg/s']);
  const idle = (i) => (i ? `${fmt(i.bytes_per_connection / 1024, 1)} KiB/conn (RSS +${fmt((i.rss_after - i.rss_before) / 2 ** 20, 1)} MiB)` : '—');
  add(`rooms idle memory (${fmtInt(ro?.settings?.idleConnections ?? 1000)} conns)`,
      roomsErr('server') ?? idle(ro?.server?.idle), `${peerName}: ${err('rooms_peer') ? 'error' : idle(ro?.peer?.idle)}`,
      fmtX(k.rooms_idle_vs_peer), byName['rooms idle ≤ 16 KiB/conn']);
  const ev = m.events;
  const evFig = (x) => (x ? `${fmtInt(x.events_per_s)} events/s (request p99 ${fmt(x.request_ms.p99)} ms, ` +
                            `${fmt(x.server_cpu_us_per_event, 1)} µs CPU/event)` : '—');
  const evBase = ev?.rooms_echo ? `rooms echo ${fmtInt(ev.rooms_echo.messages_per_s)} msg/s ` +
    `(${fmt(ev.rooms_echo.server_cpu_us_per_message, 1)} µs CPU/msg), same server` : 'rooms echo, same server';
  add('events API, batch 1', err('events') ?? evFig(ev?.batch1), evBase, fmtX(k.events_batch1_vs_rooms), null);
  add('events API, batch 100', err('events') ?? evFig(ev?.batch100), evBase, fmtX(k.events_batch100_vs_rooms), null);
  return rows;
}

export function markdownTable(rows) {
  const header = ['Scenario', 'Figure', 'Baseline (same run)', 'Ratio', 'Target', 'Result'];
  const line = (cells) => `| ${cells.map((c) => String(c).replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

// The table for the terminal: plain text, fixed columns.
export function terminalTable(rows) {
  const header = ['Scenario', 'Figure', 'Baseline (same run)', 'Ratio', 'Target', 'Result'];
  const plain = [header, ...rows].map((r) => r.map((c) => String(c).replaceAll('**', '').replaceAll('`', '')));
  const widths = header.map((_, i) => Math.min(64, Math.max(...plain.map((r) => r[i].length))));
  const pad = (c, w) => (c.length > w ? `${c.slice(0, w - 1)}…` : c.padEnd(w));
  return plain.map((r, i) => {
    const text = r.map((c, j) => pad(c, widths[j])).join('  ');
    return i === 0 ? `${text}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : text;
  }).join('\n');
}

export function machineInfo() {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}`;
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// Two panels: throughput of the four HTTP scenarios, and every target as headroom on a
// log scale (right of the line = met).
export function chartSvg(m, k, t, title) {
  const W = 960;
  // Tall enough for every target row of the second panel.
  const H = Math.max(640, 260 + 28 + t.length * 36 + 40);
  const parts = [];
  const text = (x, y, s, attrs = '') => parts.push(`<text x="${x}" y="${y}" ${attrs}>${esc(s)}</text>`);
  parts.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  text(24, 34, title, 'font-size="20" font-weight="bold"');

  const bars = [
    ['static (/healthz, no guest)', k.static_rps, '#7f8c8d'],
    ['hello (wasm action, optimised)', k.hello_rps, '#2e86de'],
    ['node_wasi (node:wasi per request)', k.node_wasi_rps, '#e67e22'],
    ['cgi_native (lighttpd mod_cgi)', k.cgi_native_rps, '#8e44ad'],
  ];
  const top = 60;
  text(24, top + 10, 'Requests per second — wrk -t1 -c16, loopback (higher is better)', 'font-size="15" font-weight="bold"');
  const x0 = 300;
  const xMax = W - 130;
  const maxRps = Math.max(1, ...bars.map((b) => b[1] ?? 0));
  bars.forEach(([label, value, colour], i) => {
    const y = top + 28 + i * 38;
    text(x0 - 10, y + 19, label, 'font-size="13" text-anchor="end"');
    const w = Number.isFinite(value) ? Math.max(2, ((xMax - x0) * value) / maxRps) : 0;
    parts.push(`<rect x="${x0}" y="${y}" width="${w}" height="26" fill="${colour}"/>`);
    text(x0 + w + 8, y + 19, Number.isFinite(value) ? `${fmtInt(value)}` : 'error', 'font-size="13"');
  });

  const top2 = 260;
  text(24, top2 + 10, 'Targets — headroom on a log scale (right of the line = met)', 'font-size="15" font-weight="bold"');
  text(W - 24, top2 + 10, 'bar = figure ÷ target for "≥" targets, target ÷ figure for "≤"', 'font-size="11" fill="#555" text-anchor="end"');
  const lo = Math.log10(0.1);
  const hi = Math.log10(100);
  const sx = (v) => x0 + ((Math.log10(Math.min(100, Math.max(0.1, v))) - lo) / (hi - lo)) * (xMax - x0);
  const rowH = 36;
  const y0 = top2 + 28;
  for (const tick of [0.1, 0.5, 1, 2, 10, 100]) {
    const x = sx(tick);
    parts.push(`<line x1="${x}" y1="${y0 - 4}" x2="${x}" y2="${y0 + t.length * rowH}" stroke="${tick === 1 ? '#222' : '#ddd'}" stroke-width="${tick === 1 ? 2 : 1}"/>`);
    text(x, y0 + t.length * rowH + 16, `${tick}×`, 'font-size="11" text-anchor="middle" fill="#555"');
  }
  t.forEach((item, i) => {
    const y = y0 + i * rowH;
    text(x0 - 10, y + 18, item.name, 'font-size="13" text-anchor="end"');
    if (!Number.isFinite(item.headroom)) {
      text(sx(1) + 8, y + 18, 'no figure (see the table)', 'font-size="12" fill="#c0392b"');
      return;
    }
    const a = sx(1);
    const b = sx(item.headroom);
    const colour = item.pass ? '#27ae60' : '#c0392b';
    parts.push(`<rect x="${Math.min(a, b)}" y="${y + 4}" width="${Math.max(2, Math.abs(b - a))}" height="22" fill="${colour}"/>`);
    const value = item.unit.trim() === '×' ? fmtX(item.value) : `${fmt(item.value, item.value < 10 ? 2 : 1)}${item.unit}`;
    text(Math.max(a, b) + 8, y + 20, `${value} ${item.result}`, `font-size="12" fill="${colour}"`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif">\n${parts.join('\n')}\n</svg>\n`;
}

// SVG → PNG with headless Chromium (Debian's chromium, no downloads).
export function renderPng(svgFile, pngFile, workDir) {
  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
  if (!chromium) throw new Error('chromium is not installed (apt-get install chromium)');
  const svg = fs.readFileSync(svgFile, 'utf8');
  const [, w, h] = svg.match(/width="(\d+)" height="(\d+)"/);
  runChecked(chromium, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-extensions', '--no-first-run', '--hide-scrollbars', '--force-device-scale-factor=1',
    `--user-data-dir=${path.join(workDir, 'chromium-profile')}`, `--window-size=${w},${h}`,
    `--screenshot=${pngFile}`, `file://${svgFile}`,
  ], { timeoutMs: 60_000 });
  if (!fs.existsSync(pngFile) || fs.statSync(pngFile).size === 0) throw new Error('chromium wrote no PNG');
}
