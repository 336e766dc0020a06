// Reading files from the directories the host preopened (volumes granted to the action
// appear at their guest paths, e.g. "/site"). Plain WASI preview1 calls: the shim offers
// no file API.

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_prestat_get")
declare function fd_prestat_get(fd: u32, buf: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_prestat_dir_name")
declare function fd_prestat_dir_name(fd: u32, path: usize, path_len: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "path_open")
declare function path_open(dirfd: u32, dirflags: u32, path: usize, path_len: usize, oflags: u16,
                           rights_base: u64, rights_inheriting: u64, fdflags: u16,
                           fd_out: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_read")
declare function fd_read(fd: u32, iovs: usize, iovs_len: usize, nread: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_close")
declare function fd_close(fd: u32): u16;

const ERRNO_NOENT: u16 = 44;
const RIGHT_FD_READ: u64 = 1 << 1;

const io: usize = memory.data(32);

class Preopen {
  constructor(public fd: u32, public path: string) {}
}

let preopens: Preopen[] | null = null;

function listPreopens(): Preopen[] {
  if (preopens != null) return preopens!;
  const found = new Array<Preopen>();
  // Preopens are numbered from 3 with no gaps; the first EBADF ends the list.
  for (let fd: u32 = 3; fd < 3 + 64; fd++) {
    if (fd_prestat_get(fd, io) != 0) break;
    if (load<u8>(io) != 0) continue;  // not a directory
    const len = load<u32>(io, 4);
    if (len > 4096) continue;
    const name = new Uint8Array(<i32>len);
    if (fd_prestat_dir_name(fd, name.dataStart, <usize>len) != 0) continue;
    let path = String.UTF8.decodeUnsafe(name.dataStart, <usize>len);
    while (path.length > 1 && path.endsWith("/")) path = path.substring(0, path.length - 1);
    found.push(new Preopen(fd, path));
  }
  preopens = found;
  return found;
}

export class Files {
  /** The WASI errno of the last failed call (0 after a success; 44 = ENOENT). */
  static lastErrno: u16 = 0;

  /**
   * The contents of the file at the absolute `path`, or null (`Files.lastErrno`). Looks
   * the path up below the preopened directory that holds it; a symbolic link as the last
   * component is not followed.
   */
  static read(path: string, maxBytes: i32 = 16 << 20): Uint8Array | null {
    const list = listPreopens();
    let best: Preopen | null = null;
    let rest = "";
    for (let i = 0; i < list.length; i++) {
      const p = list[i];
      let r: string | null = null;
      if (p.path == "/") r = path.startsWith("/") ? path.substring(1) : null;
      else if (path == p.path) r = ".";
      else if (path.startsWith(p.path + "/")) r = path.substring(p.path.length + 1);
      if (r != null && (best == null || p.path.length > best.path.length)) {
        best = p;
        rest = r;
      }
    }
    if (best == null) { Files.lastErrno = ERRNO_NOENT; return null; }
    const rel = String.UTF8.encode(rest);
    store<u32>(io, 0);
    let err = path_open(best.fd, 0, changetype<usize>(rel), <usize>rel.byteLength, 0,
                        RIGHT_FD_READ, 0, 0, io);
    if (err != 0) { Files.lastErrno = err; return null; }
    const fd = load<u32>(io);
    const chunks = new Array<Uint8Array>();
    let total = 0;
    while (true) {
      const chunk = new Uint8Array(16384);
      store<u32>(io, <u32>chunk.dataStart);
      store<u32>(io, <u32>chunk.byteLength, 4);
      err = fd_read(fd, io, 1, io + 8);
      if (err != 0) break;
      const n = <i32>load<u32>(io, 8);
      if (n == 0) break;
      total += n;
      if (total > maxBytes) { err = 27; break; }  // EFBIG
      chunks.push(chunk.subarray(0, n));
    }
    fd_close(fd);
    if (err != 0) { Files.lastErrno = err; return null; }
    Files.lastErrno = 0;
    const out = new Uint8Array(total);
    let at = 0;
    for (let i = 0; i < chunks.length; i++) {
      out.set(chunks[i], at);
      at += chunks[i].length;
    }
    return out;
  }

  static readString(path: string, maxBytes: i32 = 16 << 20): string | null {
    const bytes = Files.read(path, maxBytes);
    return bytes == null ? null : String.UTF8.decodeUnsafe(bytes.dataStart, <usize>bytes.length);
  }
}
