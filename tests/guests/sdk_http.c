// sdk/c/wasm_actions_http.h against the real host (tests/integration/sdk_http_test.cc).
// The query picks a case (`case=NAME`, `url=` the URL to call, `action=` / `path=` for
// chaining) and the answer is text/plain `key=value` lines, status 200 whatever the
// outcome, so the test sees exactly what the SDK returned:
//   get         GET with request headers built by wa_http_headers; status, a header, body
//   post        POST of this request's body with a content type; status and body
//   big         the body read in 4000-byte pieces: total, pieces, FNV-1a
//   longheader  header `x-long`: the raw call with 16 bytes (4 and the needed length),
//               wa_http_header with 16 bytes, then wa_http_header_alloc (retries)
//   refused     a URL the grant does not allow: the error code and its name
//   chain       wa_call_action(action, path, "PUT", ...): status, body, a header
//   (none)      the chaining callee: echoes method, PATH_INFO, QUERY_STRING, body, x-chain
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasm_actions.h>
#include <wasm_actions_http.h>

static uint32_t fnv1a(uint32_t h, const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 16777619u;
  return h;
}

static void report_error(const char* what, uint32_t err) {
  printf("%s_err=%u\n%s_name=%s\n", what, (unsigned)err, what, wa_http_error_name(err));
}

static void case_get(const char* url) {
  wa_http_headers h = WA_HTTP_HEADERS_INIT;
  int bad = wa_http_headers_add(&h, "x-bad\nname", "v") != -1 ||
            wa_http_headers_add(&h, "x-bad-value", "a\r\nx-forged:1") != -1;
  wa_http_headers_add(&h, "X-Test", "hello-sdk");
  wa_http_headers_add(&h, "Accept", "text/plain");
  printf("builder_refuses_crlf=%s\n", bad ? "no" : "yes");
  wa_http_response r;
  uint32_t err = wa_fetch(&(wa_http_request){.url = url, .headers = wa_http_headers_text(&h)}, &r);
  wa_http_headers_free(&h);
  report_error("fetch", err);
  if (err) return;
  printf("status=%u\n", (unsigned)r.status);
  char type[128];
  uint32_t len = 0;
  err = wa_http_header(&r, "Content-Type", type, sizeof type, &len);
  printf("content_type=%s\ncontent_type_len=%u\n", err ? wa_http_error_name(err) : type,
         (unsigned)len);
  char missing[8];
  report_error("missing_header", wa_http_header(&r, "x-not-there", missing, sizeof missing, NULL));
  char* all = NULL;
  err = wa_http_headers_all(&r, &all, &len);
  printf("headers_all_has_type=%s\n", !err && strstr(all, "content-type:") ? "yes" : "no");
  free(all);
  uint8_t* body = NULL;
  size_t n = 0;
  err = wa_http_body_all(&r, &body, &n);
  report_error("body", err);
  printf("body=%s\n", body ? (char*)body : "");
  free(body);
  // After the end, reads keep answering "end".
  uint8_t more[4];
  err = wa_http_read_body(&r, more, sizeof more, &len);
  printf("after_end=%u/%u\n", (unsigned)err, (unsigned)len);
  report_error("close", wa_http_close(&r));
  report_error("close_again", wa_http_close(&r));
}

static void case_post(const char* url) {
  size_t n = 0;
  uint8_t* in = wa_read_body(&n);
  wa_http_response r;
  uint32_t err = wa_fetch(&(wa_http_request){.method = "POST",
                                             .url = url,
                                             .headers = "content-type:text/plain\n",
                                             .body = in,
                                             .body_len = n},
                          &r);
  free(in);
  report_error("fetch", err);
  if (err) return;
  printf("status=%u\n", (unsigned)r.status);
  uint8_t* body = NULL;
  err = wa_http_body_all(&r, &body, &n);
  printf("body=%s\n", body ? (char*)body : wa_http_error_name(err));
  free(body);
  wa_http_close(&r);
}

