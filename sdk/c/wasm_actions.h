/* wasm_actions.h — the C SDK for WASM Actions guests (header only, C11, usable from C++).
 *
 * Build a guest with:
 *   clang --target=wasm32-wasi --sysroot=/usr -O2 -I sdk/c my_action.c -o my_action.wasm
 *
 * What is here (docs/host-abi.md is the reference):
 *   1. The raw imports of the `wasm_actions` host module, exactly as the host ABI contract
 *      (v1) names and types them: every parameter i32 unless marked i64, every function
 *      returns an i32 error code (wa_error), 0 on success.
 *   2. The error codes (enum wa_error) and wa_error_name().
 *   3. Key-value wrappers: wa_kv_open, wa_kv_get, wa_kv_get_alloc, wa_kv_set, wa_kv_delete,
 *      wa_kv_exists, wa_kv_increment, wa_kv_compare_and_swap and a key iterator
 *      (wa_kv_keys_begin / wa_kv_keys_next / wa_kv_keys_end).
 *   4. Rooms wrappers (room_broadcast, room_send, room_connections, room_select, event_get,
 *      event_payload); wasm_actions_rooms.h builds room handlers on them (the parsed event,
 *      replies, the onJoin / onMessage / onLeave export macros). Only functions a guest
 *      actually calls become imports (clang and wasm-ld emit no import for an unused
 *      declaration), so including this header costs nothing to guests that do not use
 *      rooms.
 *   5. CGI helpers: request method, path, query string, wa_query_param (percent-decoding),
 *      wa_header, wa_read_body; response helpers wa_respond and wa_response_begin /
 *      wa_response_header / wa_response_end_headers / wa_response_write.
 *
 * Everything is `static inline` and there is no global state, so the header can be included
 * from several translation units and adds nothing the guest does not call. Functions that
 * return memory return it from malloc(): the caller free()s it.
 *
 * Buffers: host calls that produce output write into a caller buffer (ptr, capacity) and
 * store the written length at an out-pointer. When the buffer is too small the host returns
 * WA_ERR_BUFFER_TOO_SMALL and stores the NEEDED length instead (writing nothing else); the
 * *_alloc wrappers retry with a buffer of that size for you.
 */
#ifndef WASM_ACTIONS_H
#define WASM_ACTIONS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------- */
/* Error codes (host ABI contract v1: never renumbered, only appended).                    */
/* ------------------------------------------------------------------------------------- */

typedef enum wa_error {
  WA_OK = 0,
  WA_ERR_INVALID_HANDLE = 1,   /* unknown handle */
  WA_ERR_MEMORY_ACCESS = 2,    /* pointer/length outside guest memory */
  WA_ERR_INVALID_ARGUMENT = 3, /* bad UTF-8, empty key, bad name, value not an integer */
  WA_ERR_BUFFER_TOO_SMALL = 4, /* the needed length was stored at the out-pointer */
  WA_ERR_NOT_FOUND = 5,        /* key / connection / store absent */
  WA_ERR_ACCESS_DENIED = 6,    /* not granted, or granted read-only and the call writes */
  WA_ERR_TOO_LARGE = 7,        /* key or value over the limit */
  WA_ERR_QUOTA_EXCEEDED = 8,   /* store or volume quota */
  WA_ERR_UNAVAILABLE = 9,      /* backend down or timed out (the guest may retry) */
  /* Never returned by the host: the SDK's own failure (malloc returned NULL, or a value
   * kept changing size while wa_kv_get_alloc retried). */
  WA_ERR_SDK_NO_MEMORY = 1000
} wa_error;

/* The contract's name of an error code ("ok", "invalid_handle", ..., "unavailable");
 * "out_of_memory" for WA_ERR_SDK_NO_MEMORY and "unknown" for anything else. */
