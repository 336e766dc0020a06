// The large deploy module: SQLite (the amalgamation shipped in the better-sqlite3 npm
// package) plus bench/guests/sqlite_query.c, compiled to wasm32-wasi once and cached in
// the build dir, keyed by the sources and the flags.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { runChecked } from './proc.mjs';

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const guestSource = path.join(benchDir, 'guests', 'sqlite_query.c');
const sqliteDir = path.join(benchDir, 'node_modules', 'better-sqlite3', 'deps', 'sqlite3');

// wasi-libc has no threads, dlopen, or mmap/getpid/signals beyond its emulations.
const FLAGS = [
  '--target=wasm32-wasi', '--sysroot=/usr', '-O2', '-Wl,--strip-all', '-w',
  '-D_WASI_EMULATED_MMAN', '-D_WASI_EMULATED_GETPID', '-D_WASI_EMULATED_SIGNAL',
  '-DSQLITE_THREADSAFE=0', '-DSQLITE_OMIT_LOAD_EXTENSION', '-DSQLITE_OMIT_WAL',
  '-DSQLITE_OMIT_SHARED_CACHE',
];
const LIBS = ['-lwasi-emulated-mman', '-lwasi-emulated-getpid', '-lwasi-emulated-signal'];
export const MIN_LARGE_BYTES = 1 << 20;

function ensureSources(log) {
  if (fs.existsSync(path.join(sqliteDir, 'sqlite3.c'))) return;
  log('installing bench npm packages (SQLite sources) with npm ci');
  runChecked('npm', ['ci', '--no-audit', '--no-fund'], { cwd: benchDir, timeoutMs: 300_000 });
  if (!fs.existsSync(path.join(sqliteDir, 'sqlite3.c'))) {
    throw new Error(`npm ci did not provide ${sqliteDir}/sqlite3.c`);
  }
}

function cacheKey() {
  const hash = crypto.createHash('sha256');
  for (const file of [guestSource, path.join(sqliteDir, 'sqlite3.c')]) hash.update(fs.readFileSync(file));
  hash.update(JSON.stringify([FLAGS, LIBS]));
  return hash.digest('hex');
}

// Returns the path of the cached module, building it first if needed (~30 s).
export function buildLargeModule(cacheDir, log) {
  ensureSources(log);
  fs.mkdirSync(cacheDir, { recursive: true });
  const out = path.join(cacheDir, 'sqlite_query.wasm');
  const stamp = `${out}.key`;
  const key = cacheKey();
  if (fs.existsSync(out) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === key) return out;
  log('building the large module: SQLite -> wasm32-wasi (clang -O2, about 30 s, cached)');
  const tmp = `${out}.tmp`;
  runChecked('clang', [...FLAGS, `-I${sqliteDir}`, guestSource, path.join(sqliteDir, 'sqlite3.c'),
                       ...LIBS, '-o', tmp], { timeoutMs: 600_000 });
  const size = fs.statSync(tmp).size;
  if (size < MIN_LARGE_BYTES) throw new Error(`the SQLite module is only ${size} bytes (< 1 MiB)`);
  fs.renameSync(tmp, out);
  fs.writeFileSync(stamp, key);
  return out;
}
