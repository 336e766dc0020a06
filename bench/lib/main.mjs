// bench/run: measures WASM Actions against its peers on this machine, in one run, and
// writes bench/results/latest.{md,json,png}. See `bench/run --help`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { buildLargeModule } from './large_module.mjs';
import {
  startLighttpdCgi, startLighttpdStatic, startNginxRelay, startNodeWasi, startNodeWsRooms, NODE_WASI_FLAGS,
} from './peers.mjs';
import { startServer } from './platform.mjs';
import { httpGet, runAsCommand, runChecked, sleep, stopAllProcesses } from './proc.mjs';
import {
  REQUIRED_KEYS, chartSvg, headlineKeys, machineInfo, markdownTable, renderPng, tableRows,
  targets, terminalTable,
} from './report.mjs';
import { WRK_CONNECTIONS, WRK_THREADS, measureLoad, runWrk } from './wrk.mjs';

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = path.resolve(benchDir, '..');

const USAGE = `usage: bench/run [--quick | --smoke] [--build-dir DIR] [--out DIR] [--no-build]
                 [--only SCENARIO,...] [--server BINARY] [--prepare-only] [--keep-work]

  (default)     full run: 20 s per load figure, median of 3 (about 10 minutes)
  --quick       10 s per load figure, one run (under 5 minutes)
  --smoke       2 s per load figure: checks every scenario works (ctest label bench)
  --build-dir   CMake build dir holding wasm-actions, guests/ and bench/ (default: build,
                or $WA_BUILD_DIR); configured and built unless --no-build
  --out         where latest.md, latest.json and latest.png go (default: bench/results)
  --only        run only these scenarios (static,hello,cgi_native,node_wasi,instantiate,
                compute,deploy,timeout_under_load,kv,outbound,chain,rooms,events); the rest
                are
                reported as not run
  --server      the wasm-actions binary to measure (default: <build-dir>/wasm-actions)
  --prepare-only  build what the run needs (including the SQLite module) and stop
  --keep-work   keep the temporary dir (server data and logs, generated configs)`;

const MODES = {
  full: { seconds: 20, warmup: 3, reps: 3, timeoutPairs: [3, 20], instantiateSeconds: 10, spawns: 2000,
          compute: { sieve: ['20000000 4', 5], primes_count: ['5000000', 5] },
          calls: { seconds: 20, warmup: 2, reps: 1 }, rooms: { rounds: 500, seconds: 20, warmup: 3 },
          events: { seconds: 10, warmup: 2 } },
  quick: { seconds: 10, warmup: 2, reps: 1, timeoutPairs: [3, 8], instantiateSeconds: 3, spawns: 500,
           compute: { sieve: ['20000000 4', 3], primes_count: ['5000000', 3] },
           calls: { seconds: 10, warmup: 2, reps: 1 }, rooms: { rounds: 200, seconds: 10, warmup: 2 },
           events: { seconds: 5, warmup: 1 } },
  smoke: { seconds: 2, warmup: 0, reps: 1, timeoutPairs: [1, 2], instantiateSeconds: 1, spawns: 100,
           compute: { sieve: ['5000000 2', 1], primes_count: ['1000000', 1] },
           calls: { seconds: 2, warmup: 0, reps: 1 }, rooms: { rounds: 20, seconds: 2, warmup: 1 },
           events: { seconds: 1, warmup: 0.5 } },
};
const SCENARIOS = ['static', 'hello', 'cgi_native', 'node_wasi', 'instantiate', 'compute', 'deploy',
                   'timeout_under_load', 'kv', 'outbound', 'chain', 'rooms', 'events'];
// The kv scenario's actions (bench/guests/kv_*.c), each granted store `default` read-write:
// what one request does, and a check of its answer.
const KV_GUESTS = [
  { name: 'kv_get', op: 'one kv_get of a fixed 64-byte value', body: /^v{64}$/ },
  { name: 'kv_set', op: 'one kv_set of a fixed key ("bench:set") to a new 64-byte value', body: /^set\n$/ },
  { name: 'kv_increment', op: 'one kv_increment of one counter', body: /^\d+\n$/ },
];
const KV_GRANT = { capabilities: { key_value_stores: [{ store: 'default', access: 'read-write' }] } };
// The outbound scenario's upstream file, and the depth of the long chain (nested calls:
// chain4-1 → chain4-2 → chain4-3 → chain4-4 → hello is 4 calls, 5 guests per request).
const UPSTREAM_FILE = 'small.txt';
const UPSTREAM_BODY = 'Hello from the upstream! (bench/run outbound scenario)\n';
const CHAIN_DEPTH = 4;
// The rooms scenario (bench/guests/room_relay.c against peers/node_ws_rooms.mjs): the
// room sizes, and the echo load's shape. Each phase's clients bind their own 127.0.0.x
// addresses (`first`), so connections of the previous phase that are still closing never
// count against the server's per-address cap.
const ROOMS = {
  action: 'room_relay',
  broadcastConnections: 1000,
  broadcastThreads: 1,
  idleConnections: 1000,
  echo: { connections: 1000, rooms: 10, threads: 2, window: 2, ratePerConnection: 150 },
  first: { idle: 0, broadcast: 1000, echo: 2000 },
};
// The events scenario (issue 15): requests in flight for batches of 1 and of 100 events,
// and the rooms the events name. Its baseline is ROOMS.echo on the same server.
const EVENTS = { batch1: { batch: 1, concurrency: 16 }, batch100: { batch: 100, concurrency: 4 },
                 rooms: 10, connectionsPerRoom: 10 };
