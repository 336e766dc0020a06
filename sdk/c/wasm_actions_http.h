/* wasm_actions_http.h — outbound HTTP and action chaining for WASM Actions guests in C
 * (header only, C11, usable from C++). docs/host-abi.md, "Outbound HTTP", is the reference.
 *
 *   #include <wasm_actions_http.h>
 *   wa_http_response r;
 *   uint32_t err = wa_fetch(&(wa_http_request){.method = "POST", .url =
 * "https://api.example.com/x", .headers = "content-type:text/plain\n", .body = "hi", .body_len =
 * 2}, &r); if (err) { fprintf(stderr, "fetch: %s\n", wa_http_error_name(err)); ... } r.status; //
 * 200 char* type; wa_http_header_alloc(&r, "content-type", &type, NULL);   // malloc'd uint8_t*
 * body; size_t n; wa_http_body_all(&r, &body, &n);            // malloc'd wa_http_close(&r);
 *
 * A separate header from wasm_actions.h because the import module is a different one, with
 * its own error numbering (7 is destination_not_allowed here, too_large there): keeping the
 * two enums apart means a code is never read against the wrong table. Include either or both.
 *
 * What is here:
 *   1. The raw imports of module `wasi_experimental_http`, exactly deislabs/
 *      wasi-experimental-http's (every parameter i32, every function returns a u32 error).
 *   2. Its error codes (enum wa_http_error) and wa_http_error_name().
 *   3. wa_fetch / wa_http_get, header lookups (caller buffer or malloc'd, retried on
 *      buffer_too_small), the body in pieces or whole, wa_http_close.
 *   4. wa_call_action: a request to another action of the same developer
 *      (http://<action>.actions.internal/<path>), answered in process.
 *   5. wa_http_headers: builds the "name:value\n" request header text, refusing CR/LF.
 *
 * Every response that wa_fetch returned WA_HTTP_OK for holds a host handle until
 * wa_http_close: at most 16 may be open at once (the 17th request answers 13
 * too_many_sessions), so close each one. Everything is `static inline`, without global
 * state; memory the SDK returns comes from malloc() and is the caller's to free().
 */
#ifndef WASM_ACTIONS_HTTP_H
#define WASM_ACTIONS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------- */
/* Error codes of `wasi_experimental_http` (the reference's numbering).                    */
/* ------------------------------------------------------------------------------------- */

typedef enum wa_http_error {
  WA_HTTP_OK = 0,
  WA_HTTP_ERR_INVALID_HANDLE = 1,          /* unknown or closed response handle */
  WA_HTTP_ERR_MEMORY_NOT_FOUND = 2,        /* the module exports no memory */
  WA_HTTP_ERR_MEMORY_ACCESS = 3,           /* a pointer range outside guest memory */
  WA_HTTP_ERR_BUFFER_TOO_SMALL = 4,        /* header_get / headers_get_all: see below */
  WA_HTTP_ERR_HEADER_NOT_FOUND = 5,        /* header_get: no such response header */
  WA_HTTP_ERR_UTF8 = 6,                    /* URL, method or header text not UTF-8 */
  WA_HTTP_ERR_DESTINATION_NOT_ALLOWED = 7, /* not in allowed_outbound_hosts / actions */
  WA_HTTP_ERR_INVALID_METHOD = 8,          /* not an HTTP token */
  WA_HTTP_ERR_INVALID_ENCODING = 9,        /* request header text not "name:value" lines */
  WA_HTTP_ERR_INVALID_URL = 10,            /* not an absolute http(s) URL */
  WA_HTTP_ERR_REQUEST = 11,                /* DNS, connect, TLS, timeout, body too large */
  WA_HTTP_ERR_RUNTIME = 12,                /* host failure; chaining depth > 8 or a cycle */
  WA_HTTP_ERR_TOO_MANY_SESSIONS = 13,      /* > 16 open responses, > 64 requests per call */
  /* Never returned by the host: the SDK's own failure (malloc returned NULL). */
  WA_HTTP_ERR_SDK_NO_MEMORY = 1000
} wa_http_error;