static inline const char* wa_error_name(uint32_t code) {
  switch (code) {
    case WA_OK:
      return "ok";
    case WA_ERR_INVALID_HANDLE:
      return "invalid_handle";
    case WA_ERR_MEMORY_ACCESS:
      return "memory_access";
    case WA_ERR_INVALID_ARGUMENT:
      return "invalid_argument";
    case WA_ERR_BUFFER_TOO_SMALL:
      return "buffer_too_small";
    case WA_ERR_NOT_FOUND:
      return "not_found";
    case WA_ERR_ACCESS_DENIED:
      return "access_denied";
    case WA_ERR_TOO_LARGE:
      return "too_large";
    case WA_ERR_QUOTA_EXCEEDED:
      return "quota_exceeded";
    case WA_ERR_UNAVAILABLE:
      return "unavailable";
    case WA_ERR_SDK_NO_MEMORY:
      return "out_of_memory";
    default:
      return "unknown";
  }
}

/* ------------------------------------------------------------------------------------- */
/* Raw imports of module `wasm_actions` (the contract's names and types).                  */
/* On wasm32 every pointer and uint32_t is an i32; int64_t is an i64.                     */
/* ------------------------------------------------------------------------------------- */

#if defined(__wasm__)
#define WA__IMPORT(name) __attribute__((import_module("wasm_actions"), import_name(name)))
#else
/* Outside wasm (an IDE, a host-side syntax check) the declarations stay plain externs:
 * a native program that calls them fails to link, which is the honest answer. */
#define WA__IMPORT(name)
#endif

/* kv_open(name_ptr, name_len, handle_out): the handle (u32) of a store the action is
 * granted; WA_ERR_ACCESS_DENIED whenever the name is not in the grant. */
WA__IMPORT("kv_open")
uint32_t wa_raw_kv_open(const char* name, uint32_t name_len, uint32_t* handle_out);
/* kv_get(h, key_ptr, key_len, buf_ptr, buf_cap, len_out): WA_ERR_NOT_FOUND if absent. */
WA__IMPORT("kv_get")
uint32_t wa_raw_kv_get(uint32_t handle, const void* key, uint32_t key_len, void* buf,
                       uint32_t buf_cap, uint32_t* len_out);
/* kv_set(h, key_ptr, key_len, val_ptr, val_len). */
WA__IMPORT("kv_set")
uint32_t wa_raw_kv_set(uint32_t handle, const void* key, uint32_t key_len, const void* value,
                       uint32_t value_len);
/* kv_delete(h, key_ptr, key_len): ok also when the key was absent. */
WA__IMPORT("kv_delete")
uint32_t wa_raw_kv_delete(uint32_t handle, const void* key, uint32_t key_len);
/* kv_exists(h, key_ptr, key_len, bool_out): u32 0/1 at bool_out. */
WA__IMPORT("kv_exists")
uint32_t wa_raw_kv_exists(uint32_t handle, const void* key, uint32_t key_len, uint32_t* bool_out);
/* kv_keys(h, prefix_ptr, prefix_len, after_ptr, after_len, buf_ptr, buf_cap, len_out):
 * records [u32 LE length][bytes] of the keys with the prefix strictly after `after`, as
 * many as fit; *len_out == 0: no more keys; WA_ERR_BUFFER_TOO_SMALL with the first
 * record's size if not even that fits. */
WA__IMPORT("kv_keys")
uint32_t wa_raw_kv_keys(uint32_t handle, const void* prefix, uint32_t prefix_len, const void* after,
                        uint32_t after_len, void* buf, uint32_t buf_cap, uint32_t* len_out);
/* kv_increment(h, key_ptr, key_len, delta: i64, result_out): atomic; the new value (i64)
 * at result_out; WA_ERR_INVALID_ARGUMENT if the stored value is not a decimal integer. */
WA__IMPORT("kv_increment")
uint32_t wa_raw_kv_increment(uint32_t handle, const void* key, uint32_t key_len, int64_t delta,
                             int64_t* result_out);
/* kv_compare_and_swap(h, key_ptr, key_len, expected_ptr, expected_len, expect_absent,
 * new_ptr, new_len, swapped_out): atomic; u32 0/1 at swapped_out. */
