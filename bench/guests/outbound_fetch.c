// bench/run's outbound and chain scenarios: per request, one GET of $FETCH_URL through
// `wasi_experimental_http` (deislabs' ABI, declared here so the guest needs nothing but
// wasi-libc), answered with the fetched status and body. The URL comes from the action's
// settings.env, so one module serves every role: a client of the bench's local HTTP server
// (outbound), and each hop of a chain (`http://<next>.actions.internal/`).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WXH_IMPORT(name) __attribute__((import_module("wasi_experimental_http"), import_name(name)))

WXH_IMPORT("req")
uint32_t wxh_req(const char* url, size_t url_len, const char* method, size_t method_len,
                 const char* headers, size_t headers_len, const void* body, size_t body_len,
                 uint16_t* status_out, uint32_t* handle_out);
WXH_IMPORT("body_read")
uint32_t wxh_body_read(uint32_t handle, void* buf, size_t cap, size_t* written_out);
WXH_IMPORT("close")
uint32_t wxh_close(uint32_t handle);

// deislabs' error codes, named in the 502 answer so a failed bench run says why.
static const char* error_name(uint32_t code) {
  static const char* const names[] = {
      "success",          "invalid_handle",   "memory_not_found", "memory_access_error",
      "buffer_too_small", "header_not_found", "utf8_error",       "destination_not_allowed",
      "invalid_method",   "invalid_encoding", "invalid_url",      "request_error",
      "runtime_error",    "too_many_sessions"};
  return code < sizeof names / sizeof names[0] ? names[code] : "unknown_error";
}

static int fail(const char* what, uint32_t code) {
  printf("Status: 502 Bad Gateway\r\nContent-Type: text/plain\r\n\r\n%s: %u %s\n", what,
         (unsigned)code, error_name(code));
  return 0;
}

int main(void) {
  const char* url = getenv("FETCH_URL");
  if (!url || !*url) {
    printf(
        "Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\n"
        "FETCH_URL is not set (settings.env)\n");
    return 0;
  }
  uint16_t status = 0;
  uint32_t handle = 0;
  uint32_t err = wxh_req(url, strlen(url), "GET", 3, "", 0, "", 0, &status, &handle);
  if (err) return fail("req", err);

  // The bench's bodies are small: one read usually takes all of it. The cap only bounds a
  // misconfigured run (a URL answering something huge).
  static char body[64 << 10];
  size_t len = 0;
  for (;;) {
    size_t got = 0;
    if (len == sizeof body) break;
    err = wxh_body_read(handle, body + len, sizeof body - len, &got);
    if (err) {
      wxh_close(handle);
      return fail("body_read", err);
    }
    if (got == 0) break;
    len += got;
  }
  wxh_close(handle);
  printf("Status: %u\r\nContent-Type: text/plain\r\n\r\n", (unsigned)status);
  fwrite(body, 1, len, stdout);
  return 0;
}
