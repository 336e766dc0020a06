// Hostile CGI output, picked by the query string (the gateway must answer every one
// with a clean status and keep serving):
//   big_value  a header value of 70,000 bytes (over Beast's 65,535: issue 8 item 2)
//   big_name   a header name of 70,000 bytes
//   many       20,000 small headers
//   wide       200 headers of 8,000 bytes (1.6 MB of header block)
//   reason     Status 200 with a 70 KB reason phrase (item 23)
//   s204/s304  Status 204/304 with a body (item 1)
//   framing    its own Content-Length, Transfer-Encoding and Connection headers
//   s999 s101  statuses outside 200..599
//   nul cr     a NUL or a lone CR inside a header value
//   binary     bytes that are not text at all
//   large      a 10 MiB body
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// In chunks: byte-wise putchar through the fast tier's code takes seconds for 10 MiB.
static void repeat(int c, size_t n) {
  static char chunk[65536];
  memset(chunk, c, sizeof chunk);
  for (; n > sizeof chunk; n -= sizeof chunk) fwrite(chunk, 1, sizeof chunk, stdout);
  fwrite(chunk, 1, n, stdout);
}

int main(void) {
  const char* q = getenv("QUERY_STRING");
  if (!q) q = "";
  if (!strcmp(q, "big_value")) {
    printf("Content-Type: text/plain\nX-Big: ");
    repeat('v', 70000);
    printf("\n\nbody\n");
  } else if (!strcmp(q, "big_name")) {
    printf("Content-Type: text/plain\nX-");
    repeat('n', 70000);
    printf(": v\n\nbody\n");
  } else if (!strcmp(q, "many")) {
    printf("Content-Type: text/plain\n");
    for (int i = 0; i < 20000; ++i) printf("X-H%d: v\n", i);
    printf("\nbody\n");
  } else if (!strcmp(q, "wide")) {
    printf("Content-Type: text/plain\n");
    for (int i = 0; i < 200; ++i) {
      printf("X-W%d: ", i);
      repeat('w', 8000);
      putchar('\n');
    }
    printf("\nbody\n");
  } else if (!strcmp(q, "reason")) {
    printf("Status: 200 ");
    repeat('R', 70000);
    printf("\nContent-Type: text/plain\n\nbody\n");
  } else if (!strcmp(q, "s204")) {
    printf("Status: 204 No Content\nContent-Type: text/plain\n\nthis body must not be sent\n");
  } else if (!strcmp(q, "s304")) {
    printf("Status: 304 Not Modified\nContent-Type: text/plain\n\nthis body must not be sent\n");
  } else if (!strcmp(q, "framing")) {
    printf("Content-Type: text/plain\nContent-Length: 99999\nTransfer-Encoding: chunked\n"
           "Connection: close\n\nabc");
  } else if (!strcmp(q, "s999")) {
    printf("Status: 999 Nope\nContent-Type: text/plain\n\nbody\n");
  } else if (!strcmp(q, "s101")) {
    printf("Status: 101 Switching Protocols\nUpgrade: websocket\n\n");
  } else if (!strcmp(q, "nul")) {
    fwrite("Content-Type: text/plain\nX-Nul: a\0b\n\nbody\n", 1, 42, stdout);
  } else if (!strcmp(q, "cr")) {
    printf("Content-Type: text/plain\nX-Cr: a\rSet-Cookie: stolen=1\n\nbody\n");
  } else if (!strcmp(q, "binary")) {
    for (int i = 0; i < 4096; ++i) putchar((i * 7919) & 0xff);  // small: byte-wise is fine
  } else if (!strcmp(q, "large")) {
    printf("Content-Type: application/octet-stream\n\n");
    repeat('L', 10u << 20);
  } else {
    printf("Content-Type: text/plain\n\nunknown case '%s'\n", q);
  }
  return 0;
}