WA__IMPORT("kv_compare_and_swap")
uint32_t wa_raw_kv_compare_and_swap(uint32_t handle, const void* key, uint32_t key_len,
                                    const void* expected, uint32_t expected_len,
                                    uint32_t expect_absent, const void* desired,
                                    uint32_t desired_len, uint32_t* swapped_out);

/* Rooms (contract v1; docs/host-abi.md "Rooms"). */
WA__IMPORT("room_broadcast")
uint32_t wa_raw_room_broadcast(const void* msg, uint32_t msg_len, const char* except,
                               uint32_t except_len);
WA__IMPORT("room_send")
uint32_t wa_raw_room_send(const char* conn, uint32_t conn_len, const void* msg, uint32_t msg_len);
WA__IMPORT("room_connections")
uint32_t wa_raw_room_connections(void* buf, uint32_t buf_cap, uint32_t* len_out);
WA__IMPORT("room_select")
uint32_t wa_raw_room_select(const char* name, uint32_t name_len);
WA__IMPORT("event_get")
uint32_t wa_raw_event_get(void* buf, uint32_t buf_cap, uint32_t* len_out);
WA__IMPORT("event_payload")
uint32_t wa_raw_event_payload(void* buf, uint32_t buf_cap, uint32_t* len_out);

#undef WA__IMPORT

/* ------------------------------------------------------------------------------------- */
/* The buffer_too_small protocol, once for every *_alloc wrapper.                          */
/* ------------------------------------------------------------------------------------- */

/* One host call that fills (buf, cap) and stores a length at *len. */
typedef uint32_t (*wa__fill_fn)(void* ctx, void* buf, uint32_t cap, uint32_t* len);

/* Calls `fill` with a malloc'd buffer of `first_cap` bytes and, on
 * WA_ERR_BUFFER_TOO_SMALL, again with the needed size. The result gets one extra NUL byte
 * (not counted in *out_len) so text can be used as a C string. Bounded retries: a value
 * that keeps growing between calls gives WA_ERR_SDK_NO_MEMORY rather than a loop. */
static inline uint32_t wa__fetch_alloc(wa__fill_fn fill, void* ctx, uint32_t first_cap,
                                       uint8_t** out, uint32_t* out_len) {
  uint32_t cap = first_cap ? first_cap : 1;
  *out = NULL;
  if (out_len) *out_len = 0;
  for (int attempt = 0; attempt < 8; ++attempt) {
    uint8_t* buf = (uint8_t*)malloc((size_t)cap + 1);
    if (!buf) return WA_ERR_SDK_NO_MEMORY;
    uint32_t len = 0;
    uint32_t err = fill(ctx, buf, cap, &len);
    if (err == WA_ERR_BUFFER_TOO_SMALL && len > cap) {
      free(buf);
      cap = len;
      continue;
    }
    if (err != WA_OK) {
      free(buf);
      return err;
    }
    if (len > cap) len = cap; /* a host never reports more than it wrote; stay safe anyway */
    buf[len] = 0;
    *out = buf;
    if (out_len) *out_len = len;
    return WA_OK;
  }
  return WA_ERR_SDK_NO_MEMORY;
}

/* ------------------------------------------------------------------------------------- */
/* Key-value store.                                                                        */
/* Keys and values are bytes (pointer + length). Limits (server defaults): key ≤ 1 KiB,    */
/* value ≤ 1 MiB; over them: WA_ERR_TOO_LARGE. An empty key is WA_ERR_INVALID_ARGUMENT.    */
/* ------------------------------------------------------------------------------------- */

/* Opens the store `name` (a C string, e.g. "default") and stores its handle at *handle.
 * WA_ERR_ACCESS_DENIED when the action is not granted that store. */
static inline uint32_t wa_kv_open(const char* name, uint32_t* handle) {
  return wa_raw_kv_open(name, (uint32_t)strlen(name), handle);
}