static void case_big(const char* url) {
  wa_http_response r;
  uint32_t err = wa_http_get(url, &r);
  report_error("fetch", err);
  if (err) return;
  static uint8_t piece[4000];
  size_t total = 0, pieces = 0;
  uint32_t hash = 2166136261u, got = 0;
  while ((err = wa_http_read_body(&r, piece, sizeof piece, &got)) == WA_HTTP_OK && got > 0) {
    hash = fnv1a(hash, piece, got);
    total += got;
    ++pieces;
  }
  report_error("read", err);
  printf("status=%u\ntotal=%zu\npieces_ok=%s\nfnv=%08x\n", (unsigned)r.status, total,
         pieces >= (total + sizeof piece - 1) / sizeof piece ? "yes" : "no", (unsigned)hash);
  wa_http_close(&r);
}

static void case_longheader(const char* url) {
  wa_http_response r;
  uint32_t err = wa_http_get(url, &r);
  report_error("fetch", err);
  if (err) return;
  // The raw call: our host answers 4 and stores the needed length (the extension).
  char small[16];
  uint32_t written = 0;
  err = wa_http_raw_header_get(r.handle, "x-long", 6, small, sizeof small, &written);
  printf("raw_err=%u\nraw_needed=%u\n", (unsigned)err, (unsigned)written);
  uint32_t len = 0;
  err = wa_http_header(&r, "X-LONG", small, sizeof small, &len);
  printf("small_err=%u\nsmall_len=%u\n", (unsigned)err, (unsigned)len);
  char* value = NULL;
  err = wa_http_header_alloc(&r, "x-long", &value, &len);
  report_error("alloc", err);
  printf("alloc_len=%u\nalloc_fnv=%08x\n", (unsigned)len,
         value ? (unsigned)fnv1a(2166136261u, (const uint8_t*)value, len) : 0u);
  free(value);
  wa_http_close(&r);
}

static void case_refused(const char* url) {
  wa_http_response r;
  uint32_t err = wa_http_get(url, &r);
  report_error("fetch", err);
  printf("open=%s\n", r.open ? "yes" : "no");
  wa_http_close(&r);
}

static void case_chain(const char* action, const char* path) {
  wa_http_response r;
  uint32_t err = wa_call_action(action, path, "PUT", "x-chain:from-caller\n", "chain-body", 10, &r);
  report_error("call", err);
  if (err) return;
  printf("status=%u\n", (unsigned)r.status);
  char* v = NULL;
  err = wa_http_header_alloc(&r, "x-callee", &v, NULL);
  printf("x_callee=%s\n", err ? wa_http_error_name(err) : v);
  free(v);
  uint8_t* body = NULL;
  size_t n = 0;
  err = wa_http_body_all(&r, &body, &n);
  // The callee's body is lines itself: prefix them so they cannot pass for ours.
  for (char* line = body ? strtok((char*)body, "\n") : NULL; line; line = strtok(NULL, "\n"))
    printf("callee.%s\n", line);
  free(body);
  wa_http_close(&r);
}

static void case_echo(void) {
  size_t n = 0;
  uint8_t* body = wa_read_body(&n);
  const char* chain = wa_header("X-Chain");
  printf("method=%s\npath=%s\nquery=%s\nbody=%s\nx_chain=%s\n", wa_request_method(),
         wa_request_path(), wa_query_string(), body ? (char*)body : "", chain ? chain : "");
  free(body);
}

int main(void) {
  char* which = wa_query_param("case");
  char* url = wa_query_param("url");
  const char* u = url ? url : "";
  printf("Status: 200 OK\r\nContent-Type: text/plain\r\n");
  if (!which) printf("X-Callee: %s\r\n", wa_request_path());
  printf("\r\n");
  if (!which) {
    case_echo();
  } else if (strcmp(which, "get") == 0) {
    case_get(u);
  } else if (strcmp(which, "post") == 0) {
    case_post(u);
  } else if (strcmp(which, "big") == 0) {
    case_big(u);
  } else if (strcmp(which, "longheader") == 0) {
    case_longheader(u);
  } else if (strcmp(which, "refused") == 0) {
    case_refused(u);
  } else if (strcmp(which, "chain") == 0) {
    char* action = wa_query_param("action");
    char* path = wa_query_param("path");
    case_chain(action ? action : "", path ? path : "/");
    free(action);
    free(path);
  } else {
    printf("unknown_case=%s\n", which);
  }
  printf("done=1\n");
  free(which);
  free(url);
  return 0;
}
