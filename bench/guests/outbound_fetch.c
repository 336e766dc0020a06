// bench/run's outbound and chain scenarios: per request, one GET of $FETCH_URL through
// `wasi_experimental_http` (the C SDK, sdk/c/wasm_actions_http.h), answered with the
// fetched status and body. The URL comes from the action's settings.env, so one module
// serves every role: a client of the bench's local HTTP server (outbound), and each hop of
// a chain (`http://<next>.actions.internal/`).
#include <stdio.h>
#include <stdlib.h>
#include <wasm_actions_http.h>

static int fail(const char* what, uint32_t code) {
  printf("Status: 502 Bad Gateway\r\nContent-Type: text/plain\r\n\r\n%s: %u %s\n", what,
         (unsigned)code, wa_http_error_name(code));
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
  wa_http_response res;
  uint32_t err = wa_http_get(url, &res);
  if (err) return fail("request", err);

  // The bench's bodies are small: one read usually takes all of it. A static buffer (no
  // malloc per request) so the guest's own work stays negligible next to the host call;
  // the cap only bounds a misconfigured run (a URL answering something huge).
  static char body[64 << 10];
  size_t len = 0;
  while (len < sizeof body) {
    uint32_t got = 0;
    err = wa_http_read_body(&res, body + len, sizeof body - len, &got);
    if (err) {
      wa_http_close(&res);
      return fail("body_read", err);
    }
    if (got == 0) break;
    len += got;
  }
  wa_http_close(&res);
  printf("Status: %u\r\nContent-Type: text/plain\r\n\r\n", (unsigned)res.status);
  fwrite(body, 1, len, stdout);
  return 0;
}
