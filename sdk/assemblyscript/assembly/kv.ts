// KvStore: typed wrappers over the `kv_*` host functions.
//
// AssemblyScript's `throw` aborts the whole module, so no wrapper throws for an error the
// host reports: calls that only succeed or fail return the AbiError, calls that produce a
// value return it (null / false / 0 on failure), and every call records its outcome in
// `store.error` (`store.errorName` for the contract's name, `store.ok` for success).
import {
  AbiError, errorName, kv_compare_and_swap, kv_delete, kv_exists, kv_get, kv_increment,
  kv_keys, kv_open, kv_set,
} from "./abi";
import { BufferCall, fromUtf8, scratch, utf8 } from "./bytes";

class GetCall extends BufferCall {
  constructor(public handle: u32, public key: Uint8Array) { super(); }
  call(buf: usize, cap: usize, lenOut: usize): i32 {
    return kv_get(this.handle, this.key.dataStart, <usize>this.key.byteLength, buf, cap, lenOut);
  }
}

class KeysCall extends BufferCall {
  constructor(public handle: u32, public prefix: Uint8Array, public after: Uint8Array) { super(); }
  call(buf: usize, cap: usize, lenOut: usize): i32 {
    return kv_keys(this.handle, this.prefix.dataStart, <usize>this.prefix.byteLength,
                   this.after.dataStart, <usize>this.after.byteLength, buf, cap, lenOut);
  }
}

/** Splits a kv_keys answer into its `[u32 LE length][bytes]` records. */
function parseKeyRecords(page: Uint8Array): Uint8Array[] {
  const keys = new Array<Uint8Array>();
  let at = 0;
  while (at + 4 <= page.length) {
    const len = <i32>load<u32>(page.dataStart + <usize>at);
    at += 4;
    if (len < 0 || at + len > page.length) break;  // a truncated record: not ours to guess
    keys.push(page.slice(at, at + len));
    at += len;
  }
  return keys;
}

export class KvStore {
  /** Outcome of the last `KvStore.open`. */
  static lastError: AbiError = AbiError.Ok;

  /** Outcome of the last call on this store. */
  error: AbiError = AbiError.Ok;

  private constructor(public readonly name: string, public readonly handle: u32) {}

  /**
   * Opens a store the action was granted. Returns null on failure, with the code in
   * `KvStore.lastError` (access_denied when the store is not in the action's grant).
   */
  static open(name: string): KvStore | null {
    const bytes = utf8(name);
    store<u32>(scratch, 0);
    const code = <AbiError>kv_open(bytes.dataStart, <usize>bytes.byteLength, scratch);
    KvStore.lastError = code;
    if (code != AbiError.Ok) return null;
    return new KvStore(name, load<u32>(scratch));
  }

  /** The name of `KvStore.lastError`. */
  static get lastErrorName(): string { return errorName(KvStore.lastError); }

  /** Whether the last call on this store succeeded. */
  get ok(): bool { return this.error == AbiError.Ok; }
  /** The contract's name of the last call's outcome ("ok", "access_denied", ...). */
  get errorName(): string { return errorName(this.error); }

  // --- bytes ---

  /**
   * The value of `key`, or null when it is absent (`error` NotFound) or the call failed.
   * `initialCapacity` is the first buffer's size; it grows to the value's size as needed.
   */
  getBytes(key: Uint8Array, initialCapacity: i32 = 256): Uint8Array | null {
    const c = new GetCall(this.handle, key);
    const value = c.run(initialCapacity);
    this.error = c.code;
    return value;
  }

  setBytes(key: Uint8Array, value: Uint8Array): AbiError {
    this.error = <AbiError>kv_set(this.handle, key.dataStart, <usize>key.byteLength,
                                  value.dataStart, <usize>value.byteLength);
    return this.error;
  }

  deleteBytes(key: Uint8Array): AbiError {
    this.error = <AbiError>kv_delete(this.handle, key.dataStart, <usize>key.byteLength);
    return this.error;
  }

  existsBytes(key: Uint8Array): bool {
    store<u32>(scratch, 0);
    this.error = <AbiError>kv_exists(this.handle, key.dataStart, <usize>key.byteLength, scratch);
    return this.error == AbiError.Ok && load<u32>(scratch) != 0;
  }