/* Reads the value of `key` into the caller's buffer (buf, cap); its length goes to *len.
 * WA_ERR_NOT_FOUND if absent; WA_ERR_BUFFER_TOO_SMALL with the needed length at *len. */
static inline uint32_t wa_kv_get(uint32_t h, const void* key, size_t key_len, void* buf, size_t cap,
                                 uint32_t* len) {
  return wa_raw_kv_get(h, key, (uint32_t)key_len, buf, (uint32_t)cap, len);
}

struct wa__kv_get_ctx {
  uint32_t handle;
  const void* key;
  uint32_t key_len;
};

static inline uint32_t wa__kv_get_fill(void* ctx, void* buf, uint32_t cap, uint32_t* len) {
  struct wa__kv_get_ctx* c = (struct wa__kv_get_ctx*)ctx;
  return wa_raw_kv_get(c->handle, c->key, c->key_len, buf, cap, len);
}

/* Reads the value of `key` into a malloc'd buffer (*value, NUL-terminated for
 * convenience; free() it), its length at *len (may be NULL). Retries with the needed size
 * on WA_ERR_BUFFER_TOO_SMALL. WA_ERR_NOT_FOUND (and *value NULL) if absent. */
static inline uint32_t wa_kv_get_alloc(uint32_t h, const void* key, size_t key_len, uint8_t** value,
                                       uint32_t* len) {
  struct wa__kv_get_ctx ctx = {h, key, (uint32_t)key_len};
  return wa__fetch_alloc(wa__kv_get_fill, &ctx, 256, value, len);
}

/* wa_kv_get_alloc for C-string keys and text values: *value is a malloc'd C string. */
static inline uint32_t wa_kv_get_str(uint32_t h, const char* key, char** value) {
  return wa_kv_get_alloc(h, key, strlen(key), (uint8_t**)value, NULL);
}

/* Stores `value` under `key` (replacing any value). WA_ERR_ACCESS_DENIED on a read-only
 * grant, WA_ERR_QUOTA_EXCEEDED past the store's quota. On the SQLite backend a set that
 * returned WA_OK is committed (it survives a crash of the server). */
static inline uint32_t wa_kv_set(uint32_t h, const void* key, size_t key_len, const void* value,
                                 size_t value_len) {
  return wa_raw_kv_set(h, key, (uint32_t)key_len, value, (uint32_t)value_len);
}

/* wa_kv_set for a C-string key and a C-string value. */
static inline uint32_t wa_kv_set_str(uint32_t h, const char* key, const char* value) {
  return wa_kv_set(h, key, strlen(key), value, strlen(value));
}

/* Removes `key`; WA_OK also when it was absent. */
static inline uint32_t wa_kv_delete(uint32_t h, const void* key, size_t key_len) {
  return wa_raw_kv_delete(h, key, (uint32_t)key_len);
}

/* Whether `key` exists, at *exists. */
static inline uint32_t wa_kv_exists(uint32_t h, const void* key, size_t key_len, bool* exists) {
  uint32_t flag = 0;
  uint32_t err = wa_raw_kv_exists(h, key, (uint32_t)key_len, &flag);
  *exists = err == WA_OK && flag != 0;
  return err;
}

/* Atomically adds `delta` to the decimal integer stored at `key` (absent counts as 0) and
 * stores the new value at *result (may be NULL). WA_ERR_INVALID_ARGUMENT if the stored
 * value is not a decimal integer or the sum overflows int64. */
static inline uint32_t wa_kv_increment(uint32_t h, const void* key, size_t key_len, int64_t delta,
                                       int64_t* result) {
  int64_t value = 0;
  uint32_t err = wa_raw_kv_increment(h, key, (uint32_t)key_len, delta, &value);
  if (result) *result = err == WA_OK ? value : 0;
  return err;
}

/* Atomically replaces the value of `key` with `desired` if it currently equals
 * `expected`; with expected == NULL only if the key is absent. *swapped (may be NULL) says
 * whether it did; a mismatch (also: key absent while `expected` is given) is WA_OK with
 * *swapped false, not an error. */