/* The reference's name of a code ("success", "invalid_handle", ..., "too_many_sessions");
 * "out_of_memory" for WA_HTTP_ERR_SDK_NO_MEMORY and "unknown" for anything else. */
static inline const char* wa_http_error_name(uint32_t code) {
  switch (code) {
    case WA_HTTP_OK:
      return "success";
    case WA_HTTP_ERR_INVALID_HANDLE:
      return "invalid_handle";
    case WA_HTTP_ERR_MEMORY_NOT_FOUND:
      return "memory_not_found";
    case WA_HTTP_ERR_MEMORY_ACCESS:
      return "memory_access_error";
    case WA_HTTP_ERR_BUFFER_TOO_SMALL:
      return "buffer_too_small";
    case WA_HTTP_ERR_HEADER_NOT_FOUND:
      return "header_not_found";
    case WA_HTTP_ERR_UTF8:
      return "utf8_error";
    case WA_HTTP_ERR_DESTINATION_NOT_ALLOWED:
      return "destination_not_allowed";
    case WA_HTTP_ERR_INVALID_METHOD:
      return "invalid_method";
    case WA_HTTP_ERR_INVALID_ENCODING:
      return "invalid_encoding";
    case WA_HTTP_ERR_INVALID_URL:
      return "invalid_url";
    case WA_HTTP_ERR_REQUEST:
      return "request_error";
    case WA_HTTP_ERR_RUNTIME:
      return "runtime_error";
    case WA_HTTP_ERR_TOO_MANY_SESSIONS:
      return "too_many_sessions";
    case WA_HTTP_ERR_SDK_NO_MEMORY:
      return "out_of_memory";
    default:
      return "unknown";
  }
}

/* ------------------------------------------------------------------------------------- */
/* Raw imports of module `wasi_experimental_http`.                                         */
/* ------------------------------------------------------------------------------------- */

#if defined(__wasm__)
#define WA_HTTP__IMPORT(name) \
  __attribute__((import_module("wasi_experimental_http"), import_name(name)))
#else
/* Outside wasm the declarations stay plain externs (a native caller fails to link). */
#define WA_HTTP__IMPORT(name)
#endif

/* req(url, method, headers, body, status_out: u16, handle_out: u32). headers is
 * "name:value\n" lines. On success the status is at *status_out and the response's handle
 * at *handle_out (close it). */
WA_HTTP__IMPORT("req")
uint32_t wa_http_raw_req(const char* url, uint32_t url_len, const char* method, uint32_t method_len,
                         const char* headers, uint32_t headers_len, const void* body,
                         uint32_t body_len, uint16_t* status_out, uint32_t* handle_out);
/* close(handle): frees the response (1 invalid_handle if unknown). */
WA_HTTP__IMPORT("close")
uint32_t wa_http_raw_close(uint32_t handle);
/* header_get(handle, name, value_buf, value_cap, written_out): the value of response
 * header `name` (any case); 5 if absent; 4 if it does not fit (this host also stores the
 * needed length at written_out; the reference host does not). */
WA_HTTP__IMPORT("header_get")
uint32_t wa_http_raw_header_get(uint32_t handle, const char* name, uint32_t name_len, char* value,
                                uint32_t value_cap, uint32_t* written_out);
/* headers_get_all(handle, buf, cap, written_out): every header as "name:value\n" lines
 * (names lowercase); 4 like header_get. */
WA_HTTP__IMPORT("headers_get_all")
uint32_t wa_http_raw_headers_get_all(uint32_t handle, char* buf, uint32_t buf_cap,
                                     uint32_t* written_out);
/* body_read(handle, buf, cap, written_out): the next piece of the body; 0 written: end. */
WA_HTTP__IMPORT("body_read")
uint32_t wa_http_raw_body_read(uint32_t handle, void* buf, uint32_t buf_cap, uint32_t* written_out);

#undef WA_HTTP__IMPORT

/* ------------------------------------------------------------------------------------- */
/* Requests and responses.                                                                 */
/* ------------------------------------------------------------------------------------- */

typedef struct wa_http_request {
  const char* method;  /* NULL: "GET" */
  const char* url;     /* absolute http(s) URL, or http://<action>.actions.internal/... */
  const char* headers; /* "name:value\n" lines (see wa_http_headers); NULL: none */
  const void* body;    /* body_len bytes; NULL with 0: no body */
  size_t body_len;
} wa_http_request;

