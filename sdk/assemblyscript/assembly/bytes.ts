// Byte helpers shared by the wrappers: UTF-8 conversion and the contract's "caller-
// allocated buffer, grow on buffer_too_small" calling convention.
import { AbiError } from "./abi";

/** The UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(text));
}

/** `bytes` decoded as UTF-8. */
export function fromUtf8(bytes: Uint8Array): string {
  return String.UTF8.decodeUnsafe(bytes.dataStart, <usize>bytes.byteLength);
}

/** Whether `bytes` is valid UTF-8 (no overlong forms, no surrogates, at most U+10FFFF). */
export function isUtf8(bytes: Uint8Array): bool {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = <u32>bytes[i];
    if (b < 0x80) { i++; continue; }
    let need = 0;
    let min: u32 = 0;
    let cp: u32 = 0;
    if ((b & 0xe0) == 0xc0) { need = 1; min = 0x80; cp = b & 0x1f; }
    else if ((b & 0xf0) == 0xe0) { need = 2; min = 0x800; cp = b & 0x0f; }
    else if ((b & 0xf8) == 0xf0) { need = 3; min = 0x10000; cp = b & 0x07; }
    else return false;
    if (i + need >= n) return false;
    for (let k = 1; k <= need; k++) {
      const c = <u32>bytes[i + k];
      if ((c & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += need + 1;
  }
  return true;
}

/** The bytes of `bytes` as a standalone ArrayBuffer (no copy when it already is one). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset == 0 && bytes.byteLength == bytes.buffer.byteLength) return bytes.buffer;
  return bytes.slice(0).buffer;
}

// Out-parameters of host calls (u32 lengths, booleans, handles; an i64 result). One
// call at a time: guests are single-threaded.
export const scratch: usize = memory.data(16);

/**
 * A host call that writes into a caller-allocated buffer (ptr, capacity) and stores the
 * written length at an out-pointer. Subclasses bind the other arguments.
 */
export abstract class BufferCall {
  /** The code of the last `run`. */
  code: AbiError = AbiError.Ok;
  abstract call(buf: usize, cap: usize, lenOut: usize): i32;

  /**
   * Calls with a buffer of `initial` bytes and, while the host answers buffer_too_small,
   * again with the needed length. Returns the bytes written, or null with `code` set.
   */
  run(initial: i32): Uint8Array | null {
    let cap = initial < 16 ? 16 : initial;
    // The host stores a needed length bigger than what we offered; a host that does not
    // (or keeps growing it) must not make the guest loop forever.
    for (let attempt = 0; attempt < 8; attempt++) {
      const buf = new Uint8Array(cap);
      store<u32>(scratch, 0);
      const code = <AbiError>this.call(buf.dataStart, <usize>cap, scratch);
      const len = load<u32>(scratch);
      if (code == AbiError.BufferTooSmall) {
        if (len <= <u32>cap || len > 0x7fff0000) break;
        cap = <i32>len;
        continue;
      }
      this.code = code;
      if (code != AbiError.Ok) return null;
      if (len > <u32>cap) { this.code = AbiError.MemoryAccess; return null; }
      return <i32>len == cap ? buf : buf.slice(0, <i32>len);
    }
    this.code = AbiError.BufferTooSmall;
    return null;
  }
}