static inline uint32_t wa_kv_compare_and_swap(uint32_t h, const void* key, size_t key_len,
                                              const void* expected, size_t expected_len,
                                              const void* desired, size_t desired_len,
                                              bool* swapped) {
  uint32_t flag = 0;
  uint32_t err = wa_raw_kv_compare_and_swap(
      h, key, (uint32_t)key_len, expected, expected ? (uint32_t)expected_len : 0,
      expected ? 0u : 1u, desired, (uint32_t)desired_len, &flag);
  if (swapped) *swapped = err == WA_OK && flag != 0;
  return err;
}

/* Iterates over the keys with a prefix, in byte order, one kv_keys page at a time:
 *
 *   wa_kv_keys_iter it;
 *   wa_kv_keys_begin(&it, h, "user:", 5, 0);
 *   const uint8_t* key; uint32_t key_len;
 *   while (wa_kv_keys_next(&it, &key, &key_len)) { ... }
 *   if (it.error) ...;            // WA_OK when the iteration simply ended
 *   wa_kv_keys_end(&it);
 *
 * A key returned by wa_kv_keys_next stays valid until the next call. Each page asks for
 * the keys after the last key of the previous page; a buffer that cannot hold even one
 * key grows to the size the host asks for. Keys set or deleted during the iteration may
 * or may not be seen (each page is its own read). */
typedef struct wa_kv_keys_iter {
  uint32_t handle;
  uint8_t* prefix; /* a copy */
  uint32_t prefix_len;
  uint8_t* after; /* the last key returned, the `after` of the next page */
  uint32_t after_len;
  uint32_t after_cap;
  uint8_t* buf; /* the current page */
  uint32_t cap;
  uint32_t len;
  uint32_t pos;
  bool done;
  uint32_t error; /* WA_OK, or what stopped the iteration */
  uint32_t pages; /* kv_keys calls that returned keys (for tests and curiosity) */
} wa_kv_keys_iter;

/* Starts an iteration (no host call yet). `page_bytes` is the page buffer's first size
 * (0: 4 KiB; the host's page limit is 64 KiB by default). */
static inline void wa_kv_keys_begin(wa_kv_keys_iter* it, uint32_t h, const void* prefix,
                                    size_t prefix_len, uint32_t page_bytes) {
  memset(it, 0, sizeof *it);
  it->handle = h;
  it->cap = page_bytes ? page_bytes : 4096;
  it->buf = (uint8_t*)malloc(it->cap);
  it->prefix = (uint8_t*)malloc(prefix_len ? prefix_len : 1);
  if (!it->buf || !it->prefix) {
    it->error = WA_ERR_SDK_NO_MEMORY;
    it->done = true;
    return;
  }
  if (prefix_len) memcpy(it->prefix, prefix, prefix_len);
  it->prefix_len = (uint32_t)prefix_len;
}

