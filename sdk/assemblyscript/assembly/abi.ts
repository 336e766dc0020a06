// The raw `wasm_actions` host imports (host ABI contract v1, docs/host-abi.md) and their
// error codes. Every parameter is an i32 (pointers and lengths into this module's memory)
// unless the contract says i64; every function returns an error code, 0 on success.
//
// Only the functions a guest actually calls end up in its import section (the compiler
// drops unused externals), so a module that never touches rooms links on hosts without
// them.

/** The error codes every `wasm_actions` function returns (a contract: never renumbered). */
export enum AbiError {
  Ok = 0,
  /** unknown handle */
  InvalidHandle = 1,
  /** pointer/length outside guest memory */
  MemoryAccess = 2,
  /** bad UTF-8, empty key, bad name, value not an integer */
  InvalidArgument = 3,
  /** the needed length was stored at the out-pointer */
  BufferTooSmall = 4,
  /** key / connection / store absent */
  NotFound = 5,
  /** not granted, or granted read-only and the call writes */
  AccessDenied = 6,
  /** key or value over the limit */
  TooLarge = 7,
  /** store or volume quota */
  QuotaExceeded = 8,
  /** backend down or timed out (the guest may retry) */
  Unavailable = 9,
}

/** The contract's name of an error code: "ok", "access_denied", ... ("error_<n>" if unknown). */
export function errorName(code: AbiError): string {
  switch (code) {
    case AbiError.Ok: return "ok";
    case AbiError.InvalidHandle: return "invalid_handle";
    case AbiError.MemoryAccess: return "memory_access";
    case AbiError.InvalidArgument: return "invalid_argument";
    case AbiError.BufferTooSmall: return "buffer_too_small";
    case AbiError.NotFound: return "not_found";
    case AbiError.AccessDenied: return "access_denied";
    case AbiError.TooLarge: return "too_large";
    case AbiError.QuotaExceeded: return "quota_exceeded";
    case AbiError.Unavailable: return "unavailable";
  }
  return "error_" + (<i32>code).toString();
}

// --- key-value stores ---

// @ts-ignore: decorator
@external("wasm_actions", "kv_open")
export declare function kv_open(name_ptr: usize, name_len: usize, handle_out: usize): i32;

// @ts-ignore: decorator
@external("wasm_actions", "kv_get")
export declare function kv_get(
  handle: u32, key_ptr: usize, key_len: usize, buf_ptr: usize, buf_cap: usize, len_out: usize,
): i32;

// @ts-ignore: decorator
@external("wasm_actions", "kv_set")
export declare function kv_set(
  handle: u32, key_ptr: usize, key_len: usize, val_ptr: usize, val_len: usize,
): i32;

// @ts-ignore: decorator
@external("wasm_actions", "kv_delete")
export declare function kv_delete(handle: u32, key_ptr: usize, key_len: usize): i32;

// @ts-ignore: decorator
@external("wasm_actions", "kv_exists")
export declare function kv_exists(
  handle: u32, key_ptr: usize, key_len: usize, bool_out: usize,
): i32;

// @ts-ignore: decorator
@external("wasm_actions", "kv_keys")
export declare function kv_keys(
  handle: u32, prefix_ptr: usize, prefix_len: usize, after_ptr: usize, after_len: usize,
  buf_ptr: usize, buf_cap: usize, len_out: usize,
): i32;

// @ts-ignore: decorator
@external("wasm_actions", "kv_increment")
export declare function kv_increment(
  handle: u32, key_ptr: usize, key_len: usize, delta: i64, result_out: usize,
): i32;

// @ts-ignore: decorator
@external("wasm_actions", "kv_compare_and_swap")
export declare function kv_compare_and_swap(
  handle: u32, key_ptr: usize, key_len: usize, expected_ptr: usize, expected_len: usize,
  expect_absent: u32, new_ptr: usize, new_len: usize, swapped_out: usize,
): i32;

// --- rooms ---

// @ts-ignore: decorator
@external("wasm_actions", "room_broadcast")
export declare function room_broadcast(
  msg_ptr: usize, msg_len: usize, except_ptr: usize, except_len: usize,
): i32;

// @ts-ignore: decorator
@external("wasm_actions", "room_send")
export declare function room_send(
  conn_ptr: usize, conn_len: usize, msg_ptr: usize, msg_len: usize,
): i32;

// @ts-ignore: decorator
@external("wasm_actions", "room_connections")
export declare function room_connections(buf_ptr: usize, buf_cap: usize, len_out: usize): i32;

// @ts-ignore: decorator
@external("wasm_actions", "room_select")
export declare function room_select(name_ptr: usize, name_len: usize): i32;

// @ts-ignore: decorator
@external("wasm_actions", "event_get")
export declare function event_get(buf_ptr: usize, buf_cap: usize, len_out: usize): i32;

// @ts-ignore: decorator
@external("wasm_actions", "event_payload")
export declare function event_payload(buf_ptr: usize, buf_cap: usize, len_out: usize): i32;
