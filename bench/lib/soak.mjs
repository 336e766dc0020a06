// bench/soak: mixed load with traps and timeouts against one real server for a while,
// RSS and open fd count sampled every second. Writes soak.{json,md,png}. Exits 1 if the
// server died, answered a kind of call with an unexpected status, or leaked fds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startServer } from './platform.mjs';
import { runAsCommand, runChecked, sleep, stopAllProcesses } from './proc.mjs';
import { machineInfo, renderPng } from './report.mjs';

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = path.resolve(benchDir, '..');

const USAGE = `usage: bench/soak [--minutes N | --seconds N] [--build-dir DIR] [--out DIR] [--no-build]
                  [--server BINARY] [--keep-work]

  --minutes N   how long the load runs (default 10; fractions allowed)
  --seconds N   the same in seconds (the ctest smoke runs 30)
  --build-dir   CMake build dir holding wasm-actions and guests/ (default: build, or
                $WA_BUILD_DIR); the needed targets are built unless --no-build
  --out         where soak.json, soak.md and soak.png go (default: bench/results)
  --keep-work   keep the temporary dir (server data and log)
  --report FILE only re-render soak.md and soak.png (into --out) from an earlier soak.json`;

// The mix: what each kind of call runs, its settings, how many concurrent loops drive
// it, and the one status every call of it must answer with.
const KINDS = [
  { name: 'hello', guest: 'hello', query: '', loops: 3, expect: 200 },
  { name: 'trap', guest: 'oob', loops: 1, expect: 500 },
  { name: 'timeout', guest: 'loop', settings: { timeout_ms: 200 }, loops: 1, expect: 504 },
  { name: 'memory_bomb', guest: 'memory_bomb', settings: { memory_limit_mb: 32 }, loops: 1, expect: 500 },
  { name: 'stdout_flood', guest: 'flood', settings: { timeout_ms: 2000 }, loops: 1, expect: 502, pauseMs: 200 },
  { name: 'large_reply', guest: 'adv_cgi', query: '?large', settings: { timeout_ms: 30000 }, loops: 1,
    expect: 200, pauseMs: 100,
    bodyBytes: 10 << 20 },
];
// More fds than this at the end than after warm-up is a leak (connections in flight
// and the log's files make a few of noise).
const FD_LEAK_SLACK = 16;