static inline uint32_t wa__le32(const uint8_t* p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* The next key (pointer and length) or false at the end or on an error (it->error). */
static inline bool wa_kv_keys_next(wa_kv_keys_iter* it, const uint8_t** key, uint32_t* key_len) {
  while (!it->done) {
    if (it->pos + 4 <= it->len) {
      uint32_t n = wa__le32(it->buf + it->pos);
      if (n > it->len - it->pos - 4) { /* a record past the page: never trust the bytes */
        it->error = WA_ERR_INVALID_ARGUMENT;
        it->done = true;
        break;
      }
      const uint8_t* k = it->buf + it->pos + 4;
      it->pos += 4 + n;
      if (n > it->after_cap) {
        uint8_t* grown = (uint8_t*)realloc(it->after, n);
        if (!grown) {
          it->error = WA_ERR_SDK_NO_MEMORY;
          it->done = true;
          break;
        }
        it->after = grown;
        it->after_cap = n;
      }
      if (n) memcpy(it->after, k, n);
      it->after_len = n;
      *key = k;
      *key_len = n;
      return true;
    }
    /* The page is used up: fetch the next one after the last key. */
    uint32_t len = 0;
    uint32_t err = wa_raw_kv_keys(it->handle, it->prefix, it->prefix_len, it->after, it->after_len,
                                  it->buf, it->cap, &len);
    if (err == WA_ERR_BUFFER_TOO_SMALL && len > it->cap) {
      uint8_t* grown = (uint8_t*)realloc(it->buf, len);
      if (!grown) {
        it->error = WA_ERR_SDK_NO_MEMORY;
        it->done = true;
        break;
      }
      it->buf = grown;
      it->cap = len;
      it->len = it->pos = 0;
      continue;
    }
    if (err != WA_OK) {
      it->error = err;
      it->done = true;
      break;
    }
    if (len == 0) {
      it->done = true;
      break;
    }
    if (len < 4) { /* a page without one whole record would ask for itself forever */
      it->error = WA_ERR_INVALID_ARGUMENT;
      it->done = true;
      break;
    }
    it->len = len > it->cap ? it->cap : len;
    it->pos = 0;
    it->pages += 1;
  }
  *key = NULL;
  *key_len = 0;
  return false;
}

/* Frees the iterator's buffers (safe to call twice). */
static inline void wa_kv_keys_end(wa_kv_keys_iter* it) {
  free(it->buf);
  free(it->prefix);
  free(it->after);
  it->buf = it->prefix = it->after = NULL;
  it->done = true;
}

/* ------------------------------------------------------------------------------------- */
/* Rooms (contract v1; room handlers: wasm_actions_rooms.h).                              */
/* ------------------------------------------------------------------------------------- */

/* Sends `msg` to every connection of the current room except the ids in `except`
 * (connection ids separated by '\n'; NULL: nobody excepted). */
static inline uint32_t wa_room_broadcast(const void* msg, size_t msg_len, const char* except) {
  return wa_raw_room_broadcast(msg, (uint32_t)msg_len, except ? except : "",
                               except ? (uint32_t)strlen(except) : 0);
}

/* Sends `msg` to one connection of the current room (WA_ERR_NOT_FOUND if not in it). */
static inline uint32_t wa_room_send(const char* connection, const void* msg, size_t msg_len) {
  return wa_raw_room_send(connection, (uint32_t)strlen(connection), msg, (uint32_t)msg_len);
}

/* Makes room `name` of the same action current (also from an HTTP request);
 * WA_ERR_ACCESS_DENIED without the `rooms` grant. */
static inline uint32_t wa_room_select(const char* name) {
  return wa_raw_room_select(name, (uint32_t)strlen(name));
}

static inline uint32_t wa__room_connections_fill(void* ctx, void* buf, uint32_t cap,
                                                 uint32_t* len) {
  (void)ctx;
  return wa_raw_room_connections(buf, cap, len);
}
static inline uint32_t wa__event_get_fill(void* ctx, void* buf, uint32_t cap, uint32_t* len) {
  (void)ctx;
  return wa_raw_event_get(buf, cap, len);
}
static inline uint32_t wa__event_payload_fill(void* ctx, void* buf, uint32_t cap, uint32_t* len) {
  (void)ctx;
  return wa_raw_event_payload(buf, cap, len);
}

/* The current room's connection ids, '\n'-separated, as a malloc'd C string. */
static inline uint32_t wa_room_connections(char** ids, uint32_t* len) {
  return wa__fetch_alloc(wa__room_connections_fill, NULL, 1024, (uint8_t**)ids, len);
}

/* The current event as a malloc'd UTF-8 JSON object
 * {"event", "room", "connection", "action", "message_type"}; WA_ERR_NOT_FOUND outside a
 * room event. */
static inline uint32_t wa_event_get(char** json, uint32_t* len) {
  return wa__fetch_alloc(wa__event_get_fill, NULL, 512, (uint8_t**)json, len);
}

/* The current message's bytes (malloc'd; empty for join and leave). */
static inline uint32_t wa_event_payload(uint8_t** payload, uint32_t* len) {
  return wa__fetch_alloc(wa__event_payload_fill, NULL, 4096, payload, len);
}

/* ------------------------------------------------------------------------------------- */
/* CGI request: the HTTP request arrives as environment variables and stdin.              */
/* ------------------------------------------------------------------------------------- */

static inline const char* wa__env_or_empty(const char* name) {
  const char* v = getenv(name);
  return v ? v : "";
}

/* REQUEST_METHOD ("GET", "POST", ...; "" when not run for an HTTP request). */
static inline const char* wa_request_method(void) { return wa__env_or_empty("REQUEST_METHOD"); }

/* PATH_INFO: the percent-decoded path below the action's route ("" or "/..."). */
static inline const char* wa_request_path(void) { return wa__env_or_empty("PATH_INFO"); }

/* QUERY_STRING, still percent-encoded ("" when none). */
static inline const char* wa_query_string(void) { return wa__env_or_empty("QUERY_STRING"); }

static inline int wa__hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decodes application/x-www-form-urlencoded bytes (src, n) into dst (room for n bytes):
 * "+" is a space, "%XX" a byte; a malformed "%" stays as it is. Returns the length. */
static inline size_t wa_percent_decode(const char* src, size_t n, char* dst) {
  size_t out = 0;
  for (size_t i = 0; i < n; ++i) {
    int hi, lo;
    if (src[i] == '+') {
      dst[out++] = ' ';
    } else if (src[i] == '%' && i + 2 < n && (hi = wa__hex_value(src[i + 1])) >= 0 &&
               (lo = wa__hex_value(src[i + 2])) >= 0) {
      dst[out++] = (char)(hi * 16 + lo);
      i += 2;
    } else {
      dst[out++] = src[i];
    }
  }
  return out;
}

/* The first query parameter called `name`, percent-decoded, as a malloc'd C string
 * (free() it) with its length at *len (may be NULL; the value may contain NUL bytes).
 * NULL when absent; "a" in "?a&b=1" is present with an empty value. */
static inline char* wa_query_param_n(const char* name, size_t* len) {
  const char* q = wa_query_string();
  size_t name_len = strlen(name);
  while (*q) {
    const char* end = strchr(q, '&');
    size_t pair_len = end ? (size_t)(end - q) : strlen(q);
    const char* eq = (const char*)memchr(q, '=', pair_len);
    size_t raw_name_len = eq ? (size_t)(eq - q) : pair_len;
    char* decoded_name = (char*)malloc(raw_name_len + 1);
    if (!decoded_name) return NULL;
    size_t decoded_len = wa_percent_decode(q, raw_name_len, decoded_name);
    bool match = decoded_len == name_len && memcmp(decoded_name, name, name_len) == 0;
    free(decoded_name);
    if (match) {
      const char* raw_value = eq ? eq + 1 : q + pair_len;
      size_t raw_value_len = eq ? pair_len - raw_name_len - 1 : 0;
      char* value = (char*)malloc(raw_value_len + 1);
      if (!value) return NULL;
      size_t n = wa_percent_decode(raw_value, raw_value_len, value);
      value[n] = 0;
      if (len) *len = n;
      return value;
    }
    if (!end) break;
    q = end + 1;
  }
  if (len) *len = 0;
  return NULL;
}

/* wa_query_param_n without the length. */
static inline char* wa_query_param(const char* name) { return wa_query_param_n(name, NULL); }

/* The value of request header `name` (any case, e.g. "User-Agent"), from its CGI variable
 * (HTTP_USER_AGENT; CONTENT_TYPE and CONTENT_LENGTH for those two); NULL when absent or
 * when the name cannot be a header. Repeated headers arrive joined by ", ". */
static inline const char* wa_header(const char* name) {
  char var[5 + 128 + 1];
  size_t n = strlen(name);
  if (n == 0 || n > 128) return NULL;
  bool content = false;
  if (n == 12 || n == 14) {
    char lower[15];
    for (size_t i = 0; i < n; ++i)
      lower[i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] + 32 : name[i]);
    lower[n] = 0;
    content = strcmp(lower, "content-type") == 0 || strcmp(lower, "content-length") == 0;
  }
  size_t out = 0;
  if (!content) {
    memcpy(var, "HTTP_", 5);
    out = 5;
  }
  for (size_t i = 0; i < n; ++i) {
    char c = name[i];
    if (c >= 'a' && c <= 'z')
      c = (char)(c - 32);
    else if (c == '-')
      c = '_';
    else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
      return NULL;
    var[out++] = c;
  }
  var[out] = 0;
  const char* value = getenv(var);
  return value && *value ? value : NULL;
}