typedef struct wa_http_response {
  uint16_t status; /* the HTTP status (after redirects) */
  uint32_t handle; /* the host's handle, while `open` */
  bool open;       /* wa_http_close not called yet */
  bool body_done;  /* body_read reported the end */
} wa_http_response;

/* Sends the request and waits for the response's status and headers. WA_HTTP_OK: *res is
 * open (close it with wa_http_close); otherwise *res is zeroed and needs no close. */
static inline uint32_t wa_fetch(const wa_http_request* req, wa_http_response* res) {
  memset(res, 0, sizeof *res);
  if (!req || !req->url) return WA_HTTP_ERR_INVALID_URL;
  const char* method = req->method ? req->method : "GET";
  const char* headers = req->headers ? req->headers : "";
  /* A NULL body with a length would make the host read address 0: treat it as empty. */
  const void* body = req->body ? req->body : "";
  uint32_t body_len = req->body ? (uint32_t)req->body_len : 0;
  uint16_t status = 0;
  uint32_t handle = 0;
  uint32_t err =
      wa_http_raw_req(req->url, (uint32_t)strlen(req->url), method, (uint32_t)strlen(method),
                      headers, (uint32_t)strlen(headers), body, body_len, &status, &handle);
  if (err != WA_HTTP_OK) return err;
  res->status = status;
  res->handle = handle;
  res->open = true;
  return WA_HTTP_OK;
}

/* A GET without headers. */
static inline uint32_t wa_http_get(const char* url, wa_http_response* res) {
  wa_http_request req = {"GET", url, NULL, NULL, 0};
  return wa_fetch(&req, res);
}

/* Frees the response on the host. Safe to call twice and on a response that failed. */
static inline uint32_t wa_http_close(wa_http_response* res) {
  if (!res->open) return WA_HTTP_OK;
  res->open = false;
  return wa_http_raw_close(res->handle);
}

/* The value of response header `name` (any case) into (buf, cap) as a C string: at most
 * cap - 1 bytes and a NUL. Its length (without the NUL) goes to *len (may be NULL).
 * WA_HTTP_ERR_HEADER_NOT_FOUND if absent. WA_HTTP_ERR_BUFFER_TOO_SMALL if it does not fit:
 * then *len is the value's length when the host says it (this one does; give cap >= *len +
 * 1), else 0. Repeated headers: the host answers the first. */
static inline uint32_t wa_http_header(const wa_http_response* res, const char* name, char* buf,
                                      size_t cap, uint32_t* len) {
  if (len) *len = 0;
  if (cap == 0) return WA_HTTP_ERR_BUFFER_TOO_SMALL;
  buf[0] = 0;
  uint32_t written = 0;
  uint32_t room = cap - 1 > 0xffffffffu ? 0xffffffffu : (uint32_t)(cap - 1);
  uint32_t err =
      wa_http_raw_header_get(res->handle, name, (uint32_t)strlen(name), buf, room, &written);
  if (err == WA_HTTP_OK) {
    if (written > room) written = room; /* a host never reports more; stay safe anyway */
    buf[written] = 0;
  } else if (err != WA_HTTP_ERR_BUFFER_TOO_SMALL) {
    written = 0;
  }
  if (len) *len = written;
  return err;
}

/* One host call that fills (buf, cap) and stores a length at *written. */
typedef uint32_t (*wa_http__fill_fn)(const void* ctx, char* buf, uint32_t cap, uint32_t* written);

/* Calls `fill` with a malloc'd buffer and, on buffer_too_small, again: with the needed
 * length when the host stored one bigger than the offer (this host does), else with twice
 * the size (the reference host stores nothing), up to 64 MiB. The result gets a NUL (not
 * counted in *out_len). */
