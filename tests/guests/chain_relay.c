// One link of a chain of actions. With the env var NEXT (an action setting), it calls
// http://$NEXT.actions.internal$PATH_INFO?$QUERY_STRING with its own method, body and
// X-Trace header (plus its NAME), and answers "NAME -> <err> <status>\n" followed by the
// callee's body. Without NEXT it is the end of the chain and answers what it received:
// "leaf NAME METHOD PATH_INFO QUERY_STRING trace=X-Trace body=<stdin>".
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("wasi_experimental_http"), import_name(name)))
IMPORT("req")
uint32_t http_req(const void*, uint32_t, const void*, uint32_t, const void*, uint32_t, const void*,
                  uint32_t, uint16_t*, uint32_t*);
IMPORT("body_read") uint32_t http_body_read(uint32_t, void*, uint32_t, uint32_t*);
IMPORT("close") uint32_t http_close(uint32_t);

static const char* env(const char* name) {
  const char* value = getenv(name);
  return value ? value : "";
}

int main(void) {
  static char body[1 << 16];
  size_t body_len = fread(body, 1, sizeof body - 1, stdin);
  body[body_len] = '\0';
  const char* name = env("NAME");
  const char* next = env("NEXT");
  const char* trace = env("HTTP_X_TRACE");
  printf("Content-Type: text/plain\n\n");
  if (!*next) {
    printf("leaf %s %s %s %s trace=%s body=%s\n", name, env("REQUEST_METHOD"), env("PATH_INFO"),
           env("QUERY_STRING"), trace, body);
    return 0;
  }
  static char url[1024], headers[512];
  const char* query = env("QUERY_STRING");
  snprintf(url, sizeof url, "http://%s.actions.internal%s%s%s", next, env("PATH_INFO"),
           *query ? "?" : "", query);
  snprintf(headers, sizeof headers, "x-trace:%s%s%s\n", trace, *trace ? "," : "", name);
  const char* method = env("REQUEST_METHOD");
  uint16_t status = 0;
  uint32_t handle = 0;
  uint32_t e = http_req(url, strlen(url), method, strlen(method), headers, strlen(headers), body,
                        body_len, &status, &handle);
  printf("%s -> %u %u\n", name, e, status);
  if (e != 0) return 0;
  static char piece[4096];
  for (;;) {
    uint32_t written = 0;
    if (http_body_read(handle, piece, sizeof piece, &written) != 0 || written == 0) break;
    fwrite(piece, 1, written, stdout);
  }
  http_close(handle);
  return 0;
}