function parseArgs(argv) {
  const opts = { seconds: 600, build: true, keepWork: false,
                 buildDir: process.env.WA_BUILD_DIR || path.join(repoDir, 'build'),
                 out: path.join(benchDir, 'results') };
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    const positive = (v) => {
      const n = Number(v);
      if (!(n > 0)) throw new Error(`${arg} needs a positive number, got ${v}`);
      return n;
    };
    if (arg === '--minutes') opts.seconds = positive(value()) * 60;
    else if (arg === '--seconds') opts.seconds = positive(value());
    else if (arg === '--build-dir') opts.buildDir = path.resolve(value());
    else if (arg === '--out') opts.out = path.resolve(value());
    else if (arg === '--server') opts.server = path.resolve(value());
    else if (arg === '--no-build') opts.build = false;
    else if (arg === '--keep-work') opts.keepWork = true;
    else if (arg === '--report') opts.report = path.resolve(value());
    else if (arg === '-h' || arg === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  return opts;
}

const log = (message) => console.error(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}`);

// RSS (MiB) and open fds of a live process, from /proc.
function sampleProcess(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(status.match(/^VmRSS:\s+(\d+)/m)?.[1]);
    const threads = Number(status.match(/^Threads:\s+(\d+)/m)?.[1]);
    const fds = fs.readdirSync(`/proc/${pid}/fd`).length;
    return { rss_mib: rssKb / 1024, fds, threads };
  } catch {
    return null;  // the process is gone
  }
}

class Tally {
  constructor() {
    this.byKind = Object.fromEntries(KINDS.map((k) => [k.name, { calls: 0, statuses: {}, unexpected: 0, errors: 0, firstProblem: null }]));
  }

  record(kind, status, problem) {
    const t = this.byKind[kind.name];
    t.calls += 1;
    const key = status ?? 'error';
    t.statuses[key] = (t.statuses[key] ?? 0) + 1;
    if (problem) {
      if (status === undefined) t.errors += 1;
      else t.unexpected += 1;
      t.firstProblem ??= problem;
    }
  }

  total() {
    return Object.values(this.byKind).reduce((n, t) => n + t.calls, 0);
  }
}

async function callOnce(base, kind, tally) {
  const url = `${base}/soak/${kind.name}${kind.query ?? ''}`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
    const body = Buffer.from(await response.arrayBuffer());
    let problem = null;
    if (response.status !== kind.expect) {
      problem = `${response.status} instead of ${kind.expect}: ${body.subarray(0, 160).toString()}`;
    } else if (kind.bodyBytes && body.length !== kind.bodyBytes) {
      problem = `body of ${body.length} bytes instead of ${kind.bodyBytes}`;
    }
    tally.record(kind, response.status, problem);
  } catch (e) {
    tally.record(kind, undefined, `${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}`);
  }
}

function chartSvg(samples, title, subtitle) {
  const W = 960;
  const H = 560;
  const parts = [`<rect width="${W}" height="${H}" fill="#ffffff"/>`];
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const text = (x, y, s, attrs = '') => parts.push(`<text x="${x}" y="${y}" ${attrs}>${esc(s)}</text>`);
  text(24, 32, title, 'font-size="20" font-weight="bold"');
  text(24, 54, subtitle, 'font-size="12" fill="#555"');
  const tMax = Math.max(1, ...samples.map((s) => s.t));
  const panel = (top, height, key, label, colour) => {
    const x0 = 90;
    const x1 = W - 30;
    const values = samples.map((s) => s[key]);
    const vMax = Math.max(1, ...values) * 1.15;
    text(24, top - 10, label, 'font-size="14" font-weight="bold"');
    for (let i = 0; i <= 4; ++i) {
      const v = (vMax * i) / 4;
      const y = top + height - (height * i) / 4;
      parts.push(`<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#e5e5e5"/>`);
      text(x0 - 8, y + 4, v >= 10 ? v.toFixed(0) : v.toFixed(1), 'font-size="11" text-anchor="end" fill="#555"');
    }
    for (let i = 0; i <= 5; ++i) {
      const t = (tMax * i) / 5;
      const x = x0 + ((x1 - x0) * i) / 5;
      text(x, top + height + 16, `${(t / 60).toFixed(1)} min`, 'font-size="11" text-anchor="middle" fill="#555"');
    }
    const points = samples.map((s) => `${(x0 + ((x1 - x0) * s.t) / tMax).toFixed(1)},${(top + height - (height * s[key]) / vMax).toFixed(1)}`);
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.join(' ')}"/>`);
  };
  panel(100, 170, 'rss_mib', 'Resident memory (MiB)', '#2e86de');
  panel(340, 170, 'fds', 'Open file descriptors', '#e67e22');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif">\n${parts.join('\n')}\n</svg>\n`;
}

const fmt = (v, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '—');

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[sorted.length >> 1] : undefined;
};

function summarize(samples, warmupS) {
  const after = samples.filter((s) => s.t >= warmupS);
  const base = after[0] ?? samples[0];
  const last = samples[samples.length - 1];
  const max = (key) => Math.max(...samples.map((s) => s[key]));
  // Single samples swing with the 10 MiB replies in flight: the trend is in the medians
  // of the first minute after warm-up and of the last minute.
  const window = (from, to) => samples.filter((s) => s.t >= from && s.t < to).map((s) => s.rss_mib);
  const end = last?.t ?? 0;
  return {
    rss_mib: { start: samples[0]?.rss_mib, after_warmup: base?.rss_mib, end: last?.rss_mib, max: max('rss_mib'),
               median_first_minute: median(window(warmupS, warmupS + 60)),
               median_last_minute: median(window(Math.max(warmupS, end - 60), end + 1)) },
    fds: { start: samples[0]?.fds, after_warmup: base?.fds, end: last?.fds, max: max('fds') },
    threads: { start: samples[0]?.threads, end: last?.threads, max: max('threads') },
    warmup_s: warmupS,
  };
}