/* Reads the whole request body from stdin into a malloc'd buffer (NUL-terminated for
 * convenience; free() it); its length at *len. NULL only if memory ran out. */
static inline uint8_t* wa_read_body(size_t* len) {
  size_t cap = 4096, n = 0;
  uint8_t* buf = (uint8_t*)malloc(cap + 1);
  if (!buf) return NULL;
  for (;;) {
    size_t got = fread(buf + n, 1, cap - n, stdin);
    n += got;
    if (got == 0) break;
    if (n == cap) {
      uint8_t* grown = (uint8_t*)realloc(buf, cap * 2 + 1);
      if (!grown) {
        free(buf);
        return NULL;
      }
      buf = grown;
      cap *= 2;
    }
  }
  buf[n] = 0;
  if (len) *len = n;
  return buf;
}

/* ------------------------------------------------------------------------------------- */
/* CGI response: headers then a blank line then the body, on stdout.                      */
/* ------------------------------------------------------------------------------------- */

/* The reason phrase of common statuses ("" for others: the server adds its own). */
static inline const char* wa_status_reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    default:
      return "";
  }
}

/* Starts a response: the Status header (200..599; the server refuses others). */
static inline void wa_response_begin(int status) {
  const char* reason = wa_status_reason(status);
  printf("Status: %d%s%s\r\n", status, *reason ? " " : "", reason);
}