  /**
   * One page of keys starting with `prefix`, in byte order, strictly after `after` (empty:
   * from the start), as many as fit in `pageBytes` (grown when not even one key fits). An
   * empty page means no more keys (or an error: see `error`). The next page starts after
   * the last key of this one.
   */
  keysBytes(prefix: Uint8Array, after: Uint8Array, pageBytes: i32 = 4096): Uint8Array[] {
    const c = new KeysCall(this.handle, prefix, after);
    const page = c.run(pageBytes);
    this.error = c.code;
    if (page == null) return new Array<Uint8Array>();
    return parseKeyRecords(page);
  }

  /** Every key starting with `prefix`, page by page. Stops at the first error (`error`). */
  allKeysBytes(prefix: Uint8Array, pageBytes: i32 = 4096): Uint8Array[] {
    const all = new Array<Uint8Array>();
    let after = new Uint8Array(0);
    while (true) {
      const page = this.keysBytes(prefix, after, pageBytes);
      if (page.length == 0) break;
      for (let i = 0; i < page.length; i++) all.push(page[i]);
      after = page[page.length - 1];
    }
    return all;
  }

  /**
   * Atomically adds `delta` to the decimal integer stored at `key` (absent counts as 0)
   * and returns the new value; 0 on failure (`error`: InvalidArgument if the value is not
   * an integer, AccessDenied on a read-only grant).
   */
  incrementBytes(key: Uint8Array, delta: i64): i64 {
    store<i64>(scratch, 0);
    this.error = <AbiError>kv_increment(this.handle, key.dataStart, <usize>key.byteLength, delta,
                                        scratch);
    return this.error == AbiError.Ok ? load<i64>(scratch) : 0;
  }

  /**
   * Atomically replaces the value of `key` with `value` if it currently equals `expected`
   * (null: only if the key is absent). Returns whether it swapped (false on failure too:
   * check `error`).
   */
  compareAndSwapBytes(key: Uint8Array, expected: Uint8Array | null, value: Uint8Array): bool {
    store<u32>(scratch, 0);
    let expectedPtr: usize = 0;
    let expectedLen: usize = 0;
    if (expected != null) {
      expectedPtr = expected.dataStart;
      expectedLen = <usize>expected.byteLength;
    }
    this.error = <AbiError>kv_compare_and_swap(
      this.handle, key.dataStart, <usize>key.byteLength, expectedPtr, expectedLen,
      expected == null ? 1 : 0, value.dataStart, <usize>value.byteLength, scratch);
    return this.error == AbiError.Ok && load<u32>(scratch) != 0;
  }

  // --- strings (keys and text values as UTF-8) ---

  get(key: string, initialCapacity: i32 = 256): Uint8Array | null {
    return this.getBytes(utf8(key), initialCapacity);
  }

  getString(key: string, initialCapacity: i32 = 256): string | null {
    const value = this.getBytes(utf8(key), initialCapacity);
    return value == null ? null : fromUtf8(value);
  }

  set(key: string, value: Uint8Array): AbiError { return this.setBytes(utf8(key), value); }

  setString(key: string, value: string): AbiError {
    return this.setBytes(utf8(key), utf8(value));
  }

  delete(key: string): AbiError { return this.deleteBytes(utf8(key)); }

  exists(key: string): bool { return this.existsBytes(utf8(key)); }

  /** `keysBytes` with UTF-8 keys (a key that is not UTF-8 decodes lossily: use keysBytes). */
  keys(prefix: string = "", after: string = "", pageBytes: i32 = 4096): string[] {
    return toStrings(this.keysBytes(utf8(prefix), utf8(after), pageBytes));
  }

  allKeys(prefix: string = "", pageBytes: i32 = 4096): string[] {
    return toStrings(this.allKeysBytes(utf8(prefix), pageBytes));
  }

  increment(key: string, delta: i64 = 1): i64 { return this.incrementBytes(utf8(key), delta); }

  compareAndSwap(key: string, expected: string | null, value: string): bool {
    return this.compareAndSwapBytes(utf8(key), expected == null ? null : utf8(expected),
                                    utf8(value));
  }
}

function toStrings(keys: Uint8Array[]): string[] {
  const out = new Array<string>(keys.length);
  for (let i = 0; i < keys.length; i++) out[i] = fromUtf8(keys[i]);
  return out;
}