static inline uint32_t wa_http__alloc(wa_http__fill_fn fill, const void* ctx, uint32_t first_cap,
                                      char** out, uint32_t* out_len) {
  uint32_t cap = first_cap ? first_cap : 64;
  *out = NULL;
  if (out_len) *out_len = 0;
  for (;;) {
    char* buf = (char*)malloc((size_t)cap + 1);
    if (!buf) return WA_HTTP_ERR_SDK_NO_MEMORY;
    uint32_t written = 0;
    uint32_t err = fill(ctx, buf, cap, &written);
    if (err == WA_HTTP_ERR_BUFFER_TOO_SMALL) {
      free(buf);
      if (cap >= (64u << 20)) return err;
      uint32_t next = written > cap ? written : cap * 2;
      cap = next > (64u << 20) ? (64u << 20) : next;
      continue;
    }
    if (err != WA_HTTP_OK) {
      free(buf);
      return err;
    }
    if (written > cap) written = cap;
    buf[written] = 0;
    *out = buf;
    if (out_len) *out_len = written;
    return WA_HTTP_OK;
  }
}

struct wa_http__header_ctx {
  uint32_t handle;
  const char* name;
};

static inline uint32_t wa_http__header_fill(const void* ctx, char* buf, uint32_t cap,
                                            uint32_t* written) {
  const struct wa_http__header_ctx* c = (const struct wa_http__header_ctx*)ctx;
  return wa_http_raw_header_get(c->handle, c->name, (uint32_t)strlen(c->name), buf, cap, written);
}

static inline uint32_t wa_http__headers_fill(const void* ctx, char* buf, uint32_t cap,
                                             uint32_t* written) {
  return wa_http_raw_headers_get_all(*(const uint32_t*)ctx, buf, cap, written);
}

/* The value of response header `name` as a malloc'd C string (free() it), its length at
 * *len (may be NULL). Starts with a 256-byte buffer and retries as needed. */
static inline uint32_t wa_http_header_alloc(const wa_http_response* res, const char* name,
                                            char** value, uint32_t* len) {
  struct wa_http__header_ctx ctx = {res->handle, name};
  return wa_http__alloc(wa_http__header_fill, &ctx, 256, value, len);
}

/* Every response header as a malloc'd C string of "name:value\n" lines (names lowercase,
 * in arrival order, repeats kept). */
static inline uint32_t wa_http_headers_all(const wa_http_response* res, char** text,
                                           uint32_t* len) {
  return wa_http__alloc(wa_http__headers_fill, &res->handle, 1024, text, len);
}

/* The next piece of the body into (buf, cap); its size at *len. *len == 0 with WA_HTTP_OK:
 * the body has ended (and every later call says so again). */
static inline uint32_t wa_http_read_body(wa_http_response* res, void* buf, size_t cap,
                                         uint32_t* len) {
  *len = 0;
  if (res->body_done) return WA_HTTP_OK;
  uint32_t room = cap > 0xffffffffu ? 0xffffffffu : (uint32_t)cap;
  if (room == 0) return WA_HTTP_ERR_BUFFER_TOO_SMALL;
  uint32_t written = 0;
  uint32_t err = wa_http_raw_body_read(res->handle, buf, room, &written);
  if (err != WA_HTTP_OK) return err;
  if (written > room) written = room;
  if (written == 0) res->body_done = true;
  *len = written;
  return WA_HTTP_OK;
}

/* The rest of the body in a malloc'd buffer (free() it; NUL-terminated for convenience, the
 * NUL not counted), its length at *len (may be NULL). The buffer doubles as it fills. */
static inline uint32_t wa_http_body_all(wa_http_response* res, uint8_t** body, size_t* len) {
  size_t cap = 16384, n = 0;
  *body = NULL;
  if (len) *len = 0;
  uint8_t* buf = (uint8_t*)malloc(cap + 1);
  if (!buf) return WA_HTTP_ERR_SDK_NO_MEMORY;
  for (;;) {
    if (n == cap) {
      uint8_t* grown = (uint8_t*)realloc(buf, cap * 2 + 1);
      if (!grown) {
        free(buf);
        return WA_HTTP_ERR_SDK_NO_MEMORY;
      }
      buf = grown;
      cap *= 2;
    }
    uint32_t got = 0;
    uint32_t err = wa_http_read_body(res, buf + n, cap - n, &got);
    if (err != WA_HTTP_OK) {
      free(buf);
      return err;
    }
    if (got == 0) break;
    n += got;
  }
  buf[n] = 0;
  *body = buf;
  if (len) *len = n;
  return WA_HTTP_OK;
}