/* Adds a header. Returns -1 (and writes nothing) for an empty name, a name with ':', or
 * a CR or LF in either: those would split or forge headers (response splitting). */
static inline int wa_response_header(const char* name, const char* value) {
  if (!*name || strpbrk(name, "\r\n:") || strpbrk(value, "\r\n")) return -1;
  printf("%s: %s\r\n", name, value);
  return 0;
}

/* Ends the headers; what follows on stdout is the body. */
static inline void wa_response_end_headers(void) { fputs("\r\n", stdout); }

/* Writes body bytes (after wa_response_end_headers). */
static inline void wa_response_write(const void* data, size_t len) {
  if (len) fwrite(data, 1, len, stdout);
}

/* A whole response in one call: status, Content-Type (NULL: text/plain) and body. */
static inline void wa_respond(int status, const char* content_type, const void* body, size_t len) {
  wa_response_begin(status);
  wa_response_header("Content-Type", content_type ? content_type : "text/plain; charset=utf-8");
  wa_response_end_headers();
  wa_response_write(body, len);
}

/* wa_respond with a C-string body. */
static inline void wa_respond_str(int status, const char* content_type, const char* body) {
  wa_respond(status, content_type, body, strlen(body));
}

/* Writes (s, n) to `out` as a JSON string literal, quotes included: ", \ and control
 * characters escaped; bytes >= 0x80 pass through (give it UTF-8). */
static inline void wa_json_write_string(FILE* out, const char* s, size_t n) {
  fputc('"', out);
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      fputc('\\', out);
      fputc(c, out);
    } else if (c == '\n') {
      fputs("\\n", out);
    } else if (c == '\r') {
      fputs("\\r", out);
    } else if (c == '\t') {
      fputs("\\t", out);
    } else if (c < 0x20 || c == 0x7f) {
      fprintf(out, "\\u%04x", c);
    } else {
      fputc(c, out);
    }
  }
  fputc('"', out);
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* WASM_ACTIONS_H */