// The runaway guests of timeout_under_load: rate and their action's time limit.
const RUNAWAY_RPS = 5;
const RUNAWAY_TIMEOUT_MS = 100;
const BUILD_TARGETS = ['wasm-actions', 'guests', 'engine_probe', 'native_hello', 'native_sieve',
                       'native_primes_count'];

function parseArgs(argv) {
  const opts = { mode: 'full', build: true, only: null, prepareOnly: false,
                 buildDir: process.env.WA_BUILD_DIR || path.join(repoDir, 'build'),
                 out: path.join(benchDir, 'results') };
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--quick') opts.mode = 'quick';
    else if (arg === '--smoke') opts.mode = 'smoke';
    else if (arg === '--no-build') opts.build = false;
    else if (arg === '--prepare-only') opts.prepareOnly = true;
    else if (arg === '--keep-work') opts.keepWork = true;
    else if (arg === '--build-dir') opts.buildDir = path.resolve(value());
    else if (arg === '--out') opts.out = path.resolve(value());
    else if (arg === '--server') opts.server = path.resolve(value());
    else if (arg === '--only') {
      opts.only = value().split(',').filter(Boolean);
      const unknown = opts.only.filter((s) => !SCENARIOS.includes(s));
      if (unknown.length) throw new Error(`unknown scenario(s): ${unknown.join(', ')}`);
    } else if (arg === '-h' || arg === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  return opts;
}

const log = (message) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

function checkTools() {
  const missing = ['wrk', 'lighttpd', 'clang', 'cmake'].filter((tool) => {
    try {
      runChecked('sh', ['-c', `command -v ${tool}`]);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length) {
    throw new Error(`missing tools: ${missing.join(', ')} (scripts/setup installs them)`);
  }
}

function build(opts) {
  if (!fs.existsSync(path.join(opts.buildDir, 'build.ninja'))) {
    log(`configuring ${opts.buildDir}`);
    runChecked('cmake', ['-S', repoDir, '-B', opts.buildDir, '-G', 'Ninja', '-DCMAKE_BUILD_TYPE=RelWithDebInfo']);
  }
  log(`building ${BUILD_TARGETS.join(' ')}`);
  try {
    runChecked('cmake', ['--build', opts.buildDir, '-j2', '--target', ...BUILD_TARGETS], { timeoutMs: 1_800_000 });
  } catch (e) {
    if (/unknown target/.test(e.message)) {
      e.message += '\n(engine_probe and native_hello come from bench/peers: bench/CMakeLists.txt needs add_subdirectory(peers))';
    }
    throw e;
  }
}

function paths(buildDir, server) {
  const p = {
    server: server ?? path.join(buildDir, 'wasm-actions'),
    guests: path.join(buildDir, 'guests'),
    probe: path.join(buildDir, 'bench', 'engine_probe'),
    nativeDir: path.join(buildDir, 'bench'),
    nativeHello: path.join(buildDir, 'bench', 'native_hello'),
    cache: path.join(buildDir, 'bench-cache'),
  };
  for (const file of [p.server, p.probe, p.nativeHello, path.join(p.guests, 'hello.wasm'),
                      path.join(p.guests, 'loop.wasm')]) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: build it first (or drop --no-build)`);
  }
  return p;
}

// Fails the scenario if the peer does not answer with the hello program's output.
async function checkHello(url) {
  const r = await httpGet(url);
  if (!r || r.status !== 200 || !r.body.includes('Hello from WebAssembly!')) {
    throw new Error(`${url} did not answer with hello's output (got ${r ? `${r.status} ${r.body.slice(0, 100)}` : 'no answer'})`);
  }
}

class Run {
  constructor(opts) {
    this.opts = opts;
    this.mode = MODES[opts.mode];
    this.m = {};        // measurements per scenario
    this.errors = {};   // scenario → message
    this.notes = [];
    this.work = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-bench-'));
    this.loadBefore = os.loadavg()[0];
  }

  wants(scenario) {
    return !this.opts.only || this.opts.only.includes(scenario);
  }

  async scenario(name, body) {
    if (!this.wants(name.replace(/^deploy_.*/, 'deploy'))) return;
    log(`scenario ${name}`);
    try {
      await body();
    } catch (e) {
      this.errors[name] = e.message.split('\n')[0];
      log(`scenario ${name} failed: ${e.message}`);
    }
  }

  load(url) {
    return measureLoad(url, { seconds: this.mode.seconds, warmupSeconds: this.mode.warmup, reps: this.mode.reps });
  }

  noteErrors(name, result) {
    if (result.errors > 0) {
      this.notes.push(`${name}: wrk counted ${result.errors} errors in ${result.requests} requests ` +
                      `(status ${result.errors_status}, timeout ${result.errors_timeout}, ` +
                      `connect ${result.errors_connect}, read ${result.errors_read}).`);
    }
  }

  async run(p) {
    const needsServer = ['static', 'hello', 'timeout_under_load', 'deploy', 'kv', 'outbound', 'chain']
      .some((s) => this.wants(s));
    if (needsServer) {
      this.server = await startServer(p.server, path.join(this.work, 'server'));
      await this.server.register();
      // Every server scenario needs hello; its deploy is also the deploy_small figure.
      log('scenario deploy_small');
      try {
        await this.deployHello(p);
      } catch (e) {
        this.errors.deploy_small = e.message.split('\n')[0];
        log(`scenario deploy_small failed: ${e.message}`);
      }
    }
    const server = this.server;

    await this.scenario('static', async () => {
      const r = await this.load(`${server.base}/healthz`);
      this.noteErrors('static', r);
      this.m.static = r;
    });
    await this.scenario('hello', async () => {
      await checkHello(`${server.base}/hello`);
      const r = await this.load(`${server.base}/hello`);
      this.noteErrors('hello', r);
      this.m.hello = r;
    });
    await this.scenario('cgi_native', async () => {
      const peer = await startLighttpdCgi(path.join(this.work, 'lighttpd'), p.nativeHello);
      try {
        await checkHello(peer.url);
        const r = await this.load(peer.url);
        this.noteErrors('cgi_native', r);
        this.m.cgi_native = { ...r, version: peer.version };
      } finally {
        await peer.proc.stop();
      }
    });
    await this.scenario('node_wasi', async () => {
      const peer = await startNodeWasi(path.join(this.work, 'node-wasi'), path.join(p.guests, 'hello.wasm'));
      try {
        await checkHello(peer.url);
        const r = await this.load(peer.url);
        this.noteErrors('node_wasi', r);
        if (!peer.proc.alive()) throw new Error('the node:wasi server died during the run');
        this.m.node_wasi = { ...r, version: `node ${process.version}` };
      } finally {
        await peer.proc.stop();
      }
    });
    await this.scenario('timeout_under_load', () => this.timeoutUnderLoad(p));
    await this.scenario('kv', () => this.kv(p));
    await this.scenario('outbound', () => this.outbound(p));
    await this.scenario('chain', () => this.chain(p));
    await this.scenario('rooms', () => this.rooms(p));
    await this.scenario('events', () => this.events(p));
    await this.scenario('instantiate', async () => {
      const out = runChecked(p.probe, ['instantiate', '--guests', p.guests, '--cache-dir', path.join(p.cache, 'artifacts'),
                                       '--seconds', String(this.mode.instantiateSeconds),
                                       '--native-hello', p.nativeHello, '--spawns', String(this.mode.spawns)]);
      this.m.instantiate = JSON.parse(out);
    });
    await this.scenario('compute', async () => {
      this.m.compute = {};
      for (const [guest, [args, rounds]] of Object.entries(this.mode.compute)) {
        const out = runChecked(p.probe, ['compute', '--guests', p.guests, '--native', p.nativeDir,
                                         '--cache-dir', path.join(p.cache, 'artifacts'), '--guest', guest,
                                         '--args', args, '--rounds', String(rounds)]);
        this.m.compute[guest] = { ...JSON.parse(out), args };
      }
    });
    // Last: the large module's optimised build then runs in the background until the
    // server stops, and must not share the CPU with the other scenarios.
    await this.scenario('deploy_large', async () => {
      const wasm = buildLargeModule(p.cache, log);
      this.m.deploy = { ...this.m.deploy, large: { bytes: fs.statSync(wasm).size } };
      const d = await server.deployAndTimeFirstOk('sqlite', '/sqlite', wasm, null, { timeoutMs: 120_000 });
      if (!d.body.includes('rows=100')) throw new Error(`/sqlite answered unexpectedly: ${d.body.slice(0, 200)}`);
      const action = await server.status('sqlite');
      this.m.deploy = { ...this.m.deploy,
                        large: { first_ok_s: d.firstOkS, accepted_s: d.acceptedS, bytes: fs.statSync(wasm).size,
                                 status_at_first_ok: action.status } };
    });
    if (server) await server.stop();
    this.server = null;
  }

  // Deploys hello, timing upload → first 200 (deploy_small), then waits for the
  // optimised tier the hello scenarios measure.
  async deployHello(p) {
    const wasm = path.join(p.guests, 'hello.wasm');
    const d = await this.server.deployAndTimeFirstOk('hello', '/hello', wasm, null, { timeoutMs: 60_000 });
    this.m.deploy = { small: { first_ok_s: d.firstOkS, accepted_s: d.acceptedS, bytes: fs.statSync(wasm).size } };
    const waited = await this.server.waitOptimized('hello');
    this.notes.push(`hello reached status "optimized" ${(d.firstOkS + waited).toFixed(2)} s after upload; ` +
                    'the hello figures are measured on that tier.');
  }

  // The KV guests under the same load as hello, each granted `default` read-write (deploy,
  // then PATCH the grant, as a developer would), measured on the optimised tier; hello is
  // measured again right before them unless the hello scenario ran, so the ratios compare
  // figures of the same run and minutes apart at most.
  async kv(p) {
    const server = this.server;
    for (const g of KV_GUESTS) {
      const wasm = path.join(p.guests, `${g.name}.wasm`);
      if (!fs.existsSync(wasm)) throw new Error(`${wasm} is missing: build the guests target`);
      await server.deploy(g.name, `/${g.name}`, wasm);
      await server.api('PATCH', `/actions/${g.name}`, { settings: KV_GRANT });
    }
    for (const g of KV_GUESTS) await server.waitOptimized(g.name);
    for (const g of KV_GUESTS) {
      const r = await httpGet(`${server.base}/${g.name}`);
      if (!r || r.status !== 200 || !g.body.test(r.body)) {
        throw new Error(`/${g.name} answered ${r ? `${r.status} ${r.body.slice(0, 200)}` : 'nothing'} ` +
                        '(is store `default` granted read-write?)');
      }
    }
    const kv = { hello: this.m.hello };
    if (!kv.hello) {
      await checkHello(`${server.base}/hello`);
      kv.hello = await this.load(`${server.base}/hello`);
      this.noteErrors('kv hello', kv.hello);
    }
    for (const g of KV_GUESTS) {
      const r = await this.load(`${server.base}/${g.name}`);
      this.noteErrors(g.name, r);
      kv[g.name.slice(3)] = { ...r, op: g.op };
    }
    this.m.kv = kv;
  }

  // The outbound and chain figures: one run each after a warm-up, in every mode (the
  // default run's budget for them is about 3 minutes).
  callLoad(url) {
    const c = this.mode.calls;
    return measureLoad(url, { seconds: c.seconds, warmupSeconds: c.warmup, reps: c.reps });
  }

  // hello's figure of this run: the hello scenario's, else measured now (as kv does).
  async helloFigure(label) {
    if (this.m.hello) return this.m.hello;
    await checkHello(`${this.server.base}/hello`);
    const r = await this.callLoad(`${this.server.base}/hello`);
    this.noteErrors(`${label} hello`, r);
    return r;
  }

  // Deploys bench/guests/outbound_fetch.wasm as `name`, fetching `url` per request, with
  // `capabilities`; waits for the optimised tier.
  async deployFetcher(p, name, url, capabilities) {
    const wasm = path.join(p.guests, 'outbound_fetch.wasm');
    if (!fs.existsSync(wasm)) throw new Error(`${wasm} is missing: build the guests target`);
    await this.server.deploy(name, `/${name}`, wasm, { env: { FETCH_URL: url }, capabilities });
    await this.server.waitOptimized(name);
  }

  // An action GETs a small static file from a local lighttpd per request (outbound HTTP
  // through wasi_experimental_http), against nginx relaying the same one GET per request
  // (the native way to do it) and against wrk on the upstream directly (the ceiling).
  async outbound(p) {
    const server = this.server;
    const upstream = await startLighttpdStatic(path.join(this.work, 'upstream'), UPSTREAM_FILE, UPSTREAM_BODY);
    try {
      // Loopback is refused unless the allowlist names it literally (host-abi.md).
      await this.deployFetcher(p, 'outbound', upstream.url,
                               { allowed_outbound_hosts: [upstream.origin] });
      const url = `${server.base}/outbound`;
      const r = await httpGet(url);
      if (!r || r.status !== 200 || r.body !== UPSTREAM_BODY) {
        throw new Error(`/outbound answered ${r ? `${r.status} ${r.body.slice(0, 200)}` : 'nothing'} ` +
                        `instead of the upstream's file (${upstream.url})`);
      }
      const out = { hello: await this.helloFigure('outbound'), upstream_server: upstream.version };
      out.action = await this.callLoad(url);
      this.noteErrors('outbound', out.action);
      try {
        const relay = await startNginxRelay(path.join(this.work, 'relay'), upstream.url);
        try {
          const rr = await httpGet(relay.url);
          if (!rr || rr.status !== 200 || rr.body !== UPSTREAM_BODY) {
            throw new Error(`the nginx relay answered ${rr ? `${rr.status} ${rr.body.slice(0, 200)}` : 'nothing'}`);
          }
          out.native = { ...(await this.callLoad(relay.url)), version: relay.version };
          this.noteErrors('outbound native relay', out.native);
        } finally {
          await relay.proc.stop();
        }
      } catch (e) {
        // The action's figures stand without the native baseline.
        this.errors.outbound_native = e.message.split('\n')[0];
        log(`outbound native relay failed: ${e.message}`);
      }
      out.upstream = await this.callLoad(upstream.url);
      this.noteErrors('outbound upstream', out.upstream);
      this.m.outbound = out;
    } finally {
      await upstream.proc.stop();
    }
  }

  // Chaining: `chain` calls hello (http://hello.actions.internal/) in process and answers
  // with its body; against hello requested directly, measured right before. Then a chain
  // of CHAIN_DEPTH nested calls ending at hello.
  async chain(p) {
    const server = this.server;
    await this.deployFetcher(p, 'chain', 'http://hello.actions.internal/', { actions: ['hello'] });
    // Deployed from the end of the chain, so every grant names an action that exists.
    let next = 'hello';
    for (let i = CHAIN_DEPTH; i >= 1; --i) {
      const name = `chain${CHAIN_DEPTH}-${i}`;
      await this.deployFetcher(p, name, `http://${next}.actions.internal/`, { actions: [next] });
      next = name;
    }
    const chainUrl = `${server.base}/chain`;
    const deepUrl = `${server.base}/${next}`;
    await checkHello(chainUrl);
    await checkHello(deepUrl);
    const c = { depth: CHAIN_DEPTH };
    await checkHello(`${server.base}/hello`);
    c.direct = await this.callLoad(`${server.base}/hello`);
    this.noteErrors('chain direct hello', c.direct);
    c.chained = await this.callLoad(chainUrl);
    this.noteErrors('chain', c.chained);
    c.deep = await this.callLoad(deepUrl);
    this.noteErrors(`chain depth ${CHAIN_DEPTH}`, c.deep);
    this.m.chain = c;
  }

  // Rooms over WebSockets: the same three figures on our server (room_relay.wasm, granted
  // `rooms`, on a server of its own so that its RSS is not the other scenarios' heap) and
  // on the Node.js `ws` peer, phase by phase, the peer first in each, so that load from
  // elsewhere on the machine hits both alike. A failure on one side keeps the other's.
  async rooms(p) {
    let load;
    try {
      load = await import('./rooms_load.mjs');
    } catch (e) {
      throw new Error(`the rooms load generator needs npm \`ws\`: run npm ci in bench/ (${e.message.split('\n')[0]})`);
    }
    const wasm = path.join(p.guests, `${ROOMS.action}.wasm`);
    if (!fs.existsSync(wasm)) throw new Error(`${wasm} is missing: build the guests target`);
    const mode = this.mode.rooms;
    const sides = [];    // the ones still measured
    const started = [];  // every process started, stopped at the end
    const r = { settings: { ...ROOMS, rounds: mode.rounds, seconds: mode.seconds, warmup: mode.warmup } };
    const fail = (side, e) => {
      this.errors[`rooms_${side}`] ??= e.message.split('\n')[0];
      log(`rooms (${side}) failed: ${e.message}`);
    };
    try {
      try {
        const peer = await startNodeWsRooms(path.join(this.work, 'rooms-peer'));
        started.push(peer.proc);
        sides.push({ name: 'peer', proc: peer.proc, url: (room) => `${peer.base}/rooms/bench/${ROOMS.action}/${room}` });
        r.peer = { version: peer.version };
      } catch (e) {
        fail('peer', e);
      }
      try {
        const server = await startServer(p.server, path.join(this.work, 'rooms-server'));
        started.push(server.proc);
        sides.push({ name: 'server', proc: server.proc, url: (room) => `${server.base.replace(/^http/, 'ws')}/rooms/bench/${ROOMS.action}/${room}` });
        r.server = {};
        await server.register();
        await server.deploy(ROOMS.action, `/${ROOMS.action}`, wasm, { capabilities: { rooms: true } });
        await server.waitOptimized(ROOMS.action);
      } catch (e) {
        sides.pop();
        fail('server', e);
      }
      const phase = async (name, body) => {
        for (const side of [...sides]) {
          try {
            r[side.name][name] = await body(side);
          } catch (e) {
            fail(side.name, new Error(`${name}: ${e.message}`));
            sides.splice(sides.indexOf(side), 1);
          }
        }
      };
      await phase('check', (side) => load.checkRelay(side.url('check')));
      await phase('idle', (side) => load.idleMemory(side.proc.pid, () => side.url('idle'), ROOMS.idleConnections,
                                                    { first: ROOMS.first.idle }));
      await phase('broadcast', async (side) => {
        const b = await load.broadcastLatency(side.url('broadcast'), {
          connections: ROOMS.broadcastConnections, threads: ROOMS.broadcastThreads, rounds: mode.rounds,
          first: ROOMS.first.broadcast });
        if (b.lost > 0) {
          this.notes.push(`rooms ${side.name}: ${b.lost} of ${b.rounds} × ${b.connections} broadcast deliveries ` +
                          'did not arrive within 5 s of their send.');
        }
        if (b.unexpected_closes > 0) {
          this.notes.push(`rooms ${side.name} broadcast: ${b.unexpected_closes} connections closed by the server (last: ${b.last_close}).`);
        }
        if (b.rounds_complete === 0) throw new Error('no broadcast round reached every member');
        return b;
      });
      await phase('echo', async (side) => {
        const e = await load.echoThroughput(side.url, { ...ROOMS.echo, seconds: mode.seconds, warmupSeconds: mode.warmup,
                                                         first: ROOMS.first.echo, pid: side.proc.pid });
        if (e.unexpected_closes > 0) {
          this.notes.push(`rooms ${side.name} echo: ${e.unexpected_closes} connections closed by the server (last: ${e.last_close}).`);
        }
        if (!(e.replies > 0)) throw new Error('no echo came back');
        return e;
      });
      for (const side of sides) {
        if (!side.proc.alive()) fail(side.name, new Error('the process died during the run'));
      }
    } finally {
      for (const proc of started) await proc.stop();
      this.m.rooms = r;
    }
  }

  // Room events through the network API (POST /api/v1/events, batches of 1 and 100) on
  // room_relay.wasm, as a ratio to the in-process path on the same server in the same run:
  // the rooms echo load (ROOMS.echo, WebSocket messages answered through RoomHub). A
  // server of its own, its events rate limit lifted (the default 5,000/s per token would
  // be the figure otherwise).
  async events(p) {
    const rooms = await import('./rooms_load.mjs');
    const api = await import('./events_load.mjs');
    const wasm = path.join(p.guests, `${ROOMS.action}.wasm`);
    if (!fs.existsSync(wasm)) throw new Error(`${wasm} is missing: build the guests target`);
    const mode = this.mode.events;
    const server = await startServer(p.server, path.join(this.work, 'events-server'),
                                     ['--events-per-second', '100000000']);
    const r = { settings: { ...EVENTS, seconds: mode.seconds, warmup: mode.warmup, echo: ROOMS.echo } };
    try {
      await server.register();
      await server.deploy(ROOMS.action, `/${ROOMS.action}`, wasm, { capabilities: { rooms: true } });
      await server.waitOptimized(ROOMS.action);
      const token = (await server.api('POST', '/tokens', { name: 'bench-events', scopes: ['events'] })).token;
      const url = (room) => `${server.base.replace(/^http/, 'ws')}/rooms/bench/${ROOMS.action}/${room}`;
      await rooms.checkRelay(url('check'));
      r.rooms_echo = await rooms.echoThroughput(url, { ...ROOMS.echo, seconds: mode.seconds, warmupSeconds: mode.warmup,
                                                       first: ROOMS.first.echo, pid: server.proc.pid });
      if (!(r.rooms_echo.replies > 0)) throw new Error('no rooms echo came back');
      for (const name of ['batch1', 'batch100']) {
        const x = await api.eventsThroughput(server.base, token, `bench/${ROOMS.action}`, {
          ...EVENTS[name], rooms: EVENTS.rooms, connectionsPerRoom: EVENTS.connectionsPerRoom,
          seconds: mode.seconds, warmupSeconds: mode.warmup, pid: server.proc.pid });
        r[name] = x;
        if (x.bad > 0 || x.errors > 0) {
          this.notes.push(`events ${name}: ${x.bad} answers not the expected echo, ${x.errors} failed requests ` +
                          `(last: ${x.last_error}).`);
        }
        if (!(x.events > 0)) throw new Error(`${name}: no event answered (last: ${x.last_error})`);
      }
      if (!server.proc.alive()) throw new Error('the server died during the run');
    } finally {
      await server.stop();
      this.m.events = r;
    }
  }

  // hello under load alone, then with runaway guests (loop.wasm) at RUNAWAY_RPS.
  async timeoutUnderLoad(p) {
    const server = this.server;
    await server.deploy('runaway', '/runaway', path.join(p.guests, 'loop.wasm'), { timeout_ms: RUNAWAY_TIMEOUT_MS });
    await server.waitOptimized('runaway');
    const url = `${server.base}/hello`;
    if (this.mode.warmup > 0) await runWrk(url, this.mode.warmup);
    const baselines = [];
    const loadeds = [];
    const statuses = {};
    let sent = 0;
    // Short runs, alternating without and with runaways, so that load from elsewhere on
    // the machine hits both halves alike.
    const [pairs, seconds] = this.mode.timeoutPairs;
    for (let i = 0; i < pairs; ++i) {
      baselines.push(await runWrk(url, seconds));
      // Runaways fire on a fixed schedule for the length of the wrk run, without waiting
      // for answers; the loop is bounded by the run's duration.
      const stopAt = Date.now() + seconds * 1000;
      const inflight = [];
      const loaded = runWrk(url, seconds);
      while (Date.now() < stopAt) {
        sent += 1;
        inflight.push(httpGet(`${server.base}/runaway`, 30_000).then((r) => {
          const key = r ? String(r.status) : 'no answer';
          statuses[key] = (statuses[key] ?? 0) + 1;
        }));
        await sleep(1000 / RUNAWAY_RPS);
      }
      loadeds.push(await loaded);
      await Promise.all(inflight);
    }
    const median = (runs) => [...runs].sort((a, b) => a.p99_ms - b.p99_ms)[Math.floor(runs.length / 2)];
    this.m.timeout = { baseline: median(baselines), loaded: median(loadeds), runaways_sent: sent,
                       runaway_statuses: statuses, pairs: baselines.map((b, i) => [b.p99_ms, loadeds[i].p99_ms]) };
    if (statuses['200']) throw new Error(`a runaway guest answered 200: the time limit did not stop it`);
  }

  write(keys) {
    const t = targets(keys);
    const errors = { ...this.errors };
    for (const s of SCENARIOS.filter((name) => !this.wants(name))) {
      if (s === 'deploy') errors.deploy_small = errors.deploy_large = 'not run';
      else errors[s] = 'not run';
    }
    const rows = tableRows(this.m, keys, t, errors);
    const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    let commit = 'unknown';
    try {
      commit = runChecked('git', ['-C', repoDir, 'rev-parse', '--short', 'HEAD']).trim();
    } catch { /* not a git checkout */ }
    fs.mkdirSync(this.opts.out, { recursive: true });
    const svgFile = path.join(this.work, 'chart.svg');
    const pngFile = path.join(this.opts.out, 'latest.png');
    const title = `WASM Actions vs peers — ${this.opts.mode} run, ${date.slice(0, 10)}`;
    fs.writeFileSync(svgFile, chartSvg(this.m, keys, t, title));
    let chart = '![results chart](latest.png)';
    try {
      renderPng(svgFile, pngFile, this.work);
    } catch (e) {
      chart = `(chart not rendered: ${e.message.split('\n')[0]})`;
      log(chart);
    }
    const mode = this.mode;
    const notRun = SCENARIOS.filter((s) => !this.wants(s));
    const c = (text) => `\`${text}\``;  // Markdown code span
    const large = this.m.deploy?.large;
    const to = this.m.timeout;
    const calls = mode.calls;
    const loadAfter = os.loadavg()[0];
    const md = [
      '# WASM Actions benchmark results',
      '',
      `Run ${c(`bench/run${this.opts.mode === 'full' ? '' : ` --${this.opts.mode}`}`)} at ${date}, commit ${commit}, ` +
        `on ${machineInfo()}. Every ratio compares figures measured in this same run.`,
      '',
      `Machine load average (1 min) before / after the run: ${this.loadBefore.toFixed(2)} / ${loadAfter.toFixed(2)}` +
        (Math.max(this.loadBefore, loadAfter) > 1 ? ' — other processes were competing for the 2 cores, so ' +
          'absolute figures (p99s most) are lower and noisier than on an idle machine.' : '.'),
      '',
      chart,
      '',
      markdownTable(rows),
      '',
      '## How each figure is measured',
      '',
      `- Load: ${c(`wrk -t${WRK_THREADS} -c${WRK_CONNECTIONS}`)} on 127.0.0.1, ${mode.seconds} s per figure after a ` +
        `${mode.warmup} s warm-up${mode.reps > 1 ? `, median of ${mode.reps} runs` : ''}; the servers run one at a ` +
        'time on the same 2-core machine as wrk.',
      `- Our server: ${c('wasm-actions serve')} with default settings (I/O threads, guest workers, tiered ` +
        `compilation) and a fresh data dir; ${c('static')} is its built-in ${c('/healthz')} (no guest; it asks ` +
        'the database whether it answers).',
      `- ${c('hello')}: examples/hello.c compiled to wasm (clang -O2), deployed through the REST API, measured ` +
        `once its status is ${c('optimized')}.`,
      `- ${c('cgi_native')}: the same hello.c built natively (gcc -O2) and run by lighttpd mod_cgi, one ` +
        'process per request; lighttpd.conf is generated per run.',
      `- ${c('node_wasi')}: bench/peers/node_wasi_server.mjs compiles hello.wasm once and instantiates it per ` +
        `request with ${c('node:wasi')} (stdout through a tmpfs file). **Run with ${c(`node ${NODE_WASI_FLAGS.join(' ')}`)}**: ` +
        'with default flags node 20 segfaults after a few thousand per-request node:wasi instances (nodejs/node#53087).',
      `- ${c('instantiate')}: engine only (bench/peers/engine_probe.cc): instantiate + ${c('_start')} + release of ` +
        `hello on the optimised tier, ${fmtCount(this.m.instantiate?.calls)} timed calls after a warm-up; the ` +
        `baseline is fork + exec + wait of the native hello (${fmtCount(this.m.instantiate?.spawns)} spawns).`,
      `- ${c('compute')}: tests/guests/primes_count.c (${mode.compute.primes_count[0]}) and sieve.c ` +
        `(${mode.compute.sieve[0]}), wasm (optimised tier, in-process) vs the same C built natively ` +
        `(process spawn included), alternating, median of ${mode.compute.sieve[1]} runs each.`,
      `- ${c('deploy')}: multipart POST /api/v1/actions until the route first answers 200, polling every 5 ms. ` +
        `The large module is SQLite ${large ? `(${(large.bytes / 2 ** 20).toFixed(2)} MiB of wasm) ` : ''}` +
        "from the better-sqlite3 npm package's amalgamation plus bench/guests/sqlite_query.c, a CGI " +
        'program running a query on an in-memory database. The first 200 comes from the fast tier' +
        `${large ? ` (status then: ${c(large.status_at_first_ok)})` : ''}.`,
      `- ${c('timeout_under_load')}: hello under wrk as above, alone and then with tests/guests/loop.wasm ` +
        `(an infinite loop; its action's time limit is ${RUNAWAY_TIMEOUT_MS} ms) requested ${RUNAWAY_RPS} times a ` +
        `second; the figure is hello's p99 with runaways ÷ without (median p99 of ${mode.timeoutPairs[0]} alternating ` +
        `pairs of ${mode.timeoutPairs[1]} s runs).` +
        (to ? ` Runaways sent: ${to.runaways_sent}, answered: ` +
          `${Object.entries(to.runaway_statuses).map(([st, n]) => `${n}× ${st}`).join(', ')}.` : ''),
      `- ${c('kv')}: bench/guests/kv_get.c, kv_set.c and kv_increment.c (built with sdk/c/wasm_actions.h), ` +
        "each deployed and then granted store `default` read-write (the server's default SQLite backend), " +
        `measured like hello on the optimised tier; per request: ${KV_GUESTS.map((g) => `${c(g.name)} ${g.op}`).join('; ')}. ` +
        "Each ratio is the action's req/s over hello's in this run.",
      `- ${c('outbound')} and ${c('chain')}: ${calls.seconds} s per figure after a ${calls.warmup} s warm-up, one run ` +
        `each (in every mode), measured on the optimised tier. ${c('outbound')}: bench/guests/outbound_fetch.c ` +
        `makes one GET per request through ${c('wasi_experimental_http')} (the C SDK, sdk/c/wasm_actions_http.h; URL from ${c('settings.env')}, loopback ` +
        `granted by name in ${c('allowed_outbound_hosts')}) to lighttpd serving a ${UPSTREAM_BODY.length}-byte ` +
        `static file, and answers with its body. Its native baseline is ${c('nginx')} (one worker per core) ` +
        'relaying the same one GET per request to the same lighttpd with upstream keep-alive, as our libcurl ' +
        'client keeps its connections per thread: the same call on both sides, so the ratio is the cost of doing ' +
        'it from a wasm action rather than from native code (a CGI relay would mostly measure fork + exec; wrk on ' +
        `lighttpd directly, the ${c('outbound upstream')} row, is the ceiling, with no second hop at all). ` +
        `${c('chain')}: the same guest calls ${c('http://hello.actions.internal/')} (grant ${c('actions: ["hello"]')}) ` +
        `and answers with hello's body; direct is hello requested at its route right before. Depth ${CHAIN_DEPTH}: ` +
        `${Array.from({ length: CHAIN_DEPTH }, (_, i) => `chain${CHAIN_DEPTH}-${i + 1}`).join(' → ')} → hello, ` +
        `${CHAIN_DEPTH} nested calls (${CHAIN_DEPTH + 1} guests) per request. The outbound ratio to hello uses ` +
        "the hello scenario's figure when it ran, else hello measured the same way first.",
      roomsBullet(c, this.m.rooms, mode.rooms),
      eventsBullet(c, mode.events),
      ...(notRun.length ? [`- Not run (--only): ${notRun.join(', ')}.`] : []),
      ...this.notes.map((n) => `- ${n}`),
      '',
      'Raw figures: latest.json.',
      '',
    ].join('\n');
    fs.writeFileSync(path.join(this.opts.out, 'latest.md'), md);
    const json = { ...keys, details: { mode: this.opts.mode, date, commit, machine: machineInfo(),
                                       load_average_before: this.loadBefore, load_average_after: loadAfter,
                                       measurements: this.m, targets: t, errors: this.errors, notes: this.notes } };
    fs.writeFileSync(path.join(this.opts.out, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
    console.log(terminalTable(rows));
    console.log(`\nwritten: ${path.join(this.opts.out, 'latest.md')}, latest.json, latest.png`);
    return t;
  }
}

// How the rooms figures are measured (the Markdown bullet).
function roomsBullet(c, r, mode) {
  const e = ROOMS.echo;
  const peer = r?.peer?.version ?? 'node, ws';
  return `- ${c('rooms')}: WebSocket clients from the npm ${c('ws')} package in bench/run's own process ` +
    `(bench/lib/rooms_load.mjs), spread over 127.0.0.x source addresses (≤ 200 each, under the server's ` +
    `per-address cap), against bench/guests/room_relay.c (deployed through the REST API, granted ${c('rooms')}, ` +
    'per-event instances, optimised tier, on a server of its own) and against bench/peers/node_ws_rooms.mjs, a ' +
    `plain Node.js ${c('ws')} server doing the same (${peer}): a message starting with ${c('b')} is broadcast to ` +
    "the room, sender included, any other is echoed to its sender (room_relay's stdout reply). Phase by phase, " +
    `the peer first: **broadcast**: ${fmtCount(ROOMS.broadcastConnections)} connections in one room, ${mode.rounds} ` +
    'rounds one after the other (10 ms apart), each a message from a different member carrying its send time; ' +
    'p50/p99 over every delivery (each = receipt − send time, one monotonic clock), and in the table the p99 of ' +
    `the time until all ${fmtCount(ROOMS.broadcastConnections)} had it. The receiving clients ` +
    `${ROOMS.broadcastThreads === 1 ? 'share one Node.js worker thread' : `are split over ${ROOMS.broadcastThreads} worker threads`}, ` +
    "so a round's later deliveries include the client's own work on the earlier ones (the same for both " +
    `sides). **echo**: ${fmtCount(e.connections)} connections in ${e.rooms} rooms, on ${e.threads} worker threads, ` +
    `each keeping ≤ ${e.window} messages outstanding and sending ≤ ${e.ratePerConnection}/s (the server's limit is ` +
    `200/s per connection); replies counted over ${mode.seconds} s after a ${mode.warmup} s warm-up; ` +
    "the figure's µs CPU/msg is the server process's CPU time (user + system, all threads, /proc) over those " +
    'seconds ÷ the replies: what one message costs it whatever else runs on the machine (2 cores ÷ it is the ' +
    `most it could do with the machine to itself). **idle memory**: ` +
    `the process's VmRSS before and 1.5 s after ${fmtCount(ROOMS.idleConnections)} idle connections opened ` +
    `(one room), the difference ÷ ${fmtCount(ROOMS.idleConnections)}. Ratios are ours ÷ the peer's. The load ` +
    'generator shares the 2 cores with the server measured.';
}

// How the events figures are measured (the Markdown bullet).
function eventsBullet(c, mode) {
  const e = ROOMS.echo;
  return `- ${c('events')}: the network events API (issue 15) on bench/guests/room_relay.c (its reply is the ` +
    `message) on a server of its own (${c('--events-per-second')} lifted), measured on the optimised tier: ` +
    `closed loops of ${EVENTS.batch1.concurrency} keep-alive HTTP requests in flight from bench/run's process ` +
    `(bench/lib/events_load.mjs), each one message event (${c('POST /api/v1/events')}), then ` +
    `${EVENTS.batch100.concurrency} in flight of ${EVENTS.batch100.batch} events each ` +
    `(${c('POST /api/v1/events:batch')}), over ${EVENTS.rooms} rooms of ${EVENTS.connectionsPerRoom} members ` +
    '(the `connections` sent with each event); only answers with the expected echo (one `reply`, outcome ok) ' +
    `count; ${mode.seconds} s each after a ${mode.warmup} s warm-up. The baseline is the in-process path on the ` +
    `same server just before: the rooms echo load (${fmtCount(e.connections)} WebSocket connections in ` +
    `${e.rooms} rooms, window ${e.window}, ≤ ${e.ratePerConnection}/s each, as in ${c('rooms')}), whose messages ` +
    'run through RoomHub and RoomRunner without HTTP. µs CPU/event is the server process\'s CPU time ÷ the events.';
}

const fmtCount = (n) => (Number.isFinite(n) ? n.toLocaleString('en-US') : '?');

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  checkTools();
  if (opts.build) build(opts);
  const p = paths(opts.buildDir, opts.server);
  if (opts.prepareOnly) {
    buildLargeModule(p.cache, log);
    log('prepared');
    return 0;
  }
  const run = new Run(opts);
  const started = Date.now();
  try {
    await run.run(p);
  } finally {
    await stopAllProcesses();
  }
  const keys = headlineKeys(run.m);
  run.write(keys);
  if (opts.keepWork) log(`work dir kept: ${run.work}`);
  else fs.rmSync(run.work, { recursive: true, force: true });
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const expected = opts.only ? [] : REQUIRED_KEYS;
  const missing = expected.filter((key) => !(keys[key] > 0));
  if (missing.length) {
    console.error(`bench: no positive figure for ${missing.join(', ')}`);
    return 1;
  }
  if (Object.keys(run.errors).length) return 1;
  return 0;
}

runAsCommand('bench', main);