/* ------------------------------------------------------------------------------------- */
/* Chaining: another action of the same developer, in process.                            */
/* ------------------------------------------------------------------------------------- */

/* Calls action `action` (its name) with `path_and_query` ("/x?y=1"; a missing leading '/'
 * is added; NULL: "/"), `method` (NULL: GET), `headers` ("name:value\n" lines or NULL) and a
 * body. The callee sees PATH_INFO=/x and QUERY_STRING=y=1; its CGI response comes back as
 * *res. Needs the caller's `actions` grant to list `action` (or "*"), else
 * WA_HTTP_ERR_DESTINATION_NOT_ALLOWED; a chain deeper than 8 or a cycle is
 * WA_HTTP_ERR_RUNTIME. */
static inline uint32_t wa_call_action(const char* action, const char* path_and_query,
                                      const char* method, const char* headers, const void* body,
                                      size_t body_len, wa_http_response* res) {
  memset(res, 0, sizeof *res);
  const char* path = path_and_query ? path_and_query : "/";
  bool slash = path[0] == '/';
  static const char prefix[] = "http://";
  static const char suffix[] = ".actions.internal";
  size_t need = strlen(prefix) + strlen(action) + strlen(suffix) + (slash ? 0 : 1) + strlen(path);
  char* url = (char*)malloc(need + 1);
  if (!url) return WA_HTTP_ERR_SDK_NO_MEMORY;
  strcpy(url, prefix);
  strcat(url, action);
  strcat(url, suffix);
  if (!slash) strcat(url, "/");
  strcat(url, path);
  wa_http_request req = {method, url, headers, body, body_len};
  uint32_t err = wa_fetch(&req, res);
  free(url);
  return err;
}

/* ------------------------------------------------------------------------------------- */
/* Request headers: "name:value\n" text, built safely.                                     */
/* ------------------------------------------------------------------------------------- */

typedef struct wa_http_headers {
  char* text; /* NUL-terminated "name:value\n" lines (NULL until the first add) */
  size_t len, cap;
} wa_http_headers;

/* An empty builder: wa_http_headers h = WA_HTTP_HEADERS_INIT; */
#define WA_HTTP_HEADERS_INIT \
  { NULL, 0, 0 }

/* Appends "name:value\n". Returns -1 (and adds nothing) for an empty name, a name that is
 * not an HTTP token, a value with CR, LF or another control character but tab (each would
 * forge a line), or when memory runs out. */
static inline int wa_http_headers_add(wa_http_headers* h, const char* name, const char* value) {
  size_t name_len = strlen(name), value_len = strlen(value);
  if (name_len == 0) return -1;
  for (size_t i = 0; i < name_len; ++i) {
    unsigned char c = (unsigned char)name[i];
    bool token = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c && strchr("!#$%&'*+-.^_`|~", c));
    if (!token) return -1;
  }
  for (size_t i = 0; i < value_len; ++i) {
    unsigned char c = (unsigned char)value[i];
    if ((c < 0x20 && c != '\t') || c == 0x7f) return -1;
  }
  size_t need = h->len + name_len + value_len + 2;
  if (need + 1 > h->cap) {
    size_t cap = h->cap ? h->cap : 128;
    while (cap < need + 1) cap *= 2;
    char* grown = (char*)realloc(h->text, cap);
    if (!grown) return -1;
    h->text = grown;
    h->cap = cap;
  }
  memcpy(h->text + h->len, name, name_len);
  h->text[h->len + name_len] = ':';
  memcpy(h->text + h->len + name_len + 1, value, value_len);
  h->len = need;
  h->text[need - 1] = '\n';
  h->text[need] = 0;
  return 0;
}

/* The text to put in wa_http_request.headers ("" when empty). */
static inline const char* wa_http_headers_text(const wa_http_headers* h) {
  return h->text ? h->text : "";
}

static inline void wa_http_headers_free(wa_http_headers* h) {
  free(h->text);
  h->text = NULL;
  h->len = h->cap = 0;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* WASM_ACTIONS_HTTP_H */