function markdown(result) {
  const { summary: s, tally } = result;
  const lines = [
    `# Soak: ${fmt(result.seconds / 60, 1)} minutes of mixed load`,
    '',
    `${result.machine}; ${result.date}. Server: \`wasm-actions serve\` with default settings, ` +
      `${result.server_pid ? `pid ${result.server_pid}` : ''}; load from ${KINDS.reduce((n, k) => n + k.loops, 0)} concurrent client loops.`,
    '',
    `Verdict: **${result.ok ? 'pass' : 'FAIL'}**${result.problems.length ? ` — ${result.problems.join('; ')}` : ''}`,
    '',
    '| | start | after warm-up | end | max |',
    '|---|---|---|---|---|',
    `| RSS (MiB) | ${fmt(s.rss_mib.start)} | ${fmt(s.rss_mib.after_warmup)} | ${fmt(s.rss_mib.end)} | ${fmt(s.rss_mib.max)} |`,
    `| RSS, median of a minute (MiB) | | ${fmt(s.rss_mib.median_first_minute)} (first after warm-up) | ${fmt(s.rss_mib.median_last_minute)} (last) | |`,
    `| open fds | ${s.fds.start} | ${s.fds.after_warmup} | ${s.fds.end} | ${s.fds.max} |`,
    `| threads | ${s.threads.start} | | ${s.threads.end} | ${s.threads.max} |`,
    '',
    `Warm-up: the first ${s.warmup_s} s (caches and pools fill). ${result.calls.toLocaleString('en-US')} calls in total, ` +
      `${fmt(result.calls / result.seconds, 0)} per second.`,
    '',
    '| kind | guest | expected | calls | statuses | unexpected | errors |',
    '|---|---|---|---|---|---|---|',
    ...KINDS.map((k) => {
      const t = tally[k.name];
      const statuses = Object.entries(t.statuses).map(([code, n]) => `${code}: ${n}`).join(', ');
      return `| ${k.name} | ${k.guest}${k.query ?? ''} | ${k.expect} | ${t.calls} | ${statuses} | ${t.unexpected} | ${t.errors} |`;
    }),
    '',
    '![RSS and fds over time](soak.png)',
    '',
  ];
  for (const k of KINDS) {
    if (tally[k.name].firstProblem) lines.push(`- first problem of ${k.name}: ${tally[k.name].firstProblem.replaceAll('\n', ' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function writeReport(result, out, work) {
  const { summary } = result;
  fs.writeFileSync(path.join(out, 'soak.json'), `${JSON.stringify(result, null, 2)}\n`);
  fs.writeFileSync(path.join(out, 'soak.md'), markdown(result));
  const svgFile = path.join(work, 'soak.svg');
  fs.writeFileSync(svgFile, chartSvg(result.samples, `Soak: ${fmt(result.seconds / 60, 1)} min of mixed load`,
    `RSS median ${fmt(summary.rss_mib.median_first_minute)} MiB in the first minute after warm-up, ` +
    `${fmt(summary.rss_mib.median_last_minute)} MiB in the last (max ${fmt(summary.rss_mib.max)}); ` +
    `fds ${summary.fds.after_warmup} → ${summary.fds.end} (max ${summary.fds.max}); ${result.calls.toLocaleString('en-US')} calls`));
  try {
    renderPng(svgFile, path.join(out, 'soak.png'), work);
  } catch (e) {
    log(`no chart: ${e.message}`);
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.report) {
    const result = JSON.parse(fs.readFileSync(opts.report, 'utf8'));
    result.summary = summarize(result.samples, result.summary.warmup_s);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-soak-'));
    fs.mkdirSync(opts.out, { recursive: true });
    writeReport(result, opts.out, work);
    fs.rmSync(work, { recursive: true, force: true });
    console.log(markdown(result));
    return 0;
  }
  if (opts.build) {
    log('building wasm-actions guests adversarial_guests');
    runChecked('cmake', ['--build', opts.buildDir, '--target', 'wasm-actions', 'guests', 'adversarial_guests'],
               { timeoutMs: 1_800_000 });
  }
  const binary = opts.server ?? path.join(opts.buildDir, 'wasm-actions');
  const guests = path.join(opts.buildDir, 'guests');
  for (const file of [binary, ...KINDS.map((k) => path.join(guests, `${k.guest}.wasm`))]) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: build it first (or drop --no-build)`);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-soak-'));
  fs.mkdirSync(opts.out, { recursive: true });

  const server = await startServer(binary, work);
  const pid = server.proc.pid;
  await server.register();
  for (const kind of KINDS) {
    log(`deploying ${kind.name} (${kind.guest})`);
    await server.deploy(`soak-${kind.name}`, `/soak/${kind.name}`, path.join(guests, `${kind.guest}.wasm`), kind.settings);
  }
  // Every kind must have compiled before the clock starts (503 "compiling" is not load).
  for (const kind of KINDS) {
    await server.waitOptimized(`soak-${kind.name}`);
  }

  log(`load for ${opts.seconds} s against pid ${pid}`);
  const tally = new Tally();
  const samples = [];
  const started = performance.now();
  const deadline = started + opts.seconds * 1000;
  let serverDied = false;
  const sampler = (async () => {
    let next = started;
    while (performance.now() < deadline) {
      const s = sampleProcess(pid);
      if (!s || !server.proc.alive()) {
        serverDied = true;
        break;
      }
      samples.push({ t: Math.round((performance.now() - started) / 100) / 10, ...s, calls: tally.total() });
      next += 1000;
      await sleep(Math.max(0, next - performance.now()));
    }
  })();
  const loops = [];
  for (const kind of KINDS) {
    for (let i = 0; i < kind.loops; ++i) {
      loops.push((async () => {
        while (performance.now() < deadline && !serverDied) {
          await callOnce(server.base, kind, tally);
          if (kind.pauseMs) await sleep(kind.pauseMs);
        }
      })());
    }
  }
  await Promise.all([sampler, ...loops]);
  const seconds = (performance.now() - started) / 1000;
  const alive = server.proc.alive();
  await stopAllProcesses();

  const warmupS = Math.min(60, Math.round(opts.seconds / 10));
  const summary = summarize(samples, warmupS);
  const problems = [];
  if (serverDied || !alive) problems.push('the server died');
  for (const k of KINDS) {
    const t = tally.byKind[k.name];
    if (t.calls === 0) problems.push(`no ${k.name} call completed`);
    if (t.unexpected) problems.push(`${t.unexpected} ${k.name} calls answered an unexpected status`);
    if (t.errors) problems.push(`${t.errors} ${k.name} calls got no answer`);
  }
  if (summary.fds.end - summary.fds.after_warmup > FD_LEAK_SLACK) {
    problems.push(`open fds grew from ${summary.fds.after_warmup} to ${summary.fds.end}`);
  }
  const result = {
    ok: problems.length === 0,
    problems,
    seconds: Math.round(seconds),
    date: new Date().toISOString(),
    machine: machineInfo(),
    server_pid: pid,
    calls: tally.total(),
    summary,
    tally: tally.byKind,
    kinds: KINDS,
    samples,
  };
  writeReport(result, opts.out, work);
  if (!opts.keepWork) fs.rmSync(work, { recursive: true, force: true });
  else log(`work dir kept: ${work}`);
  console.log(markdown(result));
  return result.ok ? 0 : 1;
}

runAsCommand('soak', main);
